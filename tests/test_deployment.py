"""What a real deployment relies on: /healthz, 503 while the database is away,
production settings that pass Django's deployment checks, and login throttling that
sees the client behind the reverse proxies."""

import os
import re
import subprocess
import sys
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.db import OperationalError, connection
from django.db.backends.base.base import BaseDatabaseWrapper
from django.test import Client, RequestFactory

from tests.conftest import PASSWORD
from verifier import proxies as proxies_module
from verifier.views import ClaimListView

pytestmark = pytest.mark.django_db

PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "k7#Qw9!zR2@vL5$xT8^bN3&mP6*cY1(hJ4)gF0-dS_aE+uI=oW",
    "ALLOWED_HOSTS": "verify.example.org",
}


def manage(*args, tmp_path, **env):
    """Run manage.py in a fresh process with a production-like environment."""
    # Not the suite's own environment (tests/env.py): a production process's.
    inherited = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DJANGO_ALLOW_ASYNC_UNSAFE", "DEBUG", "DJANGO_SETTINGS_MODULE")
    }
    environment = {
        **inherited,
        **PRODUCTION,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'deploy.sqlite3'}",
        **env,
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_healthz_reports_the_database_reachable_without_login(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "reachable"}


def test_healthz_answers_503_when_the_database_is_unreachable(client):
    with mock.patch.object(
        BaseDatabaseWrapper,
        "cursor",
        side_effect=OperationalError("connection refused"),
    ):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "unreachable"
    assert response["Retry-After"] == "5"


def test_healthz_refuses_post(client):
    assert client.post("/healthz").status_code == 405


def test_a_page_answers_503_when_the_database_goes_away_before_the_view(checker):
    client = Client(raise_request_exception=False)
    client.force_login(checker)
    with mock.patch.object(
        SessionStore,
        "load",
        side_effect=OperationalError("server closed the connection"),
    ):
        response = client.get("/claims/")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert b"briefly unavailable" in response.content


@pytest.mark.parametrize(
    "error",
    [
        OperationalError("terminating connection"),
        # A server-side cursor closed while PostgreSQL shuts down raises psycopg's own
        # error, not Django's wrapper: seen as a 500 in the load test's restart.
        connection.Database.OperationalError("terminating connection"),
    ],
    ids=["django", "driver"],
)
def test_a_page_answers_503_when_the_database_goes_away_inside_the_view(checker, error):
    client = Client(raise_request_exception=False)
    client.force_login(checker)
    with mock.patch.object(ClaimListView, "get_queryset", side_effect=error):
        response = client.get("/claims/")
    assert response.status_code == 503


def test_any_other_failure_is_still_a_500(checker):
    client = Client(raise_request_exception=False)
    client.force_login(checker)
    with mock.patch.object(
        ClaimListView, "get_queryset", side_effect=ValueError("bug")
    ):
        response = client.get("/claims/")
    assert response.status_code == 500
    assert b"Something went wrong" in response.content


