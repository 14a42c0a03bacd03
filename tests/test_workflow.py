"""Every allowed and forbidden transition, with the Event each one writes."""

import pytest

from tests.conftest import (
    cite,
    current_version,
    last_event,
    make_approved,
    make_article,
    make_in_progress,
    make_submitted,
    rating,
    refresh,
)
from verifier import workflow
from verifier.models import Article, Claim, Event, WorkflowPolicy

pytestmark = pytest.mark.django_db


# --- start ---


def test_checker_starts_unassigned_claim_and_it_becomes_theirs(claim, checker):
    workflow.start(claim, user=checker, version=current_version(claim))
    claim = refresh(claim)
    assert claim.state == Claim.State.IN_PROGRESS
    assert claim.assignee == checker
    event = last_event(claim)
    assert (event.action, event.actor) == ("start", checker)
    assert event.changes["state"] == ["open", "in_progress"]


def test_starting_first_claim_puts_draft_article_in_review(claim, checker):
    assert claim.article.state == Article.State.DRAFT
    workflow.start(claim, user=checker, version=current_version(claim))
    article = refresh(claim.article)
    assert article.state == Article.State.IN_REVIEW
    assert article.events.filter(action="open_for_review").count() == 1


def test_checker_cannot_start_claim_assigned_to_someone_else(
    claim, checker, other_checker, editor
):
    workflow.assign(
        claim, user=editor, assignee=other_checker, version=current_version(claim)
    )
    with pytest.raises(workflow.WorkflowError, match="assigned to bob"):
        workflow.start(claim, user=checker, version=current_version(claim))
    assert refresh(claim).state == Claim.State.OPEN


def test_assignee_can_start_claim_assigned_to_them(claim, other_checker, editor):
    workflow.assign(
        claim, user=editor, assignee=other_checker, version=current_version(claim)
    )
    workflow.start(claim, user=other_checker, version=current_version(claim))
    assert refresh(claim).state == Claim.State.IN_PROGRESS


def test_user_without_role_cannot_start(claim, nobody):
    with pytest.raises(workflow.WorkflowError, match="permission"):
        workflow.start(claim, user=nobody, version=current_version(claim))


def test_claim_in_progress_cannot_be_started_again(claim, checker):
    workflow.start(claim, user=checker, version=current_version(claim))
    with pytest.raises(workflow.WorkflowError, match="in progress"):
        workflow.start(claim, user=checker, version=current_version(claim))
    assert Event.objects.filter(claim=claim, action="start").count() == 1


# --- verdict ---


def test_assignee_saves_verdict_with_event(claim, checker):
    workflow.start(claim, user=checker, version=current_version(claim))
    workflow.save_verdict(
        claim,
        user=checker,
        rating=rating("False"),
        rationale="Wrong year.",
        version=current_version(claim),
    )
    claim = refresh(claim)
    assert (claim.rating.label, claim.rationale) == ("False", "Wrong year.")
    event = last_event(claim)
    assert event.action == "verdict"
    assert event.changes["rating"] == [None, "False"]
    assert event.changes["rationale"] == ["", "Wrong year."]


def test_stale_verdict_edit_is_a_conflict_and_changes_nothing(claim, checker):
    workflow.start(claim, user=checker, version=current_version(claim))
    seen = refresh(claim).version
    workflow.save_verdict(
        claim, user=checker, rating=rating("False"), rationale="First.", version=seen
    )
    with pytest.raises(workflow.Conflict) as error:
        workflow.save_verdict(
            claim,
            user=checker,
            rating=rating("Accurate"),
            rationale="Second.",
            version=seen,
        )
    assert error.value.current.rationale == "First."
    claim = refresh(claim)
    assert (claim.rating.label, claim.rationale) == ("False", "First.")


def test_only_assignee_can_set_verdict(claim, checker, other_checker):
    workflow.start(claim, user=checker, version=current_version(claim))
    with pytest.raises(workflow.WorkflowError, match="assigned to"):
        workflow.save_verdict(
            claim,
            user=other_checker,
            rating=rating(),
            rationale="x",
            version=current_version(claim),
        )


def test_retired_rating_cannot_be_chosen(claim, checker):
    workflow.start(claim, user=checker, version=current_version(claim))
    retired = rating("Needs context")
    retired.is_active = False
    retired.save()
    with pytest.raises(workflow.WorkflowError, match="retired"):
        workflow.save_verdict(
            claim,
            user=checker,
            rating=retired,
            rationale="x",
            version=current_version(claim),
        )


