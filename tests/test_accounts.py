"""Accounts: throttled logins, logout by POST only, password rules."""

import pytest
from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from tests.conftest import PASSWORD

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
    from django.test import Client

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
