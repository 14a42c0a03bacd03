"""Every allowed and forbidden transition, with the Event each one writes."""

import pytest
from django.contrib.auth.models import User

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


def test_fingerprint_changes_when_an_approved_verdict_differs(article, checker, editor):
    settle_all(article, checker, editor)
    claims = list(article.claims.order_by("start"))
    before = workflow.fingerprint(article, claims)
    claims[0].approval = claims[0].approval | {"rationale": "different"}
    assert workflow.fingerprint(article, claims) != before


def test_fingerprint_ignores_live_edits_made_after_approval(article, checker, editor):
    settle_all(article, checker, editor)
    claims = list(article.claims.order_by("start"))
    before = workflow.fingerprint(article, claims)
    for claim in claims:
        claim.rationale = "edited behind the record"
    assert workflow.fingerprint(article, claims) == before


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


# --- versions: every transition checks the one the user saw --------------------------


def _transitions(claim, checker, editor):
    """Each versioned transition, as a call taking the version, on a claim ready for
    it (so that only the version can make it fail)."""
    return {
        "start": lambda v: workflow.start(claim, user=checker, version=v),
        "assign": lambda v: workflow.assign(
            claim, user=editor, assignee=editor, version=v
        ),
        "dismiss": lambda v: workflow.dismiss(
            claim, user=checker, reason="Duplicate.", version=v
        ),
        "adjust": lambda v: workflow.adjust_span(
            claim, user=checker, start=claim.start, end=claim.end - 1, version=v
        ),
        "split": lambda v: workflow.split(
            claim, user=checker, at=claim.start + 10, version=v
        ),
    }


@pytest.mark.parametrize("action", ["start", "assign", "dismiss", "adjust", "split"])
@pytest.mark.parametrize("version", [None, "stale"])
def test_transition_without_the_current_version_is_a_conflict(
    claim, checker, editor, action, version
):
    if version == "stale":
        version = current_version(claim) - 1 or 99
    before = (refresh(claim).version, Event.objects.count())
    with pytest.raises(workflow.Conflict):
        _transitions(claim, checker, editor)[action](version)
    assert (refresh(claim).version, Event.objects.count()) == before


@pytest.mark.parametrize(
    "call",
    [
        lambda c, ch, ed: workflow.save_verdict(
            c, user=ch, rating=rating("False"), rationale="x", version=None
        ),
        lambda c, ch, ed: workflow.submit(c, user=ch, version=None),
    ],
    ids=["verdict", "submit"],
)
def test_work_in_progress_without_a_version_is_a_conflict(claim, checker, editor, call):
    make_in_progress(claim, checker)
    with pytest.raises(workflow.Conflict, match="did not say which version"):
        call(claim, checker, editor)
    assert refresh(claim).state == Claim.State.IN_PROGRESS


@pytest.mark.parametrize("action", ["approve", "return"])
def test_decision_without_a_version_is_a_conflict(claim, checker, editor, action):
    make_submitted(claim, checker)
    kwargs = {"reason": "Why."} if action == "return" else {}
    with pytest.raises(workflow.Conflict):
        getattr(workflow, "return_" if action == "return" else action)(
            claim, user=editor, version=None, **kwargs
        )
    assert refresh(claim).state == Claim.State.SUBMITTED


def test_merge_with_a_stale_version_is_a_conflict(article, checker):
    first, second, _ = article.claims.order_by("start")
    seen = current_version(first)
    workflow.adjust_span(
        first, user=checker, start=first.start, end=first.end - 1, version=seen
    )
    with pytest.raises(workflow.Conflict):
        workflow.merge(first, second, user=checker, version=seen)
    assert refresh(second).state == Claim.State.OPEN


def test_sign_off_without_a_version_is_a_conflict(article, checker, editor):
    for claim in article.claims.all():
        workflow.dismiss(
            claim, user=checker, reason="Not a claim.", version=current_version(claim)
        )
    with pytest.raises(workflow.Conflict):
        workflow.sign_off(article, user=editor, version=None)
    assert not refresh(article).is_signed_off


# --- who may work a claim: its assignee, anyone while unassigned, editors ------------


def _assigned_to(claim, checker, editor, state):
    workflow.assign(
        claim, user=editor, assignee=checker, version=current_version(claim)
    )
    if state == Claim.State.IN_PROGRESS:
        make_in_progress(claim, checker)
    return refresh(claim)


WORK_ON_ANOTHERS_CLAIM = {
    "dismiss": lambda c, u: workflow.dismiss(
        c, user=u, reason="Duplicate.", version=current_version(c)
    ),
    "adjust": lambda c, u: workflow.adjust_span(
        c, user=u, start=c.start, end=c.end - 1, version=current_version(c)
    ),
    "add evidence": lambda c, u: cite(c, u, source=c.evidence.first().source),
    "remove evidence": lambda c, u: workflow.remove_evidence(
        c.evidence.first(), user=u
    ),
    "verdict": lambda c, u: workflow.save_verdict(
        c, user=u, rating=rating("False"), rationale="Mine.", version=current_version(c)
    ),
    "submit": lambda c, u: workflow.submit(c, user=u, version=current_version(c)),
}


