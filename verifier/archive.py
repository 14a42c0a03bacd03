"""Article archives: one JSON document holding an article with everything about it.

``article_archive`` writes one (``manage.py export_article``); ``restore`` brings it
back on another instance (``manage.py import_article_archive``) with its original
authors and times, only the ids change.

An archive is a file from elsewhere, so nothing in it is trusted. ``validate`` checks
the whole document before anything is written: first its shape, against the one
declared ``SCHEMA`` (JSON Schema, checked by the jsonschema library), then what a
schema cannot say: links between records, spans inside the text, the sign-off's
fingerprint, and the workflow's rules (four-eyes approval, sign-off only with every
claim settled). A bad archive gets one error naming the field, such as
``events[3].changes: must be an object``, and nothing is written.

The fields archived for each model are declared once, below, each with its JSON
Schema: the export, the schema and the restore all read those tables, so a new
model field is archived by adding one line.
"""

import datetime
import json
from collections.abc import Iterable
from dataclasses import dataclass
from types import SimpleNamespace

import jsonschema
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from verifier import audit, previously, workflow
from verifier.models import (
    Article,
    ArticleText,
    Claim,
    Event,
    Evidence,
    Note,
    Priority,
    Rating,
    Source,
    WorkflowPolicy,
)
from verifier.workflow import WorkflowError

FORMAT = "claim-verifier-article-archive"
# 2: claims carry their frozen approval record, claimant kind and orphan flag;
# articles their text version and the version signed off.
VERSION = 2

# --- what is archived, and its schema -------------------------------------------------

TEXT = {"type": "string"}
NAME = {"type": "string", "minLength": 1}
INTEGER = {"type": "integer"}
COUNT = {"type": "integer", "minimum": 0}
NUMBER = {"type": "number"}
TIME = {"type": "string", "format": "date-time"}
DATE = {"type": "string", "format": "date"}
OBJECT = {"type": "object"}
ID = {"type": "integer"}
USER = {"type": "string", "minLength": 1}  # a username


def nullable(schema: dict) -> dict:
    return {"anyOf": [schema, {"type": "null"}]}


def one_of(choices) -> dict:
    return {"type": "string", "enum": [value for value, _ in choices]}


def one_of_numbers(choices) -> dict:
    return {"type": "integer", "enum": [value for value, _ in choices]}


SENTENCE = {
    "type": "array",
    "prefixItems": [COUNT, COUNT, NUMBER, {"type": "array", "items": TEXT}],
    "minItems": 4,
    "items": False,
}


# The model fields of each record, stored as they are, with their schema.
def record_of(properties: dict) -> dict:
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }


# What an editor approved, frozen (Claim.approval; workflow.approval_record).
APPROVAL = record_of(
    {
        "rating": record_of(
            {"label": NAME, "value": INTEGER, "description": TEXT, "colour": TEXT}
        ),
        "scale": record_of({"best": nullable(INTEGER), "worst": nullable(INTEGER)}),
        "rationale": TEXT,
        "claimant": TEXT,
        "claimant_kind": TEXT,
        "evidence": {
            "type": "array",
            "items": record_of(
                {
                    "source": record_of(
                        {
                            "title": NAME,
                            "publisher": TEXT,
                            "kind": TEXT,
                            "url": TEXT,
                            "reference": TEXT,
                        }
                    ),
                    "excerpt": TEXT,
                    "locator": TEXT,
                    "stance": one_of(Evidence.Stance.choices),
                }
            ),
        },
        "approved_by": nullable(USER),
        "approved_at": TIME,
    }
)

