"""The audit trail: nobody can rewrite an Event, every change writes one, and
verify_audit finds any object whose state its Events do not explain."""

import importlib
import json
from contextlib import contextmanager
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.conftest import (
    cite,
    current_version,
    make_approved,
    make_article,
    make_in_progress,
    make_submitted,
    rating,
    refresh,
)
from verifier import audit, workflow
from verifier.models import (
    Article,
    AuditHead,
    Claim,
    Event,
    Evidence,
    ImmutableEventError,
    Note,
    Notification,
    Rating,
    Source,
    WorkflowPolicy,
)

pytestmark = pytest.mark.django_db


def snapshot():
    """Every Event as stored, to compare before and after."""
    return list(Event.objects.order_by("pk").values())


# --- the ORM refuses ------------------------------------------------------------------


def test_saving_an_existing_event_is_refused(claim):
    event = Event.objects.first()
    event.reason = "rewritten"
    with pytest.raises(ImmutableEventError):
        event.save()
    assert refresh(event).reason == ""


def test_deleting_an_event_is_refused(claim):
    event = Event.objects.first()
    with pytest.raises(ImmutableEventError):
        event.delete()
    assert Event.objects.filter(pk=event.pk).exists()


def test_queryset_update_of_events_is_refused(claim):
    with pytest.raises(ImmutableEventError):
        Event.objects.filter(claim=claim).update(reason="rewritten")
    assert not Event.objects.filter(reason="rewritten").exists()


def test_queryset_delete_of_events_is_refused(claim):
    before = Event.objects.count()
    with pytest.raises(ImmutableEventError):
        Event.objects.all().delete()
    assert Event.objects.count() == before


def test_bulk_update_of_events_is_refused(claim):
    events = list(Event.objects.all())
    for event in events:
        event.reason = "rewritten"
    with pytest.raises(ImmutableEventError), transaction.atomic():
        Event.objects.bulk_update(events, ["reason"])
    assert not Event.objects.filter(reason="rewritten").exists()


# --- the database refuses what goes around the ORM ------------------------------------


def test_base_manager_update_is_refused_by_the_database(claim):
    event = Event.objects.first()
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        Event._base_manager.filter(pk=event.pk).update(reason="rewritten")
    assert refresh(event).reason == ""


def test_raw_sql_update_of_an_event_is_refused_by_the_database(claim):
    event = Event.objects.first()
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE verifier_event SET action = 'approve' WHERE id = %s", [event.pk]
            )
    assert refresh(event).action == "import"


def test_raw_sql_delete_of_events_is_refused_or_caught(claim):
    """PostgreSQL's trigger refuses a DELETE. SQLite's refuses UPDATE only (Django
    empties tables between transactional tests with DELETE there), so on SQLite the
    hash chain is what catches it."""
    before = Event.objects.count()
    if connection.vendor == "postgresql":
        with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("DELETE FROM verifier_event")
        assert Event.objects.count() == before
        return
    middle = Event.objects.order_by("sequence")[1]
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM verifier_event WHERE id = %s", [middle.pk])
    assert list(audit.check_chain()) != []


def test_loaddata_cannot_rewrite_an_event(claim, tmp_path):
    event = Event.objects.filter(action="create").first()
    forged = [
        {
            "model": "verifier.event",
            "pk": event.pk,
            "fields": {
                "actor": event.actor_id,
                "created_at": event.created_at.isoformat(),
                "action": "approve",
                "target_type": event.target_type,
                "target_id": event.target_id,
                "article": event.article_id,
                "claim": event.claim_id,
                "changes": {"state": [None, "approved"]},
                "reason": "forged",
            },
        }
    ]
    fixture = tmp_path / "forged.json"
    fixture.write_text(json.dumps(forged))
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        call_command("loaddata", str(fixture), verbosity=0)
    assert refresh(event).action == "create"


# --- the admin and the pages cannot change one ----------------------------------------


