"""Every page that grows with the newsroom, measured side by side in one run.

    DATABASE_URL=postgres://verifier@127.0.0.1:5432/verifier_scale \\
        .venv/bin/python manage.py make_scale_data --articles 1000 --claims 100000
    DATABASE_URL=... .venv/bin/python benchmarks/pages.py [--rounds 5] [--out FILE]

In-process (Django's test client, no network), warm, median of ``--rounds``
interleaved rounds: wall time, and the CPU time of this process, which says what a
request costs whatever else shares the machine. Each /claims/ view is shown against the
Django admin changelist of the same claims (the ratio the targets are set in) and a
trivial view (/healthz). The dashboard and the claims list are measured again with the
big articles' texts cut to a line (inside a transaction that is rolled back), to show
that a 2 MB article costs them nothing. Each export runs in a fresh process: time to
first byte, total and CPU time, size, and the peak memory it added to the process.
Writes the tables of ``benchmarks/results.md``, keeping the sections written by hand
below them (## headings).
"""

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "verifier.settings")
os.environ.setdefault("DEBUG", "1")
USERNAME = "bench-admin"


def setup():
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.test import Client

    User = get_user_model()
    user = User.objects.filter(username=USERNAME).first()
    if user is None:
        user = User.objects.create_superuser(USERNAME, "bench@example.org", None)
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    return client


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def export_child(url: str) -> None:
    """Runs in a fresh process: one export, streamed to nowhere."""
    import resource

    client = setup()
    client.get("/claims/")
    base = rss_mb()
    start, cpu = time.perf_counter(), time.process_time()
    response = client.get(url)
    first, size = None, 0
    for chunk in (
        response.streaming_content if response.streaming else [response.content]
    ):
        first = first if first is not None else time.perf_counter() - start
        size += len(chunk)
    total = time.perf_counter() - start
    cpu = time.process_time() - cpu
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        json.dumps(
            {
                "status": response.status_code,
                "first": first,
                "total": total,
                "cpu": cpu,
                "mb": size / 2**20,
                "growth": peak - base,
            }
        )
    )


