"""Every state change of the claim verifier, in one place.

Each function locks its rows for the length of the transaction, checks the version the
user saw and asks its ``can_<action>`` check (permission, state, who may work the
claim, four-eyes), makes the change through ``_audited_save`` and writes its Event in
the same transaction. Views, admin actions and commands all call these; nothing goes
around them. The same checks, through ``allowed_actions`` (and ``approvable_by`` for
lists), decide what the pages offer, so the rules are written once.

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
from django.db import connection, transaction
from django.db.models import Exists, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from verifier import anchoring, audit, exports, notifications
from verifier.models import (
    Article,
    ArticleText,
    Claim,
    Event,
    Evidence,
    Note,
    Preferences,
    Rating,
    Source,
    WorkflowPolicy,
)

User = AbstractBaseUser

QUOTE_CONTEXT = 32  # characters kept before and after a claim in its quote selector

VIEW = "verifier.view_claim"
WORK = "verifier.work_claim"
APPROVE = "verifier.approve_claim"
# Who holds a permission through a group or directly (``User.objects.with_perm``);
# superusers (the admin) hold every permission but are not on the desk.
PERMISSIONS_BACKEND = "django.contrib.auth.backends.ModelBackend"
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
    """Write Events in order, in bulk and on the hash chain (``audit.append``): the
    one place that inserts Events.

    Call only inside the transaction that made the changes they record. The
    notifications they call for (``verifier.notifications``) are written with them.
    """
    events = audit.append(events)
    notifications.notify(events)
    return events


def _require(user: User, perm: str, doing: str) -> None:
    if not user.has_perm(perm):
        raise WorkflowError(f"You do not have permission to {doing}.")


def _reason(reason: str, doing: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise WorkflowError(f"Give a reason to {doing}.")
    _clean_fields(Event(reason=reason), "reason")
    return reason


def _lock_article(article: Article) -> Article:
    """The article, locked against every other change to it or its claims.

    Taken by changes to the article itself (sign-off, a new text, its deadline) and by
    changes to where claims lie in the text (adding, adjusting, splitting, merging,
    restoring), so that no two of them place claims over each other.
    """
    # The text (up to 2 MB) and its sentence list load only if a change reads them.
    return (
        Article.objects.select_for_update()
        .defer("body", "sentences")
        .get(pk=article.pk)
    )


def _hold_article(article: Article) -> Article:
    """The article, held under a shared lock: it cannot change (nor be signed off)
    until this transaction ends, but other changes to its claims go on meanwhile.

    Taken by a change to one claim's work (its verdict, state, notes, evidence,
    assignee): fifteen checkers on one long article would otherwise wait in line for
    its row. Django has no shared row lock, hence the raw query (on SQLite writers
    take turns anyway: transaction_mode IMMEDIATE).
    """
    # The columns but the text and sentence list, as _lock_article's defer().
    quote = connection.ops.quote_name
    columns = ", ".join(
        quote(field.column)
        for field in Article._meta.concrete_fields
        if field.name not in ("body", "sentences")
    )
    lock = " FOR SHARE" if connection.features.has_select_for_update else ""
    held = list(
        Article.objects.raw(
            f"SELECT {columns} FROM {quote(Article._meta.db_table)} "
            f"WHERE id = %s{lock}",
            [article.pk],
        )
    )
    if not held:
        raise Article.DoesNotExist(f"Article #{article.pk} no longer exists.")
    return held[0]


def _lock_claim_unversioned(claim: Claim, *, exclusive: bool = False) -> Claim:
    """The claim locked, and its article held (article first); ``exclusive`` locks the
    article instead (_lock_article), for a change that moves claims in the text or
    changes the article too."""
    article = (_lock_article if exclusive else _hold_article)(claim.article)
    locked = Claim.objects.select_for_update().get(pk=claim.pk)
    locked.article = article
    return locked


def _lock_claim(claim: Claim, version: int | None, *, exclusive: bool = False) -> Claim:
    """The claim locked, its article held (or locked: ``exclusive``); a Conflict
    unless ``version`` is stored."""
    locked = _lock_claim_unversioned(claim, exclusive=exclusive)
    _check_version(locked, version)
    return locked


def _check_version(locked: Claim | Article, version: int | None) -> None:
    """A Conflict unless the user saw the stored version of the locked row.

    A missing version (a form or a caller that did not say which version it saw) is a
    conflict too: nothing can skip the check by leaving it out.
    """
    try:
        same = version is not None and int(version) == locked.version
    except (TypeError, ValueError):
        same = False
    if same:
        return
    kind = "claim" if isinstance(locked, Claim) else "article"
    if version is None:
        message = (
            f"This action did not say which version of the {kind} it was meant for; "
            "reload the page and try again."
        )
    elif kind == "claim":
        message = (
            "Someone else changed this claim while you were working on it. "
            "Your input is kept below; compare it with the current version and "
            "try again."
        )
    else:
        message = "This article changed since you loaded it; check it again."
    raise Conflict(message, locked)


def _audited_save(
    obj: Claim | Article,
    user: User,
    action: str,
    *,
    reason: str = "",
    validate: bool = False,
    clean: tuple[str, ...] = (),
    **fields,
) -> dict:
    """The one way a claim or article changes: set ``fields`` on the locked row,
    bump its version, save, and record the Event with what changed.

    The Event holds ``{"field": [from, to]}`` for each field that changed, a relation
    by its name and, under its ``_id``, by id (so the audit replay survives a renamed
    user). When nothing changes nothing is saved or recorded. Returns the changes.
    """
    changes = {}
    for name, value in fields.items():
        old = getattr(obj, name)
        if old == value:
            continue
        changes[name] = [_plain(old), _plain(value)]
        field = type(obj)._meta.get_field(name)
        if field.is_relation:
            changes[field.attname] = [_pk(old), _pk(value)]
        setattr(obj, name, value)
    if not changes:
        return changes
    if validate:
        _full_clean(obj)
    elif clean:
        _clean_fields(obj, *clean)
    obj.version += 1
    obj.save()
    if isinstance(obj, Claim):
        record(user, action, obj, claim=obj, changes=changes, reason=reason)
    else:
        record(user, action, obj, article=obj, changes=changes, reason=reason)
    return changes


def _full_clean(obj) -> None:
    """Model validation, reported as a WorkflowError a person can read."""
    try:
        obj.full_clean()
    except ValidationError as error:
        raise WorkflowError(_problems(error)) from None


def _clean_fields(obj, *names: str) -> None:
    """The model's validation of the fields a person typed (text validators, lengths),
    as a WorkflowError. Cheaper than full_clean, which would also query every
    foreign key of an object this transition already holds."""
    others = [field.name for field in obj._meta.fields if field.name not in names]
    try:
        obj.clean_fields(exclude=others)
    except ValidationError as error:
        raise WorkflowError(_problems(error)) from None


def _problems(error: ValidationError) -> str:
    return "; ".join(
        f"{field.replace('_', ' ')}: {' '.join(messages)}"
        if field != "__all__"
        else " ".join(messages)
        for field, messages in error.message_dict.items()
    )


def _pk(value):
    return value.pk if value is not None else None


def _plain(value):
    """A JSON-friendly form of a field value for an Event's changes."""
    if hasattr(value, "pk"):
        return str(value)
    return value


