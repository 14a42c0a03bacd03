"""Hostile input through the real forms, uploads and actions.

Every case gets a clear refusal or safely escaped output: never a server error, never a
partial write, never an action the user's role does not allow.
"""

import json
from io import StringIO
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from tests.conftest import (
    current_version,
    make_article,
    make_in_progress,
    make_submitted,
    rating,
    refresh,
)
from verifier import validators, workflow
from verifier.models import Article, Claim, Event, Evidence, Note, Rating, Source

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert('pwned')</script>"
IMG = '"><img src=x onerror=alert(1)>'
HOSTILE = f"{SCRIPT} {IMG}"
RLO = "\u202e"  # RIGHT-TO-LEFT OVERRIDE
MB = 1024 * 1024


def everything():
    """What the database holds that a refused request must leave untouched."""
    return {
        "counts": {
            model.__name__: model.objects.count()
            for model in (Article, Claim, Evidence, Note, Event, Source)
        },
        "claims": list(
            Claim.objects.order_by("pk").values(
                "pk", "state", "rating_id", "rationale", "assignee_id", "version"
            )
        ),
        "articles": list(
            Article.objects.order_by("pk").values("pk", "title", "state", "version")
        ),
    }


@pytest.fixture
def desk(checker, other_checker, editor, other_editor, nobody):
    """Claims in progress, submitted and open, and a signed-off article."""
    article = make_article(checker)
    working, waiting, fresh = article.claims.order_by("start")
    make_in_progress(working, checker)
    make_submitted(waiting, checker)
    done = make_article(checker, body="The river rose 2 metres.\n\nIt was the highest.")
    first, second = done.claims.order_by("start")
    make_in_progress(first, checker)
    workflow.submit(first, user=checker, version=current_version(first))
    workflow.approve(first, user=editor, version=current_version(first))
    workflow.dismiss(
        second, user=checker, reason="Not a claim.", version=current_version(second)
    )
    workflow.sign_off(done, user=editor, version=current_version(done))
    retired = rating("Needs context")
    retired.is_active = False
    retired.save()
    return SimpleNamespace(
        checker=checker,
        other_checker=other_checker,
        editor=editor,
        nobody=nobody,
        article=article,
        working=Claim.objects.get(pk=working.pk),
        waiting=Claim.objects.get(pk=waiting.pk),
        fresh=fresh,
        signed=done,
        signed_evidence=first.evidence.get(),
        source=Source.objects.first(),
        retired=retired,
    )


def as_(user, **kwargs):
    client = Client(**kwargs)
    client.force_login(user)
    return client


def evidence_form(**fields):
    data = {
        "source": "",
        "new_title": "Budget 2024",
        "new_publisher": "Treasury",
        "new_kind": "primary",
        "new_url": "https://example.org/budget.pdf",
        "new_reference": "",
        "excerpt": "Table 4 shows 3.2%.",
        "locator": "p. 12",
        "stance": "supports",
    }
    return data | fields


def import_form(**fields):
    data = {
        "title": "A fine article",
        "text": "The council spent 4 million on roads last year, the mayor said.",
        "outlet": "The Daily",
        "byline": "A. Writer",
        "url": "https://example.org/news/1",
        "published_on": "",
    }
    return data | fields


def upload(name, content):
    return import_form(text="", file=SimpleUploadedFile(name, content))


# --- accepted and shown escaped -------------------------------------------------------