def timed(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        start, cpu = time.perf_counter(), time.process_time()
        response = client.get(url)
        body = response.getvalue() if response.streaming else response.content
        elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    return response.status_code, elapsed, cpu, len(queries), len(body)


def measure(client, urls: dict, rounds: int) -> dict:
    for url in urls.values():
        timed(client, url)  # warm caches and connections
    samples = {name: [] for name in urls}
    cpu_samples = {name: [] for name in urls}
    facts = {}
    for _ in range(rounds):
        for name, url in urls.items():
            status, elapsed, cpu, queries, size = timed(client, url)
            samples[name].append(elapsed)
            cpu_samples[name].append(cpu)
            facts[name] = (status, queries, size)
    return {
        name: (
            statistics.median(samples[name]),
            statistics.median(cpu_samples[name]),
            *facts[name],
        )
        for name in urls
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results.md"))
    args = parser.parse_args()

    load_before = os.getloadavg()
    client = setup()
    from django.db import connection, transaction
    from django.db.models import Count
    from django.db.models.functions import Length

    from verifier.models import Article, Claim

    n_claims = Claim.objects.count()
    articles = Article.objects.annotate(size=Length("body")).order_by("-size")
    big = list(articles.values_list("pk", "size")[:2])
    biggest_by_claims = (
        Article.objects.annotate(n=Count("claims")).order_by("-n").values("pk", "n")[0]
    )
    regular = articles.last()
    word = "percent"

    admin = "/admin/verifier/claim/"
    claims_views = {
        "/claims/ page 1": "/claims/",
        "/claims/ state filter": "/claims/?state=open",
        "/claims/ verdict filter": "/claims/?rating=1",
        "/claims/ article filter": f"/claims/?article={biggest_by_claims['pk']}",
        "/claims/ sorted by update": "/claims/?sort=-updated_at",
        "/claims/ sorted by claim": "/claims/?sort=text",
        "/claims/ sorted by article": "/claims/?sort=article",
        "/claims/ search": f"/claims/?q={word}",
        "/claims/ page 2000": "/claims/?page=2000",
        "/claims/ per_page=200": "/claims/?per_page=200",
    }
    other_views = {
        "dashboard": "/",
        "articles list": "/articles/",
        "big article page": f"/articles/{biggest_by_claims['pk']}/",
        # Its "Figures that disagree", computed on request for a long report.
        "big article page, figures": f"/articles/{biggest_by_claims['pk']}/?figures=1",
        "regular article page": f"/articles/{regular.pk}/",
        "claim page": f"/claims/{Claim.objects.order_by('pk').first().pk}/",
    }
    urls = {
        "admin changelist": admin,
        "trivial view (/healthz)": "/healthz",
        **claims_views,
        **other_views,
    }
    results = measure(client, urls, args.rounds)
    admin_time = results["admin changelist"][0]

    # The same two pages with the big texts cut to one line, then restored; measured
    # alike both times (the two pages alone, inside a transaction), so that the other
    # pages of the run and the transaction weigh on neither side.
    two = {"dashboard": "/", "/claims/ page 1": "/claims/"}
    big_ids = [pk for pk, _ in big]
    with transaction.atomic():
        with_big = measure(client, two, args.rounds)
        Article.objects.filter(pk__in=big_ids).update(
            body="Cut for the comparison.", sentences=[]
        )
        without = measure(client, two, args.rounds)
        transaction.set_rollback(True)

    exports = {}
    for fmt in ("csv", "json", "xlsx"):
        run = subprocess.run(
            [sys.executable, __file__, "--export", f"/claims/?_export={fmt}"],
            capture_output=True,
            text=True,
            timeout=1200,
        )
        try:
            exports[fmt] = json.loads(run.stdout.strip().splitlines()[-1])
        except (ValueError, IndexError):
            exports[fmt] = {"error": run.stderr[-500:]}

    load = os.getloadavg()
    lines = [
        "# Page benchmarks",
        "",
        f"{n_claims:,} claims on {connection.vendor}; big articles: "
        + ", ".join(f"#{pk} {size / 1e6:.1f} M characters" for pk, size in big)
        + f"; the most claims in one article: {biggest_by_claims['n']:,}.",
        f"Median of {args.rounds} interleaved rounds, in-process (test client, warm), "
        f"{platform.node()}, {os.cpu_count()} cores, load average (1 / 5 / 15 min) "
        f"{load_before[0]:.1f} / {load_before[1]:.1f} / {load_before[2]:.1f} at the "
        f"start, {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} at the end (other work "
        "shared the machine: compare the ratios and the CPU times, not the seconds).",
        "",
        "Command: `DATABASE_URL=... .venv/bin/python benchmarks/pages.py`",
        "",
        "| view | time | CPU | x admin changelist | queries | KB | status |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, (elapsed, cpu, status, queries, size) in results.items():
        lines.append(
            f"| {name} | {elapsed * 1000:.0f} ms | {cpu * 1000:.0f} ms | "
            f"{elapsed / admin_time:.2f}x | {queries} | {size / 1024:.0f} | {status} |"
        )
    lines += [
        "",
        "With and without the big articles' texts (cut inside a rolled-back "
        "transaction):",
        "",
        "| view | with | without | ratio | CPU with | CPU without | CPU ratio |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, (elapsed, cpu, *_rest) in without.items():
        full, full_cpu = with_big[name][:2]
        lines.append(
            f"| {name} | {full * 1000:.0f} ms | {elapsed * 1000:.0f} ms | "
            f"{full / elapsed:.2f} | {full_cpu * 1000:.0f} ms | {cpu * 1000:.0f} ms | "
            f"{full_cpu / cpu:.2f} |"
        )
    lines += [
        "",
        "Exports of every claim, each in a fresh process:",
        "",
        "| format | status | first byte | total | CPU | rows/s of CPU | size "
        "| peak memory added |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for fmt, e in exports.items():
        if "error" in e:
            lines.append(f"| {fmt} | failed: {e['error'][-200:]!r} | | | | | | |")
            continue
        lines.append(
            f"| {fmt} | {e['status']} | {e['first']:.2f} s | {e['total']:.1f} s | "
            f"{e['cpu']:.1f} s | {n_claims / e['cpu']:,.0f} | {e['mb']:.1f} MB | "
            f"{e['growth']:.0f} MB |"
        )
    text = "\n".join(lines) + "\n"
    print(text)
    # The sections written by hand below the tables (## headings: the load test, what
    # changed and why) stay; the tables above them are replaced.
    out = Path(args.out)
    earlier = out.read_text() if out.exists() else ""
    kept = earlier[earlier.index("\n## ") :] if "\n## " in earlier else ""
    out.write_text(text + kept)


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--export":
        export_child(sys.argv[2])
    else:
        main()
