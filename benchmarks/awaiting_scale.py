"""The dashboard's "Awaiting my approval" at scale: ``workflow.approvable_by``.

Run: .venv/bin/python benchmarks/awaiting_scale.py [--submitted 20000] [--others 80000]
Builds a throwaway SQLite database (or uses DATABASE_URL if set) holding ``submitted``
submitted claims, each with the Events of a real history (start, verdict, evidence,
submit; the editor wrote every third verdict), beside ``others`` open claims, and
prints the time of the dashboard's list for that editor and of the whole dashboard,
with their query counts. It also checks, on a sample, that the list agrees with
``workflow.can_approve`` claim by claim. ``EXPLAIN=1`` prints the query plan.

Figures (2-core machine shared with other test runs, so upper bounds), 20,000
submitted claims beside 20,000 open ones, the editor may approve 13,333:
PostgreSQL 15, first 50 awaiting 575 ms, count 257 ms, dashboard 594 ms, with
``PGOPTIONS="-c jit=off"``; with PostgreSQL's default JIT the same query spends about
3 s compiling (its cost estimate passes jit_above_cost) for 0.3 s of execution, so a
deployment at this scale wants ``jit=off`` for the app's connections. SQLite (a test
suite running beside it): first 50 in 1224 ms, count 792 ms, dashboard 1526 ms.
"""

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "verifier.settings")
if "DATABASE_URL" not in os.environ:
    os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp()}/awaiting.sqlite3"

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import Group, User  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from verifier import defaults, workflow  # noqa: E402
from verifier.models import Article, Claim, Event, Rating  # noqa: E402

SENTENCE = "Prices rose 3.2% in March, the statistics office said. "
PER_ARTICLE = 100


def person(name: str, group: str) -> User:
    user, _ = User.objects.get_or_create(username=name)
    user.groups.add(Group.objects.get(name=group))
    return user


def fill(submitted: int, others: int, checker: User, editor: User) -> None:
    rating = Rating.objects.first()
    made = 0
    while made < submitted + others:
        n = min(PER_ARTICLE, submitted + others - made)
        article = Article.objects.create(
            title=f"Article {made}",
            body=SENTENCE * n,
            body_sha256=f"{made:064d}",
            imported_by=editor,
            state=Article.State.IN_REVIEW,
        )
        claims = Claim.objects.bulk_create(
            Claim(
                article=article,
                start=i * len(SENTENCE),
                end=(i + 1) * len(SENTENCE) - 1,
                text=SENTENCE.strip(),
                state="submitted" if made + i < submitted else "open",
                assignee=checker if made + i < submitted else None,
                rating=rating if made + i < submitted else None,
                rationale="Old figure." if made + i < submitted else "",
                submitted_by=checker if made + i < submitted else None,
            )
            for i in range(n)
        )
        events = []
        for i, claim in enumerate(claims):
            if made + i >= submitted:
                continue
            author = editor if (made + i) % 3 == 0 else checker
            common = {"article": article, "claim": claim, "target_type": "claim"}
            events += [
                Event(actor=checker, action="start", target_id=claim.pk, **common),
                Event(
                    actor=author,
                    action="verdict",
                    target_id=claim.pk,
                    changes={
                        "rating_id": [None, rating.pk],
                        "rationale": ["", "Old figure."],
                    },
                    **common,
                ),
                Event(
                    actor=checker,
                    action="add_evidence",
                    target_id=10**9 + claim.pk,
                    article=article,
                    claim=claim,
                    target_type="evidence",
                ),
                Event(actor=checker, action="submit", target_id=claim.pk, **common),
            ]
        Event.objects.bulk_create(events)
        made += n


def timed(call):
    call()  # warm
    with CaptureQueriesContext(connection) as queries:
        began = time.perf_counter()
        result = call()
        elapsed = time.perf_counter() - began
    return result, len(queries), elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--submitted", type=int, default=20_000)
    parser.add_argument("--others", type=int, default=80_000)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    defaults.ensure_groups()
    defaults.ensure_ratings()
    defaults.ensure_policy()
    checker = person("bench-checker", defaults.FACT_CHECKERS)
    editor = person("bench-editor", defaults.EDITORS)
    fill(args.submitted, args.others, checker, editor)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # as autovacuum would soon after a bulk load
    if os.environ.get("EXPLAIN"):
        query = workflow.approvable_by(editor, Claim.objects.all())
        print(query.explain(analyze=connection.vendor == "postgresql"))

    claims = Claim.objects.select_related("article", "rating", "submitted_by")
    listed, n_list, t_list = timed(
        lambda: list(workflow.approvable_by(editor, claims)[:50])
    )
    count, n_count, t_count = timed(
        lambda: workflow.approvable_by(editor, Claim.objects.all()).count()
    )
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(editor)
    response, n_page, t_page = timed(lambda: client.get("/"))
    assert response.status_code == 200

    sample = list(Claim.objects.filter(state="submitted").order_by("pk")[:300])
    listed_ids = set(
        workflow.approvable_by(
            editor, Claim.objects.filter(pk__in=[c.pk for c in sample])
        ).values_list("pk", flat=True)
    )
    judged = {c.pk for c in sample if workflow.can_approve(editor, c) is None}
    assert listed_ids == judged, "approvable_by disagrees with can_approve"

    print(
        f"database: {connection.vendor}; submitted {args.submitted}, others "
        f"{args.others}; the editor may approve {count}"
    )
    print(f"first 50 awaiting: {n_list} query, {t_list * 1000:.0f} ms")
    print(f"count awaiting:    {n_count} query, {t_count * 1000:.0f} ms")
    print(f"dashboard page:    {n_page} queries, {t_page * 1000:.0f} ms")
    print(f"sample of {len(sample)}: the list agrees with can_approve")


if __name__ == "__main__":
    main()