def test_healthz_is_not_redirected_to_https_but_pages_are(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    assert client.get("/healthz").status_code == 200
    response = client.get("/accounts/login/")
    assert response.status_code == 301
    assert response["Location"].startswith("https://")


def test_production_settings_pass_check_deploy(tmp_path):
    result = manage("check", "--deploy", "--fail-level", "WARNING", tmp_path=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_cookies_are_secure_and_https_is_enforced(tmp_path):
    names = [
        "SESSION_COOKIE_SECURE",
        "SESSION_COOKIE_HTTPONLY",
        "CSRF_COOKIE_SECURE",
        "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_SECONDS",
        "SECURE_PROXY_SSL_HEADER",
        "DEBUG",
    ]
    code = "from django.conf import settings; " + "; ".join(
        f"print({name!r}, repr(settings.{name}))" for name in names
    )
    result = manage("shell", "-c", code, tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    lines = [line.split(" ", 1) for line in result.stdout.splitlines()]
    values = {line[0]: line[1] for line in lines if line[0] in names}
    assert values == {
        "SESSION_COOKIE_SECURE": "True",
        "SESSION_COOKIE_HTTPONLY": "True",
        "CSRF_COOKIE_SECURE": "True",
        "SECURE_SSL_REDIRECT": "True",
        "SECURE_HSTS_SECONDS": "31536000",
        "SECURE_PROXY_SSL_HEADER": "('HTTP_X_FORWARDED_PROTO', 'https')",
        "DEBUG": "False",
    }


def test_production_refuses_to_start_with_an_empty_secret_key(tmp_path):
    result = manage("check", tmp_path=tmp_path, SECRET_KEY="")
    assert result.returncode != 0
    assert "Set the environment variable SECRET_KEY" in result.stderr


# --- login throttling behind reverse proxies ------------------------------------------

PROXY = "10.0.0.2"  # the reverse proxy the app sees as its peer
ATTACKER, COLLEAGUE = "203.0.113.5", "198.51.100.7"


def log_in_via(forwarded_for, password, username="alice", peer=PROXY):
    return Client().post(
        "/accounts/login/",
        {"username": username, "password": password},
        REMOTE_ADDR=peer,
        HTTP_X_FORWARDED_FOR=forwarded_for,
    )


def fail_ten_times(forwarded_for):
    """Ten wrong passwords for alice: the tenth is the lockout."""
    answers = [
        log_in_via(forwarded_for, "wrong-password").status_code for _ in "x" * 10
    ]
    assert answers == [200] * 9 + [429]


def test_behind_a_proxy_one_client_failing_does_not_lock_out_another(settings, checker):
    settings.VERIFIER_TRUSTED_PROXIES = 1
    fail_ten_times(ATTACKER)
    assert log_in_via(ATTACKER, PASSWORD).status_code == 429
    assert log_in_via(COLLEAGUE, PASSWORD).status_code == 302


def test_behind_a_proxy_a_client_cannot_escape_its_lockout_by_forging_the_header(
    settings, checker
):
    settings.VERIFIER_TRUSTED_PROXIES = 1
    fail_ten_times(ATTACKER)
    # The client's own X-Forwarded-For stands left of what the proxy appends.
    assert log_in_via(f"{COLLEAGUE}, {ATTACKER}", PASSWORD).status_code == 429


def test_without_trusted_proxies_the_forwarded_header_is_ignored(checker):
    for number in range(10):
        log_in_via(f"192.0.2.{number}", "wrong-password")
    assert log_in_via(COLLEAGUE, PASSWORD).status_code == 429


def request_from(peer, forwarded_for=None):
    meta = {"REMOTE_ADDR": peer}
    if forwarded_for is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return RequestFactory().get("/", **meta)


@pytest.mark.parametrize(
    ("proxies", "forwarded_for", "client"),
    [
        (0, f"{ATTACKER}", PROXY),
        (1, f"{ATTACKER}", ATTACKER),
        (1, f"{COLLEAGUE}, {ATTACKER}", ATTACKER),
        (2, f"{COLLEAGUE}, {ATTACKER}, 10.0.0.1", ATTACKER),
        (2, f"{ATTACKER}", PROXY),  # did not pass through both proxies
        (1, None, PROXY),
        (1, "unknown", PROXY),
        (1, "2001:db8::1", "2001:db8::1"),
    ],
)
def test_client_address_is_the_entry_the_outermost_trusted_proxy_wrote(
    settings, proxies, forwarded_for, client
):
    settings.VERIFIER_TRUSTED_PROXIES = proxies
    assert proxies_module.client_address(request_from(PROXY, forwarded_for)) == client


def test_a_negative_number_of_trusted_proxies_stops_the_start(tmp_path):
    result = manage("check", tmp_path=tmp_path, VERIFIER_TRUSTED_PROXIES="-1")
    assert result.returncode != 0
    assert "VERIFIER_TRUSTED_PROXIES must be 0 or more" in result.stderr


# --- Content-Security-Policy ----------------------------------------------------------


def policy_of(response) -> dict[str, str]:
    directives = response["Content-Security-Policy"].split(";")
    return dict(directive.strip().split(" ", 1) for directive in directives)


@pytest.mark.parametrize("path", ["/", "/claims/", "/admin/", "/healthz"])
def test_pages_send_a_policy_that_runs_only_this_sites_scripts(admin_user, path):
    client = Client()
    client.force_login(admin_user)
    policy = policy_of(client.get(path))
    assert policy["default-src"] == "'none'"
    assert policy["script-src"] == "'self'"
    assert policy["style-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'"


def test_the_login_page_sends_the_policy_too(client):
    assert policy_of(client.get("/accounts/login/"))["script-src"] == "'self'"


def test_no_template_holds_an_inline_script_or_event_handler():
    templates = Path(settings.BASE_DIR, "templates").rglob("*.html")
    found = []
    for template in templates:
        text = template.read_text()
        for script in re.findall(r"<script\b[^>]*>", text):
            if "src=" not in script and "application/ld+json" not in script:
                found.append(f"{template.name}: {script}")
        found += [
            f"{template.name}: {handler}"
            for handler in re.findall(r"\son[a-z]+\s*=", text)
        ]
    assert found == []


# --- more than one app server ---


def test_nothing_a_second_app_server_needs_is_kept_in_one_process(settings):
    assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.db"
    assert settings.AXES_HANDLER == "axes.handlers.database.AxesDatabaseHandler"
    assert all(
        "locmem" not in cache["BACKEND"] and "filebased" not in cache["BACKEND"]
        for cache in settings.CACHES.values()
    )
    # Uploads up to the article limit never touch the local disk.
    assert settings.FILE_UPLOAD_MAX_MEMORY_SIZE >= settings.VERIFIER_MAX_ARTICLE_BYTES


def test_a_session_made_by_one_server_is_honoured_by_another(checker):
    from django.test import Client

    first, second = Client(), Client()
    first.force_login(checker)
    second.cookies = first.cookies  # the load balancer sends it elsewhere
    assert second.get("/claims/").status_code == 200
