"""Send the notification emails still owed: failed ones, and pending ones whose
after-commit send never ran. Run it from cron (say every 10 minutes)."""

from django.core.management.base import BaseCommand

from verifier import notifications
from verifier.models import Notification


class Command(BaseCommand):
    help = (
        "Retries the notification emails that failed (up to --max-attempts tries "
        "each) and sends pending ones older than --pending-after minutes. Prints how "
        "many were sent, failed again, or not sent because the person has no email "
        "address or turned email off."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--max-attempts",
            type=int,
            default=Notification.MAX_ATTEMPTS,
            help="Give up on a mail after this many tries (default %(default)s).",
        )
        parser.add_argument(
            "--pending-after",
            type=int,
            default=10,
            help="Send pending mail older than this many minutes (default "
            "%(default)s); younger mail is still being sent by the app.",
        )

    def handle(self, *args, **options):
        done = notifications.retry(
            max_attempts=options["max_attempts"],
            pending_after=options["pending_after"],
        )
        self.stdout.write(
            f"Sent {done['sent']}, failed {done['failed']}, "
            f"not wanted {done['off']}, left to another sender {done['skipped']}."
        )
        stuck = Notification.objects.filter(
            email_state=Notification.Email.FAILED,
            attempts__gte=options["max_attempts"],
        ).count()
        if stuck:
            self.stdout.write(
                f"{stuck} mail{'s' if stuck != 1 else ''} failed "
                f"{options['max_attempts']} times and will not be retried: see "
                "Notifications in the admin, filtered by email state."
            )
