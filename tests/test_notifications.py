"""Notifications: who is told what, in the inbox and by real SMTP mail; preferences,
and times in the user's own zone.

alice and bob are fact-checkers, carol and dave editors, erin the admin (superuser).
Mail goes to a local aiosmtpd server started by the test (``smtp_server``), or to a
port where nothing listens (``smtp_down``).
"""

import datetime
import io
import logging
import re

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import OperationalError, connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.conftest import (
    current_version,
    make_approved,
    make_article,
    make_in_progress,
    make_submitted,
    make_user,
    rating,
    refresh,
)
from verifier import audit, defaults, notifications, workflow
from verifier.models import Claim, Event, Note, Notification, Preferences
from verifier.templatetags.times import zoned

Kind = Notification.Kind
Email = Notification.Email


def told(user, kind=None) -> list[Notification]:
    found = Notification.objects.filter(recipient=user)
    if kind is not None:
        found = found.filter(kind=kind)
    return list(found.order_by("pk"))


def kinds_of(user) -> list[str]:
    return [n.kind for n in told(user)]


def return_(claim, editor, reason="Cite the primary table, not the summary."):
    return workflow.return_(
        claim, user=editor, reason=reason, version=current_version(claim)
    )


# --- mention parsing (no database) ---


@pytest.mark.parametrize(
    "text, names",
    [
        ("@bob can you check table 1?", ["bob"]),
        ("Thanks @bob.", ["bob"]),
        ("(@carol) and @dave, see above", ["carol", "dave"]),
        ("@bob @bob again", ["bob"]),
        ("write to alice@example.org", []),
        ("@a.b-c_d+e knows", ["a.b-c_d+e"]),
        ("no one @ all", []),
        ("", []),
    ],
)
def test_mentions_are_the_usernames_after_an_at_sign(text, names):
    assert notifications.mentions(text) == names


# --- who is told what ---


def test_assigning_a_claim_tells_the_assignee_and_not_the_editor(
    claim, checker, editor
):
    workflow.assign(
        claim, user=editor, assignee=checker, version=current_version(claim)
    )
    (notification,) = told(checker)
    assert notification.kind == Kind.ASSIGNED
    assert notification.claim == claim
    assert notification.event == claim.events.order_by("pk").last()
    assert notification.text.startswith(f"carol assigned you claim #{claim.pk}")
    assert told(editor) == []


def test_taking_an_unassigned_claim_oneself_tells_nobody(claim, checker):
    workflow.start(claim, user=checker, version=current_version(claim))
    assert Notification.objects.count() == 0


def test_a_returned_verdict_tells_its_checker_with_the_reason_and_who(
    claim, checker, editor
):
    make_submitted(claim, checker)
    Notification.objects.all().delete()
    return_(claim, editor)
    (notification,) = told(checker)
    assert notification.kind == Kind.RETURNED
    assert "carol returned" in notification.text
    assert "Reason: Cite the primary table, not the summary." in notification.text
    assert told(editor) == []


def test_a_return_tells_both_the_assignee_and_an_editor_who_submitted_for_them(
    claim, checker, editor, other_editor
):
    make_in_progress(claim, checker)
    workflow.submit(claim, user=editor, version=current_version(claim))
    Notification.objects.all().delete()
    return_(claim, other_editor)
    assert kinds_of(checker) == [Kind.RETURNED]
    assert kinds_of(editor) == [Kind.RETURNED]
    assert told(other_editor) == []


def test_a_submission_tells_every_editor_who_may_approve_it(
    claim, checker, other_checker, editor, other_editor, admin_user
):
    make_submitted(claim, checker)
    assert kinds_of(editor) == [Kind.AWAITING_APPROVAL]
    assert kinds_of(other_editor) == [Kind.AWAITING_APPROVAL]
    assert told(checker) == []  # the submitter
    assert told(other_checker) == []  # may not approve
    assert told(admin_user) == []  # not on the desk