def test_admin_change_form_of_an_event_refuses_a_post(client, admin_user, claim):
    event = Event.objects.first()
    client.force_login(admin_user)
    response = client.post(
        f"/admin/verifier/event/{event.pk}/change/",
        {"action": "approve", "reason": "x"},
    )
    assert response.status_code == 403
    assert refresh(event).action == "import"


def test_admin_cannot_delete_an_event(client, admin_user, claim):
    event = Event.objects.first()
    client.force_login(admin_user)
    response = client.post(f"/admin/verifier/event/{event.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    assert Event.objects.filter(pk=event.pk).exists()


def test_admin_bulk_delete_action_does_not_delete_events(client, admin_user, claim):
    before = snapshot()
    client.force_login(admin_user)
    response = client.post(
        "/admin/verifier/event/",
        {
            "action": "delete_selected",
            "_selected_action": [e["id"] for e in before],
            "post": "yes",
        },
    )
    assert response.status_code in (200, 302, 403)
    assert snapshot() == before


def test_admin_cannot_add_an_event(client, admin_user, claim):
    client.force_login(admin_user)
    response = client.post("/admin/verifier/event/add/", {"action": "approve"})
    assert response.status_code == 403


def test_working_a_claim_through_the_pages_only_appends_events(
    client, checker, editor, claim
):
    before = snapshot()
    source = workflow.create_source(
        user=checker, title="Report", url="https://example.org/r"
    )
    client.force_login(checker)
    client.post(f"/claims/{claim.pk}/start/", {"version": refresh(claim).version})
    client.post(
        f"/claims/{claim.pk}/evidence/",
        {
            "source": source.pk,
            "excerpt": "Page 3.",
            "stance": "supports",
            "new_kind": "primary",
        },
    )
    client.post(f"/claims/{claim.pk}/notes/", {"text": "Called the agency."})
    client.post(
        f"/claims/{claim.pk}/verdict/",
        {
            "rating": rating("Accurate").pk,
            "rationale": "Checks out.",
            "version": refresh(claim).version,
        },
    )
    client.post(f"/claims/{claim.pk}/submit/", {"version": refresh(claim).version})
    client.force_login(editor)
    client.post(f"/claims/{claim.pk}/approve/", {"version": refresh(claim).version})
    after = snapshot()
    assert refresh(claim).state == Claim.State.APPROVED
    assert after[: len(before)] == before
    assert len(after) > len(before) + 5


# --- every change writes an Event -----------------------------------------------------


def test_admin_edit_of_a_rating_writes_an_event_with_its_reason(client, admin_user):
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
            "requires_evidence": "on",
            "is_active": "on",
            "change_reason": "House style renamed it.",
        },
    )
    assert response.status_code == 302
    event = Event.objects.get(target_type="rating", target_id=false.pk)
    assert event.changes["label"] == ["False", "Wrong"]
    assert event.reason == "House style renamed it."


def test_admin_edit_of_the_policy_writes_an_event(client, admin_user):
    client.force_login(admin_user)
    response = client.post(
        "/admin/verifier/workflowpolicy/1/change/",
        {
            "evidence_required": 2,
            "four_eyes": "on",
            "lock_after_sign_off": "on",
            "change_reason": "Stricter.",
        },
    )
    assert response.status_code == 302
    assert WorkflowPolicy.current().evidence_required == 2
    event = Event.objects.get(target_type="workflowpolicy")
    assert event.changes["evidence_required"] == [1, 2]


def test_admin_edit_of_an_article_writes_an_event(client, admin_user, article):
    client.force_login(admin_user)
    response = client.post(
        f"/admin/verifier/article/{article.pk}/change/",
        {
            "title": "A better title",
            "outlet": "",
            "byline": "",
            "url": "",
            "published_on": "",
            "factcheck_url": "https://verify.example.org/checks/1",
            "change_reason": "Published.",
        },
    )
    assert response.status_code == 302
    event = article.events.order_by("pk").last()
    assert event.action == "edit"
    assert event.changes["title"] == ["Test article", "A better title"]
    assert event.reason == "Published."


