"""Every state change of the claim verifier, in one place.

Each function checks the user's permission and the object's state on rows locked for
the length of the transaction, makes the change, and writes its Event in the same
transaction. Views, admin actions and commands all call these; nothing goes around them.

Locks are always taken article first, then claim, so that two transactions touching the
same article never deadlock and a sign-off never races a change to one of its claims.
"""

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from verifier import exports
from verifier.models import (
    Article,
    Claim,
    Event,
    Evidence,
    Note,
    Rating,
    Source,
    WorkflowPolicy,
)

User = AbstractBaseUser

QUOTE_CONTEXT = 32  # characters kept before and after a claim in its quote selector

WORK = "verifier.work_claim"
APPROVE = "verifier.approve_claim"
ASSIGN = "verifier.assign_claim"
SIGN_OFF = "verifier.sign_off_article"
IMPORT = "verifier.add_article"


class WorkflowError(Exception):
    """A change that is not allowed now; the message is meant for the user."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class Conflict(WorkflowError):
    """Someone else changed the object since the user loaded it."""

    def __init__(self, message: str, current: Claim | Article):
        super().__init__(message)
        self.current = current


# --- helpers ---


def record(
    actor: User | None,
    action: str,
    target: object,
    *,
    claim: Claim | None = None,
    article: Article | None = None,
    changes: dict | None = None,
    reason: str = "",
) -> Event:
    """Write one audit Event. Call only inside the transaction that made the change."""
    (event,) = _record_all(
        [
            _event(
                actor,
                action,
                target,
                claim=claim,
                article=article,
                changes=changes,
                reason=reason,
            )
        ]
    )
    return event


def _event(
    actor: User | None,
    action: str,
    target: object,
    *,
    claim: Claim | None = None,
    article: Article | None = None,
    changes: dict | None = None,
    reason: str = "",
) -> Event:
    """An Event not yet written: give it to _record_all."""
    if claim is not None and article is None:
        article = claim.article
    return Event(
        actor=actor,
        action=action,
        target_type=type(target)._meta.model_name,
        target_id=target.pk,
        claim=claim,
        article=article,
        changes=changes or {},
        reason=reason,
    )


EVENT_BATCH = 2000


def _record_all(events: list[Event]) -> list[Event]:
    """Write Events in order, in bulk: the one place that inserts Events.

    Call only inside the transaction that made the changes they record.
    """
    return Event.objects.bulk_create(events, batch_size=EVENT_BATCH)


def _require(user: User, perm: str, doing: str) -> None:
    if not user.has_perm(perm):
        raise WorkflowError(f"You do not have permission to {doing}.")


def _reason(reason: str, doing: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise WorkflowError(f"Give a reason to {doing}.")
    return reason


def _lock_article(article: Article) -> Article:
    # The text (up to 2 MB) and its sentence list load only if a change reads them.
    return (
        Article.objects.select_for_update()
        .defer("body", "sentences")
        .get(pk=article.pk)
    )


def _lock_claim(claim: Claim, version: int | None = None) -> Claim:
    article = _lock_article(claim.article)
    locked = Claim.objects.select_for_update().get(pk=claim.pk)
    locked.article = article
    if version is not None and int(version) != locked.version:
        raise Conflict(
            "Someone else changed this claim while you were working on it. "
            "Your input is kept below; compare it with the current version and "
            "try again.",
            locked,
        )
    return locked


def _ensure_unlocked(article: Article) -> None:
    if article.is_signed_off and WorkflowPolicy.current().lock_after_sign_off:
        raise WorkflowError(
            "This article is signed off, so its claims are read-only. "
            "An editor must reopen it first."
        )


def _ensure_state(claim: Claim, allowed: Iterable[str], doing: str) -> None:
    if claim.state not in allowed:
        raise WorkflowError(
            f"This claim is {claim.get_state_display().lower()}, "
            f"so you cannot {doing} it."
        )


def _change_state(
    claim: Claim, user: User, action: str, new_state: str, reason: str = "", **fields
) -> Claim:
    changes = {"state": [claim.state, new_state]}
    for name, value in fields.items():
        old = getattr(claim, name)
        if old != value:
            changes[name] = [_plain(old), _plain(value)]
            field = Claim._meta.get_field(name)
            if field.is_relation:
                # The id too, so that the audit replay survives a renamed user.
                changes[field.attname] = [_pk(old), _pk(value)]
        setattr(claim, name, value)
    claim.state = new_state
    claim.version += 1
    claim.save()
    record(user, action, claim, claim=claim, changes=changes, reason=reason)
    return claim


def _full_clean(obj) -> None:
    """Model validation, reported as a WorkflowError a person can read."""
    try:
        obj.full_clean()
    except ValidationError as error:
        problems = [
            f"{field.replace('_', ' ')}: {' '.join(messages)}"
            if field != "__all__"
            else " ".join(messages)
            for field, messages in error.message_dict.items()
        ]
        raise WorkflowError("; ".join(problems)) from None


def _pk(value):
    return value.pk if value is not None else None


def _plain(value):
    """A JSON-friendly form of a field value for an Event's changes."""
    if hasattr(value, "pk"):
        return str(value)
    return value


