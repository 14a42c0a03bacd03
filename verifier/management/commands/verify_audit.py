"""Replay every claim's and article's Events and report any that do not match."""

from django.core.management.base import BaseCommand, CommandError

from verifier import audit
from verifier.models import Article, Claim


class Command(BaseCommand):
    help = (
        "Replays the Events of each article and claim and reports every one whose "
        "current state, verdict, assignee, evidence or notes differ from what its "
        "Events say. Exits with status 1 when it finds any."
    )

    def handle(self, *args, **options):
        findings = list(audit.check_all())
        for finding in findings:
            self.stdout.write(str(finding))
        checked = f"{Article.objects.count()} articles, {Claim.objects.count()} claims"
        if findings:
            objects = {(type(f.obj), f.obj.pk) for f in findings}
            raise CommandError(
                f"{len(findings)} mismatch{'es' if len(findings) != 1 else ''} in "
                f"{len(objects)} object{'s' if len(objects) != 1 else ''} "
                f"({checked} checked)."
            )
        self.stdout.write(f"The audit trail matches: {checked} checked.")
