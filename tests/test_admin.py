"""The admin's control room: every model listed, actions through the workflow, audit."""

import pytest
from django.urls import reverse

from tests.conftest import make_submitted, refresh
from verifier.models import Claim, Event, Rating, WorkflowPolicy

pytestmark = pytest.mark.django_db

MODELS = [
    "article",
    "claim",
    "rating",
    "source",
    "evidence",
    "note",
    "event",
    "workflowpolicy",
]


@pytest.mark.parametrize("model", MODELS)
def test_admin_lists_every_model(client, admin_user, claim, model):
    client.force_login(admin_user)
    assert client.get(reverse(f"admin:verifier_{model}_changelist")).status_code == 200


def test_admin_opens_a_claim_with_its_evidence_and_notes_inline(
    client, admin_user, claim
):
    client.force_login(admin_user)
    page = client.get(
        reverse("admin:verifier_claim_change", args=[claim.pk])
    ).content.decode()
    assert "Evidence" in page and "Notes" in page


def test_bulk_assign_goes_through_the_workflow(client, admin_user, article, checker):
    client.force_login(admin_user)
    ids = list(article.claims.values_list("pk", flat=True))
    client.post(
        reverse("admin:verifier_claim_changelist"),
        {
            "action": "assign_to",
            "_selected_action": ids,
            "assignee": checker.pk,
            "reason": "",
        },
    )
    assert set(article.claims.values_list("assignee", flat=True)) == {checker.pk}
    assert Event.objects.filter(action="assign", actor=admin_user).count() == len(ids)


def test_bulk_dismiss_without_reason_changes_nothing(client, admin_user, article):
    client.force_login(admin_user)
    ids = list(article.claims.values_list("pk", flat=True))
    response = client.post(
        reverse("admin:verifier_claim_changelist"),
        {"action": "dismiss", "_selected_action": ids, "reason": ""},
        follow=True,
    )
    assert "Give a reason" in response.content.decode()
    assert not article.claims.filter(state=Claim.State.DISMISSED).exists()


def test_bulk_approve_respects_four_eyes(client, admin_user, claim):
    make_submitted(claim, admin_user)
    client.force_login(admin_user)
    client.post(
        reverse("admin:verifier_claim_changelist"),
        {"action": "approve", "_selected_action": [claim.pk]},
    )
    assert refresh(claim).state == Claim.State.SUBMITTED


def test_editing_a_rating_needs_a_reason_and_is_recorded(client, admin_user):
    rating = Rating.objects.get(label="False")
    client.force_login(admin_user)
    url = reverse("admin:verifier_rating_change", args=[rating.pk])
    fields = {
        "label": "Wrong",
        "description": rating.description,
        "colour": rating.colour,
        "value": rating.value,
        "position": rating.position,
        "requires_evidence": "on",
        "is_active": "on",
    }
    client.post(url, {**fields, "change_reason": ""})
    assert refresh(rating).label == "False"
    client.post(url, {**fields, "change_reason": "Plainer word."})
    assert refresh(rating).label == "Wrong"
    event = Event.objects.get(target_type="rating", target_id=rating.pk)
    assert (event.changes["label"], event.reason) == (
        ["False", "Wrong"],
        "Plainer word.",
    )


def test_rating_in_use_cannot_be_deleted(client, admin_user, claim, checker):
    claim = make_submitted(claim, checker)
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:verifier_rating_delete", args=[claim.rating_id]), {"post": "yes"}
    )
    assert response.status_code == 403
    assert Rating.objects.filter(pk=claim.rating_id).exists()


def test_policy_is_edited_in_the_admin(client, admin_user):
    client.force_login(admin_user)
    client.post(
        reverse("admin:verifier_workflowpolicy_change", args=[1]),
        {
            "evidence_required": 2,
            "four_eyes": "on",
            "change_reason": "Two sources, house rule.",
        },
    )
    policy = WorkflowPolicy.current()
    assert (policy.evidence_required, policy.lock_after_sign_off) == (2, False)


def test_events_cannot_be_changed_or_deleted_in_the_admin(client, admin_user, claim):
    event = claim.events.first()
    client.force_login(admin_user)
    page = client.get(
        reverse("admin:verifier_event_change", args=[event.pk])
    ).content.decode()
    assert 'name="_save"' not in page
    response = client.post(
        reverse("admin:verifier_event_delete", args=[event.pk]), {"post": "yes"}
    )
    assert response.status_code == 403
    assert Event.objects.filter(pk=event.pk).exists()


def test_checker_cannot_use_the_admin(client, checker, claim):
    client.force_login(checker)
    response = client.get(reverse("admin:verifier_claim_changelist"))
    assert response.status_code == 302
