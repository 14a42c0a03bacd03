"""Who is told what: notifications in the inbox and by email.

``workflow._record_all`` hands every batch of Events it writes to ``notify``, inside
the transaction that made the change. From those Events come the notifications:

- a claim assigned to you (``assign``);
- a verdict returned to you, with the editor's reason (``return``: its submitter and
  its assignee);
- a verdict awaiting your approval (``submit``: every editor whom
  ``workflow.can_approve`` lets approve it, so never its author under four-eyes);
- an article ready to sign off (the ``approve`` or ``dismiss`` that settled its last
  claim: every editor whom ``workflow.can_sign_off`` lets sign it off);
- an ``@username`` mention in a note (existing, active users who may see claims).

Nobody is told of their own action. The notifications are written in one INSERT with
the change; their email goes out after the commit (``send``), so a mail server that
is down or slow never fails or undoes what the person did: the failure is logged, the
notification says "failed" with the error, the admin lists it, and
``manage.py send_notifications`` tries again.
"""

import logging
import re
from collections.abc import Iterable
from datetime import timedelta
from functools import cache

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import F, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator

from verifier import workflow
from verifier.models import Claim, Event, Notification

logger = logging.getLogger(__name__)

Kind = Notification.Kind

# Django's usernames: letters, digits and @ . + - _. A mention ends before a trailing
# full stop ("thanks @bob.") and cannot start inside a word or an email address.
MENTION = re.compile(r"(?<![\w.+@-])@([\w.+-]*[\w+-])")

SETTLED = (Claim.State.APPROVED, Claim.State.DISMISSED)


def mentions(text: str) -> list[str]:
    """The usernames ``@mentioned`` in ``text``, in order, each once."""
    return list(dict.fromkeys(MENTION.findall(text or "")))


# --- from Events to notifications ---


def notify(events: Iterable[Event]) -> list[Notification]:
    """Write the notifications that these Events call for, in one INSERT, and send
    their email once the transaction commits.

    Call inside the transaction that wrote the Events (``workflow._record_all`` does),
    after they are on the chain. Most Events (imports, verdicts, evidence) call for
    none and cost no query; neither does history written after the fact (a restored
    archive, generated benchmark data), which happened long before it was recorded.
    """
    people = _People()
    made: dict[tuple, Notification] = {}
    for event in events:
        handler = HANDLERS.get(event.action)
        if handler is None or event.claim is None or not _live(event):
            continue
        for notification in handler(event, people):
            if notification.recipient_id in (None, event.actor_id):
                continue
            key = (
                notification.recipient_id,
                notification.kind,
                notification.claim_id,
                notification.article_id,
            )
            made.setdefault(key, notification)
    notifications = Notification.objects.bulk_create(made.values())
    if notifications:
        ids = [n.pk for n in notifications]

        def send_after_commit():
            # A function, not a functools.partial: a robust hook that fails (the
            # database gone after the commit) is logged by its __qualname__, and a
            # partial has none, which turned the logging into a 500 for a change
            # already made. The mail stays pending for send_notifications.
            send_ids(ids)

        transaction.on_commit(send_after_commit, robust=True)
    return notifications


# An Event is news when it is recorded as it happens; one recorded later than this
# after its time is history being filled in.
LIVE = timedelta(minutes=5)


def _live(event: Event) -> bool:
    return event.recorded_at is None or event.created_at >= event.recorded_at - LIVE


class _People:
    """Who holds a permission, asked once per batch of Events; each user object is
    kept, so that their permissions load once too (``has_perm`` caches them)."""

    def __init__(self):
        self._holders: dict[str, list] = {}

    def holding(self, perm: str) -> list:
        """Active users who hold ``perm`` through their groups or themselves."""
        if perm not in self._holders:
            self._holders[perm] = list(
                get_user_model().objects.with_perm(
                    perm, include_superusers=False, backend=workflow.PERMISSIONS_BACKEND
                )
            )
        return self._holders[perm]


def _about(event: Event, kind: str, text: str, *recipients: int | None) -> list:
    claim = event.claim
    return [
        Notification(
            recipient_id=recipient,
            kind=kind,
            claim=claim,
            article_id=claim.article_id,
            event=event,
            text=text,
            created_at=event.created_at,
        )
        for recipient in dict.fromkeys(recipients)
    ]


def _claim_words(claim: Claim) -> str:
    return f"claim #{claim.pk} of “{claim.article.title}”"


