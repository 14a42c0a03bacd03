"""The fact-check memo, the ClaimReview endpoint and the published fact-check URL."""

import html
import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.conftest import (
    BODY,
    PASSWORD,
    current_version,
    make_approved,
    make_article,
    make_submitted,
    refresh,
)
from verifier import exports, workflow
from verifier.models import Article, Claim

pytestmark = pytest.mark.django_db


def report_url(article):
    return reverse("article-report", args=[article.pk])


def claimreview_url(article):
    return reverse("article-claimreview", args=[article.pk])


def factcheck_url(article):
    return reverse("article-factcheck-url", args=[article.pk])


def signed_off(article, checker, editor):
    """The article with its first claim approved, the others dismissed, signed off."""
    first, *others = article.claims.order_by("start")
    make_approved(first, checker, editor)
    for claim in others:
        workflow.dismiss(
            claim,
            user=checker,
            reason="Not check-worthy.",
            version=current_version(claim),
        )
    return workflow.sign_off(article, user=editor, version=current_version(article))


def get_report(client, user, article):
    client.force_login(user)
    return client.get(report_url(article))


def json_ld(response):
    match = re.search(
        r'<script type="application/ld\+json">(.*?)</script>',
        response.content.decode(),
        re.S,
    )
    return json.loads(match.group(1))


# --- who may see what -----------------------------------------------------------------


@pytest.mark.parametrize("url_of", [report_url, claimreview_url])
def test_anonymous_is_sent_to_login(client, article, url_of):
    response = client.get(url_of(article))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("url_of", [report_url, claimreview_url])
def test_user_without_role_is_forbidden(client, nobody, article, url_of):
    client.force_login(nobody)
    assert client.get(url_of(article)).status_code == 403


@pytest.mark.parametrize("url_of", [report_url, claimreview_url])
def test_checker_can_read(client, checker, article, url_of):
    client.force_login(checker)
    assert client.get(url_of(article)).status_code == 200


def test_unknown_article_is_not_found(client, checker):
    client.force_login(checker)
    assert client.get("/articles/999999/report/").status_code == 404


# --- the memo -------------------------------------------------------------------------


def test_memo_highlights_and_numbers_every_claim_in_place(client, checker, article):
    page = get_report(client, checker, article).content.decode()
    text = page[page.index('id="text-heading"') : page.index('id="claims-heading"')]
    for number, claim in enumerate(article.claims.order_by("start"), start=1):
        mark = re.search(
            rf'<mark class="memo-mark[^"]*"[^>]*>'
            rf'<a class="memo-tag" href="#claim-{number}">.*?</a> (.*?)</mark>',
            text,
            re.S,
        )
        assert html.unescape(mark.group(1)) == claim.text


def test_memo_shows_the_verdict_as_a_label_with_text(client, checker, editor, article):
    make_approved(article.claims.order_by("start").first(), checker, editor)
    page = get_report(client, checker, article).content.decode()
    assert re.search(
        r'<span class="verdict" style="--verdict:#b3410e">Misleading</span>', page
    )


def test_memo_gives_the_state_of_claims_without_approved_verdict(
    client, checker, article
):
    claim = article.claims.order_by("start").first()
    make_submitted(claim, checker)
    page = get_report(client, checker, article).content.decode()
    assert '<span class="verdict verdict-none">Submitted</span>' in page
    assert "No approved verdict yet: this claim is submitted." in page


def test_memo_does_not_show_a_verdict_before_approval(client, checker, article):
    make_submitted(article.claims.order_by("start").first(), checker)
    page = get_report(client, checker, article).content.decode()
    assert "The figure is from another year." not in page


def test_memo_lists_rationale_and_sources_of_approved_claims(
    client, checker, editor, article
):
    claim = article.claims.order_by("start").first()
    make_approved(claim, checker, editor)
    page = get_report(client, checker, article).content.decode()
    section = page[page.index('id="claim-1"') : page.index('id="claim-2"')]
    assert "The figure is from another year." in section
    assert (
        '<a href="https://example.org/report.pdf" rel="noopener noreferrer">' in section
    )
    assert "Government report" in section
    assert "The report says so on page 3." in section
    assert "(p. 3)" in section
    assert "Contradicts" in section