def _opens_review(claim: Claim) -> bool:
    """Whether starting work on the claim opens its draft article for review: a change
    to the article, which needs it locked (``exclusive``), not held. Asked before the
    lock, of the article as the caller read it: an article never returns to draft, so
    a stale answer can only ask for more than it needs."""
    return claim.article.state == Article.State.DRAFT


def _begin_review(article: Article, user: User) -> None:
    if article.state == Article.State.DRAFT:
        _audited_save(article, user, "open_for_review", state=Article.State.IN_REVIEW)


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


# --- who may do what: one judge per action ---
#
# Each ``can_<action>(user, obj)`` returns None when the user may take the action on
# the object now, or the reason they may not, in words a person can read. The
# transition calls its check on the rows it has locked; the pages, the dashboard and
# the admin ask the same checks (through ``allowed_actions``) to decide what to offer.
# What a form supplies (a reason, a verdict complete enough to submit) is checked by
# the transition alone.

FOUR_EYES = "You wrote this verdict; another editor approves it (four-eyes approval)."


def claims_locked(article: Article) -> bool:
    """Whether the article's claims, verdicts, evidence and notes are read-only."""
    return article.is_signed_off and WorkflowPolicy.current().lock_after_sign_off


def may_work(user: User, claim: Claim) -> bool:
    """Who may work a claim: its assignee, anyone while it is unassigned, editors.

    "Anyone" still needs the permission to work claims; an editor is whoever may hand
    claims to others, and so may also work any claim themselves.
    """
    return claim.assignee_id in (None, user.pk) or user.has_perm(ASSIGN)


def _lacks(user: User, perm: str, doing: str) -> str | None:
    if not user.has_perm(perm):
        return f"You do not have permission to {doing}."
    return None


def _read_only(claim: Claim) -> str | None:
    if claims_locked(claim.article):
        return (
            "This article is signed off, so its claims are read-only. "
            "An editor must reopen it first."
        )
    return None


def _not_curatable(article: Article) -> str | None:
    # Stricter than _read_only: the claims of a signed-off article never move, even
    # when the policy leaves its verdicts editable.
    if article.is_signed_off:
        return (
            "This article is signed off; an editor must reopen it before its claims "
            "can change."
        )
    return None


def _not_in(claim: Claim, allowed: Iterable[str], doing: str) -> str | None:
    if claim.state not in allowed:
        return (
            f"This claim is {claim.get_state_display().lower()}, so you cannot {doing}."
        )
    return None


def _not_theirs(user: User, claim: Claim) -> str | None:
    if not may_work(user, claim):
        return (
            f"This claim is assigned to {claim.assignee}; only they or an editor "
            "can work on it."
        )
    return None


def _wrote_it(user: User, claim: Claim) -> str | None:
    if WorkflowPolicy.current().four_eyes and user.pk in verdict_authors(
        claim.events.order_by("pk")
    ):
        return FOUR_EYES
    return None


def can_see(user: User, claim: Claim) -> str | None:
    """Whether the user may read the claim: its page, its notes, news of it."""
    return _lacks(user, VIEW, "see claims")


_OPEN = (Claim.State.OPEN,)
_WORKABLE = (Claim.State.OPEN, Claim.State.IN_PROGRESS)
_IN_PROGRESS = (Claim.State.IN_PROGRESS,)
_SUBMITTED = (Claim.State.SUBMITTED,)


def can_start(user: User, claim: Claim) -> str | None:
    return (
        _lacks(user, WORK, "work on claims")
        or _read_only(claim)
        or _not_in(claim, _OPEN, "start it")
        or _not_theirs(user, claim)
    )


def can_save_verdict(user: User, claim: Claim) -> str | None:
    return (
        _lacks(user, WORK, "set verdicts")
        or _read_only(claim)
        or _not_in(claim, _IN_PROGRESS, "change its verdict")
        or _not_theirs(user, claim)
    )


def can_submit(user: User, claim: Claim) -> str | None:
    return (
        _lacks(user, WORK, "submit verdicts")
        or _read_only(claim)
        or _not_in(claim, _IN_PROGRESS, "submit it")
        or _not_theirs(user, claim)
    )


def can_approve(user: User, claim: Claim) -> str | None:
    return (
        _lacks(user, APPROVE, "approve verdicts")
        or _read_only(claim)
        or _not_in(claim, _SUBMITTED, "approve it")
        or _wrote_it(user, claim)
    )


def approvers(claim: Claim) -> list[User]:
    """Everyone on the desk who may approve the claim now: ``can_approve`` asked of
    every active user, with the permission read in one query and the claim's Events
    once (not both once a person: a submit told nine editors in 40 queries).
    Superusers hold every permission but are not on the desk."""
    if _read_only(claim) or _not_in(claim, _SUBMITTED, "approve it"):
        return []
    holders = get_user_model().objects.with_perm(
        APPROVE, include_superusers=False, backend=PERMISSIONS_BACKEND
    )
    authors = (
        verdict_authors(claim.events.order_by("pk"))
        if WorkflowPolicy.current().four_eyes
        else set()
    )
    return [person for person in holders if person.pk not in authors]


def can_return(user: User, claim: Claim) -> str | None:
    return (
        _lacks(user, APPROVE, "return verdicts")
        or _read_only(claim)
        or _not_in(claim, _SUBMITTED, "return it")
    )


def can_reopen(user: User, claim: Claim) -> str | None:
    if claim.article.is_signed_off and user.has_perm(APPROVE):
        return "The article is signed off; reopen the article first."
    return _lacks(user, APPROVE, "reopen claims") or _not_in(
        claim, (Claim.State.APPROVED,), "reopen it"
    )


def can_dismiss(user: User, claim: Claim) -> str | None:
    return (
        _lacks(user, WORK, "dismiss claims")
        or _read_only(claim)
        or _not_in(claim, _WORKABLE, "dismiss it")
        or _not_theirs(user, claim)
    )