def test_verdict_cannot_be_set_on_open_claim(claim, checker):
    with pytest.raises(workflow.WorkflowError, match="open"):
        workflow.save_verdict(
            claim,
            user=checker,
            rating=rating(),
            rationale="x",
            version=current_version(claim),
        )


# --- submit ---


def test_assignee_submits_complete_verdict(claim, checker):
    make_in_progress(claim, checker)
    workflow.submit(claim, user=checker, version=current_version(claim))
    claim = refresh(claim)
    assert claim.state == Claim.State.SUBMITTED
    assert claim.submitted_by == checker
    assert last_event(claim).changes["state"] == ["in_progress", "submitted"]


def test_submit_needs_verdict_and_rationale(claim, checker):
    workflow.start(claim, user=checker, version=current_version(claim))
    with pytest.raises(workflow.WorkflowError) as error:
        workflow.submit(claim, user=checker, version=current_version(claim))
    assert "choose a verdict" in error.value.message
    assert "write a rationale" in error.value.message
    assert refresh(claim).state == Claim.State.IN_PROGRESS


def test_submit_needs_evidence_the_rating_requires(claim, checker):
    workflow.start(claim, user=checker, version=current_version(claim))
    workflow.save_verdict(
        claim,
        user=checker,
        rating=rating("False"),
        rationale="Wrong.",
        version=current_version(claim),
    )
    with pytest.raises(
        workflow.WorkflowError, match="needs at least 1 piece of evidence"
    ):
        workflow.submit(claim, user=checker, version=current_version(claim))


def test_rating_without_evidence_requirement_submits_without_evidence(claim, checker):
    workflow.start(claim, user=checker, version=current_version(claim))
    workflow.save_verdict(
        claim,
        user=checker,
        rating=rating("Unverifiable"),
        rationale="None.",
        version=current_version(claim),
    )
    workflow.submit(claim, user=checker, version=current_version(claim))
    assert refresh(claim).state == Claim.State.SUBMITTED


def test_policy_can_require_more_evidence(claim, checker):
    WorkflowPolicy.objects.filter(pk=1).update(evidence_required=2)
    make_in_progress(claim, checker)
    with pytest.raises(workflow.WorkflowError, match="at least 2 pieces"):
        workflow.submit(claim, user=checker, version=current_version(claim))
    cite(claim, checker)
    workflow.submit(claim, user=checker, version=current_version(claim))
    assert refresh(claim).state == Claim.State.SUBMITTED


def test_only_assignee_can_submit(claim, checker, other_checker):
    make_in_progress(claim, checker)
    with pytest.raises(workflow.WorkflowError, match="assigned to"):
        workflow.submit(claim, user=other_checker, version=current_version(claim))


# --- approve ---


def test_editor_approves_submitted_verdict(claim, checker, editor):
    make_submitted(claim, checker)
    workflow.approve(claim, user=editor, version=current_version(claim))
    claim = refresh(claim)
    assert claim.state == Claim.State.APPROVED
    assert claim.approved_by == editor
    event = last_event(claim)
    assert (event.action, event.actor) == ("approve", editor)


def test_editor_cannot_approve_verdict_they_submitted(claim, editor):
    make_submitted(claim, editor)
    with pytest.raises(workflow.WorkflowError, match="another editor approves it"):
        workflow.approve(claim, user=editor, version=current_version(claim))
    assert refresh(claim).state == Claim.State.SUBMITTED


def test_editor_who_wrote_verdict_cannot_approve_after_checker_submits(
    claim, editor, checker
):
    make_in_progress(claim, editor)
    workflow.assign(
        claim, user=editor, assignee=checker, version=current_version(claim)
    )
    workflow.submit(claim, user=checker, version=current_version(claim))
    with pytest.raises(workflow.WorkflowError, match="another editor approves it"):
        workflow.approve(claim, user=editor, version=current_version(claim))
    assert refresh(claim).state == Claim.State.SUBMITTED


def test_editor_who_rewrote_a_returned_verdict_cannot_approve_it(
    claim, checker, editor, other_editor
):
    make_submitted(claim, checker)
    workflow.return_(
        claim,
        user=other_editor,
        reason="Check the year.",
        version=current_version(claim),
    )
    workflow.assign(claim, user=editor, assignee=editor, version=current_version(claim))
    workflow.save_verdict(
        claim,
        user=editor,
        rating=rating("False"),
        rationale="Rewritten by me.",
        version=current_version(claim),
    )
    workflow.assign(
        claim, user=editor, assignee=checker, version=current_version(claim)
    )
    workflow.submit(claim, user=checker, version=current_version(claim))
    with pytest.raises(workflow.WorkflowError, match="another editor approves it"):
        workflow.approve(claim, user=editor, version=current_version(claim))
    workflow.approve(claim, user=other_editor, version=current_version(claim))
    assert refresh(claim).state == Claim.State.APPROVED


