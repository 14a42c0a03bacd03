"""Two or more people acting on the same claim at the same moment.

Each race runs every attempt in its own thread with its own database connection,
released together by a barrier, and is repeated many times. Every attempt must either
succeed or get a clear WorkflowError (a Conflict when the version it saw is stale);
exactly one wins where only one may; no update is lost, no transition happens twice,
and the replayed Events match the final state (``verifier.audit``).

They run on PostgreSQL (row locks) and on SQLite, where a writer waits for the one
before it (transaction_mode IMMEDIATE) on the file-backed test database that
tests/conftest.py sets up for this.
"""

import threading
from functools import partial

import pytest
from django.db import connection

from tests.conftest import current_version, make_article, rating, refresh
from verifier import audit, workflow
from verifier.models import Article, Claim, Event

REPEAT = 50

pytestmark = [
    pytest.mark.django_db(transaction=True),
]


def race(*calls):
    """Run the calls at once, each in a thread with its own connection; their outcomes.

    An outcome is what the call returned, or the exception it raised.
    """
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def run(index, call):
        try:
            connection.ensure_connection()
            barrier.wait(timeout=10)
            outcomes[index] = call()
        except Exception as error:  # noqa: BLE001 - the outcome is what we test
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads), "a racer hung"
    return outcomes


def winners(outcomes):
    """The indexes of the successful calls; every other one must be a WorkflowError."""
    for outcome in outcomes:
        if isinstance(outcome, Exception):
            assert isinstance(outcome, workflow.WorkflowError), repr(outcome)
            assert outcome.message
    return [
        i for i, outcome in enumerate(outcomes) if not isinstance(outcome, Exception)
    ]


def many_claims(user, n=REPEAT):
    """One article with n claims: one fresh claim per repetition."""
    body = "\n\n".join(f"Claim {i}: the figure rose {i}% last year." for i in range(n))
    return list(make_article(user, body=body).claims.order_by("start"))


def submitted(claim, checker, source):
    workflow.start(claim, user=checker, version=current_version(claim))
    workflow.add_evidence(
        claim, user=checker, source=source, excerpt="Table 2.", stance="supports"
    )
    workflow.save_verdict(
        claim,
        user=checker,
        rating=rating(),
        rationale="Old figure.",
        version=current_version(claim),
    )
    return workflow.submit(claim, user=checker, version=current_version(claim))


@pytest.fixture
def source(checker):
    return workflow.create_source(
        user=checker, title="Report", url="https://example.org/r"
    )


def test_concurrent_verdict_edits_keep_exactly_one_and_tell_the_others(checker):
    labels = ["False", "Accurate", "Needs context"]
    for claim in many_claims(checker):
        workflow.start(claim, user=checker, version=current_version(claim))
        seen = refresh(claim).version
        outcomes = race(
            *[
                partial(
                    workflow.save_verdict,
                    claim,
                    user=checker,
                    rating=rating(label),
                    rationale=label,
                    version=seen,
                )
                for label in labels
            ]
        )
        [won] = winners(outcomes)
        claim = refresh(claim)
        assert (claim.rating.label, claim.rationale) == (labels[won], labels[won])
        assert claim.version == seen + 1
        for lost, outcome in enumerate(outcomes):
            if lost != won:
                assert isinstance(outcome, workflow.Conflict)
                # What the loser is shown is what actually won.
                assert outcome.current.rationale == labels[won]
        assert Event.objects.filter(claim=claim, action="verdict").count() == 1
        assert audit.verify_claim(claim) == []


def test_approve_racing_return_lets_exactly_one_through(
    checker, editor, other_editor, source
):
    for claim in many_claims(checker):
        submitted(claim, checker, source)
        seen = refresh(claim).version
        outcomes = race(
            partial(workflow.approve, claim, user=editor, version=seen),
            partial(
                workflow.return_,
                claim,
                user=other_editor,
                reason="Needs a source.",
                version=seen,
            ),
        )
        [won] = winners(outcomes)
        claim = refresh(claim)
        expected = [Claim.State.APPROVED, Claim.State.IN_PROGRESS][won]
        assert claim.state == expected
        decisions = Event.objects.filter(claim=claim, action__in=["approve", "return"])
        assert list(decisions.values_list("action", flat=True)) == [
            ["approve", "return"][won]
        ]
        assert audit.verify_claim(claim) == []