# name -> (who posts, path, form data, page to read back)
SHOWN = {
    "note": (
        "checker",
        lambda d: f"/claims/{d.working.pk}/notes/",
        lambda d: {"text": HOSTILE},
        lambda d: f"/claims/{d.working.pk}/",
    ),
    "rationale": (
        "checker",
        lambda d: f"/claims/{d.working.pk}/verdict/",
        lambda d: {
            "rating": rating("False").pk,
            "rationale": HOSTILE,
            "version": d.working.version,
        },
        lambda d: f"/claims/{d.working.pk}/",
    ),
    "source title": (
        "checker",
        lambda d: f"/claims/{d.working.pk}/evidence/",
        lambda d: evidence_form(new_title=HOSTILE),
        lambda d: f"/claims/{d.working.pk}/",
    ),
    "source publisher": (
        "checker",
        lambda d: f"/claims/{d.working.pk}/evidence/",
        lambda d: evidence_form(new_publisher=HOSTILE),
        lambda d: f"/claims/{d.working.pk}/",
    ),
    "offline reference": (
        "checker",
        lambda d: f"/claims/{d.working.pk}/evidence/",
        lambda d: evidence_form(new_url="", new_reference=HOSTILE),
        lambda d: f"/claims/{d.working.pk}/",
    ),
    "excerpt": (
        "checker",
        lambda d: f"/claims/{d.working.pk}/evidence/",
        lambda d: evidence_form(excerpt=HOSTILE),
        lambda d: f"/claims/{d.working.pk}/",
    ),
    "locator": (
        "checker",
        lambda d: f"/claims/{d.working.pk}/evidence/",
        lambda d: evidence_form(locator=SCRIPT),
        lambda d: f"/claims/{d.working.pk}/",
    ),
    "dismiss reason": (
        "checker",
        lambda d: f"/claims/{d.fresh.pk}/dismiss/",
        lambda d: {"reason": HOSTILE, "version": d.fresh.version},
        lambda d: f"/claims/{d.fresh.pk}/",
    ),
    "return reason": (
        "editor",
        lambda d: f"/claims/{d.waiting.pk}/return/",
        lambda d: {"reason": HOSTILE, "version": d.waiting.version},
        lambda d: f"/claims/{d.waiting.pk}/",
    ),
    "article title": (
        "checker",
        lambda d: "/articles/new/",
        lambda d: import_form(title=HOSTILE),
        lambda d: "/articles/",
    ),
    "article text": (
        "checker",
        lambda d: "/articles/new/",
        lambda d: import_form(text=f"The mayor said {HOSTILE} on Monday."),
        lambda d: f"/articles/{Article.objects.latest('pk').pk}/",
    ),
    "outlet and byline": (
        "checker",
        lambda d: "/articles/new/",
        lambda d: import_form(outlet=HOSTILE, byline=HOSTILE),
        lambda d: f"/articles/{Article.objects.latest('pk').pk}/",
    ),
}


@pytest.mark.parametrize("name", SHOWN)
def test_hostile_text_is_stored_as_typed_and_shown_escaped(desk, name):
    who, path, data, page = SHOWN[name]
    client = as_(getattr(desk, who))
    response = client.post(path(desk), data(desk))
    assert response.status_code == 302, response.content.decode()[:2000]
    html = client.get(page(desk)).content.decode()
    assert "<script>alert" not in html
    assert "<img src=x" not in html
    assert "alert" in html  # it is shown, as text


def test_uploaded_html_keeps_its_text_and_drops_its_markup(desk):
    client = as_(desk.checker)
    page = f"<html><body><p>Rents rose 9% in 2023.</p>{IMG}{SCRIPT}</body></html>"
    response = client.post("/articles/new/", upload("story.html", page.encode()))
    assert response.status_code == 302
    article = Article.objects.latest("pk")
    assert "Rents rose 9% in 2023." in article.body
    assert "<img" not in article.body
    html = client.get(article.get_absolute_url()).content.decode()
    assert "<script>alert" not in html
    assert "<img src=x" not in html


def test_hostile_claim_text_and_claimant_are_shown_escaped_everywhere(desk):
    body = f"Officials said {HOSTILE} about the 12% rise in rents."
    article = workflow.create_article(
        user=desk.checker,
        title="Rents",
        body=body,
        spans=[workflow.Span(0, len(body), 0.9, ("number",), HOSTILE)],
    )
    claim = article.claims.get()
    client = as_(desk.editor)
    for path in [
        f"/claims/{claim.pk}/",
        f"/articles/{article.pk}/",
        "/claims/",
        "/",
        f"/claims/?q={claim.text[:20]}",
    ]:
        response = client.get(path)
        assert response.status_code == 200, path
        html = response.content.decode()
        assert "<script>alert" not in html, path
        assert "<img src=x" not in html, path


# --- refused: a clear answer, nothing written -----------------------------------------