def test_admin_bulk_delete_of_unused_ratings_writes_an_event_each(client, admin_user):
    extra = [
        Rating.objects.create(
            label=f"Spare {n}", value=9, colour="#000000", position=20 + n
        )
        for n in range(2)
    ]
    client.force_login(admin_user)
    response = client.post(
        "/admin/verifier/rating/",
        {
            "action": "delete_selected",
            "_selected_action": [r.pk for r in extra],
            "post": "yes",
        },
    )
    assert response.status_code == 302
    assert not Rating.objects.filter(pk__in=[r.pk for r in extra]).exists()
    deleted = Event.objects.filter(target_type="rating", action="delete")
    assert sorted(deleted.values_list("target_id", flat=True)) == [r.pk for r in extra]


def test_admin_cannot_change_a_claim_behind_the_workflow(client, admin_user, claim):
    client.force_login(admin_user)
    client.post(
        f"/admin/verifier/claim/{claim.pk}/change/",
        {"state": "approved", "rationale": "x"},
    )
    claim = refresh(claim)
    assert (claim.state, claim.rationale) == (Claim.State.OPEN, "")
    assert audit.verify_claim(claim) == []


def test_every_claim_change_writes_one_event(claim, checker, editor):
    source = workflow.create_source(
        user=checker, title="Report", url="https://example.org/r"
    )
    counts = []
    for step in (
        lambda: workflow.assign(
            claim, user=editor, assignee=checker, version=current_version(claim)
        ),
        lambda: workflow.start(claim, user=checker, version=current_version(claim)),
        lambda: cite(claim, checker, source),
        lambda: workflow.add_note(claim, user=checker, text="Called them."),
        lambda: workflow.save_verdict(
            claim,
            user=checker,
            rating=rating(),
            rationale="Old data.",
            version=current_version(claim),
        ),
        lambda: workflow.submit(claim, user=checker, version=current_version(claim)),
        lambda: workflow.return_(
            claim, user=editor, reason="Add a source.", version=current_version(claim)
        ),
    ):
        before = Event.objects.filter(claim=claim).count()
        step()
        counts.append(Event.objects.filter(claim=claim).count() - before)
    assert counts == [1, 1, 1, 1, 1, 1, 1]


# --- verify_audit ---------------------------------------------------------------------


def verify_audit():
    """Run the command: (exit status, what it printed)."""
    out = StringIO()
    try:
        call_command("verify_audit", stdout=out)
    except CommandError as error:
        return 1, out.getvalue() + str(error)
    return 0, out.getvalue()


@pytest.fixture
def worked(checker, other_checker, editor, other_editor):
    """An article with claims in every state, worked through the workflow."""
    article = make_article(
        checker,
        body="\n\n".join(
            f"Claim number {n} says {n * 7}% of something." for n in range(6)
        ),
    )
    claims = list(article.claims.order_by("start"))
    make_approved(claims[0], checker, editor)
    make_submitted(claims[1], other_checker)
    make_in_progress(claims[2], checker)
    workflow.dismiss(
        claims[3], user=checker, reason="Opinion.", version=current_version(claims[3])
    )
    workflow.assign(
        claims[4],
        user=editor,
        assignee=other_checker,
        version=current_version(claims[4]),
    )
    workflow.add_note(claims[4], user=other_checker, text="Looking at it.")
    workflow.reopen(
        claims[0],
        user=other_editor,
        reason="New data.",
        version=current_version(claims[0]),
    )
    return article


def test_verify_audit_finds_nothing_when_everything_went_through_the_workflow(worked):
    status, output = verify_audit()
    assert status == 0
    assert "matches" in output


