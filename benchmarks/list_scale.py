"""Query counts and response times of the list pages at 10 and at 100,000 claims.

Run: .venv/bin/python benchmarks/list_scale.py [--claims 100000]
Builds a throwaway SQLite database (or uses DATABASE_URL if set), fills it in bulk,
and prints, per page, the number of SQL queries and the time of one warm request.
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
    os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp()}/scale.sqlite3"

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import Group, User  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from verifier import defaults  # noqa: E402
from verifier.models import Article, Claim, Rating  # noqa: E402

PAGES = ["/", "/articles/", "/claims/", "/claims/?state=in_progress&sort=-updated_at"]
SENTENCE = "Prices rose 3.2% in March, the statistics office said. "


def fill(total: int, editor: User) -> None:
    have = Claim.objects.count()
    per_article = 100
    rating = Rating.objects.first()
    states = ["open", "in_progress", "open", "dismissed"]
    while have < total:
        n = min(per_article, total - have)
        body = SENTENCE * n
        article = Article.objects.create(
            title=f"Article {have}",
            body=body,
            body_sha256=f"{have:064d}",
            imported_by=editor,
        )
        Claim.objects.bulk_create(
            Claim(
                article=article,
                start=i * len(SENTENCE),
                end=(i + 1) * len(SENTENCE) - 1,
                text=SENTENCE.strip(),
                state=states[i % 4],
                assignee=editor if i % 2 else None,
                rating=rating if i % 4 == 1 else None,
            )
            for i in range(n)
        )
        have += n


def measure(client: Client) -> dict:
    rows = {}
    for url in PAGES:
        client.get(url)  # warm
        with CaptureQueriesContext(connection) as queries:
            began = time.perf_counter()
            response = client.get(url)
            elapsed = time.perf_counter() - began
        assert response.status_code == 200, (url, response.status_code)
        rows[url] = (len(queries), elapsed)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--claims", type=int, default=100_000)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    defaults.ensure_groups()
    editor, _ = User.objects.get_or_create(username="bench-editor")
    editor.groups.add(Group.objects.get(name=defaults.EDITORS))
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(editor)
    results = {}
    for size in (10, args.claims):
        fill(size, editor)
        results[size] = measure(client)
    print(
        f"{'page':45} {'queries@10':>10} {'queries@' + str(args.claims):>16} "
        f"{'ms@10':>8} {'ms@' + str(args.claims):>12}"
    )
    for url in PAGES:
        (q1, t1), (q2, t2) = results[10][url], results[args.claims][url]
        print(f"{url:45} {q1:>10} {q2:>16} {t1 * 1000:>8.0f} {t2 * 1000:>12.0f}")


if __name__ == "__main__":
    main()