def test_two_editors_approving_at_once_approve_once(
    checker, editor, other_editor, source
):
    for claim in many_claims(checker):
        submitted(claim, checker, source)
        seen = refresh(claim).version
        outcomes = race(
            partial(workflow.approve, claim, user=editor, version=seen),
            partial(workflow.approve, claim, user=other_editor, version=seen),
        )
        [won] = winners(outcomes)
        claim = refresh(claim)
        assert claim.approved_by == [editor, other_editor][won]
        assert Event.objects.filter(claim=claim, action="approve").count() == 1
        assert audit.verify_claim(claim) == []


def test_two_sign_offs_at_once_sign_off_once(checker, editor, other_editor):
    article = make_article(checker)
    for claim in article.claims.all():
        workflow.dismiss(
            claim, user=checker, reason="Not a claim.", version=current_version(claim)
        )
    for _ in range(REPEAT):
        seen = refresh(article).version
        outcomes = race(
            partial(workflow.sign_off, article, user=editor, version=seen),
            partial(workflow.sign_off, article, user=other_editor, version=seen),
        )
        [won] = winners(outcomes)
        article = refresh(article)
        assert article.state == Article.State.SIGNED_OFF
        assert article.signed_off_by == [editor, other_editor][won]
        assert audit.verify_article(article) == []
        workflow.reopen_article(
            article, user=editor, reason="Next round.", version=current_version(article)
        )
    assert article.events.filter(action="sign_off").count() == REPEAT
    assert article.events.filter(action="reopen").count() == REPEAT


def test_sign_off_racing_a_claim_change_never_signs_an_unsettled_article(
    checker, editor, other_editor, source
):
    claims = many_claims(checker, n=REPEAT + 1)
    for claim in claims[1:]:
        workflow.dismiss(
            claim, user=checker, reason="Not a claim.", version=current_version(claim)
        )
    article = claims[0].article
    submitted(claims[0], checker, source)
    for _ in range(REPEAT):
        claim = refresh(claims[0])
        outcomes = race(
            partial(workflow.approve, claim, user=other_editor, version=claim.version),
            partial(
                workflow.sign_off,
                article,
                user=editor,
                version=refresh(article).version,
            ),
        )
        article = refresh(article)
        claim = refresh(claim)
        approved, signed = (not isinstance(o, Exception) for o in outcomes)
        assert approved  # sign-off never blocks the approval it waits for
        # Signed off only if the approval committed first; never with a claim open.
        assert article.is_signed_off == signed
        assert claim.state == Claim.State.APPROVED
        assert audit.verify_article(article) == []
        if signed:
            workflow.reopen_article(
                article,
                user=editor,
                reason="Next round.",
                version=current_version(article),
            )
        workflow.reopen(
            claim, user=editor, reason="Next round.", version=current_version(claim)
        )
        workflow.submit(claim, user=checker, version=current_version(claim))


def test_checkers_on_different_claims_of_one_article_do_not_wait_in_line(
    checker, other_checker, monkeypatch
):
    # Fifteen checkers on one long transcript: one checker's change in flight (its
    # claim locked, the article held) must not hold up a colleague's change to another
    # claim of the same article. On SQLite writers take turns by design.
    first, second = many_claims(checker, n=2)
    in_flight, colleague_done = threading.Event(), threading.Event()
    slow = threading.local()
    real_append = audit.append

    def append_once_the_colleague_is_done(events):
        if getattr(slow, "thread", False):
            # Inside the slow change's transaction, with its locks taken.
            in_flight.set()
            colleague_done.wait(timeout=2)
        return real_append(events)

    monkeypatch.setattr(audit, "append", append_once_the_colleague_is_done)
    finished = []

    def slow_change():
        slow.thread = True
        workflow.add_note(first, user=checker, text="Called the ministry.")
        finished.append("slow")

    def colleague():
        assert in_flight.wait(timeout=5)
        workflow.add_note(second, user=other_checker, text="Found the table.")
        finished.append("colleague")
        colleague_done.set()

    outcomes = race(slow_change, colleague)
    assert winners(outcomes) == [0, 1]
    if connection.vendor == "postgresql":
        assert finished == ["colleague", "slow"]
    else:
        assert finished == ["slow", "colleague"]
    assert audit.verify_article(first.article) == []


