"""One claimant, many spellings: editors merge them; the claims list filters by one."""

import pytest
from django.urls import reverse

from tests.conftest import current_version, make_approved, make_article, refresh
from verifier import audit, workflow
from verifier.models import Claim, Event

pytestmark = pytest.mark.django_db


@pytest.fixture
def spelled_twice(checker):
    first = make_article(checker, title="One")
    second = make_article(checker, title="Two", body="Wages rose 4% in May.")
    a = first.claims.order_by("start").first()
    b = second.claims.get()
    workflow.set_claimant(
        a, user=checker, claimant="Cuffari", version=current_version(a)
    )
    workflow.set_claimant(
        b,
        user=checker,
        claimant="Inspector General Joseph Cuffari",
        version=current_version(b),
    )
    return refresh(a), refresh(b)


def test_an_editor_merges_two_spellings_across_articles(client, editor, spelled_twice):
    a, b = spelled_twice
    client.force_login(editor)
    response = client.post(
        reverse("claimant-merge"),
        {"name": "Cuffari", "into": "Inspector General Joseph Cuffari"},
    )
    assert response.status_code == 302
    assert refresh(a).claimant == "Inspector General Joseph Cuffari"
    event = Event.objects.filter(action="claimant", claim=a).last()
    assert event.actor == editor and "Merged the claimant" in event.reason
    assert audit.verify_claim(a) == []


def test_an_approved_claim_keeps_the_name_it_was_approved_with(
    checker, editor, other_editor, spelled_twice
):
    a, b = spelled_twice
    make_approved(a, checker, editor)
    merged = workflow.merge_claimants(
        user=other_editor, name="Cuffari", into="Joseph Cuffari"
    )
    assert merged.kept == (a.pk,)
    assert refresh(a).claimant == "Cuffari"


def test_a_checker_cannot_merge_claimants(client, checker, spelled_twice):
    client.force_login(checker)
    response = client.post(reverse("claimant-merge"), {"name": "Cuffari", "into": "X"})
    assert response.status_code == 403
    assert refresh(spelled_twice[0]).claimant == "Cuffari"


def test_merging_a_name_nobody_uses_says_so(editor, db):
    with pytest.raises(workflow.WorkflowError, match="No claim names"):
        workflow.merge_claimants(user=editor, name="Nobody", into="Somebody")


def test_the_claimants_page_lists_each_with_its_claims(client, checker, spelled_twice):
    client.force_login(checker)
    page = client.get(reverse("claimant-list")).content.decode()
    assert "Cuffari" in page and "Inspector General Joseph Cuffari" in page
    assert "Merge two spellings" not in page


def test_the_claims_list_filters_by_claimant(client, checker, spelled_twice):
    a, b = spelled_twice
    client.force_login(checker)
    response = client.get(reverse("claim-list"), {"claimant": "cuffari"})
    rows = list(response.context["table"].page.object_list)
    assert [row.record.pk for row in rows] == [a.pk]
    assert Claim.objects.filter(claimant__iexact="cuffari").count() == 1