def _begin_review(article: Article, user: User) -> None:
    if article.state == Article.State.DRAFT:
        article.state = Article.State.IN_REVIEW
        article.version += 1
        article.save(update_fields=["state", "version"])
        record(
            user,
            "open_for_review",
            article,
            article=article,
            changes={"state": [Article.State.DRAFT, Article.State.IN_REVIEW]},
        )


def quote_selector(body: str, start: int, end: int) -> tuple[str, str, str]:
    """The exact text of a span with the text just before and after it."""
    if not (0 <= start < end <= len(body)):
        raise WorkflowError(
            f"The span {start}-{end} is outside the article text (0-{len(body)})."
        )
    return (
        body[start:end],
        body[max(0, start - QUOTE_CONTEXT) : start],
        body[end : end + QUOTE_CONTEXT],
    )


# --- claim transitions ---


@transaction.atomic
def start(claim: Claim, *, user: User, version: int | None = None) -> Claim:
    _require(user, WORK, "work on claims")
    claim = _lock_claim(claim, version)
    _ensure_unlocked(claim.article)
    _ensure_state(claim, [Claim.State.OPEN], "start")
    if claim.assignee_id not in (None, user.pk):
        raise WorkflowError(
            f"This claim is assigned to {claim.assignee}; only they can start it."
        )
    _begin_review(claim.article, user)
    return _change_state(claim, user, "start", Claim.State.IN_PROGRESS, assignee=user)


@transaction.atomic
def save_verdict(
    claim: Claim,
    *,
    user: User,
    rating: Rating | None,
    rationale: str,
    version: int | None = None,
) -> Claim:
    """Set or change the verdict of a claim being worked on."""
    _require(user, WORK, "set verdicts")
    claim = _lock_claim(claim, version)
    _ensure_unlocked(claim.article)
    _ensure_state(claim, [Claim.State.IN_PROGRESS], "change the verdict of")
    if claim.assignee_id != user.pk:
        raise WorkflowError(
            "Only the fact-checker this claim is assigned to can set its verdict."
        )
    if rating is not None and not rating.is_active and rating.pk != claim.rating_id:
        raise WorkflowError(f"The rating “{rating}” is retired; choose another.")
    rationale = (rationale or "").strip()
    changes = {}
    if rating != claim.rating:
        changes["rating"] = [_plain(claim.rating), _plain(rating)]
        changes["rating_id"] = [claim.rating_id, rating.pk if rating else None]
    if rationale != claim.rationale:
        changes["rationale"] = [claim.rationale, rationale]
    if not changes:
        return claim
    claim.rating = rating
    claim.rationale = rationale
    claim.version += 1
    claim.save()
    record(user, "verdict", claim, claim=claim, changes=changes)
    return claim


@transaction.atomic
def submit(claim: Claim, *, user: User, version: int | None = None) -> Claim:
    _require(user, WORK, "submit verdicts")
    claim = _lock_claim(claim, version)
    _ensure_unlocked(claim.article)
    _ensure_state(claim, [Claim.State.IN_PROGRESS], "submit")
    if claim.assignee_id != user.pk:
        raise WorkflowError(
            "Only the fact-checker this claim is assigned to can submit it."
        )
    missing = submission_problems(claim)
    if missing:
        raise WorkflowError("Cannot submit yet: " + "; ".join(missing) + ".")
    return _change_state(
        claim, user, "submit", Claim.State.SUBMITTED, submitted_by=user
    )


def verdict_authors(events: Iterable[Event]) -> set[int]:
    """The ids of everyone who wrote what an editor would now approve.

    ``events`` are one claim's Events in order. What is approved is the verdict, the
    rationale, the claimant, the evidence cited and the submission, so the authors
    are whoever last set each of those fields, whoever added each piece of evidence
    still cited, and whoever withdrew evidence since the claim was last started.
    A return or a reassignment changes none of that: an editor who wrote the
    verdict, handed it to a checker and had it submitted still wrote it.
    """
    last_set: dict[str, int | None] = {}
    cited: dict[int | None, int | None] = {}
    withdrew: set[int | None] = set()
    for event in events:
        changes = event.changes if isinstance(event.changes, dict) else {}
        actor = event.actor_id
        if event.action == "start":
            withdrew.clear()
        elif event.action in ("verdict", "claimant"):
            for field in ("rating_id", "rationale", "claimant", "claimant_kind"):
                if field in changes:
                    last_set[field] = actor
        elif event.action == "submit":
            last_set["submit"] = actor
        elif event.action == "add_evidence":
            cited[event.target_id] = actor
        elif event.action == "remove_evidence":
            cited.pop(event.target_id, None)
            withdrew.add(actor)
    return {*last_set.values(), *cited.values(), *withdrew} - {None}