def can_restore(user: User, claim: Claim) -> str | None:
    return (
        _lacks(user, APPROVE, "restore dismissed claims")
        or _read_only(claim)
        or _not_in(claim, (Claim.State.DISMISSED,), "restore it")
    )


def can_assign(user: User, claim: Claim) -> str | None:
    return (
        _lacks(user, ASSIGN, "assign claims")
        or _read_only(claim)
        or _not_in(claim, _WORKABLE, "assign it")
    )


def can_schedule(user: User, target: Claim | Article) -> str | None:
    """Setting the deadline and priority of an article, or of one of its claims."""
    article = target.article if isinstance(target, Claim) else target
    refused = _lacks(user, ASSIGN, "set deadlines")
    if refused is None and article.is_signed_off:
        refused = "This article is signed off; reopen it before setting a deadline."
    if refused is None and isinstance(target, Claim) and target.is_settled:
        refused = (
            f"This claim is {target.get_state_display().lower()}; "
            "it has no deadline left to keep."
        )
    return refused


def can_change_evidence(user: User, claim: Claim) -> str | None:
    """Adding evidence to a claim, or withdrawing some."""
    return (
        _lacks(user, WORK, "change evidence")
        or _read_only(claim)
        or _not_in(claim, _WORKABLE, "change its evidence")
        or _not_theirs(user, claim)
    )


def can_add_note(user: User, claim: Claim) -> str | None:
    # Notes are the claim's shared log (questions, tips, hand-over remarks): any
    # fact-checker may write one, whoever works the claim.
    return _lacks(user, WORK, "write notes") or _read_only(claim)


def can_set_claimant(user: User, claim: Claim) -> str | None:
    return (
        _lacks(user, WORK, "change claimants")
        or _read_only(claim)
        or _not_in(claim, _WORKABLE, "change its claimant")
        or _not_theirs(user, claim)
    )


def can_reuse(user: User, claim: Claim) -> str | None:
    """Starting the claim's review from a verdict approved elsewhere."""
    return (
        _lacks(user, WORK, "reuse verdicts")
        or _read_only(claim)
        or _not_in(claim, _WORKABLE, "reuse a verdict for it")
        or _not_theirs(user, claim)
    )


def can_adjust(user: User, claim: Claim) -> str | None:
    return (
        _lacks(user, WORK, "adjust claims")
        or _not_curatable(claim.article)
        or _not_in(claim, _WORKABLE, "adjust it")
        or _not_theirs(user, claim)
    )


def can_split(user: User, claim: Claim) -> str | None:
    return (
        _lacks(user, WORK, "split claims")
        or _not_curatable(claim.article)
        or _not_in(claim, _OPEN, "split it")
        or _not_theirs(user, claim)
    )


def can_merge(user: User, claim: Claim) -> str | None:
    """Merging this claim with another; the transition asks it of both."""
    return (
        _lacks(user, WORK, "merge claims")
        or _not_curatable(claim.article)
        or _not_in(claim, _OPEN, "merge it")
        or _not_theirs(user, claim)
    )


def can_add_claim(user: User, article: Article) -> str | None:
    return _lacks(user, WORK, "add claims") or _not_curatable(article)


def can_import_new_version(user: User, article: Article) -> str | None:
    return _lacks(user, IMPORT, "import new versions of articles")


def can_open_for_review(user: User, article: Article) -> str | None:
    if article.state != Article.State.DRAFT and user.has_perm(SIGN_OFF):
        return f"This article is already {article.get_state_display().lower()}."
    return _lacks(user, SIGN_OFF, "open articles for review")


def can_sign_off(user: User, article: Article) -> str | None:
    """Whether this user may sign the article off; that every claim is settled is
    checked by ``sign_off`` itself, and the page says so beside the button."""
    refused = _lacks(user, SIGN_OFF, "sign articles off")
    if refused is None and article.is_signed_off:
        return (
            f"This article was already signed off by {article.signed_off_by} "
            f"at {timezone.localtime(article.signed_off_at):%Y-%m-%d %H:%M %Z}."
        )
    return refused


def can_reopen_article(user: User, article: Article) -> str | None:
    refused = _lacks(user, SIGN_OFF, "reopen articles")
    if refused is None and not article.is_signed_off:
        return "Only a signed-off article can be reopened."
    return refused


def can_edit_article(
    user: User, article: Article, fields: Iterable[str] = ()
) -> str | None:
    """Changing an article's details; on a locked article only what stays editable
    after sign-off (``EDITABLE_AFTER_SIGN_OFF``)."""
    refused = _lacks(user, SIGN_OFF, "edit article details")
    if refused is None and set(fields) - EDITABLE_AFTER_SIGN_OFF:
        if claims_locked(article):
            return (
                "This article is signed off, so its claims are read-only. "
                "An editor must reopen it first."
            )
    return refused


CLAIM_CHECKS = {
    "start": can_start,
    "verdict": can_save_verdict,
    "submit": can_submit,
    "approve": can_approve,
    "return": can_return,
    "reopen": can_reopen,
    "dismiss": can_dismiss,
    "restore": can_restore,
    "assign": can_assign,
    "evidence": can_change_evidence,
    "note": can_add_note,
    "claimant": can_set_claimant,
    "reuse": can_reuse,
    "adjust": can_adjust,
    "split": can_split,
    "merge": can_merge,
    "schedule": can_schedule,
}

ARTICLE_CHECKS = {
    "sign_off": can_sign_off,
    "reopen": can_reopen_article,
    "open_for_review": can_open_for_review,
    "add_claim": can_add_claim,
    "new_version": can_import_new_version,
    "schedule": can_schedule,
}


@dataclass(frozen=True)
class Actions:
    """What one user may do to one claim or article now, and why not the rest.

    ``actions["approve"]`` (``{% if actions.approve %}`` in a template) is True when
    allowed; ``actions.refused["approve"]`` is the reason when it is not.
    """

    refused: dict[str, str]
    allowed: frozenset[str]

    def __getitem__(self, name: str) -> bool:
        if name not in self.allowed and name not in self.refused:
            raise KeyError(name)
        return name in self.allowed

    def __contains__(self, name: str) -> bool:
        return name in self.allowed

    def __bool__(self) -> bool:
        return bool(self.allowed)


def allowed_actions(user: User, target: Claim | Article) -> Actions:
    """Every action on a claim (or, given an article, on the article), judged."""
    checks = CLAIM_CHECKS if isinstance(target, Claim) else ARTICLE_CHECKS
    refused, allowed = {}, set()
    for name, check in checks.items():
        reason = check(user, target)
        if reason is None:
            allowed.add(name)
        else:
            refused[name] = reason
    return Actions(refused, frozenset(allowed))