def test_memo_gives_the_reason_a_claim_was_dismissed(client, checker, article):
    claim = article.claims.order_by("start").first()
    workflow.dismiss(
        claim,
        user=checker,
        reason="A quote of an opinion.",
        version=current_version(claim),
    )
    page = get_report(client, checker, article).content.decode()
    assert "A quote of an opinion." in page


def test_memo_has_a_not_signed_off_banner_before_sign_off(client, checker, article):
    page = get_report(client, checker, article).content.decode()
    assert "Not signed off: draft memo" in page
    assert 'id="signoff-heading">Signed off<' not in page


def test_memo_shows_editor_time_and_fingerprint_after_sign_off(
    client, checker, editor, article
):
    article = signed_off(article, checker, editor)
    page = get_report(client, checker, article).content.decode()
    assert 'id="signoff-heading">Signed off<' in page
    assert "<dd>carol</dd>" in page
    assert article.signed_off_at.strftime("%Y-%m-%dT%H:%M") in page
    assert article.fingerprint in page
    assert "Not signed off" not in page


def test_memo_embeds_the_claimreview_as_json_ld(client, checker, editor, article):
    make_approved(article.claims.order_by("start").first(), checker, editor)
    response = get_report(client, checker, article)
    assert json_ld(response) == json.loads(
        exports.to_json(exports.claimreview_document(article))
    )


def test_memo_escapes_the_article_text(client, checker, editor):
    body = "The mayor wrote </script><script>alert(1)</script> on the wall."
    article = make_article(checker, body=body)
    make_approved(article.claims.get(), checker, editor)
    page = get_report(client, checker, article).content.decode()
    assert "<script>alert(1)" not in page
    assert json_ld(get_report(client, checker, article))["@graph"][0][
        "claimReviewed"
    ].startswith("The mayor wrote </script>")


def test_memo_query_count_does_not_grow_with_claims(client, checker, editor):
    def queries(n_claims):
        body = "\n\n".join(
            f"Claim number {i} says 3.2% in March." for i in range(n_claims)
        )
        article = make_article(checker, body=body)
        for claim in article.claims.all():
            make_approved(claim, checker, editor)
        client.force_login(checker)
        with CaptureQueriesContext(connection) as context:
            assert client.get(report_url(article)).status_code == 200
        return len(context)

    assert queries(2) == queries(6)


# --- the ClaimReview endpoint ---------------------------------------------------------


def test_claimreview_endpoint_serves_json_ld(client, checker, editor, article):
    make_approved(article.claims.order_by("start").first(), checker, editor)
    client.force_login(checker)
    response = client.get(claimreview_url(article))
    assert response["Content-Type"] == "application/ld+json; charset=utf-8"
    assert json.loads(response.content) == json.loads(
        exports.to_json(exports.claimreview_document(article))
    )


def test_claimreview_endpoint_refuses_post(client, checker, article):
    client.force_login(checker)
    assert client.post(claimreview_url(article)).status_code == 405


# --- the published fact-check URL -----------------------------------------------------


def test_editor_sets_the_published_factcheck_url(client, editor, article):
    client.force_login(editor)
    url = "https://verify.example.org/2024/jobs"
    response = client.post(factcheck_url(article), {"factcheck_url": url})
    assert response.status_code == 302
    assert response["Location"] == report_url(article)
    assert refresh(article).factcheck_url == url
    event = article.events.order_by("pk").last()
    assert (event.action, event.actor, event.changes) == (
        "edit",
        editor,
        {"factcheck_url": ["", url]},
    )


def test_editor_sets_the_factcheck_url_after_sign_off(client, checker, editor, article):
    article = signed_off(article, checker, editor)
    client.force_login(editor)
    client.post(factcheck_url(article), {"factcheck_url": "https://x.example.org/a"})
    assert refresh(article).factcheck_url == "https://x.example.org/a"
    assert refresh(article).state == Article.State.SIGNED_OFF


