"""A desk people work at all day (issue 12): nothing typed is lost, and the smaller
things a working desk trips over, as the pages and actions show them."""

import re
from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.urls import reverse

from tests.conftest import (
    make_approved,
    make_article,
    make_in_progress,
    make_source,
    make_submitted,
    rating,
    refresh,
)
from verifier import importing, workflow
from verifier.models import Article

pytestmark = pytest.mark.django_db


def post_stale_verdict(client, claim, user, seen):
    client.force_login(user)
    return client.post(
        reverse("claim-verdict", args=[claim.pk]),
        {
            "version": seen,
            "rating": rating("Accurate").pk,
            "rationale": "My careful paragraph.",
        },
    )


def test_conflict_on_a_claim_submitted_since_offers_no_save_and_keeps_the_text(
    client, claim, checker
):
    make_in_progress(claim, checker)
    seen = refresh(claim).version
    workflow.submit(claim, user=checker, version=seen)

    response = post_stale_verdict(client, claim, checker, seen)

    assert response.status_code == 409
    page = response.content.decode()
    assert "Save verdict" not in page
    assert "Save again" not in page
    assert "cannot be saved" in page
    assert "so you cannot change its verdict" in page
    assert '<textarea id="typed-rationale" rows="6" readonly>' in page
    assert "My careful paragraph." in page
    assert refresh(claim).rationale == "The figure is from another year."


def test_conflict_on_a_claim_still_in_progress_offers_to_save_again(
    client, claim, checker
):
    make_in_progress(claim, checker)
    seen = refresh(claim).version
    workflow.save_verdict(
        claim,
        user=checker,
        rating=rating("False"),
        rationale="Other tab.",
        version=seen,
    )

    response = post_stale_verdict(client, claim, checker, seen)

    page = response.content.decode()
    assert response.status_code == 409
    assert "Save again to replace the current one" in page
    assert "Save verdict" in page
    # The form holds the typed text and is marked unsaved, so leaving asks first.
    assert "data-unsaved" in page
    assert "My careful paragraph.</textarea>" in page


def test_every_refusal_for_the_claims_state_is_a_sentence(claim, checker, editor):
    make_in_progress(claim, checker)
    workflow.submit(claim, user=checker, version=refresh(claim).version)
    claim = refresh(claim)
    refused = {
        **workflow.allowed_actions(checker, claim).refused,
        **workflow.allowed_actions(editor, claim).refused,
    }

    assert refused["verdict"] == (
        "This claim is submitted, so you cannot change its verdict."
    )
    assert refused["start"] == "This claim is submitted, so you cannot start it."
    for reason in refused.values():
        assert reason[0].isupper() and reason.endswith("."), reason
        assert " of it" not in reason and " done." not in reason, reason


def test_assigning_says_who_now_has_the_claim(client, claim, checker, editor):
    client.force_login(editor)
    response = client.post(
        reverse("claim-assign", args=[claim.pk]),
        {"version": refresh(claim).version, "assignee": checker.pk},
        follow=True,
    )
    assert f"Claim #{claim.pk} is now assigned to alice." in response.content.decode()


# --- the claims list ---


def test_claims_list_sorts_state_in_workflow_order(client, article, checker, editor):
    first, second, third = article.claims.order_by("start")
    make_in_progress(second, checker)
    workflow.dismiss(
        first, user=checker, reason="Not a claim.", version=refresh(first).version
    )
    client.force_login(editor)

    def states(sort):
        page = client.get(reverse("claim-list"), {"sort": sort}).content.decode()
        return re.findall(r'<span class="badge state-(\w+)">', page)

    assert states("state") == ["open", "in_progress", "dismissed"]
    assert states("-state") == ["dismissed", "in_progress", "open"]


def test_claims_list_names_each_article_once_per_run_of_its_claims(
    client, article, checker
):
    client.force_login(checker)
    page = client.get(reverse("claim-list"), {"sort": "article"}).content.decode()
    assert page.count(f'title="{article.title}"') == 1
    assert page.count('same article<span class="visually-hidden">: Test article') == 2


def test_claims_list_shows_long_claims_well_past_80_characters(client, checker):
    words = "The minister said exports rose by a record amount " * 4
    body = words.strip() + " in 2024."
    make_article(checker, body=body)
    client.force_login(checker)
    page = client.get(reverse("claim-list")).content.decode()
    assert body[:200] in page


# --- evidence stance ---