def test_editor_whose_evidence_was_withdrawn_before_start_may_approve(
    claim, checker, editor
):
    evidence = cite(claim, editor)
    workflow.remove_evidence(evidence, user=editor)
    make_submitted(claim, checker)
    workflow.approve(claim, user=editor, version=current_version(claim))
    assert refresh(claim).state == Claim.State.APPROVED


def test_editor_whose_evidence_is_still_cited_cannot_approve(claim, checker, editor):
    cite(claim, editor)
    make_submitted(claim, checker)
    with pytest.raises(workflow.WorkflowError, match="another editor approves it"):
        workflow.approve(claim, user=editor, version=current_version(claim))


def test_without_four_eyes_editor_approves_own_verdict(claim, editor):
    WorkflowPolicy.objects.filter(pk=1).update(four_eyes=False)
    make_submitted(claim, editor)
    workflow.approve(claim, user=editor, version=current_version(claim))
    assert refresh(claim).state == Claim.State.APPROVED


def test_checker_cannot_approve(claim, checker, other_checker):
    make_submitted(claim, checker)
    with pytest.raises(workflow.WorkflowError, match="permission"):
        workflow.approve(claim, user=other_checker, version=current_version(claim))


def test_claim_in_progress_cannot_be_approved(claim, checker, editor):
    make_in_progress(claim, checker)
    with pytest.raises(workflow.WorkflowError, match="in progress"):
        workflow.approve(claim, user=editor, version=current_version(claim))


def test_approved_claim_cannot_be_approved_twice(claim, checker, editor, other_editor):
    make_approved(claim, checker, editor)
    with pytest.raises(workflow.WorkflowError, match="approved"):
        workflow.approve(claim, user=other_editor, version=current_version(claim))
    assert Event.objects.filter(claim=claim, action="approve").count() == 1


# --- return and reopen ---


def test_editor_returns_submitted_verdict_with_reason(claim, checker, editor):
    make_submitted(claim, checker)
    workflow.return_(
        claim,
        user=editor,
        reason="Cite the primary source.",
        version=current_version(claim),
    )
    claim = refresh(claim)
    assert claim.state == Claim.State.IN_PROGRESS
    event = last_event(claim)
    assert (event.action, event.reason) == ("return", "Cite the primary source.")


def test_return_needs_a_reason(claim, checker, editor):
    make_submitted(claim, checker)
    with pytest.raises(workflow.WorkflowError, match="reason"):
        workflow.return_(
            claim, user=editor, reason="   ", version=current_version(claim)
        )
    assert refresh(claim).state == Claim.State.SUBMITTED


def test_checker_cannot_return(claim, checker, other_checker):
    make_submitted(claim, checker)
    with pytest.raises(workflow.WorkflowError, match="permission"):
        workflow.return_(
            claim, user=other_checker, reason="No.", version=current_version(claim)
        )


def test_open_claim_cannot_be_returned(claim, editor):
    with pytest.raises(workflow.WorkflowError, match="open"):
        workflow.return_(
            claim, user=editor, reason="No.", version=current_version(claim)
        )


def test_editor_reopens_approved_claim_with_reason(claim, checker, editor):
    make_approved(claim, checker, editor)
    workflow.reopen(
        claim, user=editor, reason="New data published.", version=current_version(claim)
    )
    claim = refresh(claim)
    assert claim.state == Claim.State.IN_PROGRESS
    assert claim.approved_by is None
    assert last_event(claim).reason == "New data published."


def test_reopen_needs_a_reason(claim, checker, editor):
    make_approved(claim, checker, editor)
    with pytest.raises(workflow.WorkflowError, match="reason"):
        workflow.reopen(claim, user=editor, reason="", version=current_version(claim))


def test_submitted_claim_cannot_be_reopened(claim, checker, editor):
    make_submitted(claim, checker)
    with pytest.raises(workflow.WorkflowError, match="submitted"):
        workflow.reopen(claim, user=editor, reason="x", version=current_version(claim))


def test_checker_cannot_reopen(claim, checker, editor):
    make_approved(claim, checker, editor)
    with pytest.raises(workflow.WorkflowError, match="permission"):
        workflow.reopen(claim, user=checker, reason="x", version=current_version(claim))


# --- dismiss and restore ---