def test_four_eyes_leaves_out_the_editor_who_wrote_the_verdict(
    claim, checker, editor, other_editor
):
    make_in_progress(claim, checker)
    workflow.save_verdict(
        claim,
        user=editor,
        rating=rating("False"),
        rationale="Carol rewrote it.",
        version=current_version(claim),
    )
    workflow.submit(claim, user=checker, version=current_version(claim))
    assert told(editor) == []
    assert kinds_of(other_editor) == [Kind.AWAITING_APPROVAL]


def test_without_four_eyes_the_author_editor_is_told_too(
    claim, checker, editor, other_editor
):
    policy = workflow.WorkflowPolicy.current()
    policy.four_eyes = False
    policy.save()
    make_in_progress(claim, checker)
    workflow.save_verdict(
        claim,
        user=editor,
        rating=rating("False"),
        rationale="Carol rewrote it.",
        version=current_version(claim),
    )
    workflow.submit(claim, user=checker, version=current_version(claim))
    assert kinds_of(editor) == [Kind.AWAITING_APPROVAL]


def test_an_editor_submitting_their_own_work_is_not_told(claim, editor, other_editor):
    make_submitted(claim, editor)
    assert told(editor) == []
    assert kinds_of(other_editor) == [Kind.AWAITING_APPROVAL]


def test_the_claim_that_settles_an_article_tells_editors_it_is_ready_to_sign_off(
    article, checker, editor, other_editor
):
    first, second, third = article.claims.order_by("start")
    make_approved(first, checker, editor)
    make_approved(second, checker, editor)
    assert told(other_editor, Kind.READY_TO_SIGN_OFF) == []
    workflow.dismiss(
        third,
        user=checker,
        reason="Not a checkable claim.",
        version=current_version(third),
    )
    (editors_note,) = told(other_editor, Kind.READY_TO_SIGN_OFF)
    (carols,) = told(editor, Kind.READY_TO_SIGN_OFF)
    assert editors_note.article == article and editors_note.claim is None
    assert "ready to sign off" in carols.text
    assert told(checker, Kind.READY_TO_SIGN_OFF) == []


def test_the_approver_of_the_last_claim_is_not_told_it_is_ready(
    article, checker, editor, other_editor
):
    for claim in article.claims.order_by("start"):
        make_approved(claim, checker, editor)
    assert told(editor, Kind.READY_TO_SIGN_OFF) == []
    assert len(told(other_editor, Kind.READY_TO_SIGN_OFF)) == 1


def test_mentions_in_a_note_tell_existing_active_users_but_not_the_author(
    claim, checker, other_checker, editor
):
    make_user("gone", defaults.FACT_CHECKERS, is_active=False)
    workflow.add_note(
        claim,
        user=checker,
        text="@bob and @carol: see table 1. (@alice, @gone and @nobody-here too.)",
    )
    assert kinds_of(other_checker) == [Kind.MENTIONED]
    assert kinds_of(editor) == [Kind.MENTIONED]
    assert told(checker) == []
    assert Notification.objects.count() == 2
    assert "@bob and @carol: see table 1." in told(editor)[0].text


def test_a_mention_does_not_tell_someone_who_may_not_see_claims(claim, checker):
    # An account in no group (a new hire not yet on the desk, say) may not read
    # claims; the note, quoted in their inbox and mail, would show them one.
    outsider = make_user("outsider")
    workflow.add_note(claim, user=checker, text="@outsider: the budget figure.")
    assert told(outsider) == []
    assert Notification.objects.count() == 0
    client = Client()
    client.force_login(outsider)
    assert "the budget figure" not in client.get(reverse("inbox")).content.decode()


def test_the_note_writer_is_told_whom_a_mention_reached_and_whom_not(
    client, claim, checker, other_checker, editor
):
    make_user("outsider")  # in no group: may not see claims
    client.force_login(checker)
    page = client.post(
        reverse("claim-note", args=[claim.pk]),
        {"text": "@bob, @carol: table 1? (cc @bbo @outsider, and me @alice)"},
        follow=True,
    ).content.decode()
    assert "Note added; @bob and @carol were told." in page
    assert (
        "@bbo and @outsider were not told: nobody on the desk by those names may see "
        "claims." in page
    )
    page = client.post(
        reverse("claim-note", args=[claim.pk]), {"text": "Waiting."}, follow=True
    ).content.decode()
    assert "Note added." in page
    assert "was told" not in page and "not told" not in page