@pytest.mark.parametrize("action", WORK_ON_ANOTHERS_CLAIM)
def test_checker_cannot_work_another_checkers_claim_in_progress(
    claim, checker, other_checker, editor, action
):
    claim = _assigned_to(claim, checker, editor, Claim.State.IN_PROGRESS)
    before = (refresh(claim).version, Event.objects.count(), claim.evidence.count())
    with pytest.raises(workflow.WorkflowError, match="only they or an editor"):
        WORK_ON_ANOTHERS_CLAIM[action](claim, other_checker)
    after = (refresh(claim).version, Event.objects.count(), claim.evidence.count())
    assert after == before


@pytest.mark.parametrize("action", WORK_ON_ANOTHERS_CLAIM)
def test_editor_may_work_a_checkers_claim_in_progress(
    claim, checker, editor, other_editor, action
):
    claim = _assigned_to(claim, checker, editor, Claim.State.IN_PROGRESS)
    WORK_ON_ANOTHERS_CLAIM[action](claim, other_editor)
    assert last_event(claim).actor == other_editor


@pytest.mark.parametrize("action", ["start", "dismiss", "split", "merge"])
def test_checker_cannot_take_over_an_open_claim_assigned_to_another(
    article, checker, other_checker, editor, action
):
    claim, following, _ = article.claims.order_by("start")
    for each in (claim, following):
        workflow.assign(
            each, user=editor, assignee=checker, version=current_version(each)
        )
    calls = {
        "start": lambda: workflow.start(
            claim, user=other_checker, version=current_version(claim)
        ),
        "dismiss": lambda: workflow.dismiss(
            claim, user=other_checker, reason="x", version=current_version(claim)
        ),
        "split": lambda: workflow.split(
            claim,
            user=other_checker,
            at=claim.start + 10,
            version=current_version(claim),
        ),
        "merge": lambda: workflow.merge(
            claim, following, user=other_checker, version=current_version(claim)
        ),
    }
    with pytest.raises(workflow.WorkflowError, match="assigned to alice"):
        calls[action]()
    assert refresh(claim).state == Claim.State.OPEN


def test_any_checker_may_work_a_claim_an_editor_unassigned(
    claim, checker, other_checker, editor
):
    make_in_progress(claim, checker)
    assert workflow.can_save_verdict(other_checker, refresh(claim)) is not None
    workflow.assign(claim, user=editor, assignee=None, version=current_version(claim))
    workflow.save_verdict(
        claim,
        user=other_checker,
        rating=rating("False"),
        rationale="Picked up.",
        version=current_version(claim),
    )
    assert refresh(claim).rationale == "Picked up."


def test_editor_starting_a_checkers_claim_leaves_it_assigned_to_them(
    claim, checker, editor
):
    workflow.assign(
        claim, user=editor, assignee=checker, version=current_version(claim)
    )
    workflow.start(claim, user=editor, version=current_version(claim))
    claim = refresh(claim)
    assert (claim.state, claim.assignee) == (Claim.State.IN_PROGRESS, checker)


def test_any_checker_may_write_a_note_on_another_checkers_claim(
    claim, checker, other_checker, editor
):
    # Notes are the claim's shared log, not part of the verdict.
    claim = _assigned_to(claim, checker, editor, Claim.State.IN_PROGRESS)
    note = workflow.add_note(claim, user=other_checker, text="The office called back.")
    assert note.author == other_checker


def test_claimant_may_be_set_by_whoever_may_work_the_claim(
    claim, checker, other_checker, editor
):
    claim = _assigned_to(claim, checker, editor, Claim.State.IN_PROGRESS)
    assert workflow.can_set_claimant(checker, claim) is None
    assert workflow.can_set_claimant(editor, claim) is None
    assert "only they or an editor" in workflow.can_set_claimant(other_checker, claim)
    workflow.submit(claim, user=checker, version=current_version(claim))
    assert "submitted" in workflow.can_set_claimant(checker, refresh(claim))


# --- one judge: the checks, the transitions and the lists agree ----------------------


def test_refused_approval_says_why_in_words(claim, checker, editor):
    make_in_progress(claim, checker)
    workflow.save_verdict(
        claim,
        user=editor,
        rating=rating("False"),
        rationale="Rewritten by the editor.",
        version=current_version(claim),
    )
    workflow.submit(claim, user=checker, version=current_version(claim))
    actions = workflow.allowed_actions(editor, refresh(claim))
    assert not actions["approve"] and actions["return"]
    assert actions.refused["approve"] == workflow.FOUR_EYES
    assert actions.refused["approve"].startswith("You wrote this verdict;")


