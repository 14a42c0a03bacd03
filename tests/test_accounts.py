"""Accounts: throttled logins and their audited unlocking, logout by POST only,
password rules."""

import pytest
from axes.models import AccessAttempt, AccessLog
from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client

from tests.conftest import PASSWORD
from verifier.models import Event

pytestmark = pytest.mark.django_db


def log_in(client, username, password):
    return client.post("/accounts/login/", {"username": username, "password": password})


def logged_in(client):
    return "_auth_user_id" in client.session


def test_right_password_logs_in_through_the_login_form(client, checker):
    response = log_in(client, "alice", PASSWORD)
    assert response.status_code == 302
    assert logged_in(client)


def test_wrong_password_shows_the_form_again(client, checker):
    response = log_in(client, "alice", "wrong")
    assert response.status_code == 200
    assert not logged_in(client)


def test_twelve_failed_logins_lock_out_even_the_right_password(client, other_checker):
    for _ in range(12):
        log_in(client, "bob", "wrong-password")
    response = log_in(client, "bob", PASSWORD)
    assert response.status_code == 429
    assert b"Too many failed log-in attempts" in response.content
    assert not logged_in(client)


def test_a_locked_out_account_does_not_lock_out_a_colleague(
    client, checker, other_checker
):
    for _ in range(12):
        log_in(client, "bob", "wrong-password")
    response = log_in(client, "alice", PASSWORD)
    assert response.status_code == 302
    assert logged_in(client)


def test_nine_failures_then_the_right_password_still_log_in(client, checker):
    for _ in range(9):
        log_in(client, "alice", "wrong-password")
    assert log_in(client, "alice", PASSWORD).status_code == 302


def test_logout_by_get_is_refused_and_keeps_the_session(client, checker):
    client.force_login(checker)
    response = client.get("/accounts/logout/")
    assert response.status_code == 405
    assert client.get("/claims/").status_code == 200


def test_logout_by_post_ends_the_session(client, checker):
    client.force_login(checker)
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert client.get("/claims/").status_code == 302


def test_logout_without_csrf_token_is_refused(checker):
    client = Client(enforce_csrf_checks=True)
    client.force_login(checker)
    assert client.post("/accounts/logout/").status_code == 403
    assert client.get("/claims/").status_code == 200


@pytest.mark.parametrize(
    "password", ["short1!", "password123", "1234567890", "alice-example"]
)
def test_weak_passwords_are_refused(password):
    user = User(username="alice", email="alice@example.org")
    with pytest.raises(ValidationError):
        validate_password(password, user)


def test_admin_cannot_create_a_user_with_a_weak_password(client, admin_user):
    client.force_login(admin_user)
    response = client.post(
        "/admin/auth/user/add/",
        {
            "username": "newbie",
            "password1": "password",
            "password2": "password",
            "usable_password": "true",
        },
    )
    assert response.status_code == 200
    assert b"This password is too common" in response.content
    assert not User.objects.filter(username="newbie").exists()


def test_an_admin_unlocking_an_account_is_recorded_and_lets_them_in(
    client, other_checker, admin_user
):
    for _ in range(12):
        log_in(client, "bob", "wrong-password")
    (attempt,) = AccessAttempt.objects.filter(username="bob")
    admin = Client()
    admin.force_login(admin_user)
    page = admin.post(
        "/admin/axes/accessattempt/",
        {"action": "delete_selected", "_selected_action": [attempt.pk], "post": "yes"},
    )
    assert page.status_code == 302
    assert not AccessAttempt.objects.exists()
    (event,) = Event.objects.filter(action="delete", target_type="accessattempt")
    assert event.actor == admin_user
    assert event.target_id == attempt.pk
    assert event.changes["deleted"][0].startswith("12 failed log-ins of “bob” from")
    assert event.changes["deleted"][0].endswith("locked out")
    assert log_in(client, "bob", PASSWORD).status_code == 302


def test_deleting_one_attempt_or_a_log_of_log_ins_is_recorded(
    client, other_checker, admin_user
):
    log_in(client, "bob", PASSWORD)  # an entry in the log of log-ins
    log_in(Client(), "bob", "wrong-password")  # a failed attempt
    admin = Client()
    admin.force_login(admin_user)
    attempt = AccessAttempt.objects.get(username="bob")
    response = admin.post(
        f"/admin/axes/accessattempt/{attempt.pk}/delete/", {"post": "yes"}
    )
    assert response.status_code == 302
    entry = AccessLog.objects.get(username="bob")
    response = admin.post(f"/admin/axes/accesslog/{entry.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert [(e.target_type, e.target_id) for e in Event.objects.order_by("pk")] == [
        ("accessattempt", attempt.pk),
        ("accesslog", entry.pk),
    ]


def test_axes_bulk_clean_up_that_records_nothing_is_not_offered(
    client, other_checker, admin_user
):
    log_in(client, "bob", "wrong-password")
    admin = Client()
    admin.force_login(admin_user)
    page = admin.get("/admin/axes/accessattempt/").content.decode()
    assert "cleanup_expired_attempts" not in page
    assert "delete_selected" in page