def submission_problems(claim: Claim) -> list[str]:
    """What the claim still lacks before it can be submitted (empty when ready)."""
    problems = []
    if claim.rating is None:
        problems.append("choose a verdict")
    elif not claim.rating.is_active:
        problems.append(f"the rating “{claim.rating}” is retired, choose another")
    if not claim.rationale.strip():
        problems.append("write a rationale")
    if claim.rating is not None and claim.rating.requires_evidence:
        needed = WorkflowPolicy.current().evidence_required
        have = claim.evidence.count()
        if have < needed:
            problems.append(
                f"“{claim.rating}” needs at least {needed} "
                f"piece{'s' if needed != 1 else ''} of evidence (this claim has {have})"
            )
    return problems


@transaction.atomic
def approve(claim: Claim, *, user: User, version: int | None = None) -> Claim:
    _require(user, APPROVE, "approve verdicts")
    claim = _lock_claim(claim, version)
    _ensure_unlocked(claim.article)
    _ensure_state(claim, [Claim.State.SUBMITTED], "approve")
    if WorkflowPolicy.current().four_eyes and user.pk in verdict_authors(
        claim.events.order_by("pk")
    ):
        raise WorkflowError(
            "Four-eyes approval: you wrote or submitted this verdict, so another "
            "editor approves it."
        )
    return _change_state(claim, user, "approve", Claim.State.APPROVED, approved_by=user)


@transaction.atomic
def return_(
    claim: Claim, *, user: User, reason: str, version: int | None = None
) -> Claim:
    """Send a submitted verdict back to its fact-checker."""
    _require(user, APPROVE, "return verdicts")
    reason = _reason(reason, "return a verdict")
    claim = _lock_claim(claim, version)
    _ensure_unlocked(claim.article)
    _ensure_state(claim, [Claim.State.SUBMITTED], "return")
    return _change_state(claim, user, "return", Claim.State.IN_PROGRESS, reason)


@transaction.atomic
def reopen(
    claim: Claim, *, user: User, reason: str, version: int | None = None
) -> Claim:
    _require(user, APPROVE, "reopen claims")
    reason = _reason(reason, "reopen a claim")
    claim = _lock_claim(claim, version)
    if claim.article.is_signed_off:
        raise WorkflowError("The article is signed off; reopen the article first.")
    _ensure_state(claim, [Claim.State.APPROVED], "reopen")
    return _change_state(
        claim, user, "reopen", Claim.State.IN_PROGRESS, reason, approved_by=None
    )


@transaction.atomic
def dismiss(
    claim: Claim, *, user: User, reason: str, version: int | None = None
) -> Claim:
    _require(user, WORK, "dismiss claims")
    reason = _reason(reason, "dismiss a claim")
    claim = _lock_claim(claim, version)
    _ensure_unlocked(claim.article)
    _ensure_state(claim, [Claim.State.OPEN, Claim.State.IN_PROGRESS], "dismiss")
    return _change_state(
        claim, user, "dismiss", Claim.State.DISMISSED, reason, dismiss_reason=reason
    )


@transaction.atomic
def restore(claim: Claim, *, user: User, version: int | None = None) -> Claim:
    _require(user, APPROVE, "restore dismissed claims")
    claim = _lock_claim(claim, version)
    _ensure_unlocked(claim.article)
    _ensure_state(claim, [Claim.State.DISMISSED], "restore")
    return _change_state(claim, user, "restore", Claim.State.OPEN, dismiss_reason="")


@transaction.atomic
def assign(
    claim: Claim, *, user: User, assignee: User | None, version: int | None = None
) -> Claim:
    _require(user, ASSIGN, "assign claims")
    claim = _lock_claim(claim, version)
    _ensure_unlocked(claim.article)
    _ensure_state(claim, [Claim.State.OPEN, Claim.State.IN_PROGRESS], "assign")
    if assignee is not None and not (assignee.is_active and assignee.has_perm(WORK)):
        raise WorkflowError(
            f"{assignee} is not a fact-checker and cannot be assigned claims."
        )
    if claim.assignee_id == (assignee.pk if assignee else None):
        return claim
    changes = {
        "assignee": [_plain(claim.assignee), _plain(assignee)],
        "assignee_id": [claim.assignee_id, _pk(assignee)],
    }
    claim.assignee = assignee
    claim.version += 1
    claim.save()
    record(user, "assign", claim, claim=claim, changes=changes)
    return claim


# --- evidence, sources and notes ---


@transaction.atomic
def create_source(*, user: User, **fields) -> Source:
    _require(user, WORK, "add sources")
    source = Source(created_by=user, **fields)
    _full_clean(source)
    source.save()
    record(
        user, "create", source, changes={k: [None, v] for k, v in fields.items() if v}
    )
    return source