def test_a_note_without_mentions_tells_nobody(claim, checker, editor):
    workflow.add_note(claim, user=checker, text="Emailed the agency; waiting.")
    assert Notification.objects.count() == 0


def test_a_submission_writes_its_notifications_in_one_insert(
    claim, checker, editor, other_editor
):
    make_in_progress(claim, checker)
    with CaptureQueriesContext(connection) as captured:
        workflow.submit(claim, user=checker, version=current_version(claim))
    inserts = [
        q["sql"]
        for q in captured.captured_queries
        if q["sql"].startswith('INSERT INTO "verifier_notification"')
    ]
    assert len(inserts) == 1
    assert Notification.objects.count() == 2


def test_an_import_costs_no_notification_query(checker):
    with CaptureQueriesContext(connection) as captured:
        make_article(checker)
    assert not any("verifier_notification" in q["sql"] for q in captured)


def test_history_recorded_after_the_fact_tells_nobody(claim, checker, editor):
    past = timezone.now() - datetime.timedelta(days=30)
    event = workflow._event(
        editor,
        "assign",
        claim,
        claim=claim,
        changes={"assignee": [None, "alice"], "assignee_id": [None, checker.pk]},
    )
    event.created_at = past
    workflow._record_all([event])
    assert Notification.objects.count() == 0


def test_benchmark_data_makes_no_notifications(db):
    call_command("make_scale_data", articles=2, claims=40, big=0, stdout=io.StringIO())
    assert Event.objects.filter(action__in=["submit", "return", "assign"]).exists()
    assert Notification.objects.count() == 0


def test_a_refused_action_leaves_no_notification(claim, checker, editor):
    make_submitted(claim, checker)
    Notification.objects.all().delete()
    with pytest.raises(workflow.WorkflowError):
        return_(claim, editor, reason="  ")
    assert Notification.objects.count() == 0


# --- email over SMTP ---


def test_a_return_is_mailed_over_smtp_after_the_commit(
    claim, checker, editor, smtp_server, django_capture_on_commit_callbacks
):
    make_submitted(claim, checker)
    with django_capture_on_commit_callbacks(execute=True):
        return_(claim, editor)
    (mail,) = smtp_server.to("alice@example.org")
    assert mail["Subject"] == f"Claim #{claim.pk} returned to you by carol"
    text = mail.get_content()
    assert "Reason: Cite the primary table, not the summary." in text
    assert f"https://verify.example.org/claims/{claim.pk}/" in text
    assert "https://verify.example.org/preferences/" in text
    (notification,) = told(checker)
    assert (notification.email_state, notification.attempts) == (Email.SENT, 1)


def test_every_kind_has_a_subject_that_says_what_happened(
    article,
    checker,
    other_checker,
    editor,
    smtp_server,
    django_capture_on_commit_callbacks,
):
    first, second, third = article.claims.order_by("start")
    with django_capture_on_commit_callbacks(execute=True):
        workflow.assign(
            first, user=editor, assignee=other_checker, version=current_version(first)
        )
        workflow.add_note(first, user=checker, text="@carol is this one ours?")
        make_submitted(second, checker)
        make_approved(first, other_checker, editor)
        workflow.approve(second, user=editor, version=current_version(second))
    with django_capture_on_commit_callbacks(execute=True):
        workflow.dismiss(
            third, user=checker, reason="Opinion.", version=current_version(third)
        )
    subjects = {m["Subject"] for m in smtp_server.messages}
    assert f"Claim #{first.pk} assigned to you by carol" in subjects
    assert f"alice mentioned you on claim #{first.pk}" in subjects
    assert f"Claim #{second.pk} awaits your approval" in subjects
    assert "“Test article” is ready to sign off" in subjects


