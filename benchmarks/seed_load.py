"""Seed the load-test database: people, one long article, claims ready to work.

Run by load.sh against its own database (never the real one): it creates 15
fact-checkers and 5 editors directly (setup_demo refuses to run with DEBUG off), an
article of 300 claims, gives each checker 12 of them already started with one piece of
evidence, and writes the plan the locust users follow to the path given.
"""

import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "verifier.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import Group, User  # noqa: E402

from verifier import defaults, workflow  # noqa: E402
from verifier.models import Rating  # noqa: E402

CHECKERS, EDITORS, CLAIMS_EACH = 15, 5, 12


def main(plan_path: str, password: str) -> None:
    checkers = [
        person(f"checker{n:02}", defaults.FACT_CHECKERS, password)
        for n in range(CHECKERS)
    ]
    editors = [person(f"editor{n}", defaults.EDITORS, password) for n in range(EDITORS)]
    n = CHECKERS * CLAIMS_EACH
    body = "\n\n".join(
        f"Claim {i}: the city spent {i * 3} million on roads in {2000 + i % 25}, "
        f"officials said."
        for i in range(n)
    )
    spans, offset = [], 0
    for paragraph in body.split("\n\n"):
        spans.append(workflow.Span(offset, offset + len(paragraph)))
        offset += len(paragraph) + 2
    article = workflow.create_article(
        user=checkers[0], title="Load-test article", body=body, spans=spans
    )
    source = workflow.create_source(
        user=checkers[0], title="City budget", url="https://example.org/budget.pdf"
    )
    claims = list(article.claims.order_by("start"))
    plan = {"password": password, "checkers": {}, "editors": {}}
    for index, checker in enumerate(checkers):
        mine = claims[index * CLAIMS_EACH : (index + 1) * CLAIMS_EACH]
        for claim in mine:
            claim = workflow.assign(
                claim, user=editors[0], assignee=checker, version=claim.version
            )
            claim = workflow.start(claim, user=checker, version=claim.version)
            workflow.add_evidence(
                claim,
                user=checker,
                source=source,
                excerpt="Table 3.",
                stance="supports",
            )
        plan["checkers"][checker.username] = [c.pk for c in mine]
    for index, editor in enumerate(editors):
        # Each editor decides a disjoint share, so editors never race each other.
        plan["editors"][editor.username] = [c.pk for c in claims[index::EDITORS]]
    plan["ratings"] = list(Rating.objects.active().values_list("pk", flat=True))
    Path(plan_path).write_text(json.dumps(plan))
    print(f"Seeded {len(checkers)} checkers, {len(editors)} editors, {n} claims.")


def person(username: str, group: str, password: str) -> User:
    user = User.objects.create_user(username, password=password)
    user.groups.add(Group.objects.get(name=group))
    return user


if __name__ == "__main__":
    main(sys.argv[1], os.environ["LOAD_PASSWORD"])
