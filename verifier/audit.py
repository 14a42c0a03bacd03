"""Replaying the audit trail: does each claim and article still say what its Events say?

Every change goes through ``verifier.workflow``, which records each changed field as
``{"field": [from, to]}`` on an Event. Starting from what a new claim (or article) looks
like and applying its Events in order must therefore give its current state. Anything
else means a row was changed behind the workflow's back (a raw SQL update, a restored
backup of the wrong day, a bug), and ``manage.py verify_audit`` reports it.

The replay also checks that the chain holds: each Event's "from" must be what the
Events before it left, so a missing or forged Event shows up too.
"""

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from verifier.models import Article, Claim, Event

# Fields the replay follows, with their value before the first Event. UNSET means
# "must come from the create event": a claim without one is itself a finding.
UNSET = object()

CLAIM_FIELDS = {
    "state": UNSET,
    "start": UNSET,
    "end": UNSET,
    "text": UNSET,
    "claimant": "",
    "claimant_kind": "",
    "rating_id": None,
    "rating": None,
    "rationale": "",
    "assignee_id": None,
    "assignee": None,
    "submitted_by_id": None,
    "submitted_by": None,
    "approved_by_id": None,
    "approved_by": None,
    "dismiss_reason": "",
    "approval": None,
    "orphaned": False,
}

ARTICLE_FIELDS = {
    "state": Article.State.DRAFT,
    "title": UNSET,
    "body_sha256": UNSET,
    "outlet": "",
    "byline": "",
    "url": "",
    "published_on": None,
    "factcheck_url": "",
    "fingerprint": "",
    "text_version": 1,
    "signed_off_by_id": None,
    "signed_off_by": None,
}

# A relation is compared by its name only while no Event recorded its id (Events
# written before ids were recorded); the id survives a renamed user.
BY_NAME = {"rating", "assignee", "submitted_by", "approved_by", "signed_off_by"}


def by_name(fields: dict) -> dict:
    """The fields to follow for an article restored from an archive
    (``workflow.restore_archive``): its Events carry the ids of the instance it came
    from, so relations are compared by name only."""
    return {k: v for k, v in fields.items() if not k.endswith("_id")}


def _restored(events: list[Event]) -> bool:
    return any(e.action == "restore" and e.target_type == "article" for e in events)


@dataclass(frozen=True)
class Finding:
    """One disagreement between an object and its Events."""

    obj: Claim | Article
    message: str

    def __str__(self):
        kind = "claim" if isinstance(self.obj, Claim) else "article"
        return f"{kind} #{self.obj.pk}: {self.message}"


def _current(obj, field: str):
    """The stored value of a followed field, in the form workflow records it."""
    if field in BY_NAME:
        related = getattr(obj, field)
        if field == "rating":
            return related.label if related is not None else None
        return str(related) if related is not None else None
    value = getattr(obj, field)
    if field == "published_on" and value is not None:
        return value.isoformat()
    return value


def _same(recorded, expected) -> bool:
    # An empty text field is recorded as "" by some Events and None by others.
    return recorded == expected or (recorded in (None, "") and expected in (None, ""))


def replay(
    obj: Claim | Article, events: Iterable[Event], fields: dict
) -> tuple[dict, list[str]]:
    """Apply the Events about ``obj`` in order: the values they lead to, and breaks."""
    values: dict = {}
    breaks: list[str] = []
    for event in events:
        for field, pair in (event.changes or {}).items():
            if field not in fields or not isinstance(pair, list) or len(pair) != 2:
                continue
            before, after = pair
            expected = values.get(field, fields[field])
            if field in values and not _same(before, expected):
                breaks.append(
                    f"event #{event.pk} ({event.action}) changes {field} from "
                    f"{before!r}, but the events before it left {expected!r}"
                )
            values[field] = after
    return values, breaks


def compare(obj, values: dict, fields: dict) -> list[str]:
    problems = []
    for field, default in fields.items():
        if field in BY_NAME and f"{field}_id" in values:
            continue
        expected = values.get(field, default)
        if expected is UNSET:
            problems.append(f"no event records its {field}")
            continue
        actual = _current(obj, field)
        if actual != expected:
            problems.append(f"{field} is {actual!r} but its events say {expected!r}")
    return problems