def _check(reason: str | None) -> None:
    if reason is not None:
        raise WorkflowError(reason)


def approvable_by(user: User, claims: QuerySet) -> QuerySet:
    """The claims of ``claims`` this user may approve now: ``can_approve`` for a list.

    The same rule in SQL, so that the dashboard can filter and count without a query
    per claim: submitted, the article not locked, and, under four-eyes, the user is
    none of ``verdict_authors``: not the last to set the verdict, rationale, claimant
    or its kind, not the last to submit, not the adder of evidence still cited, and
    not someone who withdrew evidence since the claim was last started.
    """
    if not user.has_perm(APPROVE):
        return claims.none()
    policy = WorkflowPolicy.current()
    claims = claims.filter(state=Claim.State.SUBMITTED)
    if policy.lock_after_sign_off:
        claims = claims.exclude(article__state=Article.State.SIGNED_OFF)
    if not policy.four_eyes:
        return claims
    own = Event.objects.filter(claim=OuterRef("pk")).order_by("-pk")
    authoring = [*AUTHORING_VERDICT, "submit", "add_evidence", "remove_evidence"]

    def last_actor(**lookups):
        # 0 for "nobody": a NULL would make the comparisons below unknown.
        actor = own.filter(**lookups).values("actor_id")[:1]
        return Coalesce(Subquery(actor), 0, output_field=IntegerField())

    last_start = Coalesce(
        Subquery(
            Event.objects.filter(claim=OuterRef(OuterRef("pk")), action="start")
            .order_by("-pk")
            .values("pk")[:1]
        ),
        0,
        output_field=IntegerField(),
    )
    removed = Event.objects.filter(
        claim=OuterRef(OuterRef("pk")),
        action="remove_evidence",
        target_id__isnull=False,
    ).values("target_id")
    wrote = Q(last_submit=user.pk)
    annotations = {"last_submit": last_actor(action="submit")}
    for field in VERDICT_FIELDS:
        annotations[f"last_{field}"] = last_actor(
            action__in=AUTHORING_VERDICT, changes__has_key=field
        )
        wrote |= Q(**{f"last_{field}": user.pk})
    cited = Exists(
        own.filter(action="add_evidence", actor=user, target_id__isnull=False).exclude(
            target_id__in=removed
        )
    )
    withdrew = Exists(
        own.filter(action="remove_evidence", actor=user, pk__gt=last_start)
    )
    # Most claims have no authoring Event by this user at all: that one indexed test
    # settles them, and only the rest need the field-by-field replay.
    never_touched = ~Exists(own.filter(actor=user, action__in=authoring))
    return claims.alias(**annotations).filter(
        never_touched | (~wrote & ~cited & ~withdrew)
    )


# --- claim transitions ---
#
# Each takes the ``version`` of the claim the user saw and refuses any other (None
# included) with a Conflict, under the lock, before its own check.


@transaction.atomic
def start(claim: Claim, *, user: User, version: int | None) -> Claim:
    """Begin work; an unassigned claim becomes the user's."""
    claim = _lock_claim(claim, version, exclusive=_opens_review(claim))
    _check(can_start(user, claim))
    _begin_review(claim.article, user)
    _audited_save(
        claim,
        user,
        "start",
        state=Claim.State.IN_PROGRESS,
        assignee=claim.assignee or user,
    )
    return claim


@transaction.atomic
def save_verdict(
    claim: Claim,
    *,
    user: User,
    rating: Rating | None,
    rationale: str,
    version: int | None,
) -> Claim:
    """Set or change the verdict of a claim being worked on."""
    claim = _lock_claim(claim, version)
    _check(can_save_verdict(user, claim))
    if rating is not None and not rating.is_active and rating.pk != claim.rating_id:
        raise WorkflowError(f"The rating “{rating}” is retired; choose another.")
    _audited_save(
        claim,
        user,
        "verdict",
        clean=("rationale",),
        rating=rating,
        rationale=(rationale or "").strip(),
    )
    return claim


@transaction.atomic
def submit(claim: Claim, *, user: User, version: int | None) -> Claim:
    claim = _lock_claim(claim, version)
    _check(can_submit(user, claim))
    missing = submission_problems(claim)
    if missing:
        raise WorkflowError("Cannot submit yet: " + "; ".join(missing) + ".")
    _audited_save(claim, user, "submit", state=Claim.State.SUBMITTED, submitted_by=user)
    return claim


# What an approval approves, as Event fields: whoever last set one of them wrote it,
# by one of these actions.
VERDICT_FIELDS = ("rating_id", "rationale", "claimant", "claimant_kind")
AUTHORING_VERDICT = ("verdict", "claimant", "reuse")


def verdict_authors(events: Iterable[Event]) -> set[int]:
    """The ids of everyone who wrote what an editor would now approve.

    ``events`` are one claim's Events in order. What is approved is the verdict, the
    rationale, the claimant, the evidence cited and the submission, so the authors
    are whoever last set each of those fields, whoever added each piece of evidence
    still cited, and whoever withdrew evidence since the claim was last started.
    A return or a reassignment changes none of that: an editor who wrote the
    verdict, handed it to a checker and had it submitted still wrote it.
    ``approvable_by`` says the same in SQL; a test keeps the two in agreement.
    """
    last_set: dict[str, int | None] = {}
    cited: dict[int | None, int | None] = {}
    withdrew: set[int | None] = set()
    for event in events:
        changes = event.changes if isinstance(event.changes, dict) else {}
        actor = event.actor_id
        if event.action == "start":
            withdrew.clear()
        elif event.action in AUTHORING_VERDICT:
            for field in VERDICT_FIELDS:
                if field in changes:
                    last_set[field] = actor
        elif event.action == "submit":
            last_set["submit"] = actor
        elif event.action == "add_evidence":
            cited[event.target_id] = actor
        elif event.action == "remove_evidence":
            cited.pop(event.target_id, None)
            withdrew.add(actor)
    cited.pop(None, None)  # evidence withdrawn before an archive was made
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
def approve(claim: Claim, *, user: User, version: int | None) -> Claim:
    claim = _lock_claim(claim, version)
    _check(can_approve(user, claim))
    _audited_save(
        claim,
        user,
        "approve",
        state=Claim.State.APPROVED,
        approved_by=user,
        approval=approval_record(claim, approver=user),
    )
    return claim


def approval_record(claim: Claim, *, approver: User) -> dict:
    """What an editor approves, frozen: it never changes, whatever happens later to
    the scale or the sources (``Claim.approval``)."""
    evidence = claim.evidence.select_related("source").order_by("added_at", "pk")
    return frozen_verdict(
        claim,
        evidence,
        scale=exports.rating_scale(),
        approver=approver,
        at=timezone.now(),
    )


