"""Bulk assignment from the claims list: editors only, each claim through
workflow.assign with its version, the refused ones named and the others assigned."""

import pytest
from django.urls import reverse

from tests.conftest import current_version, make_article, make_submitted, refresh
from verifier import workflow
from verifier.models import Claim

pytestmark = pytest.mark.django_db


def bulk(claims, assignee, **extra):
    data = {"claim": [c.pk for c in claims], "next": "/claims/?state=open"}
    if assignee is not None:
        data["assignee"] = assignee.pk
    for claim in claims:
        data[f"version-{claim.pk}"] = current_version(claim)
    data.update(extra)
    return data


def test_editor_sees_a_named_checkbox_per_row_and_the_assign_controls(
    client, article, editor
):
    client.force_login(editor)
    page = client.get(reverse("claim-list")).content.decode()
    for claim in article.claims.all():
        assert f'aria-label="Select claim #{claim.pk}"' in page
    assert 'action="/claims/assign/"' in page
    assert "Assign the selected claims to" in page


def test_checker_sees_no_bulk_controls(client, article, checker):
    client.force_login(checker)
    page = client.get(reverse("claim-list")).content.decode()
    assert "Select claim #" not in page
    assert "/claims/assign/" not in page


def test_checker_cannot_bulk_assign(client, article, checker, other_checker):
    claims = list(article.claims.all())
    client.force_login(checker)
    response = client.post(reverse("claim-bulk-assign"), bulk(claims, other_checker))
    assert response.status_code == 403
    assert not Claim.objects.filter(assignee__isnull=False).exists()


def test_get_assigns_nothing(client, article, editor):
    client.force_login(editor)
    assert client.get(reverse("claim-bulk-assign")).status_code == 405


def test_editor_assigns_the_picked_claims_each_with_an_event(
    client, article, editor, checker
):
    first, second, third = article.claims.order_by("start")
    client.force_login(editor)
    response = client.post(
        reverse("claim-bulk-assign"), bulk([first, third], checker), follow=True
    )
    page = response.content.decode()
    assert response.redirect_chain[-1][0] == "/claims/?state=open"
    assert f"2 claims now assigned to alice: #{first.pk}, #{third.pk}." in page
    assert refresh(first).assignee == checker
    assert refresh(third).assignee == checker
    assert refresh(second).assignee is None
    for claim in (first, third):
        event = claim.events.order_by("pk").last()
        assert event.action == "assign" and event.actor == editor


def test_a_claim_that_cannot_be_assigned_is_named_and_the_others_still_are(
    client, article, editor, checker, other_checker
):
    first, second, _ = article.claims.order_by("start")
    make_submitted(second, checker)
    client.force_login(editor)
    response = client.post(
        reverse("claim-bulk-assign"), bulk([first, second], other_checker), follow=True
    )
    page = response.content.decode()
    assert f"1 claim now assigned to bob: #{first.pk}." in page
    assert "The others were not" in page
    assert (
        f"Claim #{second.pk} was not assigned: This claim is submitted, "
        "so you cannot assign it."
    ) in page
    assert refresh(first).assignee == other_checker
    assert refresh(second).assignee == checker


def test_a_claim_changed_since_the_page_loaded_is_refused(
    client, article, editor, checker, other_checker
):
    first = article.claims.order_by("start").first()
    data = bulk([first], other_checker)
    workflow.assign(
        first, user=editor, assignee=checker, version=current_version(first)
    )
    client.force_login(editor)
    page = client.post(reverse("claim-bulk-assign"), data, follow=True)
    assert f"Claim #{first.pk} was not assigned: Someone else changed" in (
        page.content.decode()
    )
    assert refresh(first).assignee == checker


def test_nothing_picked_or_nobody_chosen_says_so(client, article, editor, checker):
    client.force_login(editor)
    page = client.post(
        reverse("claim-bulk-assign"), {"assignee": checker.pk}, follow=True
    ).content.decode()
    assert "Select at least one claim to assign." in page
    claims = list(article.claims.all())
    page = client.post(
        reverse("claim-bulk-assign"), bulk(claims, None), follow=True
    ).content.decode()
    assert "Choose who gets the selected claims." in page
    assert not Claim.objects.filter(assignee__isnull=False).exists()


def test_bulk_assign_never_redirects_off_site(client, article, editor, checker):
    client.force_login(editor)
    response = client.post(
        reverse("claim-bulk-assign"),
        bulk(list(article.claims.all()), checker, next="https://evil.example/"),
    )
    assert response["Location"] == reverse("claim-list")


def test_a_settled_claim_from_another_article_is_named_too(
    client, editor, checker, other_checker
):
    claim = make_article(checker, title="Other").claims.order_by("start").first()
    make_submitted(claim, checker)
    client.force_login(editor)
    page = client.post(
        reverse("claim-bulk-assign"), bulk([claim], other_checker), follow=True
    ).content.decode()
    assert "now assigned" not in page
    assert f"Claim #{claim.pk} was not assigned" in page