def check_claim(claim: Claim, events: list[Event]) -> list[Finding]:
    """Findings for one claim, given every Event of its article in order."""
    own = [e for e in events if e.target_type == "claim" and e.target_id == claim.pk]
    findings = []
    if not own or own[0].action != "create":
        findings.append("its history does not start with a create event")
    fields = by_name(CLAIM_FIELDS) if _restored(events) else CLAIM_FIELDS
    values, breaks = replay(claim, own, fields)
    findings += breaks + compare(claim, values, fields)
    findings += _check_children(
        claim,
        [e for e in events if e.target_type == "evidence" and e.claim_id == claim.pk],
        {ev.pk: ev for ev in claim.evidence.all()},
        "evidence",
        {"excerpt": "excerpt", "locator": "locator", "stance": "stance"},
    )
    findings += _check_children(
        claim,
        [e for e in events if e.target_type == "note" and e.claim_id == claim.pk],
        {note.pk: note for note in claim.notes.all()},
        "note",
        {"text": "text"},
    )
    return [Finding(claim, message) for message in findings]


def _check_children(
    claim: Claim, events: list[Event], present: dict, kind: str, fields: dict
) -> list[str]:
    """Evidence and notes: exactly those added and not removed, as they were added."""
    expected: dict[int, dict] = {}
    for event in events:
        if event.action.startswith("remove"):
            expected.pop(event.target_id, None)
        else:
            expected[event.target_id] = {
                name: pair[1] for name, pair in event.changes.items() if name in fields
            }
    problems = []
    for pk in sorted(set(present) - set(expected)):
        problems.append(f"{kind} #{pk} exists but no event added it")
    for pk in sorted(set(expected) - set(present)):
        problems.append(f"{kind} #{pk} was added but is gone without a remove event")
    for pk in sorted(set(expected) & set(present)):
        for name, attr in fields.items():
            if (
                name in expected[pk]
                and getattr(present[pk], attr) != expected[pk][name]
            ):
                problems.append(
                    f"{kind} #{pk}: {attr} differs from what its event recorded"
                )
    return problems


def check_article(article: Article, events: list[Event]) -> list[Finding]:
    """Findings for the article itself (not its claims), given its Events in order."""
    own = [
        e for e in events if e.target_type == "article" and e.target_id == article.pk
    ]
    problems = []
    if not own or own[0].action != "import":
        problems.append("its history does not start with an import event")
    fields = by_name(ARTICLE_FIELDS) if _restored(events) else ARTICLE_FIELDS
    values, breaks = replay(article, own, fields)
    problems += breaks + compare(article, values, fields)
    digest = hashlib.sha256(article.body.encode("utf-8")).hexdigest()
    if digest != article.body_sha256:
        problems.append("its text no longer matches the digest taken at import")
    return [Finding(article, message) for message in problems]


def check_all(articles=None) -> Iterator[Finding]:
    """Every finding in the database, article by article (one query each for events)."""
    articles = Article.objects.all() if articles is None else articles
    for article in articles.order_by("pk").select_related("signed_off_by"):
        events = list(Event.objects.filter(article=article).order_by("pk"))
        yield from check_article(article, events)
        claims = (
            article.claims.order_by("pk")
            .select_related("assignee", "submitted_by", "approved_by")
            .prefetch_related("evidence", "notes")
        )
        for claim in claims:
            yield from check_claim(claim, events)


def verify_claim(claim: Claim) -> list[Finding]:
    """Findings for one claim and its article: for tests and one-off checks."""
    claim = (
        Claim.objects.select_related(
            "article", "assignee", "submitted_by", "approved_by"
        )
        .prefetch_related("evidence", "notes")
        .get(pk=claim.pk)
    )
    events = list(Event.objects.filter(article_id=claim.article_id).order_by("pk"))
    return check_article(claim.article, events) + check_claim(claim, events)


def verify_article(article: Article) -> list[Finding]:
    return list(check_all(Article.objects.filter(pk=article.pk)))