SHA256 = {"type": "string", "pattern": "^[0-9a-f]{64}$"}
ARTICLE_FIELDS = {
    "title": NAME,
    "body": NAME,
    "body_sha256": SHA256,
    "outlet": TEXT,
    "byline": TEXT,
    "url": TEXT,
    "published_on": nullable(DATE),
    "factcheck_url": TEXT,
    "imported_at": TIME,
    "state": one_of(Article.State.choices),
    "signed_off_at": nullable(TIME),
    "fingerprint": TEXT,
    "text_version": {"type": "integer", "minimum": 1},
    "signed_off_version": nullable({"type": "integer", "minimum": 1}),
    "version": COUNT,
    "sentences": {"type": "array", "items": SENTENCE},
    "due": nullable(TIME),
    "priority": one_of_numbers(Priority.choices),
}
CLAIM_FIELDS = {
    "start": COUNT,
    "end": COUNT,
    "text": NAME,
    "prefix": TEXT,
    "suffix": TEXT,
    "claimant": TEXT,
    "claimant_kind": one_of(Claim.ClaimantKind.choices),
    "score": NUMBER,
    "reasons": {"type": "array", "items": TEXT},
    "state": one_of(Claim.State.choices),
    "rationale": TEXT,
    "dismiss_reason": TEXT,
    "orphaned": {"type": "boolean"},
    "approval": nullable(APPROVAL),
    "version": COUNT,
    "created_at": TIME,
    "updated_at": TIME,
    "due": nullable(TIME),
    "priority": one_of_numbers(Priority.choices),
    "schedule_own": {"type": "boolean"},
}
# Fields added to version 2 after its first release: an archive without them is still
# whole, and restores with these values.
ADDED_LATER = {"due": None, "priority": Priority.NORMAL, "schedule_own": False}
# The article's earlier texts (ArticleText), which "what changed" compares.
EARLIER_TEXT_FIELDS = {
    "number": {"type": "integer", "minimum": 1},
    "body": NAME,
    "body_sha256": SHA256,
    "replaced_at": TIME,
}
SOURCE_FIELDS = {
    "title": NAME,
    "publisher": TEXT,
    "kind": one_of(Source.Kind.choices),
    "url": TEXT,
    "reference": TEXT,
    "created_at": TIME,
}
EVIDENCE_FIELDS = {
    "excerpt": TEXT,
    "locator": TEXT,
    "stance": one_of(Evidence.Stance.choices),
    "added_at": TIME,
}
NOTE_FIELDS = {"text": NAME, "created_at": TIME}
EVENT_FIELDS = {
    "created_at": TIME,
    "action": NAME,
    "target_type": NAME,
    "changes": OBJECT,
    "reason": TEXT,
}

# How each record links to others: users by username, ratings by label, records of
# the same archive by their ``id`` there.
ARTICLE_LINKS = {"id": ID, "imported_by": USER, "signed_off_by": nullable(USER)}
CLAIM_LINKS = {
    "id": ID,
    "rating": nullable(NAME),
    "assignee": nullable(USER),
    "submitted_by": nullable(USER),
    "approved_by": nullable(USER),
}
EARLIER_TEXT_LINKS = {"replaced_by": USER}
SOURCE_LINKS = {"id": ID, "created_by": USER}
EVIDENCE_LINKS = {"id": ID, "claim": ID, "source": ID, "added_by": USER}
NOTE_LINKS = {"id": ID, "claim": ID, "author": USER}
EVENT_LINKS = {
    "id": ID,
    "actor": nullable(USER),
    "target_id": nullable(INTEGER),
    "article": {"type": "boolean"},
    "claim": nullable(ID),
}


def _record(fields: dict, links: dict) -> dict:
    properties = fields | links
    return {
        "type": "object",
        "properties": properties,
        "required": [name for name in properties if name not in ADDED_LATER],
        "additionalProperties": False,
    }


def _list_of(fields: dict, links: dict) -> dict:
    return {"type": "array", "items": _record(fields, links)}


SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "Claim verifier article archive",
    "type": "object",
    "required": [
        "format",
        "version",
        "article",
        "claims",
        "sources",
        "evidence",
        "notes",
        "events",
    ],
    "properties": {
        "format": {"const": FORMAT},
        "version": {"const": VERSION},
        "exported_at": nullable(TIME),
        "site": TEXT,
        "users": {"type": "array", "items": USER},
        "ratings": {"type": "array", "items": NAME},
        "article": _record(ARTICLE_FIELDS, ARTICLE_LINKS),
        # Added to version 2 later: an archive without it restores no earlier text.
        "earlier_texts": _list_of(EARLIER_TEXT_FIELDS, EARLIER_TEXT_LINKS),
        "claims": _list_of(CLAIM_FIELDS, CLAIM_LINKS),
        "sources": _list_of(SOURCE_FIELDS, SOURCE_LINKS),
        "evidence": _list_of(EVIDENCE_FIELDS, EVIDENCE_LINKS),
        "notes": _list_of(NOTE_FIELDS, NOTE_LINKS),
        "events": _list_of(EVENT_FIELDS, EVENT_LINKS),
    },
    "additionalProperties": False,
}


