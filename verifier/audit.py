"""The audit trail: a hash chain of Events, and a replay that checks the data.

Every change goes through ``verifier.workflow``, which records each changed field as
``{"field": [from, to]}`` on an Event written by ``append``. Two things are checked
here, and ``manage.py verify_audit`` reports both:

- The chain. Each Event stores a hash over its own content and the hash of the Event
  before it, so an Event rewritten behind the app's back (say by the database owner
  with the append-only trigger disabled) no longer matches, nor does anything removed
  from the middle or the end of the chain. Its actors must exist and have held the
  permission the action needs, its times must run forward and not lie in the future,
  and the actions that need a reason must have one.
- The replay. Starting from what a new claim (or article) looks like and applying its
  Events in order must give its current state. Anything else means a row was changed
  behind the workflow's back (a raw SQL update, a restored backup of the wrong day, a
  bug). Each Event's "from" must also be what the Events before it left, so a missing
  or forged Event shows up too. A signed-off article's stored fingerprint must still
  be what ``workflow.fingerprint`` computes from its text and claims.

Nothing here trusts what is stored: a malformed Event is a finding, never a crash.

The chain proves that nothing changed since it was written, not who wrote it: someone
who can rewrite the whole database can recompute every hash after the one they
changed. ``verify_audit`` prints the head of the chain; noting it elsewhere now and
then (a ticket, a printed report) pins the history up to that point.
"""

import datetime
import hashlib
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from verifier import workflow
from verifier.models import Article, AuditHead, Claim, Event

# --- the chain ------------------------------------------------------------------------

# The fields of an Event its hash covers, in the order they are hashed.
HASHED = (
    "sequence",
    "previous_hash",
    "target_type",
    "target_id",
    "claim_id",
    "article_id",
    "action",
    "actor_id",
    "created_at",
    "recorded_at",
    "changes",
    "reason",
)


def _time(value) -> str | None:
    if not isinstance(value, datetime.datetime):
        return None if value is None else str(value)
    return value.astimezone(datetime.UTC).isoformat(timespec="microseconds")