def test_editor_clears_the_factcheck_url(client, editor, article):
    workflow.update_article(
        article, user=editor, factcheck_url="https://x.example.org/a"
    )
    client.force_login(editor)
    client.post(factcheck_url(article), {"factcheck_url": ""})
    assert refresh(article).factcheck_url == ""


def test_factcheck_url_must_be_http(client, editor, article):
    client.force_login(editor)
    response = client.post(
        factcheck_url(article), {"factcheck_url": "javascript:alert(1)"}
    )
    assert response.status_code == 400
    assert refresh(article).factcheck_url == ""
    assert 'value="javascript:alert(1)"' in response.content.decode()


def test_checker_cannot_set_the_factcheck_url(client, checker, article):
    client.force_login(checker)
    response = client.post(factcheck_url(article), {"factcheck_url": "https://x.org/"})
    assert response.status_code == 403
    assert refresh(article).factcheck_url == ""


def test_factcheck_url_form_is_shown_to_editors_only(client, checker, editor, article):
    assert (
        'name="factcheck_url"' in get_report(client, editor, article).content.decode()
    )
    assert (
        'name="factcheck_url"'
        not in get_report(client, checker, article).content.decode()
    )


def test_setting_the_factcheck_url_needs_post(client, editor, article):
    client.force_login(editor)
    assert client.get(factcheck_url(article)).status_code == 405


def test_anonymous_cannot_set_the_factcheck_url(client, article):
    response = client.post(factcheck_url(article), {"factcheck_url": "https://x.org/"})
    assert response.status_code == 302
    assert refresh(article).factcheck_url == ""


def test_other_article_details_stay_locked_after_sign_off(checker, editor, article):
    article = signed_off(article, checker, editor)
    with pytest.raises(workflow.WorkflowError, match="signed off"):
        workflow.update_article(article, user=editor, title="New title")
    assert refresh(article).title == "Test article"


# --- in a real browser ----------------------------------------------------------------


@pytest.fixture
def browser_page(browser, live_server):
    # The session's one Chromium (tests/conftest.py), a fresh context per test.
    context = browser.new_context()
    yield context.new_page()
    context.close()


def log_in(page, base, user):
    page.goto(base + "/accounts/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_load_state()


@pytest.fixture
def memo_page(browser_page, live_server, checker, editor):
    long_url = "https://example.org/" + "x" * 300
    article = make_article(checker, body=BODY + f"\n\nSee {long_url}", outlet="Planet")
    first, second, *_ = article.claims.order_by("start")
    make_approved(first, checker, editor)
    make_submitted(second, checker)
    log_in(browser_page, live_server.url, editor)
    browser_page.goto(live_server.url + report_url(article))
    return browser_page


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_memo_prints_without_navigation_or_forms(memo_page):
    memo_page.emulate_media(media="print")
    hidden = memo_page.evaluate(
        """() => [...document.querySelectorAll('.site-header, form, button')]
                 .every(el => getComputedStyle(el).display === 'none')"""
    )
    marks = memo_page.locator("mark.memo-mark")
    assert hidden
    assert marks.count() == Claim.objects.count()
    assert all(marks.nth(i).is_visible() for i in range(marks.count()))


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("paper, width_mm", [("A4", 210), ("Letter", 215.9)])
def test_memo_fits_the_printable_width_of_a4_and_letter(memo_page, paper, width_mm):
    # The printable width left by the @page margins (15 mm each side), in CSS pixels.
    printable = round((width_mm - 30) / 25.4 * 96)
    memo_page.set_viewport_size({"width": printable, "height": 1000})
    memo_page.emulate_media(media="print")
    overflow = memo_page.evaluate(
        "() => document.documentElement.scrollWidth"
        " - document.documentElement.clientWidth"
    )
    assert overflow <= 0
    assert memo_page.pdf(format=paper).startswith(b"%PDF")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_memo_has_no_accessibility_violations(memo_page):
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(memo_page)
    assert [v["id"] for v in results.response["violations"]] == []
