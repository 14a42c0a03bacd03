"""Personas and helpers shared by the suite.

alice is a fact-checker, bob another fact-checker, carol an editor, dave a second
editor, and erin the admin. ``client`` is anonymous.
"""

import pytest
from django.contrib.auth.models import Group, User

from verifier import defaults, workflow
from verifier.models import Article, Claim, Rating

PASSWORD = "correct-horse-battery-staple"

BODY = (
    "Jobless claims fell to 210,000 last week, the Labor Department said.\n\n"
    "The mayor called the report “a triumph”.\n\n"
    "According to the agency, prices rose 3.2% in March."
)


@pytest.fixture(scope="session")
def django_db_modify_db_settings(
    django_db_modify_db_settings_parallel_suffix, tmp_path_factory
):
    """On SQLite, a test database in a file rather than in memory.

    The races of test_concurrency.py run each attempt on its own connection in its
    own thread. Django's in-memory test database is shared between threads in
    SQLite's shared-cache mode, where a writer that meets another's lock fails at
    once ("database table is locked") instead of waiting; on a file, writers wait for
    each other as they do in production (transaction_mode IMMEDIATE), so a race has
    one winner on SQLite as on PostgreSQL. Durability does not matter here: nothing
    waits for the disk.
    """
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        path = tmp_path_factory.mktemp("db") / "test.sqlite3"
        database.setdefault("TEST", {})["NAME"] = str(path)
        database.setdefault("OPTIONS", {})["init_command"] = "PRAGMA synchronous=OFF;"


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # The default hasher is deliberately slow; the suite creates many users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def defaults_for_transactional_tests(request):
    """The roles, scale and policy of the data migration, for transactional tests.

    Those tests (live-server and concurrency tests) flush the database after each
    run, and with it what the migration made, for every test that follows. Serialized
    rollback would restore it, but not under Playwright's sync API, where Django then
    sees a connection without the serialized data; so put the defaults back
    (idempotently) before each such test.
    """
    marker = request.node.get_closest_marker("django_db")
    transactional = (
        "live_server" in request.fixturenames
        or "transactional_db" in request.fixturenames
        or (marker is not None and marker.kwargs.get("transaction", False))
    )
    if transactional:
        request.getfixturevalue("transactional_db")
        defaults.ensure_groups()
        defaults.ensure_ratings()
        defaults.ensure_policy()


# --- the browser tests' Chromium: Debian's, never a downloaded one ---

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    """One Chromium for the session: Playwright's sync API allows one per thread."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


def make_user(username, group=None, **fields):
    user = User.objects.create_user(
        username, f"{username}@example.org", PASSWORD, **fields
    )
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def checker(db):
    return make_user("alice", defaults.FACT_CHECKERS)


@pytest.fixture
def other_checker(db):
    return make_user("bob", defaults.FACT_CHECKERS)


@pytest.fixture
def editor(db):
    return make_user("carol", defaults.EDITORS)


@pytest.fixture
def other_editor(db):
    return make_user("dave", defaults.EDITORS)


@pytest.fixture
def admin_user(db):
    return make_user("erin", is_staff=True, is_superuser=True)


@pytest.fixture
def nobody(db):
    """Logged in, but in no group."""
    return make_user("mallory")


def make_article(user, body=BODY, spans=None, **fields):
    """An article with one claim per paragraph unless spans are given."""
    if spans is None:
        spans, offset = [], 0
        for paragraph in body.split("\n\n"):
            spans.append(workflow.Span(offset, offset + len(paragraph)))
            offset += len(paragraph) + 2
    fields.setdefault("title", "Test article")
    return workflow.create_article(user=user, spans=spans, body=body, **fields)


def make_claim(user, **article_fields):
    return make_article(user, **article_fields).claims.order_by("start").first()


def rating(label="Misleading"):
    return Rating.objects.get(label=label)


def make_source(user, title="Government report"):
    return workflow.create_source(
        user=user, title=title, url="https://example.org/report.pdf"
    )


def cite(claim, user, source=None):
    return workflow.add_evidence(
        claim,
        user=user,
        source=source or make_source(user),
        excerpt="The report says so on page 3.",
        locator="p. 3",
        stance="contradicts",
    )


def make_in_progress(claim, user, label="Misleading"):
    workflow.start(claim, user=user, version=current_version(claim))
    cite(claim, user)
    return workflow.save_verdict(
        claim,
        user=user,
        rating=rating(label),
        rationale="The figure is from another year.",
        version=current_version(claim),
    )


def make_submitted(claim, user, label="Misleading"):
    make_in_progress(claim, user, label)
    return workflow.submit(claim, user=user, version=current_version(claim))


def make_approved(claim, checker, editor):
    make_submitted(claim, checker)
    return workflow.approve(claim, user=editor, version=current_version(claim))


def current_version(obj) -> int:
    """The version of a claim or article stored now: what a person who has just
    loaded its page sends with an action."""
    return type(obj).objects.values_list("version", flat=True).get(pk=obj.pk)


def refresh(obj):
    obj.refresh_from_db()
    return obj


def last_event(obj):
    if isinstance(obj, Claim):
        return obj.events.order_by("pk").last()
    if isinstance(obj, Article):
        return obj.events.order_by("pk").last()
    raise TypeError(obj)


@pytest.fixture
def article(checker):
    return make_article(checker)


@pytest.fixture
def claim(article):
    return article.claims.order_by("start").first()


# --- a real SMTP server for the notification tests ---


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on (just now)."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class ReceivedMail:
    """aiosmtpd's handler: keeps every message that arrives, parsed."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        import email
        import email.policy

        message = email.message_from_bytes(
            envelope.content, policy=email.policy.default
        )
        self.messages.append(message)
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list:
        return [m for m in self.messages if m["To"] == address]


def point_mail_at(settings, port: int) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_TIMEOUT = 5


@pytest.fixture
def smtp_server(settings):
    """A local SMTP server (aiosmtpd) on a free port, with Django's mail pointed at
    it through the SMTP backend. Yields its ReceivedMail."""
    from aiosmtpd.controller import Controller

    received = ReceivedMail()
    controller = Controller(received, hostname="127.0.0.1", port=free_port())
    controller.start()
    point_mail_at(settings, controller.port)
    yield received
    controller.stop()


@pytest.fixture
def smtp_down(settings):
    """Django's mail pointed at a local port where no server listens."""
    point_mail_at(settings, free_port())