def frozen_verdict(
    claim: Claim,
    evidence: Iterable[Evidence],
    *,
    scale: "exports.Scale",
    approver: User,
    at,
) -> dict:
    """The approval record of ``claim`` as it stands, citing ``evidence``."""
    rating = claim.rating
    return {
        "rating": {
            "label": rating.label,
            "value": rating.value,
            "description": rating.description,
            "colour": rating.colour,
        },
        "scale": {"best": scale.best, "worst": scale.worst},
        "rationale": claim.rationale,
        "claimant": claim.claimant,
        "claimant_kind": claim.claimant_kind or exports.guess_claimant_kind(claim),
        "evidence": [
            {
                "source": {
                    "title": e.source.title,
                    "publisher": e.source.publisher,
                    "kind": e.source.kind,
                    "url": e.source.url,
                    "reference": e.source.reference,
                },
                "excerpt": e.excerpt,
                "locator": e.locator,
                "stance": e.stance,
            }
            for e in evidence
        ],
        "approved_by": approver.get_username(),
        "approved_at": at.isoformat(),
    }


@transaction.atomic
def return_(claim: Claim, *, user: User, reason: str, version: int | None) -> Claim:
    """Send a submitted verdict back to its fact-checker."""
    claim = _lock_claim(claim, version)
    _check(can_return(user, claim))
    reason = _reason(reason, "return a verdict")
    _audited_save(claim, user, "return", reason=reason, state=Claim.State.IN_PROGRESS)
    return claim


@transaction.atomic
def reopen(claim: Claim, *, user: User, reason: str, version: int | None) -> Claim:
    claim = _lock_claim(claim, version)
    _check(can_reopen(user, claim))
    reason = _reason(reason, "reopen a claim")
    _audited_save(
        claim,
        user,
        "reopen",
        reason=reason,
        state=Claim.State.IN_PROGRESS,
        approved_by=None,
        approval=None,
    )
    return claim


@transaction.atomic
def dismiss(claim: Claim, *, user: User, reason: str, version: int | None) -> Claim:
    claim = _lock_claim(claim, version)
    _check(can_dismiss(user, claim))
    reason = _reason(reason, "dismiss a claim")
    _audited_save(
        claim,
        user,
        "dismiss",
        reason=reason,
        state=Claim.State.DISMISSED,
        dismiss_reason=reason,
    )
    return claim


@transaction.atomic
def restore(claim: Claim, *, user: User, version: int | None) -> Claim:
    claim = _lock_claim(claim, version, exclusive=True)
    _check(can_restore(user, claim))
    if not claim.orphaned:
        # Its text may have gone to another claim since (a merge, an adjustment).
        _ensure_free(
            claim.article,
            claim.start,
            claim.end,
            exclude=[claim],
            problem="Claim #{} covers this text now; adjust that one first.",
        )
    _audited_save(claim, user, "restore", state=Claim.State.OPEN, dismiss_reason="")
    return claim


@transaction.atomic
def assign(
    claim: Claim, *, user: User, assignee: User | None, version: int | None
) -> Claim:
    claim = _lock_claim(claim, version)
    _check(can_assign(user, claim))
    if assignee is not None and not (assignee.is_active and assignee.has_perm(WORK)):
        raise WorkflowError(
            f"{assignee} is not a fact-checker and cannot be assigned claims."
        )
    _audited_save(claim, user, "assign", assignee=assignee)
    return claim


def _future_due(current, due):
    """A new deadline must lie ahead; one already set may stay as it is."""
    if due is not None and due != current and due <= timezone.now():
        when = timezone.localtime(due)
        raise WorkflowError(
            f"The deadline {when:%Y-%m-%d %H:%M} {when.tzname()} has already passed; "
            "give a time still to come."
        )
    return due


@transaction.atomic
def schedule_article(
    article: Article, *, user: User, due, priority: int, version: int | None
) -> Article:
    """Set when the article's fact-check is due and how urgent it is. Its claims
    follow, except those an editor gave a deadline of their own."""
    article = _lock_article(article)
    _check_version(article, version)
    _check(can_schedule(user, article))
    due = _future_due(article.due, due)
    changes = _audited_save(article, user, "schedule", due=due, priority=priority)
    if changes:
        Claim.objects.filter(article=article, schedule_own=False).update(
            due=due, priority=priority
        )
    return article


@transaction.atomic
def schedule_claim(
    claim: Claim,
    *,
    user: User,
    due,
    priority: int,
    version: int | None,
    follow_article: bool = False,
) -> Claim:
    """Give one claim its own deadline and priority, or (``follow_article``) put it
    back on its article's."""
    claim = _lock_claim(claim, version)
    _check(can_schedule(user, claim))
    if follow_article:
        due, priority = claim.article.due, claim.article.priority
    else:
        due = _future_due(claim.due, due)
    _audited_save(
        claim,
        user,
        "schedule",
        due=due,
        priority=priority,
        schedule_own=not follow_article,
    )
    return claim


# --- what came back: a verdict an editor returned, or an approval reopened, with the
# editor's reason, until the fact-checker submits it again ---

CAME_BACK = ("return", "reopen")
SENT_ON = ("submit", "approve", "dismiss")


def came_back(events: Iterable[Event]) -> Event | None:
    """The Event that sent a claim back to its fact-checker, while it stands, among
    the claim's Events (the claim page reads them all to show its history)."""
    last = max(
        (event for event in events if event.action in CAME_BACK + SENT_ON),
        key=lambda event: event.sequence,
        default=None,
    )
    return last if last is not None and last.action in CAME_BACK else None


def came_back_to(user: User, claims: QuerySet) -> QuerySet:
    """The claims of ``claims`` sent back to this user and not yet submitted again,
    with ``came_back_id``: the Event that sent each back. Theirs are the ones
    assigned to them, or unassigned and submitted by them."""
    last = (
        Event.objects.filter(claim=OuterRef("pk"), action__in=CAME_BACK + SENT_ON)
        .order_by("-sequence")
        .values("pk", "action")
    )
    return (
        claims.filter(state=Claim.State.IN_PROGRESS)
        .filter(Q(assignee=user) | Q(assignee__isnull=True, submitted_by=user))
        .annotate(
            came_back_action=Subquery(last.values("action")[:1]),
            came_back_id=Subquery(last.values("pk")[:1]),
        )
        .filter(came_back_action__in=CAME_BACK)
    )