@transaction.atomic
def add_evidence(
    claim: Claim,
    *,
    user: User,
    source: Source,
    excerpt: str,
    locator: str = "",
    stance: str,
) -> Evidence:
    _require(user, WORK, "add evidence")
    claim = _lock_claim(claim)
    _ensure_unlocked(claim.article)
    _ensure_state(claim, [Claim.State.OPEN, Claim.State.IN_PROGRESS], "add evidence to")
    if stance not in Evidence.Stance.values:
        raise WorkflowError(f"Unknown stance “{stance}”.")
    excerpt = (excerpt or "").strip()
    if not excerpt:
        raise WorkflowError("Quote the relevant excerpt of the source.")
    evidence = Evidence.objects.create(
        claim=claim,
        source=source,
        excerpt=excerpt,
        locator=(locator or "").strip(),
        stance=stance,
        added_by=user,
    )
    record(
        user,
        "add_evidence",
        evidence,
        claim=claim,
        changes={
            "source": [None, str(source)],
            "excerpt": [None, evidence.excerpt],
            "locator": [None, evidence.locator],
            "stance": [None, stance],
        },
    )
    return evidence


@transaction.atomic
def remove_evidence(evidence: Evidence, *, user: User) -> None:
    """Withdraw a citation; the Event keeps everything it said."""
    _require(user, WORK, "remove evidence")
    claim = _lock_claim(evidence.claim)
    _ensure_unlocked(claim.article)
    _ensure_state(
        claim, [Claim.State.OPEN, Claim.State.IN_PROGRESS], "remove evidence from"
    )
    evidence = Evidence.objects.select_related("source").get(pk=evidence.pk)
    record(
        user,
        "remove_evidence",
        evidence,
        claim=claim,
        changes={
            "source": [str(evidence.source), None],
            "excerpt": [evidence.excerpt, None],
            "locator": [evidence.locator, None],
            "stance": [evidence.stance, None],
        },
    )
    evidence.delete()


@transaction.atomic
def add_note(claim: Claim, *, user: User, text: str) -> Note:
    _require(user, WORK, "write notes")
    text = (text or "").strip()
    if not text:
        raise WorkflowError("A note cannot be empty.")
    claim = _lock_claim(claim)
    _ensure_unlocked(claim.article)
    note = Note.objects.create(claim=claim, author=user, text=text)
    record(user, "note", note, claim=claim, changes={"text": [None, text]})
    return note


# --- articles ---


@dataclass(frozen=True)
class Span:
    """A claim to create: offsets into the article body and what extraction found."""

    start: int
    end: int
    score: float = 0.0
    reasons: tuple[str, ...] = ()
    claimant: str = ""


def spans_from(sentences: Iterable) -> list[Span]:
    """Spans for the claims that extraction proposes."""
    return [
        Span(s.start, s.end, round(s.score, 3), tuple(s.reasons), s.claimant)
        for s in sentences
    ]


def body_digest(body: str) -> str:
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


@transaction.atomic
def create_article(
    *, user: User, spans: Iterable[Span] = (), others: Iterable[Span] = (), **fields
) -> Article:
    """Store an imported article and its candidate claims, each with its Event.

    ``others`` are the sentences extraction scored below the threshold; the article
    keeps them so that a checker can promote one to a claim.
    """
    _require(user, IMPORT, "import articles")
    article = Article(
        imported_by=user,
        sentences=[[s.start, s.end, s.score, list(s.reasons)] for s in others],
        **fields,
    )
    article.body_sha256 = body_digest(article.body)
    _full_clean(article)
    article.save()
    record(
        user,
        "import",
        article,
        article=article,
        changes={k: [None, str(v)] for k, v in fields.items() if v and k != "body"}
        | {"body_sha256": [None, article.body_sha256]},
    )
    # In bulk: a 2 MB article holds thousands of claims, one INSERT each would pass
    # the request timeout.
    claims = Claim.objects.bulk_create(
        [_new_claim(article, span) for span in sorted(spans, key=lambda s: s.start)],
        batch_size=EVENT_BATCH,
    )
    _record_all([_create_event(user, claim) for claim in claims])
    return article


def _new_claim(article: Article, span: Span) -> Claim:
    text, prefix, suffix = quote_selector(article.body, span.start, span.end)
    return Claim(
        article=article,
        start=span.start,
        end=span.end,
        text=text,
        prefix=prefix,
        suffix=suffix,
        score=span.score,
        reasons=list(span.reasons),
        claimant=span.claimant,
    )


def _create_event(user: User, claim: Claim, reason: str = "") -> Event:
    return _event(
        user,
        "create",
        claim,
        claim=claim,
        changes={
            "state": [None, claim.state],
            "start": [None, claim.start],
            "end": [None, claim.end],
            "text": [None, claim.text],
        }
        | ({"claimant": [None, claim.claimant]} if claim.claimant else {}),
        reason=reason,
    )


def _create_claim(article: Article, user: User, span: Span, reason: str = "") -> Claim:
    claim = _new_claim(article, span)
    claim.save()
    _record_all([_create_event(user, claim, reason)])
    return claim


# --- curation: the claims of an article before sign-off ---