# --- writing an archive ---------------------------------------------------------------


def _username(user) -> str | None:
    return user.get_username() if user is not None else None


def _fields(obj, names: Iterable[str]) -> dict:
    return {name: getattr(obj, name) for name in names}


def article_archive(article: Article) -> dict:
    """Everything about one article, with users by username and ratings by label.

    Records link to each other by the ``id`` they have in this instance; those ids mean
    nothing elsewhere and are replaced on restore.
    """
    claims = list(
        article.claims.select_related(
            "rating", "assignee", "submitted_by", "approved_by"
        ).order_by("start", "pk")
    )
    earlier_texts = list(
        article.earlier_texts.select_related("replaced_by").order_by("number")
    )
    evidence = list(
        Evidence.objects.filter(claim__article=article)
        .select_related("added_by")
        .order_by("added_at", "pk")
    )
    notes = list(
        Note.objects.filter(claim__article=article)
        .select_related("author")
        .order_by("created_at", "pk")
    )
    source_ids = sorted({e.source_id for e in evidence})
    sources = list(
        Source.objects.filter(pk__in=source_ids)
        .select_related("created_by")
        .order_by("pk")
    )
    events = list(
        Event.objects.filter(
            Q(article=article) | Q(target_type="source", target_id__in=source_ids)
        )
        .select_related("actor")
        .order_by("sequence")
    )
    users = {
        _username(u)
        for u in [article.imported_by, article.signed_off_by]
        + [u for c in claims for u in (c.assignee, c.submitted_by, c.approved_by)]
        + [t.replaced_by for t in earlier_texts]
        + [s.created_by for s in sources]
        + [e.added_by for e in evidence]
        + [n.author for n in notes]
        + [e.actor for e in events]
        if u is not None
    }
    return {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": timezone.now(),
        "site": settings.VERIFIER_SITE_URL,
        "users": sorted(users),
        "ratings": sorted({c.rating.label for c in claims if c.rating}),
        "article": {
            "id": article.pk,
            **_fields(article, ARTICLE_FIELDS),
            "imported_by": _username(article.imported_by),
            "signed_off_by": _username(article.signed_off_by),
        },
        "earlier_texts": [
            {
                **_fields(t, EARLIER_TEXT_FIELDS),
                "replaced_by": _username(t.replaced_by),
            }
            for t in earlier_texts
        ],
        "claims": [
            {
                "id": c.pk,
                **_fields(c, CLAIM_FIELDS),
                "rating": c.rating.label if c.rating else None,
                "assignee": _username(c.assignee),
                "submitted_by": _username(c.submitted_by),
                "approved_by": _username(c.approved_by),
            }
            for c in claims
        ],
        "sources": [
            {
                "id": s.pk,
                **_fields(s, SOURCE_FIELDS),
                "created_by": _username(s.created_by),
            }
            for s in sources
        ],
        "evidence": [
            {
                "id": e.pk,
                "claim": e.claim_id,
                "source": e.source_id,
                **_fields(e, EVIDENCE_FIELDS),
                "added_by": _username(e.added_by),
            }
            for e in evidence
        ],
        "notes": [
            {
                "id": n.pk,
                "claim": n.claim_id,
                **_fields(n, NOTE_FIELDS),
                "author": _username(n.author),
            }
            for n in notes
        ],
        "events": [
            {
                "id": e.pk,
                "actor": _username(e.actor),
                **_fields(e, EVENT_FIELDS),
                "target_id": e.target_id,
                "article": e.article_id is not None,
                "claim": e.claim_id,
            }
            for e in events
        ],
    }


class ArchiveEncoder(DjangoJSONEncoder):
    """Django's encoder, but keeping microseconds so that restored times are exact."""

    def default(self, o):
        if isinstance(o, datetime.datetime):
            return o.isoformat()
        return super().default(o)