def _assigned(event: Event, people: _People) -> list[Notification]:
    assignee = (event.changes.get("assignee_id") or [None, None])[1]
    text = f"{event.actor} assigned you {_claim_words(event.claim)}."
    return _about(event, Kind.ASSIGNED, text, assignee)


def _returned(event: Event, people: _People) -> list[Notification]:
    claim = event.claim
    text = (
        f"{event.actor} returned {_claim_words(claim)} to you. Reason: {event.reason}"
    )
    return _about(event, Kind.RETURNED, text, claim.submitted_by_id, claim.assignee_id)


def _submitted(event: Event, people: _People) -> list[Notification]:
    claim = event.claim
    editors = [
        editor.pk for editor in workflow.approvers(claim) if editor.pk != event.actor_id
    ]
    text = f"{event.actor} submitted {_claim_words(claim)} for your approval."
    return _about(event, Kind.AWAITING_APPROVAL, text, *editors)


def _settled(event: Event, people: _People) -> list[Notification]:
    """Ready to sign off, told once: when the last of the article's claims settles."""
    if event.changes.get("state", [None, None])[1] not in SETTLED:
        return []
    article = event.claim.article
    if article.is_signed_off:
        return []
    unsettled = Claim.objects.filter(article_id=article.pk).exclude(state__in=SETTLED)
    if unsettled.exists():
        return []
    editors = [
        editor.pk
        for editor in people.holding(workflow.SIGN_OFF)
        if editor.pk != event.actor_id
        and workflow.can_sign_off(editor, article) is None
    ]
    text = (
        f"Every claim of “{article.title}” is approved or dismissed: "
        "it is ready to sign off."
    )
    return [
        Notification(
            recipient_id=editor,
            kind=Kind.READY_TO_SIGN_OFF,
            article_id=article.pk,
            event=event,
            text=text,
            created_at=event.created_at,
        )
        for editor in editors
    ]


def _mentioned(event: Event, people: _People) -> list[Notification]:
    note = (event.changes.get("text") or [None, ""])[1] or ""
    names = mentions(note)
    if not names:
        return []
    # Only people who may read the claim: a note quoted in the inbox and the mail of
    # someone without access to claims would hand them what the desk keeps from them.
    mentioned = [
        person.pk
        for person in get_user_model()
        .objects.filter(username__in=names, is_active=True)
        .exclude(pk=event.actor_id)
        if workflow.can_see(person, event.claim) is None
    ]
    excerpt = Truncator(note).chars(200)
    text = (
        f"{event.actor} mentioned you in a note on {_claim_words(event.claim)}: "
        f"“{excerpt}”"
    )
    return _about(event, Kind.MENTIONED, text, *mentioned)


def mentions_told(note) -> tuple[list[str], list[str]]:
    """Of the people ``note`` @mentions (its author aside), those told and those not:
    no active account of that name, or one that may not see claims."""
    named = [name for name in mentions(note.text) if name != note.author.username]
    if not named:
        return [], []
    told = set(
        Notification.objects.filter(
            kind=Kind.MENTIONED,
            event__action="note",
            event__target_type="note",
            event__target_id=note.pk,
        ).values_list("recipient__username", flat=True)
    )
    return (
        [name for name in named if name in told],
        [name for name in named if name not in told],
    )


HANDLERS = {
    "assign": _assigned,
    "return": _returned,
    "submit": _submitted,
    "approve": _settled,
    "dismiss": _settled,
    "note": _mentioned,
}


# --- the inbox ---