# id -> (who, path, data, accepted statuses, words the answer must contain)
REFUSED = {
    "javascript: source url": (
        "checker",
        lambda d: f"/claims/{d.working.pk}/evidence/",
        lambda d: evidence_form(new_url="javascript:alert(1)"),
        {400},
        "Enter a valid URL",
    ),
    "mixed-case javascript: source url": (
        "checker",
        lambda d: f"/claims/{d.working.pk}/evidence/",
        lambda d: evidence_form(new_url=" JaVaScRiPt:alert(document.cookie)"),
        {400},
        "Enter a valid URL",
    ),
    "data: source url": (
        "checker",
        lambda d: f"/claims/{d.working.pk}/evidence/",
        lambda d: evidence_form(
            new_url="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=="
        ),
        {400},
        "Enter a valid URL",
    ),
    "ftp: source url": (
        "checker",
        lambda d: f"/claims/{d.working.pk}/evidence/",
        lambda d: evidence_form(new_url="ftp://example.org/file"),
        {400},
        "http and https",
    ),
    "javascript: article url": (
        "checker",
        lambda d: "/articles/new/",
        lambda d: import_form(url="javascript:alert(1)"),
        {200},
        "Enter a valid URL",
    ),
    "data: article url": (
        "checker",
        lambda d: "/articles/new/",
        lambda d: import_form(url="data:text/html,<script>alert(1)</script>"),
        {200},
        "Enter a valid URL",
    ),
    "10 MB pasted article": (
        "checker",
        lambda d: "/articles/new/",
        lambda d: import_form(text="All claims are true. " * (10 * MB // 21)),
        {400},
        "larger than the verifier accepts",
    ),
    "3 MB uploaded article": (
        "checker",
        lambda d: "/articles/new/",
        lambda d: upload("big.txt", b"Rents rose 9%. " * (3 * MB // 15)),
        {200},
        "larger than 2 MB",
    ),
    "10 MB uploaded article": (
        "checker",
        lambda d: "/articles/new/",
        lambda d: upload("huge.txt", b"x" * (10 * MB)),
        {200},
        "larger than 2 MB",
    ),
    "binary file named .txt": (
        "checker",
        lambda d: "/articles/new/",
        lambda d: upload(
            "photo.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200)
        ),
        {200},
        "looks binary",
    ),
    "NUL byte deep inside a text file": (
        "checker",
        lambda d: "/articles/new/",
        lambda d: upload(
            "sneaky.txt", b"Rents rose 9% in 2023. " * 1000 + b"\x00 tail"
        ),
        {200},
        "looks binary",
    ),
    "latin-1 file": (
        "checker",
        lambda d: "/articles/new/",
        lambda d: upload(
            "latin.txt", "Le café coûte 3 €… à Genève.".encode("latin-1", "replace")
        ),
        {200},
        "not valid UTF-8",
    ),
    "utf-16 file": (
        "checker",
        lambda d: "/articles/new/",
        lambda d: upload("wide.txt", "Rents rose 9% in 2023.".encode("utf-16")),
        {200},
        "looks binary",
    ),
    "executable upload": (
        "checker",
        lambda d: "/articles/new/",
        lambda d: upload("report.exe", b"MZ\x90\x00" + bytes(100)),
        {200},
        "is not a .txt, .md or .html file",
    ),
    "empty file": (
        "checker",
        lambda d: "/articles/new/",
        lambda d: upload("empty.txt", b""),
        {200},
        "empty",
    ),
    "NUL in pasted article": (
        "checker",
        lambda d: "/articles/new/",
        lambda d: import_form(text="Rents rose\x00 9%."),
        {200},
        "Null characters are not allowed",
    ),
    "right-to-left override in pasted article": (
        "checker",
        lambda d: "/articles/new/",
        lambda d: import_form(text=f"Rents rose {RLO}%9 in 2023."),
        {200},
        "U+202E",
    ),
    "right-to-left override in uploaded article": (
        "checker",
        lambda d: "/articles/new/",
        lambda d: upload("rlo.md", f"Rents rose {RLO}%9 in 2023.".encode()),
        {200},
        "U+202E",
    ),
    "right-to-left override in article title": (
        "checker",
        lambda d: "/articles/new/",
        lambda d: import_form(title=f"Budget {RLO}txt.exe"),
        {200},
        "U+202E",
    ),
    "overlong article title": (
        "checker",
        lambda d: "/articles/new/",
        lambda d: import_form(title="T" * 301),
        {200},
        "at most 300 characters",
    ),
    "overlong article url": (
        "checker",
        lambda d: "/articles/new/",
        lambda d: import_form(url="https://example.org/" + "a" * 500),
        {200},
        "at most 500 characters",
    ),
    "NUL in note": (
        "checker",
        lambda d: f"/claims/{d.working.pk}/notes/",
        lambda d: {"text": "Called\x00 them"},
        {400},
        "Null characters are not allowed",
    ),
    "isolate controls in note": (
        "checker",
        lambda d: f"/claims/{d.working.pk}/notes/",
        lambda d: {"text": "approved \u2067by editor\u2069"},
        {400},
        "U+2067",
    ),
    "overlong note": (
        "checker",
        lambda d: f"/claims/{d.working.pk}/notes/",
        lambda d: {"text": "n" * 20001},
        {400},
        "at most 20000 characters",
    ),
    "whitespace-only note": (
        "checker",
        lambda d: f"/claims/{d.working.pk}/notes/",
        lambda d: {"text": " \n\t "},
        {400},
        "This field is required",
    ),
    "NUL in rationale": (
        "checker",
        lambda d: f"/claims/{d.working.pk}/verdict/",
        lambda d: {
            "rating": rating("False").pk,
            "rationale": "x\x00",
            "version": d.working.version,
        },
        {400},
        "Null characters are not allowed",
    ),
    "right-to-left override in rationale": (
        "checker",
        lambda d: f"/claims/{d.working.pk}/verdict/",
        lambda d: {
            "rating": rating("False").pk,
            "rationale": f"It is {RLO}eslaf",
            "version": d.working.version,
        },
        {400},
        "U+202E",
    ),
    "forged rating id": (
        "checker",
        lambda d: f"/claims/{d.working.pk}/verdict/",
        lambda d: {"rating": 999999, "rationale": "x", "version": d.working.version},
        {400},
        "Choose a verdict from the scale",
    ),
    "retired rating id": (
        "checker",
        lambda d: f"/claims/{d.working.pk}/verdict/",
        lambda d: {
            "rating": d.retired.pk,
            "rationale": "x",
            "version": d.working.version,
        },
        {400},
        "Choose a verdict from the scale",
    ),
    "non-numeric version": (
        "checker",
        lambda d: f"/claims/{d.working.pk}/verdict/",
        lambda d: {
            "rating": rating("False").pk,
            "rationale": "x",
            "version": "1 OR 1=1",
        },
        {400},
        "This form is out of date or was altered",
    ),
    "zero version": (
        "checker",
        lambda d: f"/claims/{d.working.pk}/verdict/",
        lambda d: {"rating": rating("False").pk, "rationale": "x", "version": 0},
        {400},
        "This form is out of date or was altered",
    ),
    "stale version": (
        "checker",
        lambda d: f"/claims/{d.working.pk}/verdict/",
        lambda d: {
            "rating": rating("False").pk,
            "rationale": "Typed with care.",
            "version": d.working.version - 1,
        },
        {409},
        "Typed with care.",
    ),
    "future version on approve": (
        "editor",
        lambda d: f"/claims/{d.waiting.pk}/approve/",
        lambda d: {"version": d.waiting.version + 7},
        {409},
        "Someone else changed this claim",
    ),
    "forged version on a dismissal": (
        "checker",
        lambda d: f"/claims/{d.fresh.pk}/dismiss/",
        lambda d: {
            "reason": "Duplicate.",
            "version": "'; DROP TABLE verifier_claim; --",
        },
        {400},
        "This form is out of date or was altered",
    ),
    "forged source id": (
        "checker",
        lambda d: f"/claims/{d.working.pk}/evidence/",
        lambda d: evidence_form(source=999999),
        {400},
        "Select a valid choice",
    ),
    "forged stance": (
        "checker",
        lambda d: f"/claims/{d.working.pk}/evidence/",
        lambda d: evidence_form(stance="approves"),
        {400},
        "Select a valid choice",
    ),
    "forged source kind": (
        "checker",
        lambda d: f"/claims/{d.working.pk}/evidence/",
        lambda d: evidence_form(new_kind="<script>"),
        {400},
        "Select a valid choice",
    ),
    "overlong source title": (
        "checker",
        lambda d: f"/claims/{d.working.pk}/evidence/",
        lambda d: evidence_form(new_title="S" * 301),
        {400},
        "at most 300 characters",
    ),
    "overlong locator": (
        "checker",
        lambda d: f"/claims/{d.working.pk}/evidence/",
        lambda d: evidence_form(locator="p" * 201),
        {400},
        "at most 200 characters",
    ),
    "right-to-left override in excerpt": (
        "checker",
        lambda d: f"/claims/{d.working.pk}/evidence/",
        lambda d: evidence_form(excerpt=f"rose {RLO}%2.3"),
        {400},
        "U+202E",
    ),
    "evidence on a signed-off article": (
        "checker",
        lambda d: f"/claims/{d.signed.claims.order_by('start').first().pk}/evidence/",
        lambda d: evidence_form(source=d.source.pk),
        {400},
        "signed off",
    ),
    "assignee who is not a fact-checker": (
        "editor",
        lambda d: f"/claims/{d.fresh.pk}/assign/",
        lambda d: {"assignee": d.nobody.pk, "version": d.fresh.version},
        {400},
        "Select a valid choice",
    ),
    "overlong reason": (
        "checker",
        lambda d: f"/claims/{d.fresh.pk}/dismiss/",
        lambda d: {"reason": "r" * 5001, "version": d.fresh.version},
        {400},
        "Give a reason",
    ),
    "NUL in reason": (
        "editor",
        lambda d: f"/claims/{d.waiting.pk}/return/",
        lambda d: {"reason": "\x00", "version": d.waiting.version},
        {400},
        "Give a reason",
    ),
    "verdict by someone else's checker": (
        "other_checker",
        lambda d: f"/claims/{d.working.pk}/verdict/",
        lambda d: {
            "rating": rating("False").pk,
            "rationale": "x",
            "version": d.working.version,
        },
        {400},
        "only they or an editor can work on it",
    ),
    "submit by someone else's checker": (
        "other_checker",
        lambda d: f"/claims/{d.working.pk}/submit/",
        lambda d: {"version": d.working.version},
        {400},
        "only they or an editor can work on it",
    ),
    "checker approving own verdict": (
        "checker",
        lambda d: f"/claims/{d.waiting.pk}/approve/",
        lambda d: {"version": d.waiting.version},
        {403},
        "",
    ),
    "checker assigning": (
        "checker",
        lambda d: f"/claims/{d.fresh.pk}/assign/",
        lambda d: {"assignee": d.checker.pk, "version": d.fresh.version},
        {403},
        "",
    ),
    "checker signing off": (
        "checker",
        lambda d: f"/articles/{d.article.pk}/sign-off/",
        lambda d: {"version": d.article.version},
        {403},
        "",
    ),
    "checker reopening an article": (
        "checker",
        lambda d: f"/articles/{d.signed.pk}/reopen/",
        lambda d: {"reason": "x", "version": d.signed.version},
        {403},
        "",
    ),
    "user without a role writing a note": (
        "nobody",
        lambda d: f"/claims/{d.working.pk}/notes/",
        lambda d: {"text": "hello"},
        {403},
        "",
    ),
    "user without a role importing": (
        "nobody",
        lambda d: "/articles/new/",
        lambda d: import_form(),
        {403},
        "",
    ),
    "removing evidence of a signed-off article": (
        "checker",
        lambda d: f"/evidence/{d.signed_evidence.pk}/remove/",
        lambda d: {},
        {400},
        "This article is signed off",
    ),
    "action on a claim that does not exist": (
        "editor",
        lambda d: "/claims/999999/approve/",
        lambda d: {"version": 1},
        {404},
        "",
    ),
}


@pytest.mark.parametrize("name", REFUSED)
def test_hostile_request_is_refused_clearly_and_writes_nothing(desk, name):
    who, path, data, statuses, words = REFUSED[name]
    before = everything()
    response = as_(getattr(desk, who)).post(path(desk), data(desk))
    assert response.status_code in statuses
    assert words in response.content.decode()
    assert everything() == before


# --- forged requests: no CSRF token, or GET -------------------------------------------

ACTIONS = {
    "note": ("checker", lambda d: f"/claims/{d.working.pk}/notes/", {"text": "hi"}),
    "verdict": (
        "checker",
        lambda d: f"/claims/{d.working.pk}/verdict/",
        {"rationale": "x", "version": 1},
    ),
    "evidence": (
        "checker",
        lambda d: f"/claims/{d.working.pk}/evidence/",
        evidence_form(),
    ),
    "start": ("checker", lambda d: f"/claims/{d.fresh.pk}/start/", {"version": 1}),
    "approve": ("editor", lambda d: f"/claims/{d.waiting.pk}/approve/", {"version": 1}),
    "assign": ("editor", lambda d: f"/claims/{d.fresh.pk}/assign/", {"version": 1}),
    "sign-off": (
        "editor",
        lambda d: f"/articles/{d.article.pk}/sign-off/",
        {"version": 1},
    ),
    "import": ("checker", lambda d: "/articles/new/", import_form()),
    "remove evidence": (
        "checker",
        lambda d: f"/evidence/{d.working.evidence.first().pk}/remove/",
        {},
    ),
}


@pytest.mark.parametrize("name", ACTIONS)
def test_action_without_csrf_token_is_refused(desk, name):
    who, path, data = ACTIONS[name]
    before = everything()
    response = as_(getattr(desk, who), enforce_csrf_checks=True).post(path(desk), data)
    assert response.status_code == 403
    assert everything() == before


@pytest.mark.parametrize("name", [n for n in ACTIONS if n != "import"])
def test_action_by_get_is_refused(desk, name):
    who, path, data = ACTIONS[name]
    before = everything()
    response = as_(getattr(desk, who)).get(path(desk), data)
    assert response.status_code == 405
    assert everything() == before


def test_anonymous_post_to_an_action_goes_to_login_and_writes_nothing(client, desk):
    before = everything()
    response = client.post(f"/claims/{desk.waiting.pk}/approve/", {"version": 1})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert everything() == before


# --- hostile query strings on the lists -----------------------------------------------

QUERIES = [
    "?page=abc",
    "?page=-1",
    "?page=99999999999999999999",
    "?sort=<script>",
    "?sort=rationale;DROP TABLE verifier_claim",
    "?state=<script>alert(1)</script>",
    "?rating=999999",
    "?assignee=abc",
    "?article=1%20OR%201=1",
    "?q=%27%20OR%201%3D1%20--",
    "?q=%00",
    "?_export=exe",
]


@pytest.mark.parametrize("query", QUERIES)
def test_hostile_query_string_never_breaks_the_claim_list(desk, query):
    response = as_(desk.checker).get("/claims/" + query)
    # An unknown export format is a 400 naming the formats there are.
    assert response.status_code == (400 if "_export" in query else 200)
    assert "<script>" not in response.content.decode().split("<main", 1)[-1]


# --- the import_article command -------------------------------------------------------

# id -> (file name, content, extra options, words in the error)
COMMAND = {
    "javascript: url": (
        "a.txt",
        b"Rents rose 9% in 2023.",
        ["--url", "javascript:alert(1)"],
        "URL",
    ),
    "binary file": (
        "a.txt",
        b"\x7fELF\x02\x01\x01\x00" + bytes(64),
        [],
        "looks binary",
    ),
    "latin-1 file": (
        "a.txt",
        "Genève coûte 3 €".encode("latin-1", "replace"),
        [],
        "UTF-8",
    ),
    "bidi override": ("a.md", f"Rents rose {RLO}%9.".encode(), [], "U+202E"),
    "10 MB file": ("a.txt", b"y" * (10 * MB), [], "larger than 2 MB"),
    "script-only html": (
        "a.html",
        f"<html><body>{SCRIPT}</body></html>".encode(),
        [],
        "no article text",
    ),
}


@pytest.mark.parametrize("name", COMMAND)
def test_import_article_command_refuses_hostile_files_and_writes_nothing(
    desk, admin_user, tmp_path, name
):
    filename, content, options, words = COMMAND[name]
    path = tmp_path / filename
    path.write_bytes(content)
    before = everything()
    errors = StringIO()
    with pytest.raises(CommandError):
        call_command(
            "import_article", str(path), *options, stdout=StringIO(), stderr=errors
        )
    assert words in errors.getvalue()
    assert everything() == before


# --- control characters and text-direction overrides in typed text --------------------

SOH = "\x01"  # START OF HEADING, a C0 control
CSI = "\x9b"  # CONTROL SEQUENCE INTRODUCER, a C1 control
LRI = "\u2066"  # LEFT-TO-RIGHT ISOLATE

# name -> (who, path, data, accepted statuses, the character the answer names)
CONTROLS = {
    "C0 control in article title": (
        "checker",
        lambda d: "/articles/new/",
        lambda d: import_form(title=f"Budget{SOH} 2024"),
        {200},
        "U+0001",
    ),
    "form feed in outlet": (
        "checker",
        lambda d: "/articles/new/",
        lambda d: import_form(outlet="The\x0cDaily"),
        {200},
        "U+000C",
    ),
    "C1 control in byline": (
        "checker",
        lambda d: "/articles/new/",
        lambda d: import_form(byline=f"A. {CSI}Writer"),
        {200},
        "U+009B",
    ),
    "DEL in note": (
        "checker",
        lambda d: f"/claims/{d.working.pk}/notes/",
        lambda d: {"text": "Called them\x7f"},
        {400},
        "U+007F",
    ),
    "C1 control in rationale": (
        "checker",
        lambda d: f"/claims/{d.working.pk}/verdict/",
        lambda d: {
            "rating": rating("False").pk,
            "rationale": f"It is {CSI}31m false",
            "version": d.working.version,
        },
        {400},
        "U+009B",
    ),
    "C0 control in source title": (
        "checker",
        lambda d: f"/claims/{d.working.pk}/evidence/",
        lambda d: evidence_form(new_title=f"Budget{SOH}"),
        {400},
        "U+0001",
    ),
    "isolate in source publisher": (
        "checker",
        lambda d: f"/claims/{d.working.pk}/evidence/",
        lambda d: evidence_form(new_publisher=f"{LRI}Treasury"),
        {400},
        "U+2066",
    ),
    "C1 control in offline reference": (
        "checker",
        lambda d: f"/claims/{d.working.pk}/evidence/",
        lambda d: evidence_form(new_url="", new_reference=f"Box {CSI}4"),
        {400},
        "U+009B",
    ),
    "C0 control in locator": (
        "checker",
        lambda d: f"/claims/{d.working.pk}/evidence/",
        lambda d: evidence_form(locator=f"p.{SOH}12"),
        {400},
        "U+0001",
    ),
    "C0 control in dismiss reason": (
        "checker",
        lambda d: f"/claims/{d.fresh.pk}/dismiss/",
        lambda d: {"reason": f"Duplicate{SOH}", "version": d.fresh.version},
        {400},
        "U+0001",
    ),
    "right-to-left override in return reason": (
        "editor",
        lambda d: f"/claims/{d.waiting.pk}/return/",
        lambda d: {"reason": f"See {RLO}txt.exe", "version": d.waiting.version},
        {400},
        "U+202E",
    ),
}


@pytest.mark.parametrize("name", CONTROLS)
def test_typed_text_with_a_control_character_is_refused_naming_it(desk, name):
    who, path, data, statuses, character = CONTROLS[name]
    before = everything()
    response = as_(getattr(desk, who)).post(path(desk), data(desk))
    assert response.status_code in statuses
    assert character in response.content.decode()
    assert everything() == before


@pytest.mark.parametrize(
    ("claimant", "character"), [(f"The{SOH} mayor", "U+0001"), (f"{RLO}rom", "U+202E")]
)
def test_add_claim_refuses_a_claimant_with_a_control_character(
    desk, claimant, character
):
    before = everything()
    response = as_(desk.checker).post(
        f"/articles/{desk.article.pk}/claims/",
        {"quote": "the Labor Department said", "claimant": claimant},
        follow=True,
    )
    assert character in response.content.decode()
    assert everything() == before


# Straight to the workflow, as a command, a script or the admin would call it.
BYPASS = {
    "note": lambda d, bad: workflow.add_note(d.working, user=d.checker, text=bad),
    "rationale": lambda d, bad: workflow.save_verdict(
        d.working,
        user=d.checker,
        rating=rating("False"),
        rationale=bad,
        version=current_version(d.working),
    ),
    "excerpt": lambda d, bad: workflow.add_evidence(
        d.working, user=d.checker, source=d.source, excerpt=bad, stance="supports"
    ),
    "locator": lambda d, bad: workflow.add_evidence(
        d.working,
        user=d.checker,
        source=d.source,
        excerpt="Table 4.",
        locator=bad,
        stance="supports",
    ),
    "claimant": lambda d, bad: workflow.add_claim(
        d.unclaimed, user=d.checker, start=0, end=10, claimant=bad
    ),
    "dismiss reason": lambda d, bad: workflow.dismiss(
        d.fresh, user=d.checker, reason=bad, version=current_version(d.fresh)
    ),
    "source title": lambda d, bad: workflow.create_source(
        user=d.checker, title=bad, url="https://example.org/"
    ),
    "article title": lambda d, bad: workflow.create_article(
        user=d.checker, title=bad, body="Rents rose 9% in 2023."
    ),
    "article byline": lambda d, bad: workflow.update_article(
        d.article, user=d.editor, byline=bad
    ),
}


@pytest.mark.parametrize("character", [SOH, CSI, RLO])
@pytest.mark.parametrize("name", BYPASS)
def test_workflow_refuses_control_characters_that_skip_the_forms(desk, name, character):
    desk.unclaimed = make_article(desk.checker, body="Rents rose 9% in 2023.", spans=[])
    before = everything()
    with pytest.raises(workflow.WorkflowError) as refused:
        BYPASS[name](desk, f"Seen {character}here")
    assert f"U+{ord(character):04X}" in refused.value.message
    assert everything() == before


def test_admin_refuses_a_rating_label_with_a_direction_override(client, admin_user):
    client.force_login(admin_user)
    response = client.post(
        "/admin/verifier/rating/add/",
        {
            "label": f"True{RLO}",
            "description": "",
            "colour": "#1a7f37",
            "value": 9,
            "position": 9,
            "is_active": "on",
            "change_reason": "A new step.",
        },
    )
    assert response.status_code == 200
    assert "U+202E" in response.content.decode()
    assert not Rating.objects.filter(label__startswith="True").exists()


def test_admin_refuses_a_change_reason_with_a_control_character(client, admin_user):
    false = rating("False")
    client.force_login(admin_user)
    response = client.post(
        f"/admin/verifier/rating/{false.pk}/change/",
        {
            "label": "Wrong",
            "description": false.description,
            "colour": false.colour,
            "value": false.value,
            "position": false.position,
            "is_active": "on",
            "change_reason": f"Plainer{SOH}",
        },
    )
    assert response.status_code == 200
    assert "U+0001" in response.content.decode()
    assert refresh(false).label == "False"


def test_tabs_newlines_marks_and_right_to_left_script_are_plain_text(desk):
    hebrew, arabic = "\u05e9\u05dc\u05d5\u05dd", "\u0645\u0631\u062d\u0628\u0627"
    text = f"Line one\r\n\tLine two \u200f{hebrew} {arabic}"
    note = workflow.add_note(desk.working, user=desk.checker, text=text)
    assert refresh(note).text == text.strip()


def test_an_imported_article_loses_its_control_characters_but_keeps_its_lines(desk):
    text = f"Rents rose 9% in 2023.\x0cPrices fell{CSI} 2%.\x07 Wages rose 3%."
    response = as_(desk.checker).post("/articles/new/", import_form(text=text))
    assert response.status_code == 302
    body = Article.objects.latest("pk").body
    assert body == "Rents rose 9% in 2023.\nPrices fell 2%. Wages rose 3%."


@pytest.mark.parametrize("character", ["\t", "\n", "\r", "\xa0", "\u200e", "\u200f"])
def test_plain_text_accepts_tabs_line_breaks_spaces_and_direction_marks(character):
    validators.plain_text(f"a{character}b")


@pytest.mark.parametrize(
    "character",
    ["\x00", "\x08", "\x0b", "\x0c", "\x1f", "\x7f", "\x80", "\x9f"]
    + ["\u202a", "\u202e", "\u2066", "\u2069"],
)
def test_plain_text_refuses_controls_and_overrides_naming_them(character):
    with pytest.raises(ValidationError) as refused:
        validators.plain_text(f"a{character}b")
    assert f"U+{ord(character):04X}" in refused.value.messages[0]


# --- hostile article archives (import_article_archive) --------------------------------


def event_index(doc, action):
    return next(i for i, e in enumerate(doc["events"]) if e["action"] == action)


def set_at(path, value):
    """A change to the archive: set the value at ``path`` (keys and list indexes)."""

    def change(doc):
        *parents, last = path
        target = doc
        for key in parents:
            target = target[key]
        target[last] = value

    return change


def self_approval(doc):
    # The checker who wrote and submitted the verdict approves it too.
    approval = doc["events"][event_index(doc, "approve")]
    approval["actor"] = "alice"
    approval["changes"]["approved_by"] = [None, "alice"]
    doc["claims"][0]["approved_by"] = "alice"


def approval_removed(doc):
    del doc["events"][event_index(doc, "approve")]


def duplicate_event_id(doc):
    doc["events"][1]["id"] = doc["events"][0]["id"]


ARCHIVES = {
    "changes not an object": (
        set_at(["events", 0, "changes"], "not a dict"),
        "events[0].changes: must be an object",
    ),
    "a list as the title": (
        set_at(["article", "title"], ["Breaking"]),
        "article.title: must be a text",
    ),
    "a list as a claim's text": (
        set_at(["claims", 0, "text"], ["The river rose"]),
        "claims[0].text: must be a text",
    ),
    "an object as a reason": (
        set_at(["events", 1, "reason"], {"why": "not"}),
        "events[1].reason: must be a text",
    ),
    "a number as a username": (
        set_at(["claims", 0, "assignee"], 5),
        "claims[0].assignee: must be a text or null",
    ),
    "sentences that are text": (
        set_at(["article", "sentences"], "abc"),
        "article.sentences: must be a list",
    ),
    "a sentence of texts": (
        set_at(["article", "sentences"], [["a", "b", "c", "d"]]),
        "article.sentences[0][0]: must be a whole number",
    ),
    "a sentence outside the text": (
        set_at(["article", "sentences"], [[0, 10**6, 0.5, []]]),
        "article.sentences[0]: 0-1000000 is outside the text",
    ),
    "a span outside the text": (
        set_at(["claims", 0, "end"], 10**6),
        "claims[0]: its span 0-1000000 is outside the article text",
    ),
    "a fractional offset": (
        set_at(["claims", 0, "start"], 1.5),
        "claims[0].start: must be a whole number",
    ),
    "true as an id": (
        set_at(["claims", 0, "id"], True),
        "claims[0].id: must be a whole number",
    ),
    "an unknown field": (
        set_at(["claims", 0, "is_admin"], True),
        "claims[0]: has an unknown field 'is_admin'",
    ),
    "a time that is not one": (
        set_at(["events", 0, "created_at"], "yesterday"),
        "events[0].created_at: must be a date-time",
    ),
    "an id used twice": (duplicate_event_id, "events[1].id: "),
    "evidence of a claim not in it": (
        set_at(["evidence", 0, "claim"], 999999),
        "evidence[0].claim: points to claim #999999, which is not in the archive",
    ),
    "a checker approving their own verdict": (
        self_approval,
        "claims[0]: was approved by alice, who wrote or submitted its verdict",
    ),
    "sign-off with a claim still open": (
        set_at(["claims", 1, "state"], "open"),
        "article: is signed off while claims[1] are neither approved nor dismissed",
    ),
    "an approval without its event": (
        approval_removed,
        "claims[0]: is approved, but its history holds no approval",
    ),
    "a verdict changed after sign-off": (
        set_at(["claims", 0, "approval", "rationale"], "Rewritten after sign-off."),
        "article.fingerprint: does not match its claims and verdicts",
    ),
}


@pytest.mark.parametrize("name", ARCHIVES)
def test_import_article_archive_refuses_hostile_archives_and_writes_nothing(
    desk, tmp_path, name
):
    from django.contrib.auth.models import User

    from verifier import archive

    change, words = ARCHIVES[name]
    done = Article.objects.get(state=Article.State.SIGNED_OFF)
    document = json.loads(archive.archive_json(done))
    change(document)
    path = tmp_path / "archive.json"
    path.write_text(json.dumps(document))
    before, users = everything(), User.objects.count()
    with pytest.raises(CommandError) as error:
        call_command("import_article_archive", str(path), stdout=StringIO())
    assert words in str(error.value)
    assert "Nothing was written" in str(error.value)
    assert (everything(), User.objects.count()) == (before, users)
