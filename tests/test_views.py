"""Pages and actions as people use them: who may see what, and what each action does."""

import pytest
from django.urls import reverse

from tests.conftest import (
    PASSWORD,
    make_approved,
    make_article,
    make_in_progress,
    make_source,
    make_submitted,
    rating,
    refresh,
)
from verifier import workflow
from verifier.models import Article, Claim, Event

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
    assert "Four-eyes" in response.content.decode()
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
    workflow.start(claim, user=other_checker)
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
        workflow.dismiss(claim, user=checker, reason="Not check-worthy.")


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
    response = client.post(reverse("article-sign-off", args=[article.pk]), follow=True)
    assert "not yet approved or dismissed" in response.content.decode()
    assert refresh(article).state != Article.State.SIGNED_OFF


def test_signed_off_claim_page_offers_no_changes(client, article, checker, editor):
    settle(article, checker, editor)
    workflow.sign_off(article, user=editor)
    claim = article.claims.order_by("start").first()
    client.force_login(editor)
    page = client.get(claim.get_absolute_url()).content.decode()
    assert "read-only" in page
    for button in ["Reopen", "Add note", "Restore", "Add evidence"]:
        assert f">{button}</button>" not in page


def test_editor_reopens_article_with_reason(client, article, checker, editor):
    settle(article, checker, editor)
    workflow.sign_off(article, user=editor)
    client.force_login(editor)
    client.post(
        reverse("article-reopen", args=[article.pk]),
        {"version": 1, "reason": "Correction."},
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
    workflow.start(first, user=checker)
    client.force_login(checker)
    page = client.get(reverse("claim-list"), {"state": "in_progress"}).content.decode()
    assert f'href="/claims/{first.pk}/"' in page
    assert "1 claim" in page


def test_claim_csv_export_holds_the_filtered_rows(client, article, checker):
    first = article.claims.order_by("start").first()
    workflow.start(first, user=checker)
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
