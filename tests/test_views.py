"""Pages and actions as people use them: who may see what, and what each action does."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from tests.conftest import (
    PASSWORD,
    cite,
    current_version,
    make_approved,
    make_article,
    make_in_progress,
    make_source,
    make_submitted,
    make_user,
    rating,
    refresh,
)
from verifier import defaults, workflow
from verifier.models import Article, Claim, Event, Source

pytestmark = pytest.mark.django_db

PAGES = [
    ("dashboard", False),
    ("article-list", False),
    ("article-new", False),
    ("article-detail", "article"),
    ("claim-list", False),
    ("claim-detail", "claim"),
]


def page_url(name, arg, claim):
    if arg == "article":
        return reverse(name, args=[claim.article_id])
    if arg == "claim":
        return reverse(name, args=[claim.pk])
    return reverse(name)


@pytest.mark.parametrize("name,arg", PAGES)
def test_anonymous_is_sent_to_login(client, claim, name, arg):
    url = page_url(name, arg, claim)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("name,arg", PAGES)
def test_user_without_role_gets_403(client, nobody, claim, name, arg):
    client.force_login(nobody)
    assert client.get(page_url(name, arg, claim)).status_code == 403


@pytest.mark.parametrize("persona", ["checker", "editor", "admin_user"])
@pytest.mark.parametrize("name,arg", PAGES)
def test_every_role_sees_every_page(client, request, claim, persona, name, arg):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(page_url(name, arg, claim)).status_code == 200


def test_login_page_and_healthz_are_public(client, db):
    assert client.get(reverse("login")).status_code == 200
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["database"] == "reachable"


def test_login_through_the_form_lands_on_dashboard(client, checker):
    response = client.post(
        reverse("login"), {"username": "alice", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard")


def test_logout_needs_post(client, checker):
    client.force_login(checker)
    assert client.get(reverse("logout")).status_code == 405
    assert client.get(reverse("claim-list")).status_code == 200
    client.post(reverse("logout"))
    assert client.get(reverse("claim-list")).status_code == 302


def test_checker_cannot_reach_admin(client, checker):
    client.force_login(checker)
    response = client.get("/admin/")
    assert response.status_code == 302


# --- actions: permissions, methods, CSRF ---

ACTIONS = ["start", "submit", "approve", "return", "reopen", "dismiss", "restore"]


@pytest.mark.parametrize("action", ACTIONS + ["verdict", "evidence", "note", "assign"])
def test_actions_refuse_get(client, checker, claim, action):
    client.force_login(checker)
    url = reverse(f"claim-{action}", args=[claim.pk])
    assert client.get(url).status_code == 405
    assert refresh(claim).version == 1


@pytest.mark.parametrize("action", ACTIONS)
def test_anonymous_action_is_sent_to_login(client, claim, action):
    response = client.post(reverse(f"claim-{action}", args=[claim.pk]), {"version": 1})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_checker_gets_403_on_approve(client, claim, checker, other_checker):
    make_submitted(claim, other_checker)
    client.force_login(checker)
    response = client.post(
        reverse("claim-approve", args=[claim.pk]), {"version": refresh(claim).version}
    )
    assert response.status_code == 403
    assert refresh(claim).state == Claim.State.SUBMITTED


@pytest.mark.parametrize("action", ["approve", "return", "reopen", "restore"])
def test_checker_gets_403_on_editor_actions(client, claim, checker, action):
    client.force_login(checker)
    response = client.post(
        reverse(f"claim-{action}", args=[claim.pk]), {"version": 1, "reason": "x"}
    )
    assert response.status_code == 403


def test_checker_gets_403_on_assign_and_sign_off(client, claim, checker):
    client.force_login(checker)
    assert (
        client.post(
            reverse("claim-assign", args=[claim.pk]), {"version": 1}
        ).status_code
        == 403
    )
    assert (
        client.post(reverse("article-sign-off", args=[claim.article_id])).status_code
        == 403
    )
    assert (
        client.post(
            reverse("article-reopen", args=[claim.article_id]), {"reason": "x"}
        ).status_code
        == 403
    )


def test_user_without_role_gets_403_on_start(client, claim, nobody):
    client.force_login(nobody)
    assert (
        client.post(reverse("claim-start", args=[claim.pk]), {"version": 1}).status_code
        == 403
    )


def test_action_without_csrf_token_is_refused(claim, checker):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(checker)
    response = strict.post(reverse("claim-start", args=[claim.pk]), {"version": 1})
    assert response.status_code == 403
    assert refresh(claim).state == Claim.State.OPEN


def test_unknown_claim_is_404(client, checker):
    client.force_login(checker)
    assert client.get(reverse("claim-detail", args=[999999])).status_code == 404
    assert (
        client.post(reverse("claim-start", args=[999999]), {"version": 1}).status_code
        == 404
    )


# --- the review desk, end to end ---


def test_checker_works_a_claim_and_editor_approves_it(client, claim, checker, editor):
    client.force_login(checker)
    url = claim.get_absolute_url()
    assert (
        client.post(reverse("claim-start", args=[claim.pk]), {"version": 1}).status_code
        == 302
    )
    response = client.post(
        reverse("claim-verdict", args=[claim.pk]),
        {"version": 2, "rating": rating("Misleading").pk, "rationale": "Wrong year."},
    )
    assert response.status_code == 302
    response = client.post(
        reverse("claim-evidence", args=[claim.pk]),
        {
            "new_title": "OIG-24-46",
            "new_publisher": "DHS OIG",
            "new_kind": "primary",
            "new_url": "https://www.oig.dhs.gov/report.pdf",
            "excerpt": "fiscal years 2019 through 2023",
            "locator": "p. 1",
            "stance": "contradicts",
        },
    )
    assert response.status_code == 302
    client.post(reverse("claim-note", args=[claim.pk]), {"text": "Checked the PDF."})
    version = refresh(claim).version
    assert (
        client.post(
            reverse("claim-submit", args=[claim.pk]), {"version": version}
        ).status_code
        == 302
    )
    assert refresh(claim).state == Claim.State.SUBMITTED

    client.force_login(editor)
    page = client.get(url).content.decode()
    assert ">Approve</button>" in page
    client.post(
        reverse("claim-approve", args=[claim.pk]), {"version": refresh(claim).version}
    )
    claim = refresh(claim)
    assert claim.state == Claim.State.APPROVED
    history = client.get(url).content.decode()
    for action in ["Start", "Verdict", "Evidence added", "Note", "Submit", "Approve"]:
        assert action in history
    assert "alice" in history and "carol" in history


def test_claim_page_offers_only_allowed_actions(client, claim, checker, editor):
    make_submitted(claim, editor)
    client.force_login(editor)
    page = client.get(claim.get_absolute_url()).content.decode()
    # Four-eyes: an editor never sees Approve on their own verdict.
    assert ">Approve</button>" not in page
    assert ">Return</button>" in page
    client.force_login(checker)
    page = client.get(claim.get_absolute_url()).content.decode()
    assert ">Approve</button>" not in page
    assert ">Return</button>" not in page


def test_editor_cannot_approve_own_verdict_through_the_page(client, claim, editor):
    make_submitted(claim, editor)
    client.force_login(editor)
    response = client.post(
        reverse("claim-approve", args=[claim.pk]), {"version": refresh(claim).version}
    )
    assert response.status_code == 400
    assert "You wrote this verdict; another editor approves it" in (
        response.content.decode()
    )
    assert refresh(claim).state == Claim.State.SUBMITTED


def test_return_without_reason_keeps_the_claim_submitted(
    client, claim, checker, editor
):
    make_submitted(claim, checker)
    client.force_login(editor)
    response = client.post(
        reverse("claim-return", args=[claim.pk]),
        {"version": refresh(claim).version, "reason": ""},
    )
    assert response.status_code == 400
    assert refresh(claim).state == Claim.State.SUBMITTED


def test_stale_verdict_form_shows_conflict_and_keeps_typed_text(client, claim, checker):
    make_in_progress(claim, checker)
    seen = refresh(claim).version
    workflow.save_verdict(
        claim,
        user=checker,
        rating=rating("False"),
        rationale="Saved in another tab.",
        version=seen,
    )
    client.force_login(checker)
    response = client.post(
        reverse("claim-verdict", args=[claim.pk]),
        {
            "version": seen,
            "rating": rating("Accurate").pk,
            "rationale": "My careful paragraph.",
        },
    )
    assert response.status_code == 409
    page = response.content.decode()
    assert "changed while you were editing" in page
    assert "Saved in another tab." in page
    assert "My careful paragraph." in page
    assert refresh(claim).rationale == "Saved in another tab."


def test_stale_start_is_a_clear_conflict(client, claim, checker, other_checker):
    workflow.start(claim, user=other_checker, version=current_version(claim))
    client.force_login(checker)
    response = client.post(reverse("claim-start", args=[claim.pk]), {"version": 1})
    assert response.status_code == 409
    assert "Someone else changed this claim" in response.content.decode()


def test_evidence_with_non_http_url_is_refused(client, claim, checker):
    client.force_login(checker)
    response = client.post(
        reverse("claim-evidence", args=[claim.pk]),
        {
            "new_title": "Bad",
            "new_kind": "other",
            "new_url": "javascript:alert(1)",
            "excerpt": "x",
            "stance": "supports",
        },
    )
    assert response.status_code == 400
    assert claim.evidence.count() == 0


def test_evidence_cites_an_existing_source(client, claim, checker):
    source = make_source(checker)
    client.force_login(checker)
    client.post(
        reverse("claim-evidence", args=[claim.pk]),
        {
            "source": source.pk,
            "new_kind": "primary",
            "excerpt": "Page 3 says otherwise.",
            "stance": "contradicts",
        },
    )
    assert list(claim.evidence.values_list("source", flat=True)) == [source.pk]


def test_evidence_form_offers_the_articles_sources_and_the_newest(
    client, claim, checker
):
    from verifier.forms import SOURCES_OFFERED

    cited = workflow.create_source(
        user=checker, title="Cited here", reference="Interview, 3 May"
    )
    older = workflow.create_source(
        user=checker, title="Older report", url="https://example.org/older.pdf"
    )
    Source.objects.filter(pk__in=[cited.pk, older.pk]).update(
        created_at=timezone.now() - timedelta(days=300)
    )
    other = claim.article.claims.exclude(pk=claim.pk).first()
    workflow.start(other, user=checker, version=current_version(other))
    cite(other, checker, cited)
    for n in range(SOURCES_OFFERED):
        workflow.create_source(
            user=checker, title=f"Source {n}", url=f"https://example.org/{n}"
        )
    workflow.start(claim, user=checker, version=current_version(claim))
    client.force_login(checker)

    page = client.get(claim.get_absolute_url()).content.decode()
    select = page.split('name="source"')[1].split("</select>")[0]
    assert f'<option value="{cited.pk}">Cited here</option>' in select
    assert "Older report" not in select
    assert len(re.findall(r'<option value="\d+"', select)) == SOURCES_OFFERED + 1

    # Given by its URL, the older source is cited, not copied.
    response = client.post(
        reverse("claim-evidence", args=[claim.pk]),
        {
            "new_title": "The older report again",
            "new_kind": "primary",
            "new_url": "https://example.org/older.pdf",
            "excerpt": "Table 2.",
            "stance": "supports",
        },
        follow=True,
    )
    assert list(claim.evidence.values_list("source", flat=True)) == [older.pk]
    assert not Source.objects.filter(title="The older report again").exists()
    assert "citing “Older report”, already on the desk" in response.content.decode()

    # An offline source by its title and reference; a reference alone names none.
    evidence = {"new_kind": "primary", "excerpt": "Quote.", "stance": "context"}
    client.post(
        reverse("claim-evidence", args=[claim.pk]),
        {**evidence, "new_title": "Cited here", "new_reference": "Interview, 3 May"},
    )
    assert cited.pk in claim.evidence.values_list("source", flat=True)
    response = client.post(
        reverse("claim-evidence", args=[claim.pk]),
        {**evidence, "new_reference": "Interview, 3 May"},
    )
    assert response.status_code == 400
    assert "give the new source a title" in response.content.decode()
    assert Source.objects.count() == SOURCES_OFFERED + 2


def test_editor_assigns_claim_from_the_page(client, claim, editor, checker):
    client.force_login(editor)
    client.post(
        reverse("claim-assign", args=[claim.pk]), {"version": 1, "assignee": checker.pk}
    )
    assert refresh(claim).assignee == checker


# --- article sign-off ---


def settle(article, checker, editor):
    first, *rest = article.claims.order_by("start")
    make_approved(first, checker, editor)
    for claim in rest:
        workflow.dismiss(
            claim,
            user=checker,
            reason="Not check-worthy.",
            version=current_version(claim),
        )


def test_editor_signs_off_from_the_article_page(client, article, checker, editor):
    settle(article, checker, editor)
    client.force_login(editor)
    client.post(
        reverse("article-sign-off", args=[article.pk]),
        {"version": refresh(article).version},
    )
    article = refresh(article)
    assert article.state == Article.State.SIGNED_OFF
    page = client.get(article.get_absolute_url()).content.decode()
    assert "Signed off by <strong>carol</strong>" in page
    assert article.fingerprint in page


def test_sign_off_with_unsettled_claims_explains_why(client, article, editor):
    client.force_login(editor)
    response = client.post(
        reverse("article-sign-off", args=[article.pk]), {"version": article.version}
    )
    assert response.status_code == 400
    assert "not yet approved or dismissed" in response.content.decode()
    assert refresh(article).state != Article.State.SIGNED_OFF


def test_sign_off_without_a_version_is_refused(client, article, checker, editor):
    settle(article, checker, editor)
    client.force_login(editor)
    response = client.post(reverse("article-sign-off", args=[article.pk]))
    assert response.status_code == 400
    assert "This form is out of date" in response.content.decode()
    assert refresh(article).state != Article.State.SIGNED_OFF


def test_sign_off_with_a_stale_version_is_a_conflict(client, article, checker, editor):
    settle(article, checker, editor)
    seen = refresh(article).version
    workflow.update_article(article, user=editor, title="Retitled")
    client.force_login(editor)
    response = client.post(
        reverse("article-sign-off", args=[article.pk]), {"version": seen}
    )
    assert response.status_code == 409
    assert "This article changed since you loaded it" in response.content.decode()
    assert refresh(article).state != Article.State.SIGNED_OFF


def test_signed_off_claim_page_offers_no_changes(client, article, checker, editor):
    settle(article, checker, editor)
    workflow.sign_off(article, user=editor, version=current_version(article))
    claim = article.claims.order_by("start").first()
    client.force_login(editor)
    page = client.get(claim.get_absolute_url()).content.decode()
    assert "read-only" in page
    for button in ["Reopen", "Add note", "Restore", "Add evidence"]:
        assert f">{button}</button>" not in page


def test_editor_reopens_article_with_reason(client, article, checker, editor):
    settle(article, checker, editor)
    workflow.sign_off(article, user=editor, version=current_version(article))
    client.force_login(editor)
    client.post(
        reverse("article-reopen", args=[article.pk]),
        {"version": refresh(article).version, "reason": "Correction."},
    )
    assert refresh(article).state == Article.State.IN_REVIEW
    assert Event.objects.filter(
        article=article, action="reopen", reason="Correction."
    ).exists()


def test_article_page_highlights_each_claim_in_the_text(client, article, checker):
    client.force_login(checker)
    page = client.get(article.get_absolute_url()).content.decode()
    for claim in article.claims.all():
        assert f'id="mark-{claim.pk}"' in page
    assert page.count('class="claim-mark') == 3


def test_article_text_is_escaped(client, checker):
    article = make_article(
        checker, body="<script>alert(1)</script> said the mayor, 100 times."
    )
    client.force_login(checker)
    page = client.get(article.get_absolute_url()).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


# --- lists: filters, exports, query counts ---


def test_claim_list_filters_by_state(client, article, checker):
    first = article.claims.order_by("start").first()
    workflow.start(first, user=checker, version=current_version(first))
    client.force_login(checker)
    page = client.get(reverse("claim-list"), {"state": "in_progress"}).content.decode()
    assert f'href="/claims/{first.pk}/"' in page
    assert "1 claim" in page


def test_claim_list_offers_the_newest_articles_and_keeps_an_older_one_chosen(
    client, checker
):
    from verifier.filters import ARTICLES_OFFERED

    oldest = make_article(checker, body="The mayor said 12 bridges are unsafe.")
    Article.objects.filter(pk=oldest.pk).update(
        imported_at=timezone.now() - timedelta(days=400), title="Bridges, last year"
    )
    for n in range(ARTICLES_OFFERED):
        make_article(checker, body=f"Officials said {n} roads closed.", spans=[])
    client.force_login(checker)

    page = client.get(reverse("claim-list")).content.decode()
    select = page.split('name="article"')[1].split("</select>")[0]
    options = re.findall(r'<option value="(\d+)"', select)
    assert len(options) == ARTICLES_OFFERED
    assert str(oldest.pk) not in options

    # Its page links to its claims in the list, where it stays chosen and named.
    detail = client.get(oldest.get_absolute_url()).content.decode()
    link = f"/claims/?article={oldest.pk}"
    assert f'href="{link}"' in detail
    page = client.get(link).content.decode()
    assert f'<option value="{oldest.pk}" selected>Bridges, last year</option>' in page
    assert "1 claim" in page
    assert "12 bridges" in page


def test_claim_csv_export_holds_the_filtered_rows(client, article, checker):
    first = article.claims.order_by("start").first()
    workflow.start(first, user=checker, version=current_version(first))
    client.force_login(checker)
    response = client.get(
        reverse("claim-list"), {"state": "in_progress", "_export": "csv"}
    )
    assert response["Content-Type"].startswith("text/csv")
    rows = response.getvalue().decode().strip().splitlines()
    assert len(rows) == 2
    assert first.text in rows[1]


def many_claims(user, n):
    body = " ".join(f"Figure {i} rose 5% in 2024." for i in range(n))
    spans, offset = [], 0
    for i in range(n):
        sentence = f"Figure {i} rose 5% in 2024."
        spans.append(workflow.Span(offset, offset + len(sentence)))
        offset += len(sentence) + 1
    article = make_article(user, body=body, spans=spans, title=f"Many {n}")
    claims = list(article.claims.all())
    for claim in claims[: n // 2]:
        make_in_progress(claim, user)
    return article


def count_queries(client, url, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("name", ["claim-list", "article-list", "dashboard"])
def test_list_pages_run_the_same_queries_at_two_sizes(client, checker, editor, name):
    client.force_login(editor)
    many_claims(checker, 4)
    small = count_queries(client, reverse(name), None)
    for _ in range(3):
        many_claims(checker, 30)
    large = count_queries(client, reverse(name), None)
    assert small == large


def test_article_page_queries_do_not_grow_with_claims(client, checker):
    client.force_login(checker)
    small = many_claims(checker, 3)
    large = many_claims(checker, 60)
    assert count_queries(client, small.get_absolute_url(), None) == count_queries(
        client, large.get_absolute_url(), None
    )


def test_claim_page_queries_do_not_grow_with_history(client, checker):
    client.force_login(checker)
    article = make_article(checker)
    quiet, busy = article.claims.order_by("start")[:2]
    make_in_progress(busy, checker)
    for i in range(20):
        workflow.add_note(busy, user=checker, text=f"note {i}")
    make_in_progress(quiet, checker)
    assert count_queries(client, quiet.get_absolute_url(), None) == count_queries(
        client, busy.get_absolute_url(), None
    )


# --- the claim page offers exactly what the workflow allows -------------------------

# The buttons of the claim page, by the action they take.
BUTTONS = {
    "Start": "start",
    "Save verdict": "verdict",
    "Submit": "submit",
    "Approve": "approve",
    "Return": "return",
    "Reopen": "reopen",
    "Dismiss": "dismiss",
    "Restore": "restore",
    "Assign": "assign",
    "Add evidence": "evidence",
    "Add note": "note",
    "Adjust": "adjust",
    "Split": "split",
    "Merge with next claim": "merge",
    "Save claimant": "claimant",
    "Save deadline": "schedule",
}

WORK_OPEN = {
    "start",
    "dismiss",
    "evidence",
    "note",
    "adjust",
    "split",
    "merge",
    "claimant",
}
WORK_IN_PROGRESS = {
    "verdict",
    "submit",
    "dismiss",
    "evidence",
    "note",
    "adjust",
    "claimant",
}

# state -> role -> the actions the claim page offers and the workflow allows.
# The claim is assigned to alice (the assignee); carol wrote its verdict; the
# "unassigned checker" sees it after an editor has unassigned it, where that is
# possible (open and in progress).
MATRIX = {
    "open": {
        "anonymous": set(),
        "unassigned checker": WORK_OPEN,
        "assignee": WORK_OPEN,
        "other checker": {"note"},
        "editor who wrote it": WORK_OPEN | {"assign", "schedule"},
        "other editor": WORK_OPEN | {"assign", "schedule"},
        "admin": WORK_OPEN | {"assign", "schedule"},
    },
    "in_progress": {
        "anonymous": set(),
        "unassigned checker": WORK_IN_PROGRESS,
        "assignee": WORK_IN_PROGRESS,
        "other checker": {"note"},
        "editor who wrote it": WORK_IN_PROGRESS | {"assign", "schedule"},
        "other editor": WORK_IN_PROGRESS | {"assign", "schedule"},
        "admin": WORK_IN_PROGRESS | {"assign", "schedule"},
    },
    "submitted": {
        "anonymous": set(),
        "unassigned checker": {"note"},
        "assignee": {"note"},
        "other checker": {"note"},
        "editor who wrote it": {"note", "return", "schedule"},
        "other editor": {"note", "approve", "return", "schedule"},
        "admin": {"note", "approve", "return", "schedule"},
    },
    "approved": {
        "anonymous": set(),
        "unassigned checker": {"note"},
        "assignee": {"note"},
        "other checker": {"note"},
        "editor who wrote it": {"note", "reopen"},
        "other editor": {"note", "reopen"},
        "admin": {"note", "reopen"},
    },
    "dismissed": {
        "anonymous": set(),
        "unassigned checker": {"note"},
        "assignee": {"note"},
        "other checker": {"note"},
        "editor who wrote it": {"note", "restore"},
        "other editor": {"note", "restore"},
        "admin": {"note", "restore"},
    },
    "signed_off": {
        "anonymous": set(),
        "unassigned checker": set(),
        "assignee": set(),
        "other checker": set(),
        "editor who wrote it": set(),
        "other editor": set(),
        "admin": set(),
    },
}


def claim_in(state, people):
    """The first claim of a fresh article, brought to ``state`` through the workflow."""
    alice, carol, dave = (
        people["assignee"],
        people["editor who wrote it"],
        (people["other editor"]),
    )
    article = make_article(alice)
    claim, *others = article.claims.order_by("start")
    workflow.assign(claim, user=carol, assignee=alice, version=current_version(claim))
    if state == "dismissed":
        workflow.dismiss(
            claim, user=alice, reason="Duplicate.", version=current_version(claim)
        )
    if state in ("in_progress", "submitted", "approved", "signed_off"):
        workflow.start(claim, user=alice, version=current_version(claim))
        workflow.save_verdict(
            claim,
            user=carol,
            rating=rating("Misleading"),
            rationale="The figure is from another year.",
            version=current_version(claim),
        )
        workflow.add_evidence(
            claim,
            user=alice,
            source=make_source(alice),
            excerpt="Table 2.",
            stance="contradicts",
        )
    if state in ("submitted", "approved", "signed_off"):
        workflow.submit(claim, user=alice, version=current_version(claim))
    if state in ("approved", "signed_off"):
        workflow.approve(claim, user=dave, version=current_version(claim))
    if state == "signed_off":
        for other in others:
            workflow.dismiss(
                other, user=alice, reason="Not a claim.", version=current_version(other)
            )
        workflow.sign_off(article, user=dave, version=current_version(article))
    return refresh(claim)


def action_request(action, claim, people):
    """The path and a valid form for each action on the claim page."""
    version = current_version(claim)
    source = make_source(people["assignee"], title="Statistics office")
    data = {
        "start": {"version": version},
        "submit": {"version": version},
        "approve": {"version": version},
        "restore": {"version": version},
        "return": {"version": version, "reason": "Quote the table."},
        "reopen": {"version": version, "reason": "New figures."},
        "dismiss": {"version": version, "reason": "Not check-worthy."},
        "assign": {"version": version, "assignee": people["other checker"].pk},
        "verdict": {
            "version": version,
            "rating": rating("False").pk,
            "rationale": "Wrong figure.",
        },
        "evidence": {
            "source": source.pk,
            "new_kind": "primary",
            "excerpt": "Table 4.",
            "stance": "supports",
        },
        "note": {"text": "Called the office."},
        "adjust": {"version": version, "quote": claim.text[:-1]},
        "split": {"version": version, "split_before": "the Labor Department"},
        "merge": {"version": version},
        "claimant": {
            "version": version,
            "claimant": "The council",
            "claimant_kind": "",
        },
        "schedule": {
            "version": version,
            "due": (timezone.now() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"),
            "priority": 1,
        },
    }[action]
    names = {
        "evidence": "claim-evidence",
        "note": "claim-note",
        "verdict": "claim-verdict",
    }
    return reverse(names.get(action, f"claim-{action}"), args=[claim.pk]), data


def buttons_on(html: str) -> set[str]:
    labels = re.findall(r"<button[^>]*>([^<]+)</button>", html)
    return {BUTTONS[label] for label in labels if label in BUTTONS}


@pytest.mark.parametrize("state", MATRIX)
def test_claim_page_offers_exactly_what_the_workflow_allows(client, state):
    people = {
        "unassigned checker": make_user("dan", defaults.FACT_CHECKERS),
        "assignee": make_user("alice", defaults.FACT_CHECKERS),
        "other checker": make_user("bob", defaults.FACT_CHECKERS),
        "editor who wrote it": make_user("carol", defaults.EDITORS),
        "other editor": make_user("dave", defaults.EDITORS),
        "admin": make_user("erin", is_staff=True, is_superuser=True),
    }
    claim = claim_in(state, people)
    for role, expected in MATRIX[state].items():
        user = people.get(role, AnonymousUser())
        with transaction.atomic():
            if role == "unassigned checker" and claim.state in ("open", "in_progress"):
                workflow.assign(
                    claim,
                    user=people["other editor"],
                    assignee=None,
                    version=current_version(claim),
                )
            claim = refresh(claim)
            client.logout()
            if user.is_authenticated:
                client.force_login(user)
            # Reuse is offered only beside a matching approved claim of another
            # article (tests/test_previously.py), which this claim has not.
            allowed = set(workflow.allowed_actions(user, claim).allowed) - {"reuse"}
            page = client.get(claim.get_absolute_url())
            offered = (
                buttons_on(page.content.decode()) if page.status_code == 200 else set()
            )
            succeeded = set()
            for action in BUTTONS.values():
                with transaction.atomic():
                    path, data = action_request(action, claim, people)
                    response = client.post(path, data)
                    location = response.get("Location", "")
                    if (
                        response.status_code == 302
                        and "/accounts/login/" not in location
                    ):
                        succeeded.add(action)
                    else:
                        assert response.status_code in (302, 400, 403, 409), (
                            role,
                            action,
                        )
                    transaction.set_rollback(True)
            transaction.set_rollback(True)
        assert offered == expected, (state, role)
        assert allowed == expected, (state, role)
        assert succeeded == expected, (state, role)


def test_claim_page_says_why_an_editor_who_wrote_the_verdict_cannot_approve(
    client, claim, checker, editor
):
    make_in_progress(claim, checker)
    workflow.save_verdict(
        claim,
        user=editor,
        rating=rating("False"),
        rationale="Rewritten by the editor.",
        version=current_version(claim),
    )
    workflow.submit(claim, user=checker, version=current_version(claim))
    client.force_login(editor)
    page = client.get(claim.get_absolute_url()).content.decode()
    assert ">Approve</button>" not in page
    assert "You wrote this verdict; another editor approves it" in page


def test_dashboard_does_not_offer_an_editor_the_verdict_they_wrote(
    client, article, checker, editor, other_editor
):
    mine, theirs, _ = article.claims.order_by("start")
    for claim, author in [(mine, editor), (theirs, checker)]:
        make_in_progress(claim, checker)
        workflow.save_verdict(
            claim,
            user=author,
            rating=rating("False"),
            rationale=f"Written by {author}.",
            version=current_version(claim),
        )
        workflow.submit(claim, user=checker, version=current_version(claim))
    client.force_login(editor)
    awaiting = work_items(client.get(reverse("dashboard")), "approve")
    assert theirs.get_absolute_url() in awaiting
    assert mine.get_absolute_url() not in awaiting
    client.force_login(other_editor)
    awaiting = work_items(client.get(reverse("dashboard")), "approve")
    assert mine.get_absolute_url() in awaiting


def work_items(response, kind: str) -> str:
    """The dashboard's "My work" items of one kind (returned, assigned, approve,
    sign_off), as one piece of HTML."""
    html = response.content.decode()
    return "".join(
        re.findall(rf'<li class="work-item work-{kind}">(.*?)</li>', html, re.S)
    )


@pytest.mark.parametrize(
    "action,setup,who,data,message",
    [
        ("start", None, "checker", {}, "Claim #{pk} started."),
        ("approve", "submitted", "editor", {}, "Verdict approved."),
        ("return", "submitted", "editor", {"reason": "Why?"}, "Verdict returned"),
        ("dismiss", None, "checker", {"reason": "Dup."}, "Claim #{pk} dismissed."),
    ],
)
def test_action_message_says_what_happened(
    client, claim, checker, editor, action, setup, who, data, message
):
    if setup == "submitted":
        make_submitted(claim, checker)
    client.force_login({"checker": checker, "editor": editor}[who])
    response = client.post(
        reverse(f"claim-{action}", args=[claim.pk]),
        {"version": current_version(claim), **data},
        follow=True,
    )
    assert message.format(pk=claim.pk) in response.content.decode()


def test_refused_action_keeps_the_typed_reason_on_the_page(
    client, claim, checker, other_checker, editor
):
    workflow.assign(
        claim, user=editor, assignee=checker, version=current_version(claim)
    )
    client.force_login(other_checker)
    response = client.post(
        reverse("claim-dismiss", args=[claim.pk]),
        {"version": current_version(claim), "reason": "Typed with care."},
    )
    assert response.status_code == 400
    assert "only they or an editor can work on it" in response.content.decode()
    assert refresh(claim).state == Claim.State.OPEN


def test_stale_merge_is_a_conflict_and_merges_nothing(client, article, checker):
    first, second, _ = article.claims.order_by("start")
    seen = current_version(first)
    workflow.adjust_span(
        first, user=checker, start=first.start, end=first.end - 1, version=seen
    )
    client.force_login(checker)
    response = client.post(reverse("claim-merge", args=[first.pk]), {"version": seen})
    assert response.status_code == 409
    assert refresh(second).state == Claim.State.OPEN


def test_evidence_refused_keeps_no_new_source(client, claim, checker, other_checker):
    make_in_progress(claim, checker)
    client.force_login(other_checker)
    sources = Source.objects.count()
    response = client.post(
        reverse("claim-evidence", args=[claim.pk]),
        {
            "source": "",
            "new_title": "Budget 2024",
            "new_kind": "primary",
            "new_url": "https://example.org/budget.pdf",
            "excerpt": "Table 4.",
            "stance": "supports",
        },
    )
    assert response.status_code == 400
    assert Source.objects.count() == sources