def test_verify_audit_finds_nothing_on_the_demo(settings):
    settings.DEBUG = True
    call_command("setup_demo", stdout=StringIO())
    assert Claim.objects.filter(state=Claim.State.APPROVED).exists()
    status, output = verify_audit()
    # 39 from the work replayed, 2 from the deadlines set (article, then one claim).
    assert status == 0
    assert (
        "The audit trail matches: 41 events, 1 articles, 12 claims checked." in output
    )


def test_verify_audit_finds_nothing_after_sign_off_and_reopen(
    checker, editor, other_editor
):
    article = make_article(checker)
    for claim in article.claims.all():
        workflow.dismiss(
            claim, user=checker, reason="Not a claim.", version=current_version(claim)
        )
    workflow.sign_off(article, user=editor, version=current_version(article))
    workflow.reopen_article(
        article,
        user=other_editor,
        reason="Correction.",
        version=current_version(article),
    )
    assert audit.verify_article(article) == []


def test_verify_audit_reports_a_state_changed_behind_the_workflow(worked):
    claim = worked.claims.get(state=Claim.State.SUBMITTED)
    # The database insists an approved claim carries its record, so a forger
    # writes one too.
    Claim.objects.filter(pk=claim.pk).update(
        state=Claim.State.APPROVED, approval={"rating": {"label": "Accurate"}}
    )
    status, output = verify_audit()
    assert status == 1
    assert (
        f"claim #{claim.pk}: state is 'approved' but its events say 'submitted'"
        in output
    )
    assert f"claim #{claim.pk}: approval is" in output


def test_verify_audit_reports_a_verdict_changed_behind_the_workflow(worked):
    claim = worked.claims.get(state=Claim.State.SUBMITTED)
    Claim.objects.filter(pk=claim.pk).update(rating=rating("Accurate"))
    status, output = verify_audit()
    assert status == 1
    assert f"claim #{claim.pk}: rating_id" in output


def test_verify_audit_reports_a_rationale_changed_behind_the_workflow(worked):
    claim = worked.claims.get(state=Claim.State.SUBMITTED)
    Claim.objects.filter(pk=claim.pk).update(rationale="Quietly rewritten.")
    status, output = verify_audit()
    assert status == 1
    assert f"claim #{claim.pk}: rationale" in output


def test_verify_audit_reports_an_assignee_changed_behind_the_workflow(worked, editor):
    claim = worked.claims.get(state=Claim.State.OPEN, assignee__isnull=False)
    Claim.objects.filter(pk=claim.pk).update(assignee=editor)
    status, output = verify_audit()
    assert status == 1
    assert f"claim #{claim.pk}: assignee_id" in output


def test_verify_audit_is_not_fooled_by_a_renamed_user(worked, other_checker):
    other_checker.username = "robert"
    other_checker.save()
    assert verify_audit()[0] == 0


def test_verify_audit_reports_a_note_deleted_behind_the_workflow(worked):
    note = Note.objects.first()
    Note.objects.filter(pk=note.pk).delete()
    status, output = verify_audit()
    assert status == 1
    assert f"note #{note.pk} was added but is gone" in output


def test_verify_audit_reports_evidence_added_behind_the_workflow(worked, checker):
    claim = worked.claims.filter(state=Claim.State.IN_PROGRESS).last()
    evidence = Evidence.objects.create(
        claim=claim,
        source=Source.objects.first(),
        excerpt="Made up.",
        stance="supports",
        added_by=checker,
    )
    status, output = verify_audit()
    assert status == 1
    assert (
        f"claim #{claim.pk}: evidence #{evidence.pk} exists but no event added it"
        in output
    )


def test_verify_audit_reports_an_article_text_changed_behind_the_workflow(worked):
    Article.objects.filter(pk=worked.pk).update(body="Something else entirely.")
    status, output = verify_audit()
    assert status == 1
    assert f"article #{worked.pk}: its text no longer matches" in output