def unread_count(request) -> dict:
    """Context processor: the header's unread count, one COUNT, and only on pages
    that show it (the template calls it; the admin's pages never do)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    @cache
    def count() -> int:
        return Notification.objects.for_user(user).unread().count()

    return {"inbox_unread": count}


def mark_read(notifications: QuerySet) -> int:
    return notifications.unread().update(read_at=timezone.now())


# --- email ---


def site_url(path: str) -> str:
    return settings.VERIFIER_SITE_URL + path


def subject(notification: Notification) -> str:
    """One line (a header cannot hold a line break) saying what happened."""
    return " ".join(_subject(notification).split())


def _subject(notification: Notification) -> str:
    actor = notification.event.actor
    claim = f"Claim #{notification.claim_id}"
    title = Truncator(notification.article.title).chars(60)
    return {
        Kind.ASSIGNED: f"{claim} assigned to you by {actor}",
        Kind.RETURNED: f"{claim} returned to you by {actor}",
        Kind.AWAITING_APPROVAL: f"{claim} awaits your approval",
        Kind.READY_TO_SIGN_OFF: f"“{title}” is ready to sign off",
        Kind.MENTIONED: f"{actor} mentioned you on {claim.lower()}",
    }[notification.kind]


def body(notification: Notification) -> str:
    lines = [notification.text, ""]
    if notification.claim is not None:
        lines += [f"The claim: “{Truncator(notification.claim.text).chars(300)}”", ""]
    inbox, preferences = site_url(reverse("inbox")), site_url(reverse("preferences"))
    lines += [
        f"Open it: {site_url(notification.get_absolute_url())}",
        "",
        "--",
        f"{settings.VERIFIER_ORG_NAME}. Your notifications: {inbox}",
        f"Turn these emails off in your preferences: {preferences}",
    ]
    return "\n".join(lines)


def _message(notification: Notification, connection) -> EmailMessage:
    return EmailMessage(
        subject=subject(notification),
        body=body(notification),
        to=[notification.recipient.email],
        connection=connection,
    )


def _wants_email(notification: Notification) -> bool:
    user = notification.recipient
    if not user.email or not user.is_active:
        return False
    try:
        return user.preferences.email
    except user._meta.model.preferences.RelatedObjectDoesNotExist:
        return True  # the default


def send_ids(ids: list[int]) -> dict:
    """Send the email of these notifications (after the commit that made them)."""
    return send(Notification.objects.filter(pk__in=ids).to_send())


def send(notifications: QuerySet) -> dict:
    """Email each notification to its recipient, if they want email, and record the
    outcome on it: sent, off, or failed with the error. Never raises for a mail
    server's failure: the action that made the notification is already done.

    Returns how many were sent, failed, off (no address, or email turned off) and
    skipped (being sent by another process).
    """
    done = {"sent": 0, "failed": 0, "off": 0, "skipped": 0}
    notifications = list(
        notifications.select_related(
            "recipient", "recipient__preferences", "claim", "article", "event__actor"
        ).defer(
            "article__body",
            "article__sentences",
            "claim__search_vector",
            "event__changes",
        )
    )
    if not notifications:
        return done
    connection = get_connection(fail_silently=False)
    try:
        for notification in notifications:
            outcome = _send_one(notification, connection)
            done[outcome] += 1
    finally:
        try:
            connection.close()
        except Exception:  # a server that already hung up; the outcomes are saved
            logger.warning("Could not close the mail connection.", exc_info=True)
    return done


def _send_one(notification: Notification, connection) -> str:
    if not _wants_email(notification):
        _record(notification, Notification.Email.OFF)
        return "off"
    # One try per sender: a notification another sender has tried meanwhile (the
    # retry command racing the commit hook) is left to it.
    claimed = Notification.objects.filter(
        pk=notification.pk,
        attempts=notification.attempts,
        email_state=notification.email_state,
    ).update(attempts=F("attempts") + 1)
    if not claimed:
        return "skipped"
    try:
        _message(notification, connection).send()
    except Exception as error:  # SMTP, socket, TLS: whatever the server does
        logger.warning(
            "Could not email notification #%s to %s: %s",
            notification.pk,
            notification.recipient.email,
            error,
        )
        _record(
            notification, Notification.Email.FAILED, f"{type(error).__name__}: {error}"
        )
        return "failed"
    _record(notification, Notification.Email.SENT)
    return "sent"


def _record(notification: Notification, state: str, error: str = "") -> None:
    Notification.objects.filter(pk=notification.pk).update(
        email_state=state, last_error=error[:2000]
    )
    notification.email_state, notification.last_error = state, error


def retry(
    *, max_attempts: int = Notification.MAX_ATTEMPTS, pending_after: int = 10
) -> dict:
    """Send what is still owed: failed mail under ``max_attempts`` tries, and
    pending mail older than ``pending_after`` minutes (its commit hook never ran:
    the process stopped, say). Younger pending mail is its hook's to send."""
    cutoff = timezone.now() - timedelta(minutes=pending_after)
    owed = Notification.objects.filter(
        email_state=Notification.Email.FAILED, attempts__lt=max_attempts
    ) | Notification.objects.filter(
        email_state=Notification.Email.PENDING, created_at__lte=cutoff
    )
    return send(owed.order_by("pk"))