def archive_json(article: Article) -> str:
    return json.dumps(
        article_archive(article), indent=2, ensure_ascii=False, cls=ArchiveEncoder
    )


# --- validating an archive ------------------------------------------------------------

_formats = jsonschema.FormatChecker(formats=())


@_formats.checks("date-time", raises=ValueError)
def _is_time(value) -> bool:
    return not isinstance(value, str) or parse_datetime(value) is not None


@_formats.checks("date", raises=ValueError)
def _is_date(value) -> bool:
    return not isinstance(value, str) or parse_date(value) is not None


# JSON Schema counts 3.0 as an integer; a span offset or an id must be a real one.
_Validator = jsonschema.validators.extend(
    jsonschema.Draft202012Validator,
    type_checker=jsonschema.Draft202012Validator.TYPE_CHECKER.redefine(
        "integer",
        lambda _, value: isinstance(value, int) and not isinstance(value, bool),
    ),
)
_validator = _Validator(SCHEMA, format_checker=_formats)

_KINDS = {
    "object": "an object",
    "array": "a list",
    "string": "a text",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "null": "null",
}


def _path(parts: Iterable) -> str:
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else f".{part}"
    return text.lstrip(".") or "the archive"


def _expected(schema) -> str:
    """What a (sub)schema asks for, in words."""
    if schema is False:
        return "nothing"
    if "anyOf" in schema:
        return " or ".join(_expected(option) for option in schema["anyOf"])
    if "const" in schema:
        return repr(schema["const"])
    if "enum" in schema:
        return "one of " + ", ".join(repr(value) for value in schema["enum"])
    kinds = schema.get("type", "")
    kinds = kinds if isinstance(kinds, list) else [kinds]
    return " or ".join(_KINDS.get(kind, kind) for kind in kinds)


def _message(error: jsonschema.ValidationError) -> str:
    """One schema error as ``where: what is wrong``."""
    where = _path(error.absolute_path)
    kind = error.validator
    if kind == "required":
        missing = next(k for k in error.validator_value if k not in error.instance)
        return f"{_path([*error.absolute_path, missing])}: is missing"
    if kind == "additionalProperties":
        known = set(error.schema.get("properties", {}))
        extra = sorted(str(k) for k in error.instance if k not in known)
        return f"{where}: has an unknown field {extra[0]!r}"
    if kind in ("type", "anyOf", "const", "enum"):
        return f"{where}: must be {_expected(error.schema)}"
    if kind == "format":
        example = (
            "2026-05-01"
            if error.validator_value == "date"
            else ("2026-05-01T12:00:00+00:00")
        )
        return f"{where}: must be a {error.validator_value} such as {example}"
    if kind == "minimum":
        return f"{where}: must be at least {error.validator_value}"
    if kind == "minLength":
        return f"{where}: must not be empty"
    if kind == "pattern":
        return f"{where}: is not a SHA-256 digest (64 hexadecimal digits)"
    if kind in ("minItems", "items", "prefixItems") and "sentences" in where:
        return f"{where}: must be a list of [start, end, score, reasons]"
    return f"{where}: {error.message}"


def _first_error(document) -> str | None:
    """The first schema error in the document, by where it is."""
    errors = list(_validator.iter_errors(document))
    if not errors:
        return None
    try:
        error = min(errors, key=lambda e: list(e.absolute_path))
    except TypeError:  # paths that cannot be ordered: let jsonschema choose
        error = jsonschema.exceptions.best_match(errors)
    return _message(error)


def _refuse(message: str) -> None:
    raise WorkflowError(
        f"The archive cannot be restored: {message}. Nothing was written."
    )


def validate(document) -> None:
    """Check the whole archive; raise WorkflowError naming the first problem."""
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise WorkflowError("This is not an article archive of the claim verifier.")
    if document.get("version") != VERSION:
        raise WorkflowError(
            f"This archive has format version {document.get('version')!r}; this "
            f"instance reads version {VERSION}."
        )
    problem = _first_error(document)
    if problem:
        _refuse(problem)
    for check in (_check_ids, _check_text, _check_links, _check_rules):
        problem = check(document)
        if problem:
            _refuse(problem)


