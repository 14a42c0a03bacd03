"""Import articles from files or folders and extract their claims."""

import json
import sys
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from verifier import importing, workflow


class Command(BaseCommand):
    help = (
        "Import .txt, .md or .html articles (files, or folders of them) and extract "
        "their claims. Prints each article's id and number of claims, or with --json "
        'one line per article: {"article": id, "claims": [{"text", "start", "end", '
        '"score", "reasons", "claimant"}, ...]}.'
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH")
        parser.add_argument("--title", default="", help="Title (one article only).")
        parser.add_argument("--url", default="", help="The article's address.")
        parser.add_argument("--outlet", default="", help="The publishing outlet.")
        parser.add_argument(
            "--user",
            default="",
            help="Username recorded as importer (default: the first superuser).",
        )
        parser.add_argument("--json", action="store_true", help="JSON lines output.")

    def handle(self, *args, **options):
        files = self.collect(options["paths"])
        if options["title"] and len(files) > 1:
            raise CommandError("--title names one article; give one file with it.")
        user = self.importer(options["user"])
        failures = 0
        progress = tqdm(
            files, unit="article", disable=len(files) < 2 or not sys.stderr.isatty()
        )
        for path in progress:
            try:
                article, claims = self.import_one(path, user, options)
            except (importing.ImportProblem, workflow.WorkflowError) as problem:
                failures += 1
                self.stderr.write(f"{path}: {problem.message}")
                continue
            if options["json"]:
                self.stdout.write(
                    json.dumps(as_json(article, claims), ensure_ascii=False)
                )
            else:
                self.stdout.write(f"{path}: article {article.pk}, {len(claims)} claims")
        if failures:
            raise CommandError(f"{failures} of {len(files)} file(s) were not imported.")

    def collect(self, paths: list[str]) -> list[Path]:
        files = []
        for name in paths:
            path = Path(name)
            if path.is_dir():
                files += sorted(
                    p
                    for p in path.rglob("*")
                    if p.is_file() and p.suffix.lower() in importing.ALLOWED_EXTENSIONS
                )
            elif path.is_file():
                files.append(path)
            else:
                raise CommandError(f"{name}: no such file or folder.")
        if not files:
            raise CommandError("No .txt, .md or .html files found.")
        return files

    def importer(self, username: str):
        User = get_user_model()
        if username:
            user = User.objects.filter(username=username, is_active=True).first()
            if user is None:
                raise CommandError(f"No active user named {username!r}.")
            return user
        user = (
            User.objects.filter(is_superuser=True, is_active=True)
            .order_by("pk")
            .first()
        )
        if user is None:
            raise CommandError("No superuser to record as importer; pass --user NAME.")
        return user

    def import_one(self, path: Path, user, options):
        try:
            raw = path.read_bytes()
        except OSError as error:
            raise importing.ImportProblem(
                f"cannot read the file ({error.strerror})."
            ) from None
        body = importing.read_upload(path.name, raw)
        return importing.import_body(
            user=user,
            body=body,
            title=options["title"],
            url=options["url"],
            outlet=options["outlet"],
        )


def as_json(article, claims) -> dict:
    return {
        "article": article.pk,
        "claims": [
            {
                "text": c.text,
                "start": c.start,
                "end": c.end,
                "score": round(c.score, 3),
                "reasons": list(c.reasons),
                "claimant": c.claimant,
            }
            for c in claims
        ],
    }