@transaction.atomic
def set_claimant(
    claim: Claim,
    *,
    user: User,
    claimant: str,
    kind: str = "",
    version: int | None,
) -> Claim:
    """Correct who made the claim, and whether a person or an organisation made it.

    The claimant is published as the ClaimReview claim's author, so it is part of
    what an editor approves: it can change only while the claim is being worked.
    """
    claim = _lock_claim(claim, version)
    _check(can_set_claimant(user, claim))
    claimant = " ".join((claimant or "").split())
    if kind not in Claim.ClaimantKind.values:
        raise WorkflowError(f"Unknown kind of claimant “{kind}”.")
    _audited_save(
        claim,
        user,
        "claimant",
        clean=("claimant",),
        claimant=claimant,
        claimant_kind=kind if claimant else Claim.ClaimantKind.UNSET,
    )
    return claim


@transaction.atomic
def reuse(claim: Claim, *, user: User, prior: Claim, version: int | None) -> Claim:
    """Start a claim's review from a verdict approved elsewhere ("Previously
    checked"): its rating, rationale and evidence, with an Event saying where they
    came from. The claim still goes to an editor for approval."""
    claim = _lock_claim(claim, version, exclusive=_opens_review(claim))
    _check(can_reuse(user, claim))
    prior = Claim.objects.select_related("article").get(pk=prior.pk)
    if prior.state != Claim.State.APPROVED or prior.article_id == claim.article_id:
        raise WorkflowError(
            "Only an approved verdict of another article can be reused."
        )
    approved = prior.approval
    rating = Rating.objects.active().filter(label=approved["rating"]["label"]).first()
    if rating is None:
        raise WorkflowError(
            f"The verdict “{approved['rating']['label']}” is no longer on the scale; "
            "choose a verdict yourself."
        )
    if claim.state == Claim.State.OPEN:
        _begin_review(claim.article, user)
        _audited_save(
            claim,
            user,
            "start",
            state=Claim.State.IN_PROGRESS,
            assignee=claim.assignee or user,
        )
    _audited_save(
        claim,
        user,
        "reuse",
        reason=f"Reused the verdict approved on claim #{prior.pk} of "
        f"“{prior.article.title}”.",
        rating=rating,
        rationale=approved["rationale"],
    )
    for item in approved.get("evidence", []):
        add_evidence(
            claim,
            user=user,
            source=_source_like(item["source"], user),
            excerpt=item["excerpt"],
            locator=item["locator"],
            stance=item["stance"],
        )
    claim.refresh_from_db()
    return claim


def _source_like(fields: dict, user: User) -> Source:
    """The current source with this URL (or title and reference), else a new one."""
    sources = Source.objects.current()
    if fields.get("url"):
        same = sources.filter(url=fields["url"])
    else:
        same = sources.filter(title=fields["title"], reference=fields["reference"])
    return same.order_by("pk").first() or create_source(user=user, **fields)


@dataclass(frozen=True)
class MergedClaimants:
    """What merging two spellings of a claimant did."""

    renamed: tuple[int, ...]
    kept: tuple[int, ...]  # past changing their claimant (``can_set_claimant``)


@transaction.atomic
def merge_claimants(*, user: User, name: str, into: str) -> MergedClaimants:
    """Give every claim that names ``name`` as its claimant the name ``into``: two
    spellings of one person or body, across articles. Claims whose claimant can no
    longer change (submitted, approved, or of a signed-off article) keep the name
    they were submitted or approved with."""
    _require(user, ASSIGN, "merge claimants")
    name, into = " ".join((name or "").split()), " ".join((into or "").split())
    if not name or not into:
        raise WorkflowError("Give both spellings of the claimant.")
    if name == into:
        raise WorkflowError("Those are the same spelling: nothing to merge.")
    renamed, kept = [], []
    claims = Claim.objects.filter(claimant=name).select_related("article")
    for claim in claims.order_by("article_id", "pk"):
        locked = _lock_claim_unversioned(claim)
        if can_set_claimant(user, locked) is not None:
            kept.append(locked.pk)
            continue
        _audited_save(
            locked,
            user,
            "claimant",
            reason=f"Merged the claimant “{name}” into “{into}”.",
            clean=("claimant",),
            claimant=into,
        )
        renamed.append(locked.pk)
    if not renamed and not kept:
        raise WorkflowError(f"No claim names “{name}” as its claimant.")
    return MergedClaimants(tuple(renamed), tuple(kept))


# --- evidence, sources and notes ---
#
# These add to a claim (or withdraw from it) without overwriting anything a person
# typed, so they take no version: the state and the permission are checked under the
# lock, and the Event keeps each one.


