"""A desk people work at all day (issue 12): nothing typed is lost, and the smaller
things a working desk trips over, as the pages and actions show them."""

import re

import pytest
from django.urls import reverse

from tests.conftest import (
    make_article,
    make_in_progress,
    rating,
    refresh,
)
from verifier import workflow

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
    assert page.count("same article: Test article") == 2


def test_claims_list_shows_long_claims_well_past_80_characters(client, checker):
    words = "The minister said exports rose by a record amount " * 4
    body = words.strip() + " in 2024."
    make_article(checker, body=body)
    client.force_login(checker)
    page = client.get(reverse("claim-list")).content.decode()
    assert body[:200] in page
