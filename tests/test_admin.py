"""The admin's control room: every model listed, actions through the workflow, audit."""

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.conftest import (
    PASSWORD,
    current_version,
    make_approved,
    make_submitted,
    make_user,
    refresh,
)
from verifier import audit, defaults, workflow
from verifier.models import Article, Claim, Event, Rating, WorkflowPolicy

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
    page = response.content.decode()
    assert "“Misleading” is in use by 1 claim and cannot be deleted" in page
    assert "retire it instead" in page
    assert "permission" not in page
    assert Rating.objects.filter(pk=claim.rating_id).exists()


def test_deleting_ratings_in_use_from_the_list_says_how_many_claims_use_each(
    client, admin_user, article, checker
):
    for claim in article.claims.all():
        make_submitted(claim, checker)
    misleading = Rating.objects.get(label="Misleading")
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:verifier_rating_changelist"),
        {"action": "delete_selected", "_selected_action": [misleading.pk]},
    )
    page = response.content.decode()
    assert "“Misleading” is in use by 3 claims and cannot be deleted" in page
    assert "permission" not in page
    assert Rating.objects.filter(pk=misleading.pk).exists()


def test_an_unused_rating_can_be_deleted(client, admin_user):
    unused = Rating.objects.create(label="Satire", value=0, position=9)
    client.force_login(admin_user)
    client.post(
        reverse("admin:verifier_rating_delete", args=[unused.pk]), {"post": "yes"}
    )
    assert not Rating.objects.filter(pk=unused.pk).exists()


def test_a_bad_rating_colour_is_a_field_error_in_words(client, admin_user):
    rating = Rating.objects.get(label="False")
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:verifier_rating_change", args=[rating.pk]),
        {
            "label": rating.label,
            "description": rating.description,
            "colour": "red",
            "value": rating.value,
            "position": rating.position,
            "requires_evidence": "on",
            "is_active": "on",
            "change_reason": "Brighter.",
        },
    )
    page = response.content.decode()
    assert "Colour must be a hex colour such as #1a7f37" in page
    assert "rating_colour_hex" not in page
    assert refresh(rating).colour != "red"


def test_admin_user_list_shows_each_users_groups_in_constant_queries(
    client, admin_user, checker, editor
):
    client.force_login(admin_user)
    url = reverse("admin:auth_user_changelist")
    with CaptureQueriesContext(connection) as few:
        page = client.get(url).content.decode()
    assert "Groups" in page
    assert "Fact-checkers" in page and "Editors" in page
    for n in range(5):
        make_user(f"extra{n}", defaults.FACT_CHECKERS)
    with CaptureQueriesContext(connection) as more:
        client.get(url)
    assert len(more) == len(few)


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


# --- every admin save is an Event -----------------------------------------------------


def user_form(user, **changes):
    """The fields of the admin's user change form, as stored, with ``changes``."""
    # The form shows times to the second: store them so, or saving changes them.
    User.objects.filter(pk=user.pk).update(
        date_joined=user.date_joined.replace(microsecond=0)
    )
    joined = timezone.localtime(refresh(user).date_joined)
    fields = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "is_active": "on" if user.is_active else "",
        "is_staff": "on" if user.is_staff else "",
        "is_superuser": "on" if user.is_superuser else "",
        "groups": [g.pk for g in user.groups.all()],
        "user_permissions": [p.pk for p in user.user_permissions.all()],
        "last_login_0": "",
        "last_login_1": "",
        "date_joined_0": joined.strftime("%Y-%m-%d"),
        "date_joined_1": joined.strftime("%H:%M:%S"),
    }
    return {k: v for k, v in (fields | changes).items() if v != ""}


# The management forms of the claim page's (read-only) evidence and notes inlines.
INLINES = {
    f"{prefix}-{name}": "0"
    for prefix in ("evidence", "notes")
    for name in ("TOTAL_FORMS", "INITIAL_FORMS")
}


def test_saving_a_claim_in_the_admin_records_who_and_why(client, admin_user, claim):
    client.force_login(admin_user)
    url = reverse("admin:verifier_claim_change", args=[claim.pk])
    response = client.post(
        url, INLINES | {"change_reason": "Checked the inline evidence."}
    )
    assert response.status_code == 302
    event = claim.events.order_by("pk").last()
    assert (event.action, event.actor, event.reason) == (
        "edit",
        admin_user,
        "Checked the inline evidence.",
    )
    assert audit.verify_claim(claim) == []


def test_saving_a_claim_in_the_admin_without_a_reason_records_nothing(
    client, admin_user, claim
):
    client.force_login(admin_user)
    before = Event.objects.count()
    url = reverse("admin:verifier_claim_change", args=[claim.pk])
    assert client.post(url, INLINES | {"change_reason": ""}).status_code == 200
    assert Event.objects.count() == before


def test_promoting_a_user_to_staff_and_editor_records_the_change(
    client, admin_user, checker
):
    client.force_login(admin_user)
    editors = Group.objects.get(name=defaults.EDITORS)
    url = reverse("admin:auth_user_change", args=[checker.pk])
    form = user_form(
        checker,
        is_staff="on",
        groups=[*checker.groups.values_list("pk", flat=True), editors.pk],
        change_reason="Alice edits the night desk.",
    )
    assert client.post(url, form).status_code == 302
    event = Event.objects.get(target_type="user", target_id=checker.pk)
    assert event.actor == admin_user
    assert event.changes["is_staff"] == [False, True]
    assert event.changes["groups"] == [
        [defaults.FACT_CHECKERS],
        sorted([defaults.FACT_CHECKERS, defaults.EDITORS]),
    ]
    assert event.reason == "Alice edits the night desk."


