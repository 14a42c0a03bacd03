"""What the Events' hash chain costs: appends one by one and in bulk, and verify_audit.

Run against a database of its own (it writes to it), for example:

    createdb -h 127.0.0.1 -U verifier verifier_audit_bench
    DATABASE_URL=postgres://verifier@127.0.0.1:5432/verifier_audit_bench \\
        DEBUG=1 python manage.py migrate
    DATABASE_URL=postgres://verifier@127.0.0.1:5432/verifier_audit_bench \\
        DEBUG=1 python benchmarks/audit_chain.py --notes 500 --bulk 20000

It prints the time per note (a workflow transition that writes one Event), the time
for one ``audit.append`` of ``--bulk`` Events, and the time ``verify_audit`` takes on
everything in the database.
"""

import argparse
import os
import sys
import time
from io import StringIO
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "verifier.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import Group, Permission, User  # noqa: E402
from django.core.management import call_command  # noqa: E402

from verifier import audit, defaults, workflow  # noqa: E402
from verifier.models import Event  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--notes", type=int, default=500)
    parser.add_argument("--bulk", type=int, default=20000)
    args = parser.parse_args()

    defaults.ensure_groups()
    defaults.ensure_ratings()
    defaults.ensure_policy()
    user, _ = User.objects.get_or_create(username="bench-checker")
    user.groups.add(Group.objects.get(name=defaults.FACT_CHECKERS))
    user.user_permissions.add(*Permission.objects.filter(codename="add_article"))
    user = User.objects.get(pk=user.pk)  # forget cached permissions
    body = f"Benchmark {time.time()}: prices rose 3% in May."
    claim = workflow.create_article(
        user=user, title="Bench", body=body, spans=[workflow.Span(0, len(body))]
    ).claims.get()

    started = time.perf_counter()
    for n in range(args.notes):
        workflow.add_note(claim, user=user, text=f"Note {n}")
    per_note = (time.perf_counter() - started) / args.notes
    print(f"add_note (one Event each): {per_note * 1000:.2f} ms per call")

    events = [
        Event(
            actor=user,
            action="note",
            target_type="claim",
            target_id=claim.pk,
            claim=claim,
            article=claim.article,
            changes={"bulk": [None, n]},
        )
        for n in range(args.bulk)
    ]
    started = time.perf_counter()
    audit.append(events)
    print(f"audit.append of {args.bulk} Events: {time.perf_counter() - started:.2f} s")

    started = time.perf_counter()
    out = StringIO()
    try:
        call_command("verify_audit", stdout=out)
    except Exception as error:  # noqa: BLE001 - report, do not hide the time
        out.write(str(error))
    elapsed = time.perf_counter() - started
    print(f"verify_audit on {Event.objects.count()} Events: {elapsed:.2f} s")
    print(out.getvalue().strip().splitlines()[-2:])


if __name__ == "__main__":
    main()