def test_no_mail_when_email_is_off_but_the_inbox_still_has_it(
    client, claim, checker, editor, smtp_server, django_capture_on_commit_callbacks
):
    workflow.save_preferences(checker, email=False, time_zone="UTC")
    make_submitted(claim, checker)
    with django_capture_on_commit_callbacks(execute=True):
        return_(claim, editor)
    assert smtp_server.messages == []
    (notification,) = told(checker)
    assert notification.email_state == Email.OFF
    client.force_login(checker)
    assert "carol returned" in client.get(reverse("inbox")).content.decode()


def test_no_mail_to_a_user_without_an_address(
    claim, checker, editor, smtp_server, django_capture_on_commit_callbacks
):
    User.objects.filter(pk=checker.pk).update(email="")
    make_submitted(claim, checker)
    with django_capture_on_commit_callbacks(execute=True):
        return_(claim, editor)
    assert smtp_server.messages == []
    assert told(checker)[0].email_state == Email.OFF


def test_a_mail_server_that_is_down_fails_no_action_and_is_logged(
    client,
    claim,
    checker,
    editor,
    smtp_down,
    caplog,
    django_capture_on_commit_callbacks,
):
    make_submitted(claim, checker)
    client.force_login(editor)
    with caplog.at_level(logging.WARNING, logger="verifier.notifications"):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                reverse("claim-return", args=[claim.pk]),
                {"reason": "Cite the table.", "version": current_version(claim)},
            )
    assert response.status_code == 302
    assert refresh(claim).state == Claim.State.IN_PROGRESS
    assert claim.events.order_by("pk").last().action == "return"
    (notification,) = told(checker)
    assert notification.email_state == Email.FAILED
    assert notification.attempts == 1
    assert "ConnectionRefusedError" in notification.last_error
    assert f"Could not email notification #{notification.pk}" in caplog.text


def test_a_database_lost_after_the_commit_fails_no_action_and_leaves_the_mail_owed(
    client,
    claim,
    checker,
    editor,
    monkeypatch,
    caplog,
    django_capture_on_commit_callbacks,
):
    # Seen in the load test: PostgreSQL restarted between a return's commit and its
    # mail. The return is done; the person must not get a 500 for it, and the mail
    # stays pending for the retry command.
    def database_gone(notifications):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(notifications, "send", database_gone)
    make_submitted(claim, checker)
    client.force_login(editor)
    with caplog.at_level(logging.ERROR, logger="django.db.backends.base"):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                reverse("claim-return", args=[claim.pk]),
                {"reason": "Cite the table.", "version": current_version(claim)},
            )
    assert response.status_code == 302
    assert refresh(claim).state == Claim.State.IN_PROGRESS
    (notification,) = told(checker)
    assert notification.email_state == Email.PENDING
    assert "server closed the connection unexpectedly" in caplog.text