def test_deactivating_a_user_needs_a_reason_and_is_recorded(
    client, admin_user, checker
):
    client.force_login(admin_user)
    url = reverse("admin:auth_user_change", args=[checker.pk])
    client.post(url, user_form(checker, is_active=""))
    assert refresh(checker).is_active
    client.post(url, user_form(checker, is_active="", change_reason="Left."))
    assert not refresh(checker).is_active
    event = Event.objects.get(target_type="user", target_id=checker.pk)
    assert (event.changes, event.reason) == ({"is_active": [True, False]}, "Left.")


def test_adding_a_user_records_it_without_the_password(client, admin_user):
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:auth_user_add"),
        {
            "username": "frank",
            "usable_password": "true",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "change_reason": "New fact-checker.",
        },
    )
    assert response.status_code == 302
    frank = User.objects.get(username="frank")
    event = Event.objects.get(target_type="user", target_id=frank.pk)
    assert event.action == "create"
    assert event.changes["username"] == [None, "frank"]
    assert event.changes["password"] == [None, "changed"]
    assert frank.password not in str(event.changes)


def test_changing_a_password_in_the_admin_records_that_it_changed(
    client, admin_user, checker
):
    client.force_login(admin_user)
    old_hash = checker.password
    response = client.post(
        reverse("admin:auth_user_password_change", args=[checker.pk]),
        {
            "usable_password": "true",
            "password1": "another-long-passphrase",
            "password2": "another-long-passphrase",
            "set-password": "Change password",
        },
    )
    assert response.status_code == 302
    checker = refresh(checker)
    assert checker.check_password("another-long-passphrase")
    event = Event.objects.get(target_type="user", target_id=checker.pk)
    assert (event.action, event.actor) == ("password", admin_user)
    assert event.changes == {"password": [None, "changed"]}
    assert old_hash not in str(event.changes)
    assert checker.password not in str(event.changes)


def test_granting_a_permission_to_a_group_records_it(client, admin_user):
    client.force_login(admin_user)
    checkers = Group.objects.get(name=defaults.FACT_CHECKERS)
    before = sorted(str(p) for p in checkers.permissions.all())
    approve = Permission.objects.get(codename="approve_claim")
    url = reverse("admin:auth_group_change", args=[checkers.pk])
    response = client.post(
        url,
        {
            "name": checkers.name,
            "permissions": [*checkers.permissions.values_list("pk", flat=True)]
            + [approve.pk],
            "change_reason": "Seniors approve too.",
        },
    )
    assert response.status_code == 302
    assert checkers.permissions.filter(pk=approve.pk).exists()
    event = Event.objects.get(target_type="group", target_id=checkers.pk)
    assert event.changes["permissions"] == [before, sorted([*before, str(approve)])]
    assert event.reason == "Seniors approve too."


def test_changing_a_group_without_a_reason_changes_nothing(client, admin_user):
    client.force_login(admin_user)
    checkers = Group.objects.get(name=defaults.FACT_CHECKERS)
    url = reverse("admin:auth_group_change", args=[checkers.pk])
    response = client.post(url, {"name": "Renamed", "change_reason": ""})
    assert response.status_code == 200
    assert refresh(checkers).name == defaults.FACT_CHECKERS
    assert not Event.objects.filter(target_type="group").exists()


def test_adding_a_group_records_it(client, admin_user):
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:auth_group_add"),
        {"name": "Interns", "change_reason": "Summer interns."},
    )
    assert response.status_code == 302
    group = Group.objects.get(name="Interns")
    event = Event.objects.get(target_type="group", target_id=group.pk)
    assert (event.action, event.changes["name"]) == ("create", [None, "Interns"])


def test_retitling_a_signed_off_article_in_the_admin_says_why_not(
    client, admin_user, checker, editor, other_editor, article
):
    first, *others = article.claims.order_by("start")
    make_approved(first, checker, other_editor)
    for claim in others:
        workflow.dismiss(
            claim, user=checker, reason="Opinion.", version=current_version(claim)
        )
    workflow.sign_off(article, user=editor, version=current_version(article))
    client.force_login(admin_user)
    url = reverse("admin:verifier_article_change", args=[article.pk])
    fields = {
        "title": "A new title",
        "factcheck_url": "https://verify.example.org/fc/9",
        "change_reason": "Retitled.",
    }
    response = client.post(url, fields)
    assert response.status_code == 200
    assert "only its published fact-check URL can change" in response.content.decode()
    assert refresh(article).title == "Test article"
    response = client.post(url, fields | {"title": "Test article"})
    assert response.status_code == 302
    assert refresh(article).factcheck_url == "https://verify.example.org/fc/9"


def test_editing_an_article_with_malformed_sentences_says_so(
    client, admin_user, article
):
    Article.objects.filter(pk=article.pk).update(sentences="abc")
    client.force_login(admin_user)
    url = reverse("admin:verifier_article_change", args=[article.pk])
    response = client.post(url, {"title": "Retitled", "change_reason": "Typo."})
    assert response.status_code == 200
    assert "sentences are malformed" in response.content.decode()
    assert refresh(article).title == "Test article"