def test_dashboard_list_of_approvable_claims_agrees_with_can_approve(
    checker, other_checker, editor, other_editor, admin_user
):
    body = "\n\n".join(f"Claim {i}: the figure rose {i}% last year." for i in range(8))
    claims = list(make_article(checker, body=body).claims.order_by("start"))

    def v(c):
        return current_version(c)

    # 0: the checker wrote and submitted it.
    make_submitted(claims[0], checker)
    # 1: the editor wrote the verdict; the checker submitted.
    make_in_progress(claims[1], checker)
    workflow.save_verdict(
        claims[1],
        user=editor,
        rating=rating("False"),
        rationale="Ed.",
        version=v(claims[1]),
    )
    workflow.submit(claims[1], user=checker, version=v(claims[1]))
    # 2: the editor cited evidence still cited.
    make_in_progress(claims[2], checker)
    cite(claims[2], editor)
    workflow.submit(claims[2], user=checker, version=v(claims[2]))
    # 3: the editor's evidence was withdrawn before the claim was started.
    workflow.remove_evidence(cite(claims[3], editor), user=editor)
    make_submitted(claims[3], checker)
    workflow.return_(
        claims[3], user=other_editor, reason="Again.", version=v(claims[3])
    )
    workflow.submit(claims[3], user=checker, version=v(claims[3]))
    # 4: the editor rewrote the rationale, then the checker rewrote it again.
    make_in_progress(claims[4], checker)
    workflow.save_verdict(
        claims[4], user=editor, rating=rating(), rationale="Ed.", version=v(claims[4])
    )
    workflow.save_verdict(
        claims[4],
        user=checker,
        rating=rating(),
        rationale="Mine.",
        version=v(claims[4]),
    )
    workflow.submit(claims[4], user=checker, version=v(claims[4]))
    # 5: the editor submitted it.
    make_in_progress(claims[5], checker)
    workflow.submit(claims[5], user=editor, version=v(claims[5]))
    # 6: in progress, 7: open.
    make_in_progress(claims[6], checker)

    people = [checker, other_checker, editor, other_editor, admin_user]
    for four_eyes in (True, False):
        WorkflowPolicy.objects.filter(pk=1).update(four_eyes=four_eyes)
        for person in people:
            listed = set(
                workflow.approvable_by(person, Claim.objects.all()).values_list(
                    "pk", flat=True
                )
            )
            judged = {
                c.pk
                for c in Claim.objects.all()
                if workflow.can_approve(person, c) is None
            }
            assert listed == judged, (four_eyes, person)
        # Who is told a verdict awaits them: the same judgement, claim by claim
        # (superusers hold every permission but are not on the desk).
        desk = User.objects.filter(is_superuser=False)
        for c in Claim.objects.all():
            told = {person.pk for person in workflow.approvers(c)}
            judged = {p.pk for p in desk if workflow.can_approve(p, c) is None}
            assert told == judged, (four_eyes, c.pk)
    WorkflowPolicy.objects.filter(pk=1).update(four_eyes=True)
    listed = workflow.approvable_by(editor, Claim.objects.all())
    assert {c.pk for c in listed} == {claims[0].pk, claims[3].pk, claims[4].pk}


# --- one shape for audited writes ----------------------------------------------------


def test_a_change_records_each_field_from_and_to_with_relations_by_name_and_id(
    claim, checker, editor
):
    workflow.assign(
        claim, user=editor, assignee=checker, version=current_version(claim)
    )
    event = last_event(claim)
    assert event.changes == {
        "assignee": [None, "alice"],
        "assignee_id": [None, checker.pk],
    }
    assert refresh(claim).version == 2


def test_a_change_that_changes_nothing_is_not_recorded(claim, checker):
    make_in_progress(claim, checker)
    before = (current_version(claim), Event.objects.count())
    workflow.save_verdict(
        claim,
        user=checker,
        rating=rating(),
        rationale="The figure is from another year.",
        version=current_version(claim),
    )
    assert (current_version(claim), Event.objects.count()) == before


def test_sign_off_and_reopen_record_their_changes(article, checker, editor):
    for claim in article.claims.all():
        workflow.dismiss(
            claim, user=checker, reason="Not a claim.", version=current_version(claim)
        )
    workflow.sign_off(article, user=editor, version=current_version(article))
    article = refresh(article)
    signed = last_event(article)
    assert signed.changes["state"][1] == "signed_off"
    assert signed.changes["signed_off_by_id"] == [None, editor.pk]
    assert signed.changes["fingerprint"] == ["", article.fingerprint]
    workflow.reopen_article(
        article, user=editor, reason="Correction.", version=current_version(article)
    )
    reopened = last_event(article)
    assert reopened.changes["signed_off_by"] == ["carol", None]
    assert reopened.reason == "Correction."
    assert refresh(article).signed_off_at is None