def test_evidence_stance_has_no_default_and_says_what_it_means_for_the_claim(
    client, claim, checker
):
    workflow.start(claim, user=checker, version=refresh(claim).version)
    client.force_login(checker)
    page = client.get(claim.get_absolute_url()).content.decode()
    stance = page[page.index('name="stance"') :]
    stance = stance[: stance.index("</select>")]
    assert '<option value="" selected>' in stance
    for label in ["Supports the claim", "Contradicts the claim", "Adds context"]:
        assert label in stance


def test_evidence_without_a_stance_is_refused_with_a_clear_message(
    client, claim, checker
):
    workflow.start(claim, user=checker, version=refresh(claim).version)
    source = make_source(checker)
    client.force_login(checker)
    response = client.post(
        reverse("claim-evidence", args=[claim.pk]),
        {"source": source.pk, "new_kind": "primary", "excerpt": "Page 3 says so."},
    )
    assert response.status_code == 400
    assert "Say whether the source supports or contradicts the claim" in (
        response.content.decode()
    )
    assert claim.evidence.count() == 0


def test_claim_page_and_memo_say_what_the_evidence_does_to_the_claim(
    client, claim, checker, editor
):
    make_approved(claim, checker, editor)  # cites a source that contradicts it
    client.force_login(editor)
    page = client.get(claim.get_absolute_url()).content.decode()
    memo = client.get(
        reverse("article-report", args=[claim.article_id])
    ).content.decode()
    assert ">Contradicts the claim</span>" in page
    assert ">Contradicts the claim</span>" in memo


# --- the claim page's actions ---


def test_editor_sees_why_they_cannot_approve_their_own_submission(
    client, claim, editor
):
    make_submitted(claim, editor)
    client.force_login(editor)
    page = client.get(claim.get_absolute_url()).content.decode()
    assert ">Approve</button>" not in page
    assert (
        '<p class="notice" id="why-not-approve"><strong>Approve is not open to you:'
        "</strong> You wrote this verdict; another editor approves it"
    ) in page


def test_each_reason_box_is_grouped_with_its_own_button(client, claim, checker):
    client.force_login(checker)
    page = client.get(claim.get_absolute_url()).content.decode()
    group = page[page.index(f'action="/claims/{claim.pk}/dismiss/"') :]
    group = group[: group.index("</form>")]
    assert "<legend>Dismiss: not a claim to check</legend>" in group
    assert '<label for="claim-dismiss-reason">Reason</label>' in group
    assert '<button type="submit">Dismiss</button>' in group
    assert "Start" not in group


def test_a_refused_reason_comes_back_only_in_its_own_box(
    client, claim, checker, editor
):
    make_submitted(claim, checker)
    client.force_login(editor)
    response = client.post(
        reverse("claim-return", args=[claim.pk]),
        {"version": 1, "reason": "Check the year."},
    )
    assert response.status_code == 409
    page = response.content.decode()
    assert (
        f'<form method="post" action="/claims/{claim.pk}/return/" '
        'class="reason-form" data-unsaved>'
    ) in page
    assert page.count("Check the year.") == 1


def test_favicon_ico_leads_to_the_sites_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith("verifier/favicon.svg")


def test_the_demo_seed_has_no_scraping_junk_and_keeps_its_twelve_claims(
    client, settings
):
    settings.DEBUG = True
    call_command("setup_demo", stdout=StringIO())
    article = Article.objects.get()
    assert article.claims.count() == 12
    assert not article.body.startswith("close")
    assert "\nclose\n" not in article.body
    assert "protected]" not in article.body
    assert "Have questions, concerns or tips?" not in article.body
    client.force_login(User.objects.get(username="editor"))
    memo = client.get(reverse("article-report", args=[article.pk])).content.decode()
    assert "protected]" not in memo and "close\nclose" not in memo


def test_setup_demo_again_after_a_correction_of_the_seed_adds_no_second_seed(
    settings,
):
    settings.DEBUG = True
    call_command("setup_demo", stdout=StringIO())
    seed = Article.objects.get()
    importing.import_new_version(
        user=User.objects.get(username="checker"),
        article=seed,
        body=seed.body.replace("30,000", "31,000", 1),
    )
    call_command("setup_demo", stdout=StringIO())
    assert Article.objects.get() == seed


def test_an_html_import_drops_close_buttons_and_email_protection_placeholders():
    html = (
        "<html><body><article><h1>Lost track</h1>"
        "<button>close</button><button>close</button>"
        "<p>ICE transferred more than 448,000 children.</p>"
        '<p>Send tips to <a href="/cdn-cgi/l/email-protection" class="__cf_email__" '
        'data-cfemail="5a28">[email&#160;protected]</a> today.</p>'
        "</article></body></html>"
    )
    text = importing.html_to_text(html)
    assert "close" not in text
    assert "protected]" not in text
    assert "ICE transferred more than 448,000 children." in text