def _check_ids(doc: dict) -> str | None:
    for section in ("claims", "sources", "evidence", "notes", "events"):
        seen = set()
        for index, item in enumerate(doc[section]):
            if item["id"] in seen:
                return f"{section}[{index}].id: {item['id']} is used twice"
            seen.add(item["id"])
    return None


def _check_text(doc: dict) -> str | None:
    data = doc["article"]
    body = data["body"]
    if workflow.body_digest(body) != data["body_sha256"]:
        return (
            "article.body: does not match its checksum (body_sha256); the file is "
            "damaged or was edited"
        )
    numbers = set()
    for index, item in enumerate(doc.get("earlier_texts", [])):
        where = f"earlier_texts[{index}]"
        if workflow.body_digest(item["body"]) != item["body_sha256"]:
            return f"{where}.body: does not match its checksum (body_sha256)"
        if not item["number"] < data["text_version"]:
            return (
                f"{where}.number: {item['number']} is not earlier than the article's "
                f"text version ({data['text_version']})"
            )
        if item["number"] in numbers:
            return f"{where}.number: version {item['number']} is there twice"
        numbers.add(item["number"])
    problem = Article.sentence_problem(body, data["sentences"])
    if problem:
        return f"article.sentences{problem if problem[0] == '[' else ': ' + problem}"
    for index, item in enumerate(doc["claims"]):
        if not item["start"] < item["end"] <= len(body):
            return (
                f"claims[{index}]: its span {item['start']}-{item['end']} is outside "
                f"the article text (0-{len(body)})"
            )
        if body[item["start"] : item["end"]] != item["text"]:
            return f"claims[{index}].text: does not match the article text"
    return None


def _check_links(doc: dict) -> str | None:
    claims = {item["id"] for item in doc["claims"]}
    sources = {item["id"] for item in doc["sources"]}
    for section, key, ids in [
        ("evidence", "claim", claims),
        ("evidence", "source", sources),
        ("notes", "claim", claims),
        ("events", "claim", claims),
    ]:
        for index, item in enumerate(doc[section]):
            if item[key] is not None and item[key] not in ids:
                return (
                    f"{section}[{index}].{key}: points to {key} #{item[key]}, which "
                    "is not in the archive"
                )
    return None


def _claim_history(doc: dict, claim_id: int) -> list[SimpleNamespace]:
    """A claim's archived Events in order, shaped as ``workflow.verdict_authors`` reads
    them (with usernames for actor ids: who they are here is settled later)."""
    return [
        SimpleNamespace(
            actor_id=item["actor"],
            action=item["action"],
            changes=item["changes"],
            target_id=item["target_id"],
        )
        for item in doc["events"]
        if item["claim"] == claim_id
    ]


def _check_rules(doc: dict) -> str | None:
    """The workflow's rules, which an archive made by hand can break."""
    data = doc["article"]
    if data["state"] == Article.State.SIGNED_OFF:
        if not (data["signed_off_by"] and data["signed_off_at"]):
            return "article: is signed off, but not by whom or when"
        unsettled = [
            f"claims[{index}]"
            for index, item in enumerate(doc["claims"])
            if item["state"] not in (Claim.State.APPROVED, Claim.State.DISMISSED)
        ]
        if unsettled:
            return (
                "article: is signed off while "
                + ", ".join(unsettled)
                + " are neither approved nor dismissed"
            )
    four_eyes = WorkflowPolicy.current().four_eyes
    for index, item in enumerate(doc["claims"]):
        where = f"claims[{index}]"
        history = _claim_history(doc, item["id"])
        approvals = [i for i, event in enumerate(history) if event.action == "approve"]
        if item["state"] == Claim.State.APPROVED and not (
            item["approved_by"] and approvals
        ):
            return f"{where}: is approved, but its history holds no approval"
        for at in approvals:
            approver = history[at].actor_id
            if four_eyes and approver in workflow.verdict_authors(history[:at]):
                return (
                    f"{where}: was approved by {approver}, who wrote or submitted "
                    "its verdict; under four-eyes approval another editor approves it"
                )
    return None