def test_the_retry_command_sends_failed_mail_once_the_server_is_back(
    claim, checker, editor, settings, django_capture_on_commit_callbacks
):
    from tests.conftest import free_port, point_mail_at

    point_mail_at(settings, free_port())
    make_submitted(claim, checker)
    with django_capture_on_commit_callbacks(execute=True):
        return_(claim, editor)
    assert told(checker)[0].email_state == Email.FAILED

    from aiosmtpd.controller import Controller

    from tests.conftest import ReceivedMail

    received = ReceivedMail()
    controller = Controller(received, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        point_mail_at(settings, controller.port)
        call_command("send_notifications", stdout=None)
    finally:
        controller.stop()
    assert [m["Subject"] for m in received.to("alice@example.org")] == [
        f"Claim #{claim.pk} returned to you by carol"
    ]
    notification = told(checker)[0]
    assert (notification.email_state, notification.attempts) == (Email.SENT, 2)
    assert notification.last_error == ""


def test_the_retry_command_gives_up_after_the_most_attempts(
    claim, checker, editor, smtp_down, capsys
):
    make_submitted(claim, checker)
    return_(claim, editor)  # its after-commit send never runs here: still pending
    Notification.objects.update(created_at=timezone.now() - datetime.timedelta(hours=1))
    for _ in range(3):
        call_command("send_notifications", max_attempts=2)
    notification = told(checker)[0]
    assert (notification.email_state, notification.attempts) == (Email.FAILED, 2)
    assert "failed 2 times and will not be retried" in capsys.readouterr().out


def test_the_retry_command_leaves_fresh_pending_mail_to_its_commit_hook(
    claim, checker, editor, smtp_server
):
    make_submitted(claim, checker)
    return_(claim, editor)
    call_command("send_notifications", stdout=None)
    assert smtp_server.to("alice@example.org") == []
    assert told(checker)[0].email_state == Email.PENDING


def test_the_admin_lists_failed_mail(client, admin_user, claim, checker, editor):
    make_submitted(claim, checker)
    return_(claim, editor)
    Notification.objects.filter(recipient=checker).update(
        email_state=Email.FAILED, attempts=1, last_error="SMTPServerDisconnected: gone"
    )
    client.force_login(admin_user)
    page = client.get(
        reverse("admin:verifier_notification_changelist"), {"email_state": "failed"}
    ).content.decode()
    assert "SMTPServerDisconnected: gone" in page
    assert "alice" in page


# --- the inbox ---


@pytest.mark.parametrize("url", ["/inbox/", "/preferences/"])
def test_inbox_and_preferences_need_login(client, db, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("url", ["/inbox/read-all/", "/preferences/"])
def test_inbox_and_preferences_refuse_a_post_without_csrf_token(checker, url):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(checker)
    assert strict.post(url, {"email": "on", "time_zone": "UTC"}).status_code == 403


@pytest.fixture
def returned(claim, checker, editor):
    """alice's verdict, submitted and returned by carol: one notification for alice."""
    make_submitted(claim, checker)
    return_(claim, editor)
    return claim


def test_the_header_shows_the_unread_count_on_every_page(client, checker, returned):
    client.force_login(checker)
    for url in ["/", "/claims/", "/articles/", returned.get_absolute_url()]:
        page = client.get(url).content.decode()
        assert (
            'aria-label="Inbox, 1 unread">Inbox <span class="unread-count">(1)</span>'
            in page
        )


def test_the_header_shows_no_count_when_all_is_read(client, checker, returned):
    Notification.objects.update(read_at=timezone.now())
    client.force_login(checker)
    page = client.get("/").content.decode()
    assert "unread-count" not in page
    assert ">Inbox</a>" in page


def test_the_unread_count_is_one_query(client, checker, returned):
    client.force_login(checker)
    with CaptureQueriesContext(connection) as captured:
        client.get("/preferences/")
    counts = [q for q in captured if "verifier_notification" in q["sql"]]
    assert len(counts) == 1
    assert "COUNT(" in counts[0]["sql"]


def test_the_inbox_lists_my_notifications_newest_first_unread_marked(
    client, article, checker, editor, returned
):
    other = article.claims.exclude(pk=returned.pk).order_by("start").first()
    workflow.assign(
        other, user=editor, assignee=checker, version=current_version(other)
    )
    Notification.objects.filter(kind=Kind.RETURNED).update(read_at=timezone.now())
    client.force_login(checker)
    page = client.get("/inbox/").content.decode()
    assigned = page.index("carol assigned you")
    returned_at = page.index("carol returned")
    assert assigned < returned_at
    assert page.count(">Unread</span>") == 1
    assert page.index(">Unread</span>") < assigned


def test_viewing_the_inbox_marks_nothing_read(client, checker, returned):
    client.force_login(checker)
    client.get("/inbox/")
    assert Notification.objects.for_user(checker).unread().count() == 1


def test_opening_a_notification_marks_it_read_and_goes_to_the_claim(
    client, checker, returned
):
    client.force_login(checker)
    (notification,) = told(checker)
    response = client.post(reverse("notification-open", args=[notification.pk]))
    assert response["Location"] == returned.get_absolute_url()
    assert refresh(notification).read_at is not None


def test_opening_is_post_only(client, checker, returned):
    client.force_login(checker)
    (notification,) = told(checker)
    response = client.get(reverse("notification-open", args=[notification.pk]))
    assert response.status_code == 405
    assert refresh(notification).read_at is None


def test_nobody_opens_another_persons_notification(
    client, other_checker, checker, returned
):
    client.force_login(other_checker)
    (notification,) = told(checker)
    response = client.post(reverse("notification-open", args=[notification.pk]))
    assert response.status_code == 404
    assert refresh(notification).read_at is None


def test_mark_all_read_marks_only_mine(
    client, claim, checker, editor, other_editor, returned
):
    assert told(other_editor)  # the submission awaits dave's approval too
    client.force_login(checker)
    response = client.post("/inbox/read-all/", follow=True)
    assert "Marked 1 notification read." in response.content.decode()
    assert Notification.objects.for_user(checker).unread().count() == 0
    assert Notification.objects.for_user(other_editor).unread().count() == 1


def test_the_inbox_pages_by_25(client, checker, editor, claim):
    event = Event.objects.order_by("pk").first()
    Notification.objects.bulk_create(
        Notification(
            recipient=checker,
            kind=Kind.ASSIGNED,
            claim=claim,
            event=event,
            text=f"n{i}",
        )
        for i in range(30)
    )
    client.force_login(checker)
    first = client.get("/inbox/").content.decode()
    assert "Notifications 1–25 of 30" in first
    second = client.get("/inbox/", {"page": 2}).content.decode()
    assert "Notifications 26–30 of 30" in second


# --- preferences ---


def test_preferences_default_to_email_on_and_the_site_zone(client, checker, settings):
    client.force_login(checker)
    page = client.get("/preferences/").content.decode()
    assert re.search(r'<input type="checkbox" name="email"[^>]* checked', page)
    assert f'<option value="{settings.TIME_ZONE}" selected>' in page


def test_saving_preferences_is_recorded(client, checker):
    client.force_login(checker)
    response = client.post("/preferences/", {"time_zone": "Europe/Berlin"})
    assert response.status_code == 302
    preferences = Preferences.objects.get(user=checker)
    assert (preferences.email, preferences.time_zone) == (False, "Europe/Berlin")
    event = Event.objects.order_by("pk").last()
    assert (event.action, event.target_type, event.actor) == (
        "edit",
        "preferences",
        checker,
    )
    assert event.changes == {
        "email": [True, False],
        "time_zone": ["UTC", "Europe/Berlin"],
    }
    assert list(audit.check_all()) == []


def test_an_unknown_time_zone_is_refused_with_a_clear_error(client, checker):
    client.force_login(checker)
    response = client.post(
        "/preferences/", {"email": "on", "time_zone": "Mars/Olympus"}
    )
    assert response.status_code == 400
    assert "“Mars/Olympus” is not a time zone we know" in response.content.decode()
    assert not Preferences.objects.filter(user=checker).exists()


# --- times in the user's zone ---


def test_zoned_shows_a_time_with_its_zone():
    moment = datetime.datetime(2026, 11, 29, 13, 5, tzinfo=datetime.UTC)
    with timezone.override("Europe/Berlin"):
        assert zoned(moment) == "2026-11-29 14:05 CET"
    with timezone.override("UTC"):
        assert zoned(moment) == "2026-11-29 13:05 UTC"
    assert zoned(None) == ""


def test_the_claim_page_shows_times_in_my_zone(client, claim, checker):
    workflow.save_preferences(checker, email=True, time_zone="Europe/Berlin")
    note = workflow.add_note(claim, user=checker, text="Called the agency.")
    Note.objects.filter(pk=note.pk).update(
        created_at=datetime.datetime(2026, 7, 1, 9, 30, tzinfo=datetime.UTC)
    )
    client.force_login(checker)
    page = client.get(claim.get_absolute_url()).content.decode()
    assert "2026-07-01 11:30 CEST" in page  # the note, in summer time
    assert " CET</time>" in page or " CEST</time>" in page  # the history


def test_someone_without_preferences_reads_times_in_the_site_zone(
    client, claim, other_checker
):
    note = workflow.add_note(claim, user=other_checker, text="Called the agency.")
    Note.objects.filter(pk=note.pk).update(
        created_at=datetime.datetime(2026, 7, 1, 9, 30, tzinfo=datetime.UTC)
    )
    client.force_login(other_checker)
    page = client.get(claim.get_absolute_url()).content.decode()
    assert "2026-07-01 09:30 UTC" in page