def resolve_quote(body: str, quote: str, near: int | None = None) -> tuple[int, int]:
    """The offsets of ``quote`` in ``body``: the occurrence nearest ``near``.

    Offsets sent by a browser are only a hint; the quote is what the user saw.
    """
    quote = (quote or "").strip()
    if not quote:
        raise WorkflowError("Select or paste the exact words of the claim.")
    found, at = [], body.find(quote)
    while at >= 0:
        found.append(at)
        at = body.find(quote, at + 1)
    if not found:
        raise WorkflowError(
            "The quoted text does not appear in the article exactly as given; "
            "select it in the text again."
        )
    start = min(found, key=lambda i: abs(i - near)) if near is not None else found[0]
    return start, start + len(quote)


def _ensure_curatable(article: Article) -> None:
    if article.is_signed_off:
        raise WorkflowError(
            "This article is signed off; an editor must reopen it before its claims "
            "can change."
        )


def _ensure_free(article: Article, start: int, end: int, exclude=()) -> None:
    clash = (
        article.claims.exclude(state=Claim.State.DISMISSED)
        .exclude(pk__in=[c.pk for c in exclude])
        .filter(start__lt=end, end__gt=start)
        .order_by("start")
        .first()
    )
    if clash is not None:
        raise WorkflowError(
            f"That text overlaps claim #{clash.pk}; adjust that one instead."
        )


def _trim(body: str, start: int, end: int) -> tuple[int, int]:
    while start < end and body[start].isspace():
        start += 1
    while end > start and body[end - 1].isspace():
        end -= 1
    return start, end


@transaction.atomic
def add_claim(
    article: Article, *, user: User, start: int, end: int, claimant: str = ""
) -> Claim:
    """A claim the machine missed, marked by a checker."""
    _require(user, WORK, "add claims")
    article = _lock_article(article)
    _ensure_curatable(article)
    quote_selector(article.body, start, end)  # refuses a span outside the text
    start, end = _trim(article.body, start, end)
    if start == end:
        raise WorkflowError("A claim needs some text.")
    _ensure_free(article, start, end)
    return _create_claim(
        article, user, Span(start, end, claimant=(claimant or "").strip()[:200])
    )


def _reanchor(
    claim: Claim, user: User, action: str, start: int, end: int, reason: str = ""
) -> Claim:
    """Move a locked claim to a new span with a fresh quote selector, and record it."""
    text, prefix, suffix = quote_selector(claim.article.body, start, end)
    changes = {
        name: [old, new]
        for name, old, new in [
            ("start", claim.start, start),
            ("end", claim.end, end),
            ("text", claim.text, text),
        ]
        if old != new
    }
    claim.start, claim.end, claim.text = start, end, text
    claim.prefix, claim.suffix = prefix, suffix
    claim.version += 1
    claim.save()
    record(user, action, claim, claim=claim, changes=changes, reason=reason)
    return claim


@transaction.atomic
def adjust_span(
    claim: Claim, *, user: User, start: int, end: int, version: int | None = None
) -> Claim:
    _require(user, WORK, "adjust claims")
    claim = _lock_claim(claim, version)
    _ensure_curatable(claim.article)
    _ensure_state(claim, [Claim.State.OPEN, Claim.State.IN_PROGRESS], "adjust")
    body = claim.article.body
    quote_selector(body, start, end)
    start, end = _trim(body, start, end)
    if start == end:
        raise WorkflowError("A claim needs some text.")
    _ensure_free(claim.article, start, end, exclude=[claim])
    if (start, end) == (claim.start, claim.end):
        return claim
    return _reanchor(claim, user, "adjust", start, end)


@transaction.atomic
def split(claim: Claim, *, user: User, at: int, version: int | None = None) -> Claim:
    """Cut an open claim in two at ``at``; returns the new second claim."""
    _require(user, WORK, "split claims")
    claim = _lock_claim(claim, version)
    _ensure_curatable(claim.article)
    _ensure_state(claim, [Claim.State.OPEN], "split")
    body = claim.article.body
    first = _trim(body, claim.start, at) if claim.start < at < claim.end else (0, 0)
    second = _trim(body, at, claim.end) if claim.start < at < claim.end else (0, 0)
    if first[0] == first[1] or second[0] == second[1]:
        raise WorkflowError(
            "Split inside the claim, so that both parts keep some text."
        )
    _reanchor(claim, user, "split", *first)
    return _create_claim(
        claim.article,
        user,
        Span(*second, claimant=claim.claimant),
        reason=f"Split from claim #{claim.pk}.",
    )


@transaction.atomic
def merge(first: Claim, second: Claim, *, user: User) -> Claim:
    """Join two neighbouring open claims into the first; the second is dismissed."""
    _require(user, WORK, "merge claims")
    if first.article_id != second.article_id:
        raise WorkflowError("Only claims of the same article can be merged.")
    first, second = sorted([first, second], key=lambda c: (c.start, c.pk))
    first = _lock_claim(first)
    second = _lock_claim(second)
    article = first.article
    _ensure_curatable(article)
    for claim in (first, second):
        _ensure_state(claim, [Claim.State.OPEN], "merge")
    between = article.claims.exclude(state=Claim.State.DISMISSED).filter(
        start__gte=first.end, start__lt=second.start
    )
    if between.exists():
        raise WorkflowError("Only neighbouring claims can be merged.")
    _reanchor(
        first, user, "merge", first.start, second.end, f"Merged with #{second.pk}."
    )
    reason = f"Merged into claim #{first.pk}."
    _change_state(
        second, user, "dismiss", Claim.State.DISMISSED, reason, dismiss_reason=reason
    )
    return first