def _check_fingerprint(doc: dict, ratings: dict) -> str | None:
    data = doc["article"]
    if data["state"] != Article.State.SIGNED_OFF:
        return None
    article = Article(body=data["body"])
    claims = sorted(
        (
            Claim(
                **_archived(item, CLAIM_FIELDS),
                rating=ratings.get(item["rating"]),
            )
            for item in doc["claims"]
        ),
        key=lambda c: c.start,
    )
    if workflow.fingerprint(article, claims) != data["fingerprint"]:
        return (
            "article.fingerprint: does not match its claims and verdicts; they "
            "changed after sign-off"
        )
    return None


# --- restoring an archive -------------------------------------------------------------


@dataclass(frozen=True)
class Restored:
    """What ``restore`` did, for the person who ran it."""

    article: Article
    created_users: tuple[str, ...]
    reused_sources: tuple[str, ...]


@transaction.atomic
def restore(document, *, user=None) -> Restored:
    """Restore an article archive (``article_archive``) as it was.

    Everything is restored with its original authors and timestamps, Events included;
    only the ids change, and the Events join this instance's hash chain. Missing users
    are created inactive with no usable password, ratings are matched by label, and
    sources already here (same URL, or same title and reference for offline ones) are
    reused. The archive is validated whole first; any problem raises WorkflowError and
    nothing is written. The restore itself is recorded as one more Event, by ``user``
    (None when run from a command).
    """
    if user is not None and not user.has_perm(workflow.IMPORT):
        raise WorkflowError("You do not have permission to restore archived articles.")
    validate(document)
    doc = document
    data = doc["article"]
    ratings = _ratings(doc["claims"])
    problem = _check_fingerprint(doc, ratings)
    if problem:
        _refuse(problem)
    existing = Article.objects.filter(body_sha256=data["body_sha256"]).first()
    if existing is not None:
        raise WorkflowError(
            f"This article is already here as #{existing.pk} “{existing.title}”; "
            "nothing was restored."
        )
    users, created_users = _users(doc)

    article = Article(
        **_archived(data, ARTICLE_FIELDS),
        imported_by=users[data["imported_by"]],
        signed_off_by=users[data["signed_off_by"]],
    )
    _insert(article, "article")
    for index, item in enumerate(doc.get("earlier_texts", [])):
        _insert(
            ArticleText(
                article=article,
                **_archived(item, EARLIER_TEXT_FIELDS),
                replaced_by=users[item["replaced_by"]],
            ),
            f"earlier_texts[{index}]",
        )

    claims = {}
    for index, item in enumerate(doc["claims"]):
        claim = Claim(
            article=article,
            **_archived(item, CLAIM_FIELDS),
            rating=ratings.get(item["rating"]),
            assignee=users[item["assignee"]],
            submitted_by=users[item["submitted_by"]],
            approved_by=users[item["approved_by"]],
        )
        _insert(claim, f"claims[{index}]")
        claims[item["id"]] = claim

    if any(claim.state == Claim.State.APPROVED for claim in claims.values()):
        # Approved at their archived times, which "Previously checked" would not
        # look back to for claims it has already looked at.
        previously.forget()

    sources, new_sources, sources_restored, reused = {}, set(), [], []
    for index, item in enumerate(doc["sources"]):
        fields = _archived(item, SOURCE_FIELDS)
        source = _same_source(fields, restored=sources_restored)
        if source is None:
            source = Source(**fields, created_by=users[item["created_by"]])
            _insert(source, f"sources[{index}]")
            new_sources.add(item["id"])
            sources_restored.append(source.pk)
        else:
            reused.append(str(source))
        sources[item["id"]] = source

    targets = {"article": {data["id"]: article}, "claim": claims}
    targets["evidence"], targets["note"] = {}, {}
    for index, item in enumerate(doc["evidence"]):
        evidence = Evidence(
            claim=claims[item["claim"]],
            source=sources[item["source"]],
            **_archived(item, EVIDENCE_FIELDS),
            added_by=users[item["added_by"]],
        )
        _insert(evidence, f"evidence[{index}]")
        targets["evidence"][item["id"]] = evidence
    for index, item in enumerate(doc["notes"]):
        note = Note(
            claim=claims[item["claim"]],
            **_archived(item, NOTE_FIELDS),
            author=users[item["author"]],
        )
        _insert(note, f"notes[{index}]")
        targets["note"][item["id"]] = note
    targets["source"] = {k: v for k, v in sources.items() if k in new_sources}

    events = []
    for index, item in enumerate(doc["events"]):
        kind = item["target_type"]
        if kind == "source" and item["target_id"] not in targets["source"]:
            continue  # a source that was already here keeps the history it has
        target = targets.get(kind, {}).get(item["target_id"])
        event = Event(
            actor=users[item["actor"]],
            **_archived(item, EVENT_FIELDS),
            # Ids of objects not in the archive (withdrawn evidence) mean nothing here.
            target_id=target.pk if target is not None else None,
            article=article if item["article"] else None,
            claim=claims[item["claim"]] if item["claim"] is not None else None,
        )
        _clean(
            event,
            f"events[{index}]",
            exclude=["sequence", "recorded_at", "previous_hash", "hash"],
        )
        events.append(event)
    events.append(
        Event(
            actor=user,
            action="restore",
            target_type="article",
            target_id=article.pk,
            article=article,
            changes={
                "archived_from": [None, doc.get("site", "")],
                "archived_id": [None, data["id"]],
                "exported_at": [None, doc.get("exported_at")],
                # The Events just before this one in the chain came with the archive.
                "restored_events": [None, len(events)],
            },
            reason="Restored from an article archive.",
        )
    )
    audit.append(events)
    return Restored(article, tuple(created_users), tuple(reused))