def test_verify_audit_reports_a_forged_event_that_breaks_the_chain(worked, checker):
    claim = worked.claims.get(state=Claim.State.SUBMITTED)
    workflow.record(
        checker,
        "approve",
        claim,
        claim=claim,
        changes={"state": ["in_progress", "approved"]},
    )
    Claim.objects.filter(pk=claim.pk).update(
        state=Claim.State.APPROVED, approval={"rating": {"label": "Accurate"}}
    )
    status, output = verify_audit()
    assert status == 1
    assert (
        "changes state from 'in_progress', but the events before it left 'submitted'"
        in output
    )


def test_verify_audit_exits_with_status_one_from_the_command_line(worked):
    Claim.objects.filter(pk=worked.claims.first().pk).update(
        state=Claim.State.DISMISSED
    )
    with pytest.raises(CommandError) as error:
        call_command("verify_audit", stdout=StringIO())
    assert error.value.returncode == 1
    assert "1 mismatch in 1 object" in str(error.value)


def test_verify_audit_finds_nothing_after_curation(checker):
    body = "Rents rose 9% in 2023. Wages rose 4%.\n\nThe mayor said crime fell 12%."
    article = make_article(checker, body=body, spans=[workflow.Span(0, 22)])
    first = article.claims.get()
    workflow.adjust_span(
        first, user=checker, start=0, end=37, version=current_version(first)
    )
    second = workflow.split(
        refresh(first), user=checker, at=23, version=current_version(refresh(first))
    )
    workflow.merge(
        refresh(first), second, user=checker, version=current_version(refresh(first))
    )
    workflow.add_claim(article, user=checker, start=39, end=len(body), claimant="Mayor")
    assert audit.verify_article(article) == []


def test_verify_audit_finds_nothing_on_an_article_restored_from_its_archive(worked):
    from tests.test_archive import restore, wipe
    from verifier import archive

    worked = refresh(worked)
    document = archive.article_archive(worked)
    wipe(worked)
    restored = restore(document).article
    assert audit.verify_article(restored) == []


# --- the hash chain -------------------------------------------------------------------

TRIGGER = importlib.import_module("verifier.migrations.0004_event_append_only_trigger")