@transaction.atomic
def create_source(*, user: User, **fields) -> Source:
    _require(user, WORK, "add sources")
    source = Source(created_by=user, **fields)
    _full_clean(source)
    source.save()
    record(
        user,
        "create",
        source,
        changes={k: [None, _plain(v)] for k, v in fields.items() if v},
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
    claim = _lock_claim_unversioned(claim)
    _check(can_change_evidence(user, claim))
    if stance not in Evidence.Stance.values:
        raise WorkflowError(f"Unknown stance “{stance}”.")
    excerpt = (excerpt or "").strip()
    if not excerpt:
        raise WorkflowError("Quote the relevant excerpt of the source.")
    evidence = Evidence(
        claim=claim,
        source=source,
        excerpt=excerpt,
        locator=(locator or "").strip(),
        stance=stance,
        added_by=user,
    )
    _clean_fields(evidence, "excerpt", "locator")
    evidence.save()
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
    claim = _lock_claim_unversioned(evidence.claim)
    _check(can_change_evidence(user, claim))
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
    claim = _lock_claim_unversioned(claim)
    _check(can_add_note(user, claim))
    text = (text or "").strip()
    if not text:
        raise WorkflowError("A note cannot be empty.")
    note = Note(claim=claim, author=user, text=text)
    _clean_fields(note, "text")
    note.save()
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
    claim = Claim(
        article=article,
        start=span.start,
        end=span.end,
        text=text,
        prefix=prefix,
        suffix=suffix,
        score=span.score,
        reasons=list(span.reasons),
        claimant=span.claimant,
        due=article.due,
        priority=article.priority,
    )
    _clean_fields(claim, "claimant")
    return claim


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


def _ensure_free(
    article: Article,
    start: int,
    end: int,
    exclude=(),
    problem: str = "That text overlaps claim #{}; adjust that one instead.",
) -> None:
    clash = (
        article.claims.exclude(state=Claim.State.DISMISSED)
        .exclude(orphaned=True)
        .exclude(pk__in=[c.pk for c in exclude])
        .filter(start__lt=end, end__gt=start)
        .order_by("start")
        .first()
    )
    if clash is not None:
        raise WorkflowError(problem.format(clash.pk))


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
    article = _lock_article(article)
    _check(can_add_claim(user, article))
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
    _audited_save(
        claim,
        user,
        action,
        reason=reason,
        start=start,
        end=end,
        text=text,
        prefix=prefix,
        suffix=suffix,
    )
    return claim


@transaction.atomic
def adjust_span(
    claim: Claim, *, user: User, start: int, end: int, version: int | None
) -> Claim:
    claim = _lock_claim(claim, version, exclusive=True)
    _check(can_adjust(user, claim))
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
def split(claim: Claim, *, user: User, at: int, version: int | None) -> Claim:
    """Cut an open claim in two at ``at``; returns the new second claim."""
    claim = _lock_claim(claim, version, exclusive=True)
    _check(can_split(user, claim))
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
def merge(claim: Claim, other: Claim, *, user: User, version: int | None) -> Claim:
    """Join two neighbouring open claims into the earlier; the later is dismissed.

    ``version`` is that of ``claim``, the one the user acted on; ``other`` is checked
    under the same lock (open, neighbouring, the user may work it).
    """
    if claim.article_id != other.article_id:
        raise WorkflowError("Only claims of the same article can be merged.")
    if claim.pk == other.pk:
        raise WorkflowError("A claim cannot be merged with itself.")
    # Locks in text order, the same order for everyone, so two merges never deadlock.
    first, second = sorted([claim, other], key=lambda c: (c.start, c.pk))
    first = _lock_claim_unversioned(first, exclusive=True)
    second = _lock_claim_unversioned(second, exclusive=True)
    second.article = first.article
    _check_version(first if first.pk == claim.pk else second, version)
    for each in (first, second):
        _check(can_merge(user, each))
    between = first.article.claims.exclude(state=Claim.State.DISMISSED).filter(
        start__gte=first.end, start__lt=second.start
    )
    if between.exists():
        raise WorkflowError("Only neighbouring claims can be merged.")
    _reanchor(
        first, user, "merge", first.start, second.end, f"Merged with #{second.pk}."
    )
    reason = f"Merged into claim #{first.pk}."
    _audited_save(
        second,
        user,
        "dismiss",
        reason=reason,
        state=Claim.State.DISMISSED,
        dismiss_reason=reason,
    )
    return first


@transaction.atomic
def open_for_review(article: Article, *, user: User) -> Article:
    article = _lock_article(article)
    _check(can_open_for_review(user, article))
    _begin_review(article, user)
    return article


def signed_off_claims(article: Article) -> list[Claim]:
    """The claims a sign-off covers, in the order its fingerprint takes them."""
    return list(article.claims.select_related("rating").order_by("start", "pk"))


def fingerprint(article: Article, claims: Iterable[Claim]) -> str:
    """A digest of the article text and of every claim as signed off: its span and
    words, its state, and what was approved (the frozen record) or why it was
    dismissed. No database ids, so an archive restored elsewhere digests the same."""
    record = [
        [
            c.start,
            c.end,
            c.text,
            c.state,
            c.approval if c.state == Claim.State.APPROVED else None,
            c.dismiss_reason if c.state == Claim.State.DISMISSED else "",
        ]
        for c in sorted(claims, key=lambda c: (c.start, c.end, c.text))
    ]
    payload = json.dumps(
        [article.body, record],
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


@transaction.atomic
def sign_off(article: Article, *, user: User, version: int | None) -> Article:
    article = _lock_article(article)
    _check_version(article, version)
    _check(can_sign_off(user, article))
    claims = signed_off_claims(article)
    unsettled = [c for c in claims if not c.is_settled]
    if unsettled:
        raise WorkflowError(
            f"{len(unsettled)} claim{'s are' if len(unsettled) != 1 else ' is'} "
            "not yet "
            "approved or dismissed; every claim must be settled before sign-off."
        )
    # The time is the Event's own; it is not recorded twice.
    article.signed_off_at = timezone.now()
    _audited_save(
        article,
        user,
        "sign_off",
        state=Article.State.SIGNED_OFF,
        signed_off_by=user,
        fingerprint=fingerprint(article, claims),
        signed_off_version=article.text_version,
    )
    return article


@transaction.atomic
def reopen_article(
    article: Article, *, user: User, reason: str, version: int | None
) -> Article:
    article = _lock_article(article)
    _check_version(article, version)
    _check(can_reopen_article(user, article))
    reason = _reason(reason, "reopen an article")
    article.signed_off_at = None
    _audited_save(
        article,
        user,
        "reopen",
        reason=reason,
        state=Article.State.IN_REVIEW,
        signed_off_by=None,
        fingerprint="",
    )
    return article


@dataclass(frozen=True)
class NewVersion:
    """What importing a new version of an article's text did to its claims."""

    article: Article
    moved: tuple[int, ...]
    changed: tuple[int, ...]
    orphaned: tuple[int, ...]
    added: tuple[int, ...]
    stale: bool


@transaction.atomic
def new_version(
    article: Article,
    *,
    user: User,
    body: str,
    spans: Iterable[Span] = (),
    others: Iterable[Span] = (),
) -> NewVersion:
    """Replace an article's text with a corrected version, keeping its review.

    Every claim is found again in the new text (``verifier.anchoring``). A claim whose
    words are unchanged keeps its verdict, wherever it moved; one whose words changed
    goes back to in progress, with an Event showing the change; one whose words are
    gone is flagged as an orphan for an editor to dismiss. ``spans`` are what
    extraction finds in the new text: those that no claim covers become new claims.
    A signed-off article goes back to review: its sign-off no longer matches the text.
    The earlier text is kept (ArticleText).
    """
    article = _lock_article(article)
    _check(can_import_new_version(user, article))
    digest = body_digest(body)
    if digest == article.body_sha256:
        raise WorkflowError(
            "This is the text the article already has: nothing changed."
        )
    elsewhere = Article.objects.filter(body_sha256=digest).exclude(pk=article.pk)
    if elsewhere.exists():
        raise WorkflowError(
            f"This text is already article #{elsewhere.first().pk}; it cannot also be "
            "a version of this one."
        )
    claims = list(
        Claim.objects.select_for_update().filter(article=article).order_by("pk")
    )
    anchors = anchoring.reanchor(
        article.body,
        body,
        [anchoring.Quote(c.start, c.end, c.text, c.prefix, c.suffix) for c in claims],
    )
    ArticleText.objects.create(
        article=article,
        number=article.text_version,
        body=article.body,
        body_sha256=article.body_sha256,
        replaced_by=user,
    )
    number = article.text_version + 1
    stale = article.is_signed_off
    changes = {
        "body_sha256": [article.body_sha256, digest],
        "text_version": [article.text_version, number],
    }
    if stale:
        changes |= {
            "state": [article.state, Article.State.IN_REVIEW],
            "signed_off_by": [str(article.signed_off_by), None],
            "signed_off_by_id": [article.signed_off_by_id, None],
            "fingerprint": [article.fingerprint, ""],
        }
        article.state = Article.State.IN_REVIEW
        article.signed_off_by, article.signed_off_at = None, None
        article.fingerprint = ""
    article.body, article.body_sha256, article.text_version = body, digest, number
    article.sentences = [[s.start, s.end, s.score, list(s.reasons)] for s in others]
    _full_clean(article)
    article.version += 1
    article.save()
    reason = f"Version {number} of the text." + (
        f" Version {article.signed_off_version} was signed off; this one needs a new "
        "sign-off."
        if stale
        else ""
    )
    record(
        user, "new_version", article, article=article, changes=changes, reason=reason
    )

    moved, changed, orphaned = [], [], []
    why = f"The article's text changed in version {number}."
    for claim, anchor in zip(claims, anchors, strict=True):
        claim.article = article
        if anchor.status == "same":
            continue
        if anchor.status == "moved":
            _reanchor(claim, user, "reanchor", anchor.start, anchor.end, why)
            moved.append(claim.pk)
            continue
        worked = claim.state in (Claim.State.SUBMITTED, Claim.State.APPROVED)
        # Its verdict was about words that are no longer there: back to work.
        back = (
            {"state": Claim.State.IN_PROGRESS, "approved_by": None, "approval": None}
            if worked
            else {}
        )
        if anchor.status == "changed":
            _reanchor(claim, user, "text_changed", anchor.start, anchor.end, why)
            if back:
                _audited_save(claim, user, "text_reopened", reason=why, **back)
            changed.append(claim.pk)
        else:
            _audited_save(
                claim,
                user,
                "orphan",
                reason=f"Its words are gone from version {number} of the text.",
                orphaned=True,
                **back,
            )
            orphaned.append(claim.pk)

    taken = [
        (c.start, c.end)
        for c in claims
        if c.state != Claim.State.DISMISSED and not c.orphaned
    ]
    added = []
    for span in sorted(spans, key=lambda s: s.start):
        if any(span.start < end and span.end > start for start, end in taken):
            continue
        added.append(
            _create_claim(article, user, span, reason=f"New in version {number}.").pk
        )
    return NewVersion(
        article, tuple(moved), tuple(changed), tuple(orphaned), tuple(added), stale
    )


# Where the fact-check is published is known only after sign-off, and it is not part of
# what was checked (the fingerprint), so it stays editable on a signed-off article.
EDITABLE_AFTER_SIGN_OFF = frozenset({"factcheck_url"})


@transaction.atomic
def update_article(
    article: Article, *, user: User, reason: str = "", **fields
) -> Article:
    """Change an article's details (title, outlet, fact-check URL...), not its text."""
    if "body" in fields:
        raise WorkflowError("An article's text cannot be changed after import.")
    article = _lock_article(article)
    _check(can_edit_article(user, article, fields))
    _audited_save(article, user, "edit", reason=reason, validate=True, **fields)
    return article


# --- the admin: configuration, overrides, users and groups ---


def _admin_value(value):
    """A JSON-friendly form of an admin form's value: related objects by name, sets of
    them (groups, permissions) as sorted lists of names."""
    if hasattr(value, "pk"):
        return str(value)
    if isinstance(value, Iterable) and not isinstance(value, str | bytes | dict):
        return sorted(str(item) for item in value)
    return value


def admin_changes(changed: dict, *, created: bool) -> dict:
    """``{field: [from, to]}`` for an admin's edit, ready for an Event."""
    return {
        name: [None if created else _admin_value(old), _admin_value(new)]
        for name, (old, new) in changed.items()
    }


# What was approved quotes these words, so they stay as they were once anything cites
# them: a rating in use is retired and a new one added; a cited source gets a new
# version (Source.supersedes).
FROZEN_WHEN_USED = {
    Rating: ("label", "value"),
    Source: ("title", "publisher", "kind", "url", "reference"),
}


def frozen_fields(obj) -> tuple[str, ...]:
    """The fields of a rating or source that can no longer change, as it is used."""
    names = FROZEN_WHEN_USED.get(type(obj), ())
    if not names or obj.pk is None:
        return ()
    used = obj.claims if isinstance(obj, Rating) else obj.evidence
    return names if used.exists() else ()


@transaction.atomic
def admin_save(obj, *, user: User, changed: dict, reason: str, created: bool) -> None:
    """Save an admin's edit (the scale, the policy, a source, a claim's admin page)
    with its Event and the reason the admin gave."""
    reason = _reason(reason, "change this in the admin")
    if not created:
        frozen = [name for name in frozen_fields(obj) if name in changed]
        if frozen:
            what = "rating" if isinstance(obj, Rating) else "source"
            raise WorkflowError(
                f"This {what} is in use, so its {', '.join(frozen)} cannot change: "
                + (
                    "retire it and add a new rating instead."
                    if what == "rating"
                    else "add a corrected version of it instead."
                )
            )
    if created or changed:
        obj.save()
    claim = obj if isinstance(obj, Claim) else None
    record(
        user,
        "create" if created else "edit",
        obj,
        claim=claim,
        changes=admin_changes(changed, created=created),
        reason=reason,
    )


def record_admin_change(
    obj, *, user: User, action: str, changes: dict, reason: str = ""
) -> Event:
    """Record an edit that Django's own admin saved (users, groups and their
    permissions). Call it inside the admin's transaction, after the save."""
    if action in ("create", "edit"):
        reason = _reason(reason, "change this in the admin")
    return record(user, action, obj, changes=changes, reason=reason)


@transaction.atomic
def admin_delete(obj, *, user: User, description: str | None = None) -> None:
    """Delete ``obj`` with its Event, which names it by ``description`` or str(obj)."""
    what = str(obj) if description is None else description
    record(user, "delete", obj, changes={"deleted": [what, None]})
    obj.delete()


# --- a person's own preferences ---


@transaction.atomic
def save_preferences(user: User, *, email: bool, time_zone: str) -> Preferences:
    """Email on or off and the time zone times are shown in, for ``user`` alone."""
    preferences, _ = Preferences.objects.select_for_update().get_or_create(user=user)
    changes = {}
    for name, value in (("email", email), ("time_zone", time_zone)):
        if getattr(preferences, name) != value:
            changes[name] = [getattr(preferences, name), value]
            setattr(preferences, name, value)
    if changes:
        preferences.save()
        record(user, "edit", preferences, changes=changes)
    return preferences
