"""Restore an article archive written by export_article."""

import json
import sys

from django.core.management.base import BaseCommand, CommandError

from verifier import archive, workflow


class Command(BaseCommand):
    help = (
        "Restore an article archive (from export_article) with its claims, evidence, "
        "sources, notes and events, in one transaction. Missing users are created "
        "inactive with no usable password; ratings are matched by label."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The archive (JSON); - reads stdin.")

    def handle(self, *args, file, **options):
        try:
            if file == "-":
                text = sys.stdin.read()
            else:
                with open(file, encoding="utf-8") as handle:
                    text = handle.read()
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}.") from None
        except UnicodeDecodeError:
            raise CommandError(f"{file} is not UTF-8 text.") from None
        try:
            document = json.loads(text)
        except json.JSONDecodeError as error:
            raise CommandError(
                f"{file} is not valid JSON (line {error.lineno}, column {error.colno}: "
                f"{error.msg})."
            ) from None
        try:
            restored = archive.restore(document)
        except workflow.WorkflowError as error:
            raise CommandError(error.message) from None
        article = restored.article
        self.stdout.write(
            f"Restored article #{article.pk} “{article.title}” with "
            f"{article.claims.count()} claims and {article.events.count()} events."
        )
        if restored.created_users:
            self.stdout.write(
                "Created inactive users with no usable password (an admin must "
                "activate them and set a password before they can log in): "
                + ", ".join(restored.created_users)
                + "."
            )
        if restored.reused_sources:
            self.stdout.write(
                f"Reused {len(restored.reused_sources)} source(s) already here: "
                + "; ".join(restored.reused_sources)
                + "."
            )