def event_hash(values: dict) -> str:
    """The SHA-256 of an Event's content (``values`` by field name, as in HASHED)."""
    content = [
        _time(values.get(name)) if name.endswith("_at") else values.get(name)
        for name in HASHED
    ]
    text = json.dumps(
        content,
        cls=DjangoJSONEncoder,
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _as_stored(changes):
    """``changes`` as the database gives them back: what is hashed must be that."""
    return json.loads(json.dumps(changes, cls=DjangoJSONEncoder))


def _locked_head() -> AuditHead:
    head = AuditHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        # A new database (or one emptied by a test's flush): the chain goes on from
        # its last Event, if any.
        last = Event.objects.order_by("-sequence").values("sequence", "hash").first()
        try:
            with transaction.atomic():
                AuditHead.objects.create(
                    pk=1,
                    sequence=last["sequence"] if last else 0,
                    hash=last["hash"] if last else "",
                )
        except IntegrityError:
            pass  # another transaction made it meanwhile
        head = AuditHead.objects.select_for_update().get(pk=1)
    return head


def append(events: Sequence[Event]) -> list[Event]:
    """Chain and insert ``events`` in this order, in one INSERT.

    Every Event is written here (``workflow.record`` and bulk inserts alike). The lock
    on the chain's head serialises appends, so two transactions never fork the chain;
    call it after taking any article and claim locks (workflow does: it records once
    the change is made) so that it is always the last lock taken.
    """
    events = list(events)
    if not events:
        return events
    # No savepoint: a failed append fails the change it records, and within a
    # transition (the usual case) a savepoint would cost two more round trips.
    with transaction.atomic(savepoint=False):
        head = _locked_head()
        now = timezone.now()
        for event in events:
            if event.created_at is None:
                event.created_at = now
            event.changes = _as_stored(event.changes)
            event.recorded_at = now
            head.sequence += 1
            event.sequence = head.sequence
            event.previous_hash = head.hash
            event.hash = event_hash({name: getattr(event, name) for name in HASHED})
            head.hash = event.hash
        Event.objects.bulk_create(events)
        head.save(update_fields=["sequence", "hash"])
    return events


# --- the replay -----------------------------------------------------------------------

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
    (``archive.restore``): its Events carry the ids of the instance it came from, so
    relations are compared by name only."""
    return {k: v for k, v in fields.items() if not k.endswith("_id")}


def _restored(events: list[Event]) -> bool:
    return any(e.action == "restore" and e.target_type == "article" for e in events)


@dataclass(frozen=True)
class Finding:
    """One thing the audit trail does not explain, about one claim, article or Event."""

    kind: str
    pk: int | None
    message: str

    def __str__(self):
        return f"{self.kind} #{self.pk}: {self.message}"


def _changes(event: Event) -> dict:
    """An Event's changes, or nothing when what is stored is not an object."""
    return event.changes if isinstance(event.changes, dict) else {}


def _pair(value) -> bool:
    return isinstance(value, list) and len(value) == 2


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
        for field, pair in _changes(event).items():
            if field not in fields or not _pair(pair):
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
    """Findings for one claim, given its Events (or all its article's) in order."""
    own = [e for e in events if e.target_type == "claim" and e.target_id == claim.pk]
    findings = []
    if not own or own[0].action != "create":
        findings.append("its history does not start with a create event")
    fields = by_name(CLAIM_FIELDS) if _restored(events) else CLAIM_FIELDS
    values, breaks = replay(claim, own, fields)
    findings += breaks + compare(claim, values, fields)
    findings += _check_children(
        [e for e in events if e.target_type == "evidence" and e.claim_id == claim.pk],
        {ev.pk: ev for ev in claim.evidence.all()},
        "evidence",
        {"excerpt": "excerpt", "locator": "locator", "stance": "stance"},
    )
    findings += _check_children(
        [e for e in events if e.target_type == "note" and e.claim_id == claim.pk],
        {note.pk: note for note in claim.notes.all()},
        "note",
        {"text": "text"},
    )
    return [Finding("claim", claim.pk, message) for message in findings]


def _check_children(
    events: list[Event], present: dict, kind: str, fields: dict
) -> list[str]:
    """Evidence and notes: exactly those added and not removed, as they were added."""
    expected: dict[int, dict] = {}
    for event in events:
        if event.action.startswith("remove"):
            expected.pop(event.target_id, None)
        else:
            expected[event.target_id] = {
                name: pair[1]
                for name, pair in _changes(event).items()
                if name in fields and _pair(pair)
            }
    problems = []
    for pk in sorted(set(present) - set(expected)):
        problems.append(f"{kind} #{pk} exists but no event added it")
    for pk in sorted(set(expected) - set(present), key=str):
        problems.append(f"{kind} #{pk} was added but is gone without a remove event")
    for pk in sorted(set(expected) & set(present)):
        for name, attr in fields.items():
            if name in expected[pk] and not _same(
                getattr(present[pk], attr), expected[pk][name]
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
    sentences = Article.sentence_problem(article.body, article.sentences)
    if sentences:
        problems.append(f"its stored sentences are malformed: {sentences}")
    if article.state == Article.State.SIGNED_OFF:
        problems += _check_fingerprint(article)
    return [Finding("article", article.pk, message) for message in problems]


def _check_fingerprint(article: Article) -> list[str]:
    claims = workflow.signed_off_claims(article)
    if any(not c.is_settled for c in claims):
        return ["it is signed off with claims that are neither approved nor dismissed"]
    if workflow.fingerprint(article, claims) != article.fingerprint:
        return [
            "its stored sign-off fingerprint does not match its text and verdicts "
            "any more: something changed after sign-off"
        ]
    return []


def _checked(kind: str, obj, check) -> list[Finding]:
    """Run one check; whatever the stored data, a failure is a finding, not a crash."""
    try:
        return check()
    except Exception as error:  # noqa: BLE001 - verify_audit must report, not stop
        return [
            Finding(
                kind,
                getattr(obj, "pk", None),
                f"could not be checked ({type(error).__name__}: {error})",
            )
        ]


def check_articles(articles=None) -> Iterator[Finding]:
    """The replay findings, article by article (one query each for its Events)."""
    articles = Article.objects.all() if articles is None else articles
    for article in articles.order_by("pk").select_related("signed_off_by"):
        events = list(Event.objects.filter(article=article).order_by("sequence"))
        yield from _checked(
            "article", article, lambda a=article, e=events: check_article(a, e)
        )
        claims = (
            article.claims.order_by("pk")
            .select_related("assignee", "submitted_by", "approved_by", "rating")
            .prefetch_related("evidence", "notes")
        )
        # Each claim is checked against its own Events (and the article's restore,
        # if any), so that a long article is checked in linear time.
        by_claim: dict[int, list[Event]] = {}
        for event in events:
            by_claim.setdefault(event.claim_id, []).append(event)
        restores = [e for e in events if e.action == "restore" and e.claim_id is None]
        for claim in claims:
            own = by_claim.get(claim.pk, []) + restores
            yield from _checked(
                "claim", claim, lambda c=claim, e=own: check_claim(c, e)
            )


def check_all() -> Iterator[Finding]:
    """Every finding in the database: the chain and its Events, then the replay."""
    yield from _checked("event", None, lambda: list(check_chain()))
    yield from check_articles()


def verify_claim(claim: Claim) -> list[Finding]:
    """Findings for one claim and its article: for tests and one-off checks."""
    claim = (
        Claim.objects.select_related(
            "article", "assignee", "submitted_by", "approved_by"
        )
        .prefetch_related("evidence", "notes")
        .get(pk=claim.pk)
    )
    events = list(
        Event.objects.filter(article_id=claim.article_id).order_by("sequence")
    )
    return check_article(claim.article, events) + check_claim(claim, events)


def verify_article(article: Article) -> list[Finding]:
    return list(check_articles(Article.objects.filter(pk=article.pk)))


# --- the chain's Events ---------------------------------------------------------------


def permissions_needed() -> dict[tuple[str, str], str]:
    """The permission each (action, target type) needs of its actor; others need none.

    A function, not a constant: workflow (which names the permissions) imports this
    module to append its Events.
    """
    return {
        ("start", "claim"): workflow.WORK,
        ("verdict", "claim"): workflow.WORK,
        ("submit", "claim"): workflow.WORK,
        ("dismiss", "claim"): workflow.WORK,
        ("approve", "claim"): workflow.APPROVE,
        ("return", "claim"): workflow.APPROVE,
        ("reopen", "claim"): workflow.APPROVE,
        ("restore", "claim"): workflow.APPROVE,
        ("assign", "claim"): workflow.ASSIGN,
        ("add_evidence", "evidence"): workflow.WORK,
        ("remove_evidence", "evidence"): workflow.WORK,
        ("note", "note"): workflow.WORK,
        ("sign_off", "article"): workflow.SIGN_OFF,
        ("reopen", "article"): workflow.SIGN_OFF,
        ("import", "article"): workflow.IMPORT,
        ("claimant", "claim"): workflow.WORK,
        ("reuse", "claim"): workflow.WORK,
        # What a new version of the text does to the article and its claims.
        ("new_version", "article"): workflow.IMPORT,
        ("reanchor", "claim"): workflow.IMPORT,
        ("text_changed", "claim"): workflow.IMPORT,
        ("text_reopened", "claim"): workflow.IMPORT,
        ("orphan", "claim"): workflow.IMPORT,
        ("schedule", "claim"): workflow.ASSIGN,
        ("schedule", "article"): workflow.ASSIGN,
    }


# Actions that are refused without a reason, so an Event of one without it was forged.
# Admin edits (the admin's forms ask for a reason) count; deletions and password
# changes are recorded without one.
REASON_REQUIRED = {
    ("return", "claim"),
    ("reopen", "claim"),
    ("reopen", "article"),
    ("dismiss", "claim"),
    ("text_reopened", "claim"),
    ("orphan", "claim"),
    ("new_version", "article"),
    ("edit", "claim"),
    ("edit", "source"),
    ("edit", "rating"),
    ("create", "rating"),
    ("edit", "workflowpolicy"),
    ("create", "workflowpolicy"),
    ("edit", "user"),
    ("create", "user"),
    ("edit", "group"),
    ("create", "group"),
}

# A clock a little ahead of the database's is not a forgery.
CLOCK_SKEW = datetime.timedelta(minutes=5)

CHAIN_VALUES = (*HASHED, "hash", "pk")


def _permissions(user_ids: Iterable[int]) -> dict[int, set[str] | None]:
    """Each user's permissions by "app.codename"; None for a superuser (all)."""
    UserModel = get_user_model()
    held: dict[int, set[str] | None] = {}
    for user in UserModel.objects.filter(pk__in=list(user_ids)):
        if user.is_superuser:
            held[user.pk] = None
            continue
        rows = Permission.objects.filter(
            Q(user=user) | Q(group__user=user)
        ).values_list("content_type__app_label", "codename")
        held[user.pk] = {f"{app}.{code}" for app, code in rows}
    return held


def _restored_sequences() -> dict[int, datetime.datetime]:
    """The Events that came in with an archive, by sequence, with the time their
    restore was recorded: their actors are from the instance they were written on, and
    were checked when the archive was restored. A restore appends them and itself in
    one go, so they share its ``recorded_at``, which their hashes hold."""
    restored = {}
    restores = Event.objects.filter(action="restore", target_type="article")
    for sequence, recorded_at, changes in restores.values_list(
        "sequence", "recorded_at", "changes"
    ):
        pair = changes.get("restored_events") if isinstance(changes, dict) else None
        count = pair[1] if _pair(pair) and isinstance(pair[1], int) else 0
        for earlier in range(max(sequence - count, 0), sequence):
            restored[earlier] = recorded_at
    return restored


def _last_permission_change() -> tuple[dict[int, int], int]:
    """The sequence of the last recorded change of each user's groups or permissions,
    and of any group's permissions: before those, what a user could do is unknown."""
    users: dict[int, int] = {}
    for target_id, sequence in Event.objects.filter(target_type="user").values_list(
        "target_id", "sequence"
    ):
        users[target_id] = max(sequence, users.get(target_id, 0))
    groups = Event.objects.filter(target_type="group").order_by("-sequence")
    return users, groups.values_list("sequence", flat=True).first() or 0


def check_chain() -> Iterator[Finding]:
    """Walk every Event in chain order: its hash and link, actor, times and reason."""
    now = timezone.now()
    actor_ids = set(
        Event.objects.exclude(actor=None).values_list("actor_id", flat=True).distinct()
    )
    held = _permissions(actor_ids)
    needed = permissions_needed()
    restored = _restored_sequences()
    user_changed, group_changed = _last_permission_change()
    previous_hash, expected, last_recorded = "", 1, None
    rows = Event.objects.order_by("sequence").values(*CHAIN_VALUES)
    for row in rows.iterator(chunk_size=2000):
        problems = []
        if row["sequence"] != expected:
            problems.append(
                f"is at position {row['sequence']} of the chain where "
                f"{expected} belongs: Events before it are missing"
            )
        if row["previous_hash"] != previous_hash:
            problems.append("does not link to the Event before it in the chain")
        if event_hash(row) != row["hash"]:
            problems.append(
                "was changed after it was written: its content no longer matches "
                "its hash"
            )
        problems += _check_shape(row)
        problems += _check_actor(
            row, needed, held, restored, user_changed, group_changed
        )
        problems += _check_times(row, now, last_recorded)
        if (row["action"], row["target_type"]) in REASON_REQUIRED and not (
            isinstance(row["reason"], str) and row["reason"].strip()
        ):
            problems.append(f"a {row['action']} needs a reason, and it has none")
        for message in problems:
            yield Finding("event", row["pk"], message)
        previous_hash, expected = row["hash"], row["sequence"] + 1
        if isinstance(row["recorded_at"], datetime.datetime):
            last_recorded = max(last_recorded or row["recorded_at"], row["recorded_at"])
    head = AuditHead.objects.filter(pk=1).first()
    if head is not None and (head.sequence, head.hash) != (expected - 1, previous_hash):
        yield Finding(
            "event",
            head.sequence,
            f"the chain's head says it ends at #{head.sequence}, but the last Event "
            f"found is #{expected - 1}: Events at its end are missing",
        )


def _check_shape(row: dict) -> list[str]:
    changes = row["changes"]
    if not isinstance(changes, dict):
        return [f"its changes are not an object ({type(changes).__name__})"]
    return [
        f"its change of {field!r} is not a [from, to] pair"
        for field, pair in changes.items()
        if not _pair(pair)
    ]


def _check_actor(row, needed, held, restored, user_changed, group_changed) -> list[str]:
    actor, sequence = row["actor_id"], row["sequence"]
    perm = needed.get((row["action"], row["target_type"]))
    if actor is None:
        return [f"a {row['action']} needs a person, and it has none"] if perm else []
    if actor not in held:
        return [f"its actor (user #{actor}) does not exist"]
    if perm is None or held[actor] is None:
        return []
    if sequence in restored and restored[sequence] == row["recorded_at"]:
        return []
    if perm in held[actor]:
        return []
    if sequence < max(user_changed.get(actor, 0), group_changed):
        return []  # their groups or permissions changed since: they may have held it
    return [
        f"its actor (user #{actor}) does not hold {perm}, which a {row['action']} needs"
    ]


def _check_times(row: dict, now, last_recorded) -> list[str]:
    created, recorded = row["created_at"], row["recorded_at"]
    problems = []
    if recorded > now + CLOCK_SKEW or created > now + CLOCK_SKEW:
        problems.append("its time lies in the future")
    if created > recorded + CLOCK_SKEW:
        problems.append("it says it happened after it was recorded")
    if last_recorded is not None and recorded < last_recorded:
        problems.append("it was recorded earlier than the Event before it in the chain")
    return problems