@transaction.atomic
def open_for_review(article: Article, *, user: User) -> Article:
    _require(user, SIGN_OFF, "open articles for review")
    article = _lock_article(article)
    if article.state != Article.State.DRAFT:
        raise WorkflowError(
            f"This article is already {article.get_state_display().lower()}."
        )
    _begin_review(article, user)
    return article


def fingerprint(article: Article, claims: Iterable[Claim]) -> str:
    """A digest of the article text and every verdict, as signed off."""
    verdicts = [
        [
            c.pk,
            c.start,
            c.end,
            c.state,
            c.rating.label if c.rating else None,
            c.rationale,
        ]
        for c in claims
    ]
    payload = json.dumps([article.body, verdicts], ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


@transaction.atomic
def sign_off(article: Article, *, user: User, version: int | None = None) -> Article:
    _require(user, SIGN_OFF, "sign articles off")
    article = _lock_article(article)
    if version is not None and int(version) != article.version:
        raise Conflict(
            "This article changed since you loaded it; check it again.", article
        )
    if article.is_signed_off:
        raise WorkflowError(
            f"This article was already signed off by {article.signed_off_by} "
            f"at {timezone.localtime(article.signed_off_at):%Y-%m-%d %H:%M}."
        )
    claims = list(article.claims.select_related("rating").order_by("start", "pk"))
    unsettled = [c for c in claims if not c.is_settled]
    if unsettled:
        raise WorkflowError(
            f"{len(unsettled)} claim{'s are' if len(unsettled) != 1 else ' is'} "
            "not yet "
            "approved or dismissed; every claim must be settled before sign-off."
        )
    old_state, old_fingerprint = article.state, article.fingerprint
    article.state = Article.State.SIGNED_OFF
    article.signed_off_by = user
    article.signed_off_at = timezone.now()
    article.fingerprint = fingerprint(article, claims)
    article.version += 1
    article.save()
    record(
        user,
        "sign_off",
        article,
        article=article,
        changes={
            "state": [old_state, article.state],
            "signed_off_by": [None, _plain(user)],
            "signed_off_by_id": [None, user.pk],
            "fingerprint": [old_fingerprint, article.fingerprint],
        },
    )
    return article


@transaction.atomic
def reopen_article(article: Article, *, user: User, reason: str) -> Article:
    _require(user, SIGN_OFF, "reopen articles")
    reason = _reason(reason, "reopen an article")
    article = _lock_article(article)
    if not article.is_signed_off:
        raise WorkflowError("Only a signed-off article can be reopened.")
    changes = {
        "state": [article.state, Article.State.IN_REVIEW],
        "signed_off_by": [str(article.signed_off_by), None],
        "signed_off_by_id": [article.signed_off_by_id, None],
        "fingerprint": [article.fingerprint, ""],
    }
    article.state = Article.State.IN_REVIEW
    article.signed_off_by = None
    article.signed_off_at = None
    article.fingerprint = ""
    article.version += 1
    article.save()
    record(user, "reopen", article, article=article, changes=changes, reason=reason)
    return article


# Where the fact-check is published is known only after sign-off, and it is not part of
# what was checked (the fingerprint), so it stays editable on a signed-off article.
EDITABLE_AFTER_SIGN_OFF = frozenset({"factcheck_url"})


@transaction.atomic
def update_article(
    article: Article, *, user: User, reason: str = "", **fields
) -> Article:
    """Change an article's details (title, outlet, fact-check URL...), not its text."""
    _require(user, SIGN_OFF, "edit article details")
    if "body" in fields:
        raise WorkflowError("An article's text cannot be changed after import.")
    article = _lock_article(article)
    if set(fields) - EDITABLE_AFTER_SIGN_OFF:
        _ensure_unlocked(article)
    changes = {}
    for name, value in fields.items():
        old = getattr(article, name)
        if old != value:
            changes[name] = [_plain(old), _plain(value)]
            setattr(article, name, value)
    if not changes:
        return article
    _full_clean(article)
    article.version += 1
    article.save()
    record(user, "edit", article, article=article, changes=changes, reason=reason)
    return article


# --- the admin's configuration ---


@transaction.atomic
def admin_save(obj, *, user: User, changed: dict, reason: str, created: bool) -> None:
    """Save an admin's edit of the scale, the policy or a source, with its Event."""
    reason = _reason(reason, "change the configuration")
    obj.save()
    changes = {
        name: [None if created else _plain(old), _plain(new)]
        for name, (old, new) in changed.items()
    }
    record(user, "create" if created else "edit", obj, changes=changes, reason=reason)


@transaction.atomic
def admin_delete(obj, *, user: User) -> None:
    record(user, "delete", obj, changes={"deleted": [str(obj), None]})
    obj.delete()


# --- archives -------------------------------------------------------------------------


@dataclass(frozen=True)
class Restored:
    """What ``restore_archive`` did, for the person who ran it."""

    article: Article
    created_users: tuple[str, ...]
    reused_sources: tuple[str, ...]


@transaction.atomic
def restore_archive(document: dict, *, user: User | None = None) -> Restored:
    """Restore an article archive (``exports.article_archive``) as it was.

    Everything is restored with its original authors and timestamps, events included;
    only the ids change. Missing users are created inactive with no usable password,
    ratings are matched by label, and sources already here (same URL, or same title and
    reference for offline ones) are reused. One transaction: any problem raises
    WorkflowError and nothing is written. The restore itself is recorded as one more
    Event, by ``user`` (None when run from a command).
    """
    if user is not None:
        _require(user, IMPORT, "restore archived articles")
    doc = _archive_sections(document)
    data = doc["article"]
    body = _value(data, "body", "the article", str)
    if body_digest(body) != data.get("body_sha256"):
        raise WorkflowError(
            "The archive's article text does not match its checksum (body_sha256): "
            "the file is damaged or was edited."
        )
    existing = Article.objects.filter(body_sha256=data["body_sha256"]).first()
    if existing is not None:
        raise WorkflowError(
            f"This article is already here as #{existing.pk} “{existing.title}”; "
            "nothing was restored."
        )
    ratings = _archive_ratings(doc["claims"])
    users, created_users = _archive_users(doc)

    article = Article(
        **_archived_fields(data, exports.ARTICLE_FIELDS, "the article"),
        imported_by=users[data.get("imported_by")],
        signed_off_by=users.get(data.get("signed_off_by")),
    )
    _insert_as_archived(article, "the article")

    claims = {}
    for item in doc["claims"]:
        what = f"claim #{item.get('id')}"
        claim = Claim(
            article=article,
            **_archived_fields(item, exports.CLAIM_FIELDS, what),
            rating=ratings.get(item.get("rating")),
            assignee=users.get(item.get("assignee")),
            submitted_by=users.get(item.get("submitted_by")),
            approved_by=users.get(item.get("approved_by")),
        )
        _clean_archived(claim, what)
        if body[claim.start : claim.end] != claim.text:
            raise WorkflowError(
                f"In the archive, {what} does not match the article text."
            )
        _insert_as_archived(claim, what, cleaned=True)
        claims[item["id"]] = claim

    sources, new_sources, sources_restored, reused = {}, set(), [], []
    for item in doc["sources"]:
        what = f"source #{item.get('id')}"
        fields = _archived_fields(item, exports.SOURCE_FIELDS, what)
        source = _same_source(fields, restored=sources_restored)
        if source is None:
            source = Source(**fields, created_by=users[item.get("created_by")])
            _insert_as_archived(source, what)
            new_sources.add(item["id"])
            sources_restored.append(source.pk)
        else:
            reused.append(str(source))
        sources[item["id"]] = source

    targets = {
        "article": {data.get("id"): article},
        "claim": claims,
        "evidence": {},
        "note": {},
    }
    for item in doc["evidence"]:
        what = f"evidence #{item.get('id')}"
        evidence = Evidence(
            claim=_linked(claims, item, "claim", what),
            source=_linked(sources, item, "source", what),
            **_archived_fields(item, exports.EVIDENCE_FIELDS, what),
            added_by=users[item.get("added_by")],
        )
        _insert_as_archived(evidence, what)
        targets["evidence"][item["id"]] = evidence
    for item in doc["notes"]:
        what = f"note #{item.get('id')}"
        note = Note(
            claim=_linked(claims, item, "claim", what),
            **_archived_fields(item, exports.NOTE_FIELDS, what),
            author=users[item.get("author")],
        )
        _insert_as_archived(note, what)
        targets["note"][item["id"]] = note
    targets["source"] = {k: v for k, v in sources.items() if k in new_sources}

    for item in doc["events"]:
        what = f"event #{item.get('id')}"
        kind = item.get("target_type")
        if kind == "source" and item.get("target_id") not in targets["source"]:
            continue  # a source that was already here keeps the history it has
        target = targets.get(kind, {}).get(item.get("target_id"))
        event = Event(
            actor=users.get(item.get("actor")),
            **_archived_fields(item, exports.EVENT_FIELDS, what),
            # Ids of objects not in the archive (withdrawn evidence) mean nothing here.
            target_id=target.pk if target is not None else None,
            article=article if item.get("article") else None,
            claim=_linked(claims, item, "claim", what) if item.get("claim") else None,
        )
        _insert_as_archived(event, what)

    record(
        user,
        "restore",
        article,
        article=article,
        changes={
            "archived_from": [None, doc.get("site", "")],
            "archived_id": [None, data.get("id")],
            "exported_at": [None, doc.get("exported_at")],
        },
        reason="Restored from an article archive.",
    )
    return Restored(article, tuple(created_users), tuple(reused))


def _archive_sections(document) -> dict:
    if not isinstance(document, dict) or (
        document.get("format") != exports.ARCHIVE_FORMAT
    ):
        raise WorkflowError("This is not an article archive of the claim verifier.")
    if document.get("version") != exports.ARCHIVE_VERSION:
        raise WorkflowError(
            f"This archive has format version {document.get('version')!r}; this "
            f"instance reads version {exports.ARCHIVE_VERSION}."
        )
    if not isinstance(document.get("article"), dict):
        raise WorkflowError("The archive has no article.")
    for section in ("claims", "sources", "evidence", "notes", "events"):
        items = document.get(section)
        if not isinstance(items, list) or not all(
            isinstance(item, dict) and isinstance(item.get("id"), int) for item in items
        ):
            raise WorkflowError(
                f"The archive's “{section}” is not a list of records with ids."
            )
    return document


def _value(item: dict, key: str, what: str, kind: type):
    if not isinstance(item.get(key), kind):
        raise WorkflowError(f"In the archive, {what} has no valid “{key}”.")
    return item[key]


def _archived_fields(item: dict, names: Iterable[str], what: str) -> dict:
    """The named fields of an archived record, with dates and times parsed."""
    fields = {}
    for name in names:
        if name not in item:
            raise WorkflowError(f"In the archive, {what} has no “{name}”.")
        value = item[name]
        if value is not None and (name.endswith("_at") or name == "published_on"):
            parse = parse_date if name == "published_on" else parse_datetime
            try:
                parsed = parse(value) if isinstance(value, str) else None
            except ValueError:
                parsed = None
            if parsed is None:
                raise WorkflowError(
                    f"In the archive, {what} has an invalid {name}: {value!r}."
                )
            value = parsed
        fields[name] = value
    return fields


def _insert_as_archived(obj, what: str, *, cleaned: bool = False) -> None:
    """Validate and insert a record exactly as archived, timestamps included.

    A raw save (what ``loaddata`` does) keeps created_at and friends instead of
    stamping them now. It only ever inserts: Events stay immutable.
    """
    if not cleaned:
        _clean_archived(obj, what)
    obj.save_base(raw=True, force_insert=True)


def _clean_archived(obj, what: str) -> None:
    try:
        _full_clean(obj)
    except WorkflowError as error:
        raise WorkflowError(
            f"In the archive, {what} is not valid ({error.message})."
        ) from None


def _archive_ratings(claims: list[dict]) -> dict:
    labels = {c.get("rating") for c in claims} - {None}
    ratings = {r.label: r for r in Rating.objects.filter(label__in=labels)}
    unknown = sorted(labels - set(ratings), key=str)
    if unknown:
        raise WorkflowError(
            "The archive uses ratings this instance does not have: "
            + ", ".join(f"“{label}”" for label in unknown)
            + ". Add them to the verdict scale (same label) and try again; "
            "nothing was restored."
        )
    return ratings


def _archive_users(doc: dict) -> tuple[dict, list[str]]:
    """Users by username; missing ones are created inactive with no usable password."""
    names = set(doc.get("users") or [])
    names.add(doc["article"].get("imported_by"))
    names.add(doc["article"].get("signed_off_by"))
    for section, keys in [
        ("claims", ("assignee", "submitted_by", "approved_by")),
        ("sources", ("created_by",)),
        ("evidence", ("added_by",)),
        ("notes", ("author",)),
        ("events", ("actor",)),
    ]:
        names.update(item.get(key) for item in doc[section] for key in keys)
    names.discard(None)
    if not all(isinstance(name, str) and name for name in names):
        raise WorkflowError("The archive names a user with an invalid username.")
    UserModel = get_user_model()
    users = {u.get_username(): u for u in UserModel.objects.filter(username__in=names)}
    created = []
    for name in sorted(names - set(users)):
        new = UserModel(username=name, is_active=False)
        new.set_unusable_password()
        _clean_archived(new, f"the user {name!r}")
        new.save()
        users[name] = new
        created.append(name)
    # A record whose author is missing from the archive is an error, not a None.
    users[None] = None
    return users, created


def _same_source(fields: dict, restored: list[int]) -> Source | None:
    """A source that was here before: the same URL, else the same title and reference.

    Sources this restore created do not count, so that two archived sources with the
    same URL (nothing forbids them) come back as two.
    """
    if fields.get("url"):
        same = Source.objects.filter(url=fields["url"])
    else:
        same = Source.objects.filter(
            url="", title=fields.get("title"), reference=fields.get("reference")
        )
    return same.exclude(pk__in=restored).order_by("pk").first()


def _linked(objects: dict, item: dict, key: str, what: str):
    if item.get(key) not in objects:
        raise WorkflowError(
            f"In the archive, {what} points to a {key} that is not in it."
        )
    return objects[item[key]]