@contextmanager
def append_only_trigger_dropped():
    """What the database owner can do: take the append-only trigger away for a while
    (migration 0004), then put it back as if nothing happened."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # ALTER TABLE waits for no deferred foreign-key check of this transaction.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("ALTER TABLE verifier_event DISABLE TRIGGER USER")
        else:
            cursor.execute(TRIGGER.SQLITE_DROP)
        yield cursor
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE verifier_event ENABLE TRIGGER USER")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        else:
            cursor.execute(TRIGGER.SQLITE_CREATE)


def test_each_event_is_chained_to_the_one_before_it(worked):
    events = list(Event.objects.order_by("sequence"))
    assert [e.sequence for e in events] == list(range(1, len(events) + 1))
    assert events[0].previous_hash == ""
    for before, event in zip(events, events[1:], strict=False):
        assert event.previous_hash == before.hash
    for event in events:
        values = {name: getattr(event, name) for name in audit.HASHED}
        assert event.hash == audit.event_hash(values)
    assert (AuditHead.objects.get().sequence, AuditHead.objects.get().hash) == (
        events[-1].sequence,
        events[-1].hash,
    )


def test_a_list_of_events_is_chained_and_inserted_in_one_go(claim, checker):
    events = [
        Event(
            actor=checker,
            action="note",
            target_type="note",
            target_id=n,
            claim=claim,
            article=claim.article,
            changes={"text": [None, f"Note {n}"]},
        )
        for n in range(3)
    ]
    last = Event.objects.order_by("sequence").last()
    with CaptureQueriesContext(connection) as queries:
        audit.append(events)
    inserts = [
        q for q in queries if q["sql"].startswith('INSERT INTO "verifier_event"')
    ]
    assert len(inserts) == 1
    assert [e.sequence for e in events] == [last.sequence + n for n in (1, 2, 3)]
    assert [e.previous_hash for e in events] == [last.hash] + [
        e.hash for e in events[:2]
    ]
    assert list(audit.check_chain()) == []


@pytest.mark.parametrize(
    "column, forged",
    [
        ("actor_id", lambda event, other: other.pk),
        ("created_at", lambda event, other: event.created_at - timedelta(hours=1)),
        ("reason", lambda event, other: "Rewritten afterwards."),
        ("changes", lambda event, other: '{"state": ["submitted", "approved"]}'),
    ],
)
def test_an_event_rewritten_with_the_trigger_dropped_fails_verify_audit(
    worked, other_editor, column, forged
):
    event = Event.objects.filter(action="approve").get()
    with append_only_trigger_dropped() as cursor:
        cursor.execute(
            f"UPDATE verifier_event SET {column} = %s WHERE id = %s",
            [forged(event, other_editor), event.pk],
        )
    status, output = verify_audit()
    assert status == 1
    assert f"event #{event.pk}: was changed after it was written" in output


def test_an_event_rewritten_with_its_hash_recomputed_still_breaks_the_chain(worked):
    event = Event.objects.filter(action="approve").get()
    values = {name: getattr(event, name) for name in audit.HASHED}
    values["reason"] = "Rewritten, hash and all."
    with append_only_trigger_dropped() as cursor:
        cursor.execute(
            "UPDATE verifier_event SET reason = %s, hash = %s WHERE id = %s",
            [values["reason"], audit.event_hash(values), event.pk],
        )
    status, output = verify_audit()
    assert status == 1
    after = Event.objects.get(sequence=event.sequence + 1)
    assert f"event #{after.pk}: does not link to the Event before it" in output


def test_events_removed_from_the_end_of_the_chain_fail_verify_audit(worked):
    last = Event.objects.order_by("sequence").last()
    Notification.objects.filter(event=last).delete()  # they point at their Event
    with append_only_trigger_dropped():
        Event.objects.filter(pk=last.pk)._raw_delete("default")
    status, output = verify_audit()
    assert status == 1
    assert "Events at its end are missing" in output


def test_an_event_removed_from_the_middle_of_the_chain_fails_verify_audit(worked):
    middle = Event.objects.get(sequence=5)
    Notification.objects.filter(event=middle).delete()  # they point at their Event
    with append_only_trigger_dropped():
        Event.objects.filter(pk=middle.pk)._raw_delete("default")
    status, output = verify_audit()
    assert status == 1
    after = Event.objects.get(sequence=6)
    assert f"event #{after.pk}: is at position 6 of the chain where 5 belongs" in output


def forge(claim, actor, action, changes, **fields):
    """An Event written with a valid hash but not by the workflow: a forgery that
    knows the chain, or a bug."""
    [event] = audit.append(
        [
            Event(
                actor=actor,
                action=action,
                target_type="claim",
                target_id=claim.pk,
                claim=claim,
                article=claim.article,
                changes=changes,
                **fields,
            )
        ]
    )
    return event


def test_verify_audit_reports_an_approval_by_someone_without_the_permission(
    worked, checker
):
    claim = worked.claims.get(state=Claim.State.SUBMITTED)
    event = forge(claim, checker, "approve", {"state": ["submitted", "approved"]})
    status, output = verify_audit()
    assert status == 1
    assert (
        f"event #{event.pk}: its actor (user #{checker.pk}) does not hold "
        "verifier.approve_claim" in output
    )


def test_verify_audit_reports_a_dismissal_without_a_reason(worked, checker):
    claim = worked.claims.filter(state=Claim.State.IN_PROGRESS).first()
    event = forge(claim, checker, "dismiss", {"state": ["in_progress", "dismissed"]})
    status, output = verify_audit()
    assert status == 1
    assert f"event #{event.pk}: a dismiss needs a reason, and it has none" in output


def test_verify_audit_reports_an_event_dated_in_the_future(worked, checker):
    claim = worked.claims.filter(state=Claim.State.IN_PROGRESS).first()
    tomorrow = timezone.now() + timedelta(days=1)
    event = forge(claim, checker, "note", {}, created_at=tomorrow)
    status, output = verify_audit()
    assert status == 1
    assert f"event #{event.pk}: its time lies in the future" in output


@pytest.mark.parametrize(
    "changes, finding",
    [
        ("not a dict", "its changes are not an object (str)"),
        (["state", "approved"], "its changes are not an object (list)"),
        ({"state": "approved"}, "its change of 'state' is not a [from, to] pair"),
        ({"state": [["submitted"], {"to": "approved"}]}, "changes state from"),
    ],
)
def test_verify_audit_reports_malformed_changes_and_checks_everything_else(
    worked, checker, changes, finding
):
    claim = worked.claims.get(state=Claim.State.SUBMITTED)
    forge(claim, checker, "note", changes)
    Claim.objects.filter(pk=worked.claims.get(state="dismissed").pk).update(
        state=Claim.State.OPEN
    )
    status, output = verify_audit()
    assert status == 1
    assert finding in output
    assert "state is 'open' but its events say 'dismissed'" in output


def test_verify_audit_reports_a_signed_off_verdict_changed_behind_the_workflow(
    checker, editor, other_editor
):
    article = make_article(checker)
    first, *others = article.claims.order_by("start")
    make_approved(first, checker, other_editor)
    for claim in others:
        workflow.dismiss(
            claim, user=checker, reason="Opinion.", version=current_version(claim)
        )
    workflow.sign_off(article, user=editor, version=current_version(article))
    assert verify_audit()[0] == 0
    Claim.objects.filter(pk=first.pk).update(start=first.start + 1)
    status, output = verify_audit()
    assert status == 1
    assert (
        f"article #{article.pk}: its stored sign-off fingerprint does not match"
        in output
    )


def test_verify_audit_reports_malformed_stored_sentences(worked):
    Article.objects.filter(pk=worked.pk).update(sentences="abc")
    status, output = verify_audit()
    assert status == 1
    assert f"article #{worked.pk}: its stored sentences are malformed" in output


def test_an_event_saved_directly_still_joins_the_chain(claim, checker):
    event = Event.objects.create(
        actor=checker,
        action="note",
        target_type="claim",
        target_id=claim.pk,
        claim=claim,
        article=claim.article,
    )
    assert event.sequence == AuditHead.objects.get().sequence
    assert list(audit.check_chain()) == []


@pytest.mark.django_db(transaction=True)
def test_the_migration_chains_the_events_already_there():
    executor = MigrationExecutor(connection)
    before = [("verifier", "0005_claim_updated_at_index")]
    latest = executor.loader.graph.leaf_nodes("verifier")
    executor.migrate(before)
    apps = executor.loader.project_state(before).apps
    user = apps.get_model("auth", "User").objects.create(
        username="olga", is_superuser=True
    )
    article = apps.get_model("verifier", "Article").objects.create(
        title="Old", body="Old text.", body_sha256="0" * 64, imported_by=user
    )
    OldEvent = apps.get_model("verifier", "Event")
    for action in ("import", "edit", "edit"):
        OldEvent.objects.create(
            actor=user,
            action=action,
            target_type="article",
            target_id=article.pk,
            article=article,
            changes={"title": [None, "Old"]},
            reason="Before the chain.",
        )
    executor = MigrationExecutor(connection)
    executor.migrate(latest)
    events = list(Event.objects.order_by("pk"))
    assert [e.sequence for e in events] == [1, 2, 3]
    assert [e.reason for e in events] == ["Before the chain."] * 3
    assert list(audit.check_chain()) == []
    assert AuditHead.objects.get().hash == events[-1].hash