def test_assign_racing_start_lets_exactly_one_through(checker, other_checker, editor):
    for claim in many_claims(checker):
        seen = refresh(claim).version
        outcomes = race(
            partial(
                workflow.assign,
                claim,
                user=editor,
                assignee=other_checker,
                version=seen,
            ),
            partial(workflow.start, claim, user=checker, version=seen),
        )
        [won] = winners(outcomes)
        claim = refresh(claim)
        if won == 0:
            assert (claim.state, claim.assignee) == (Claim.State.OPEN, other_checker)
        else:
            assert (claim.state, claim.assignee) == (Claim.State.IN_PROGRESS, checker)
        assert isinstance(outcomes[1 - won], workflow.Conflict)
        assert (
            Event.objects.filter(claim=claim, action__in=["assign", "start"]).count()
            == 1
        )
        assert audit.verify_claim(claim) == []


def test_notes_written_at_once_are_all_kept(
    checker, other_checker, editor, other_editor
):
    people = [checker, other_checker, editor, other_editor]
    for claim in many_claims(checker):
        outcomes = race(
            *[
                partial(workflow.add_note, claim, user=person, text=f"Note by {person}")
                for person in people
            ]
        )
        assert len(winners(outcomes)) == len(people)
        texts = sorted(claim.notes.values_list("text", flat=True))
        assert texts == sorted(f"Note by {person}" for person in people)
        assert audit.verify_claim(claim) == []


def test_merge_racing_adjust_with_one_version_lets_exactly_one_through(checker):
    body = "\n\n".join(
        f"Rates rose {i}% in May. Jobs fell {i}% in June." for i in range(REPEAT)
    )
    spans, offset = [], 0
    for paragraph in body.split("\n\n"):
        middle = paragraph.index(" Jobs")
        spans += [
            workflow.Span(offset, offset + middle),
            workflow.Span(offset + middle + 1, offset + len(paragraph)),
        ]
        offset += len(paragraph) + 2
    claims = list(
        make_article(checker, body=body, spans=spans).claims.order_by("start")
    )
    for first, second in zip(claims[::2], claims[1::2], strict=True):
        seen = refresh(first).version
        outcomes = race(
            partial(workflow.merge, first, second, user=checker, version=seen),
            partial(
                workflow.adjust_span,
                first,
                user=checker,
                start=first.start,
                end=first.end - 1,
                version=seen,
            ),
        )
        [won] = winners(outcomes)
        assert isinstance(outcomes[1 - won], workflow.Conflict)
        first, second = refresh(first), refresh(second)
        assert first.version == seen + 1
        if won == 0:
            assert first.end == second.end
            assert second.state == Claim.State.DISMISSED
        else:
            assert second.state == Claim.State.OPEN
            assert first.text.endswith("in May")
        assert (
            Event.objects.filter(claim=first, action__in=["merge", "adjust"]).count()
            == 1
        )
        assert audit.verify_claim(first) == []
        assert audit.verify_claim(second) == []


def test_changes_to_different_articles_at_once_never_fork_the_hash_chain(
    checker, editor
):
    # Different articles share no row lock: only the chain's head serialises them.
    claims = [
        make_article(
            checker, body=f"Article {n}: prices rose {n}% in May."
        ).claims.get()
        for n in range(6)
    ]
    for round_ in range(10):
        outcomes = race(
            *[
                partial(workflow.add_note, claim, user=checker, text=f"Note {round_}")
                for claim in claims
            ],
            partial(
                workflow.assign,
                claims[0],
                user=editor,
                assignee=None,
                version=current_version(claims[0]),
            ),
        )
        assert len(winners(outcomes)) == len(outcomes)
    sequences = list(
        Event.objects.order_by("sequence").values_list("sequence", flat=True)
    )
    assert sequences == list(range(1, len(sequences) + 1))
    assert list(audit.check_chain()) == []