def _archived(item: dict, fields: dict) -> dict:
    """The model fields of an archived record, with dates and times parsed."""
    values = {}
    for name, schema in fields.items():
        value = item[name] if name in item else ADDED_LATER[name]
        if isinstance(value, str) and TIME in (schema, *schema.get("anyOf", ())):
            value = parse_datetime(value)
        elif isinstance(value, str) and DATE in (schema, *schema.get("anyOf", ())):
            value = parse_date(value)
        values[name] = value
    return values


def _clean(obj, what: str, exclude=()) -> None:
    try:
        obj.full_clean(exclude=list(exclude))
    except Exception as error:
        messages = getattr(error, "message_dict", None) or {"__all__": [str(error)]}
        field, problems = next(iter(messages.items()))
        where = what if field == "__all__" else f"{what}.{field}"
        _refuse(f"{where}: {' '.join(problems)}")


def _insert(obj, what: str) -> None:
    """Validate and insert a record exactly as archived, timestamps included.

    A raw save (what ``loaddata`` does) keeps created_at and friends instead of
    stamping them now.
    """
    _clean(obj, what)
    obj.save_base(raw=True, force_insert=True)


def _ratings(claims: list[dict]) -> dict:
    labels = {c["rating"] for c in claims} - {None}
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


def _users(doc: dict) -> tuple[dict, list[str]]:
    """Users by username; missing ones are created inactive with no usable password."""
    names = set(doc.get("users") or [])
    names.add(doc["article"]["imported_by"])
    names.add(doc["article"]["signed_off_by"])
    for section, keys in [
        ("earlier_texts", ("replaced_by",)),
        ("claims", ("assignee", "submitted_by", "approved_by")),
        ("sources", ("created_by",)),
        ("evidence", ("added_by",)),
        ("notes", ("author",)),
        ("events", ("actor",)),
    ]:
        names.update(item[key] for item in doc.get(section, []) for key in keys)
    names.discard(None)
    UserModel = get_user_model()
    users = {u.get_username(): u for u in UserModel.objects.filter(username__in=names)}
    created = []
    for name in sorted(names - set(users)):
        new = UserModel(username=name, is_active=False)
        new.set_unusable_password()
        _clean(new, f"the user {name!r}")
        new.save()
        users[name] = new
        created.append(name)
    users[None] = None
    return users, created


def _same_source(fields: dict, restored: list[int]) -> Source | None:
    """A source that was here before: the same URL, else the same title and reference.

    Sources this restore created do not count, so that two archived sources with the
    same URL (nothing forbids them) come back as two.
    """
    same = Source.objects.same_as(
        url=fields.get("url"),
        title=fields.get("title"),
        reference=fields.get("reference"),
    )
    return same.exclude(pk__in=restored).first()
