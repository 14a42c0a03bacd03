"""Summarise a load.sh run and decide whether it passed.

Usage: report.py OUT RESTARTED
"""

import csv
import json
import sys
from pathlib import Path

out, restarted = Path(sys.argv[1]), sys.argv[2] == "1"
problems = []

with open(out / "locust_stats.csv") as f:
    rows = {row["Name"]: row for row in csv.DictReader(f)}
total = rows["Aggregated"]
requests, failures = int(total["Request Count"]), int(total["Failure Count"])
print(
    f"requests {requests}, failures {failures}, "
    f"{float(total['Requests/s']):.1f} requests/s, "
    f"median {total['50%']} ms, p95 {total['95%']} ms, p99 {total['99%']} ms, "
    f"max {float(total['Max Response Time']):.0f} ms"
)
for name, row in sorted(rows.items()):
    if name != "Aggregated":
        print(
            f"  {name:28} {row['Request Count']:>6}  median {row['50%']:>5} ms  "
            f"p95 {row['95%']:>5} ms  failures {row['Failure Count']}"
        )
if failures:
    problems.append(f"{failures} failed requests (see locust_failures.csv)")
if not requests:
    problems.append("no request was made (see locust.log)")
with open(out / "locust_exceptions.csv") as f:
    crashes = sum(int(row["Count"]) for row in csv.DictReader(f))
if crashes:
    problems.append(f"{crashes} exceptions in the simulated people (locust.log)")

# The log-ins, before the timed requests (locustfile.py): timed apart.
logins = [line.split() for line in (out / "logins.log").read_text().splitlines()]
seconds = sorted(float(t) for t, _ in logins)
if seconds:
    print(
        f"log-ins before the timed requests (not in the figures above): "
        f"{len(seconds)}, median {seconds[len(seconds) // 2] * 1000:.0f} ms, "
        f"max {seconds[-1] * 1000:.0f} ms"
    )
refused = [status for _, status in logins if status != "302"]
if refused:
    problems.append(f"{len(refused)} log-ins answered {sorted(set(refused))}, not 302")

probe = [line.split() for line in (out / "healthz.log").read_text().splitlines()]
probe = [(float(t), code) for t, code in probe]
codes = {code for _, code in probe}
unavailable = [float(t) for t in (out / "user-503.log").read_text().split()]
if restarted:
    start = float((out / "restart-start").read_text())
    end = float((out / "restart-end").read_text())
    down = [t for t, code in probe if code == "503"]
    print(
        f"restart: pg_ctlcluster took {end - start:.1f} s; /healthz answered 503 "
        f"{len(down)} times"
        + (
            f", from +{down[0] - start:.1f} s to +{down[-1] - start:.1f} s"
            if down
            else ""
        )
        + f"; users got {len(unavailable)} 503 answers"
    )
    if not down:
        problems.append("/healthz never answered 503 while PostgreSQL restarted")
    back = [t for t, code in probe if code == "200" and t > end]
    if not back:
        problems.append("/healthz did not answer 200 again after the restart")
    else:
        again = back[0] - end
        print(f"recovered: /healthz 200 again {again:.1f} s after the restart ended")
    late = [t for t, code in probe if code != "200" and t > end + 10]
    if late:
        problems.append(
            f"/healthz still failing {len(late)} times 10 s after the restart"
        )
    stray = [t for t in unavailable if not start - 1 <= t <= end + 5]
    if stray:
        problems.append(f"{len(stray)} 503 answers outside the restart window")
elif unavailable or "503" in codes:
    problems.append("503 answers without a restart")
if codes - {"200", "503"}:
    problems.append(f"/healthz answered {sorted(codes - {'200', '503'})}")

after = json.loads((out / "healthz-after.json").read_text() or "{}")
if after.get("database") != "reachable":
    problems.append(f"/healthz after the run: {after}")
audit_rc = (out / "verify_audit.rc").read_text().strip()
print(
    "verify_audit: " + (out / "verify_audit.log").read_text().strip().splitlines()[-1]
)
if audit_rc != "0":
    problems.append("verify_audit found mismatches")

for problem in problems:
    print("FAIL:", problem)
print("PASS" if not problems else "FAILED")
sys.exit(1 if problems else 0)