def test_checker_dismisses_open_claim_with_reason(claim, checker):
    workflow.dismiss(
        claim,
        user=checker,
        reason="Opinion, not checkable.",
        version=current_version(claim),
    )
    claim = refresh(claim)
    assert claim.state == Claim.State.DISMISSED
    assert claim.dismiss_reason == "Opinion, not checkable."
    assert last_event(claim).reason == "Opinion, not checkable."


def test_checker_dismisses_claim_in_progress(claim, checker):
    workflow.start(claim, user=checker, version=current_version(claim))
    workflow.dismiss(
        claim, user=checker, reason="Duplicate of #2.", version=current_version(claim)
    )
    assert refresh(claim).state == Claim.State.DISMISSED


def test_dismiss_needs_a_reason(claim, checker):
    with pytest.raises(workflow.WorkflowError, match="reason"):
        workflow.dismiss(claim, user=checker, reason="", version=current_version(claim))


def test_submitted_claim_cannot_be_dismissed(claim, checker):
    make_submitted(claim, checker)
    with pytest.raises(workflow.WorkflowError, match="submitted"):
        workflow.dismiss(
            claim, user=checker, reason="x", version=current_version(claim)
        )


def test_editor_restores_dismissed_claim(claim, checker, editor):
    workflow.dismiss(
        claim, user=checker, reason="Not a claim.", version=current_version(claim)
    )
    workflow.restore(claim, user=editor, version=current_version(claim))
    claim = refresh(claim)
    assert claim.state == Claim.State.OPEN
    assert claim.dismiss_reason == ""
    assert last_event(claim).changes["state"] == ["dismissed", "open"]


def test_checker_cannot_restore(claim, checker):
    workflow.dismiss(
        claim, user=checker, reason="Not a claim.", version=current_version(claim)
    )
    with pytest.raises(workflow.WorkflowError, match="permission"):
        workflow.restore(claim, user=checker, version=current_version(claim))


def test_open_claim_cannot_be_restored(claim, editor):
    with pytest.raises(workflow.WorkflowError, match="open"):
        workflow.restore(claim, user=editor, version=current_version(claim))


# --- assign ---


def test_editor_assigns_claim_with_event(claim, editor, checker):
    workflow.assign(
        claim, user=editor, assignee=checker, version=current_version(claim)
    )
    claim = refresh(claim)
    assert claim.assignee == checker
    assert last_event(claim).changes["assignee"] == [None, "alice"]


def test_checker_cannot_assign(claim, checker, other_checker):
    with pytest.raises(workflow.WorkflowError, match="permission"):
        workflow.assign(
            claim, user=checker, assignee=other_checker, version=current_version(claim)
        )


def test_claim_cannot_be_assigned_to_user_without_role(claim, editor, nobody):
    with pytest.raises(workflow.WorkflowError, match="not a fact-checker"):
        workflow.assign(
            claim, user=editor, assignee=nobody, version=current_version(claim)
        )


# --- evidence and notes ---


def test_evidence_is_recorded_with_event(claim, checker):
    evidence = cite(claim, checker)
    event = last_event(claim)
    assert event.action == "add_evidence"
    assert event.changes["excerpt"] == [None, evidence.excerpt]


def test_removed_evidence_stays_in_history(claim, checker):
    evidence = cite(claim, checker)
    workflow.remove_evidence(evidence, user=checker)
    assert claim.evidence.count() == 0
    assert last_event(claim).changes["excerpt"] == [
        "The report says so on page 3.",
        None,
    ]


def test_evidence_needs_an_excerpt(claim, checker):
    source = workflow.create_source(
        user=checker, title="Report", reference="Archive box 4"
    )
    with pytest.raises(workflow.WorkflowError, match="excerpt"):
        workflow.add_evidence(
            claim, user=checker, source=source, excerpt=" ", stance="supports"
        )


def test_note_is_appended_with_event(claim, checker):
    note = workflow.add_note(claim, user=checker, text="Called the agency.")
    assert last_event(claim).target_id == note.pk
    assert list(claim.notes.values_list("text", flat=True)) == ["Called the agency."]


def test_empty_note_is_refused(claim, checker):
    with pytest.raises(workflow.WorkflowError, match="empty"):
        workflow.add_note(claim, user=checker, text="  ")
    assert claim.notes.count() == 0


# --- sign-off ---


def settle_all(article, checker, editor):
    first, *rest = article.claims.order_by("start")
    make_approved(first, checker, editor)
    for claim in rest:
        workflow.dismiss(
            claim,
            user=checker,
            reason="Not check-worthy.",
            version=current_version(claim),
        )


def test_editor_signs_off_settled_article_with_fingerprint(article, checker, editor):
    settle_all(article, checker, editor)
    workflow.sign_off(article, user=editor, version=current_version(article))
    article = refresh(article)
    assert article.state == Article.State.SIGNED_OFF
    assert article.signed_off_by == editor
    assert len(article.fingerprint) == 64
    assert last_event(article).changes["state"][1] == "signed_off"


def test_sign_off_needs_every_claim_settled(article, checker, editor):
    make_approved(article.claims.order_by("start").first(), checker, editor)
    with pytest.raises(workflow.WorkflowError, match="2 claims are not yet approved"):
        workflow.sign_off(article, user=editor, version=current_version(article))
    assert refresh(article).state != Article.State.SIGNED_OFF


def test_checker_cannot_sign_off(article, checker, editor):
    settle_all(article, checker, editor)
    with pytest.raises(workflow.WorkflowError, match="permission"):
        workflow.sign_off(article, user=checker, version=current_version(article))


def test_article_cannot_be_signed_off_twice(article, checker, editor, other_editor):
    settle_all(article, checker, editor)
    workflow.sign_off(article, user=editor, version=current_version(article))
    with pytest.raises(workflow.WorkflowError, match="already signed off by carol"):
        workflow.sign_off(article, user=other_editor, version=current_version(article))
    assert article.events.filter(action="sign_off").count() == 1


def test_signed_off_article_is_read_only(article, checker, editor):
    settle_all(article, checker, editor)
    workflow.sign_off(article, user=editor, version=current_version(article))
    approved, dismissed = article.claims.order_by("start")[:2]
    attempts = [
        lambda: workflow.reopen(
            approved, user=editor, reason="x", version=current_version(approved)
        ),
        lambda: workflow.restore(
            dismissed, user=editor, version=current_version(dismissed)
        ),
        lambda: workflow.add_note(approved, user=checker, text="x"),
        lambda: cite(dismissed, checker),
        lambda: workflow.update_article(article, user=editor, title="New"),
    ]
    for attempt in attempts:
        with pytest.raises(workflow.WorkflowError, match="signed off"):
            attempt()
    assert refresh(approved).state == Claim.State.APPROVED


def test_reopened_article_can_change_again(article, checker, editor):
    settle_all(article, checker, editor)
    workflow.sign_off(article, user=editor, version=current_version(article))
    workflow.reopen_article(
        article,
        user=editor,
        reason="Correction requested.",
        version=current_version(article),
    )
    article = refresh(article)
    assert article.state == Article.State.IN_REVIEW
    assert article.fingerprint == ""
    assert last_event(article).reason == "Correction requested."
    claim = article.claims.order_by("start").first()
    workflow.reopen(
        claim, user=editor, reason="Recheck.", version=current_version(claim)
    )
    assert refresh(claim).state == Claim.State.IN_PROGRESS


def test_article_reopen_needs_reason_and_sign_off(article, checker, editor):
    with pytest.raises(workflow.WorkflowError, match="Only a signed-off"):
        workflow.reopen_article(
            article, user=editor, reason="x", version=current_version(article)
        )
    settle_all(article, checker, editor)
    workflow.sign_off(article, user=editor, version=current_version(article))
    with pytest.raises(workflow.WorkflowError, match="reason"):
        workflow.reopen_article(
            article, user=editor, reason="", version=current_version(article)
        )


def test_without_lock_policy_signed_off_claims_take_notes(article, checker, editor):
    WorkflowPolicy.objects.filter(pk=1).update(lock_after_sign_off=False)
    settle_all(article, checker, editor)
    workflow.sign_off(article, user=editor, version=current_version(article))
    claim = article.claims.order_by("start").first()
    workflow.add_note(claim, user=checker, text="Reader asked about this.")
    assert claim.notes.count() == 1


def test_fingerprint_changes_when_a_verdict_changes(article, checker, editor):
    claims = list(article.claims.select_related("rating").order_by("start"))
    before = workflow.fingerprint(article, claims)
    claims[0].rationale = "different"
    assert workflow.fingerprint(article, claims) != before


# --- import ---


def test_claim_span_outside_text_is_refused_and_nothing_saved(checker):
    with pytest.raises(workflow.WorkflowError, match="outside the article"):
        make_article(checker, body="Short text.", spans=[workflow.Span(0, 99)])
    assert Article.objects.count() == 0


def test_claims_carry_a_quote_selector(checker):
    article = make_article(checker)
    claim = article.claims.order_by("start")[1]
    assert claim.text == article.body[claim.start : claim.end]
    assert article.body.endswith(claim.suffix) or claim.suffix in article.body
    assert article.body[claim.start - len(claim.prefix) : claim.start] == claim.prefix
    assert article.body[claim.end : claim.end + len(claim.suffix)] == claim.suffix
