"""Fill the database with a newsroom's year of work, for benchmarks.

    python manage.py make_scale_data --articles 1000 --claims 100000

Articles are assembled from the paragraphs of real articles of several beats
(``tests/data`` and the seed article), with the claims extraction finds in them and
their figures varied, so that no two articles share a text. Claims come in every state
with verdicts, rationales, evidence from a pool of sources, notes and the Events that
explain all of it (``verify_audit`` finds nothing to report). Unless ``--big 0``, one
article of about 1 MB and one of about 2 MB (within the import limit) carry up to
2,000 claims each.

Everything is written in bulk, article by article, each in its own transaction;
Events go through ``workflow._record_all`` like every other Event. Times are spread
over the past year in the order things happened.
"""

import datetime
import random
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from verifier import defaults, exports, extraction, importing, previously, workflow
from verifier.models import (
    Article,
    Claim,
    Event,
    Evidence,
    Note,
    Priority,
    Rating,
    Source,
)

DATA = settings.BASE_DIR / "tests" / "data"
CHECKERS, EDITORS, SOURCES = 12, 4, 300
BIG_SIZES = (1_000_000, 1_950_000)  # bytes; the import limit is 2 MiB
BIG_CLAIMS = 2000
OUTLETS = ["The Courier", "Metro Daily", "Northern Post", "City Wire", "The Ledger"]
NOTES = [
    "Asked the press office for the underlying table.",
    "The figure matches the release, but the base year differs.",
    "Called the researcher; she confirmed the number by phone.",
    "Compare with last year's report before approving.",
    "Duplicate of an earlier claim in the same piece?",
]
RATIONALES = [
    "The official release gives the same figure for the same period.",
    "The number is right but leaves out that the method changed in between.",
    "The agency's own data show a smaller change than the article says.",
    "No public source supports the figure; the office did not answer.",
    "The quote is accurate and the statistic matches the published table.",
]
EXCERPTS = [
    "Table 2 shows the annual change by region.",
    "The release states the figure for the twelve months to the end of the period.",
    "See the methodology note on page 14.",
]
DISMISS_REASONS = ["Not check-worthy: opinion.", "Duplicate of another claim."]
# Of every 20 claims: how many end in each state.
STATE_MIX = (
    ["open"] * 6
    + ["in_progress"] * 4
    + ["submitted"] * 2
    + ["approved"] * 6
    + ["dismissed"] * 2
)


@dataclass
class Paragraph:
    text: str
    claims: list[workflow.Span]  # offsets relative to the paragraph
    others: list[workflow.Span]


@dataclass
class Plan:
    """One article to write: its text and its claim and other-sentence spans."""

    title: str
    body: str
    claims: list[workflow.Span] = field(default_factory=list)
    others: list[workflow.Span] = field(default_factory=list)


class Command(BaseCommand):
    help = (
        "Fill the database with realistic data at scale for benchmarks: articles, "
        "claims in every state, verdicts, evidence, notes and their Events."
    )

    def add_arguments(self, parser):
        parser.add_argument("--articles", type=int, required=True)
        parser.add_argument("--claims", type=int, required=True)
        parser.add_argument(
            "--big",
            type=int,
            default=2,
            choices=[0, 1, 2],
            help="How many 1-2 MB articles to include (default 2).",
        )
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args, **options):
        n_articles, n_claims = options["articles"], options["claims"]
        if n_articles < 1 or n_claims < n_articles:
            raise CommandError("Give at least one article and one claim per article.")
        if n_claims > 2_000_000:
            raise CommandError("At most 2,000,000 claims.")
        self.random = random.Random(options["seed"])
        self.run = secrets.token_hex(3)
        self.pool = paragraph_pool()
        if not self.pool:
            raise CommandError(f"No article texts with claims found in {DATA}.")
        self.ratings = list(Rating.objects.active())
        self.scale = exports.rating_scale()
        if not self.ratings:
            raise CommandError("No active rating: run migrate first.")
        self.checkers, self.editors = self.people()

        n_big = min(options["big"], n_articles - 1) if n_articles > 1 else 0
        big_claims = min(BIG_CLAIMS, n_claims // 10)
        plans = [
            self.plan_big(size, big_claims, i)
            for i, size in enumerate(BIG_SIZES[:n_big])
        ]
        remaining, regular = n_claims - big_claims * n_big, n_articles - n_big
        for i in range(regular):
            share = remaining // regular + (1 if i < remaining % regular else 0)
            plans.insert(
                self.random.randrange(len(plans) + 1), self.plan_article(share, i)
            )

        if connection.vendor == "postgresql" and not connection.in_atomic_block:
            # Benchmark data, rebuilt at will: no need to wait for each commit's flush.
            with connection.cursor() as cursor:
                cursor.execute("SET synchronous_commit TO OFF")
        start = timezone.now() - datetime.timedelta(days=365)
        step = datetime.timedelta(days=364) / len(plans)
        written = 0
        with stored_times():
            self.sources = self.make_sources(start - datetime.timedelta(days=1))
            for i, plan in enumerate(plans):
                written += self.write(plan, start + step * i)
                if (i + 1) % 100 == 0:
                    self.stdout.write(f"{i + 1} articles, {written} claims")
        # Its approvals are dated in the past year, where "Previously checked" would
        # not look for claims it has already looked at.
        previously.forget()
        self.analyse()
        self.stdout.write(
            self.style.SUCCESS(
                f"Made {len(plans)} articles ({n_big} big) with {written} claims."
            )
        )

    # --- people and sources ---

    def people(self) -> tuple[list[User], list[User]]:
        defaults.ensure_groups()

        def person(name: str, group: str) -> User:
            user, created = User.objects.get_or_create(
                username=name, defaults={"email": f"{name}@example.org"}
            )
            if created:
                user.set_unusable_password()
                user.save(update_fields=["password"])
                user.groups.add(Group.objects.get(name=group))
            return user

        checkers = [
            person(f"scale-checker-{n:02}", defaults.FACT_CHECKERS)
            for n in range(CHECKERS)
        ]
        editors = [
            person(f"scale-editor-{n}", defaults.EDITORS) for n in range(EDITORS)
        ]
        return checkers, editors

    def make_sources(self, when: datetime.datetime) -> list[Source]:
        kinds = Source.Kind.values
        sources = [
            Source(
                title=f"Statistical release {self.run}-{n:03}",
                publisher=self.random.choice(
                    ["Office for National Statistics", "Bureau of Labor Statistics"]
                ),
                kind=kinds[n % len(kinds)],
                url=f"https://data.example.org/{self.run}/release-{n:03}.html",
                created_by=self.random.choice(self.checkers),
                created_at=when,
            )
            for n in range(SOURCES)
        ]
        with transaction.atomic():
            sources = Source.objects.bulk_create(sources)
            workflow._record_all(
                [
                    at(
                        workflow._event(
                            s.created_by,
                            "create",
                            s,
                            changes={
                                "title": [None, s.title],
                                "publisher": [None, s.publisher],
                                "kind": [None, s.kind],
                                "url": [None, s.url],
                            },
                        ),
                        when,
                    )
                    for s in sources
                ]
            )
        return sources

    # --- texts ---

    def vary(self, text: str) -> str:
        """The same text with other figures (each digit changed, so offsets hold)."""
        return "".join(
            str(self.random.randrange(10)) if c.isdigit() else c for c in text
        )

    def assemble(self, title: str, want_claims: int, min_bytes: int = 0) -> Plan:
        plan = Plan(title=title, body=title)
        parts, offset = [title], len(title)
        while len(plan.claims) < want_claims or offset < min_bytes:
            paragraph = self.random.choice(self.pool)
            offset += 2
            room = max(want_claims - len(plan.claims), 0)
            take = paragraph.claims[:room]
            if min_bytes and take:
                # A big article spreads its claims over the whole text.
                keep = want_claims * 300 / min_bytes
                take = [s for s in take if self.random.random() < keep]
            plan.claims += [shifted(s, offset) for s in take]
            plan.others += [
                shifted(s, offset)
                for s in paragraph.others + paragraph.claims
                if s not in take
            ]
            parts.append(self.vary(paragraph.text))
            offset += len(paragraph.text)
        plan.body = "\n\n".join(parts)
        plan.claims.sort(key=lambda s: s.start)
        plan.others.sort(key=lambda s: s.start)
        return plan

    def plan_article(self, n_claims: int, i: int) -> Plan:
        title = f"{self.vary(self.random.choice(self.pool).text[:70]).strip()} ({i})"
        return self.assemble(title, n_claims)

    def plan_big(self, size: int, n_claims: int, i: int) -> Plan:
        title = f"Annual budget report, full text, volume {i + 1} ({self.run})"
        plan = self.assemble(title, n_claims, min_bytes=size)
        while len(plan.body.encode()) > settings.VERIFIER_MAX_ARTICLE_BYTES:
            cut = plan.body.rfind("\n\n", 0, len(plan.body) - 10_000)
            plan.body = plan.body[:cut]
            plan.claims = [s for s in plan.claims if s.end <= cut]
            plan.others = [s for s in plan.others if s.end <= cut]
        return plan

    # --- writing ---

    @transaction.atomic
    def write(self, plan: Plan, when: datetime.datetime) -> int:
        clock = Clock(when)
        importer = self.random.choice(self.checkers)
        article = Article(
            title=plan.title[:300],
            body=plan.body,
            body_sha256=workflow.body_digest(plan.body),
            outlet=self.random.choice(OUTLETS),
            imported_by=importer,
            imported_at=clock.now(),
            sentences=[[s.start, s.end, s.score, list(s.reasons)] for s in plan.others],
        )
        states = [self.random.choice(STATE_MIX) for _ in plan.claims]
        if any(state != "open" for state in states):
            article.state = Article.State.IN_REVIEW
            article.version = 2
        scheduler = None
        if self.random.random() < 0.5:
            # Half the desk's articles work to a deadline: some passed, most ahead.
            scheduler = self.random.choice(self.editors)
            article.due = clock.now() + datetime.timedelta(
                hours=self.random.randint(-48, 240)
            )
            article.priority = self.random.choice(Priority.values)
            article.version += 1
        article.save()
        events = [
            at(
                workflow._event(
                    importer,
                    "import",
                    article,
                    article=article,
                    changes={
                        "title": [None, article.title],
                        "outlet": [None, article.outlet],
                        "body_sha256": [None, article.body_sha256],
                    },
                ),
                article.imported_at,
            )
        ]
        if scheduler is not None:
            events.append(
                at(
                    workflow._event(
                        scheduler,
                        "schedule",
                        article,
                        article=article,
                        changes={
                            "due": [None, article.due],
                            "priority": [Priority.NORMAL, article.priority],
                        },
                    ),
                    article.imported_at,
                )
            )
        claims = []
        for span in plan.claims:
            claim = workflow._new_claim(article, span)
            claim.created_at = claim.updated_at = clock.now()
            claims.append(claim)
        opened = clock.now()
        # Each claim's whole story is settled before it is inserted (no UPDATE
        # afterwards); its Events are built once it and its evidence have ids.
        work = [
            self.work(claim, state, clock)
            for claim, state in zip(claims, states, strict=True)
        ]
        Claim.objects.bulk_create(claims, batch_size=workflow.EVENT_BATCH)
        for claim in claims:
            create = at(workflow._create_event(importer, claim), claim.created_at)
            create.changes["state"] = [None, Claim.State.OPEN]
            events.append(create)
        if article.state == Article.State.IN_REVIEW:
            events.append(
                at(
                    workflow._event(
                        importer,
                        "open_for_review",
                        article,
                        article=article,
                        changes={
                            "state": [Article.State.DRAFT, Article.State.IN_REVIEW]
                        },
                    ),
                    opened,
                )
            )
        Evidence.objects.bulk_create(
            [e for w in work for e in w.evidence], batch_size=workflow.EVENT_BATCH
        )
        Note.objects.bulk_create(
            [n for w in work for n in w.notes], batch_size=workflow.EVENT_BATCH
        )
        for w in work:
            events += [step() for step in w.steps]
        workflow._record_all(events)
        return len(claims)

    def work(self, claim: Claim, state: str, clock: "Clock") -> "Work":
        """What happened to one claim on its way to ``state``, as deferred Events."""
        w = Work(claim)
        if state == "open":
            if self.random.random() < 0.1:
                w.note(
                    self.random.choice(self.checkers), self.random.choice(NOTES), clock
                )
            return w
        if state == "dismissed":
            reason = self.random.choice(DISMISS_REASONS)
            w.transition(
                self.random.choice(self.checkers),
                "dismiss",
                "dismissed",
                clock,
                reason=reason,
                dismiss_reason=reason,
            )
            return w
        checker = self.random.choice(self.checkers)
        w.transition(checker, "start", "in_progress", clock, assignee=checker)
        if self.random.random() < 0.3:
            w.note(checker, self.random.choice(NOTES), clock)
        if state == "in_progress" and self.random.random() < 0.5:
            return w
        for _ in range(self.random.choice([1, 1, 2])):
            w.cite(checker, self.random.choice(self.sources), clock, self.random)
        rating = self.random.choice(self.ratings)
        w.verdict(checker, rating, self.random.choice(RATIONALES), clock)
        if state == "in_progress":
            return w
        w.transition(checker, "submit", "submitted", clock, submitted_by=checker)
        if state == "approved":
            editor = self.random.choice(self.editors)
            approval = workflow.frozen_verdict(
                w.claim, w.evidence, scale=self.scale, approver=editor, at=clock.now()
            )
            w.transition(
                editor,
                "approve",
                "approved",
                clock,
                approved_by=editor,
                approval=approval,
            )
        return w

    def analyse(self) -> None:
        """Fresh planner statistics (and, on PostgreSQL, the visibility map that lets
        the list's id-only queries skip the table)."""
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql" and not connection.in_atomic_block:
                for table in ("verifier_claim", "verifier_article", "verifier_event"):
                    cursor.execute(f"VACUUM ANALYZE {table}")
                for table in ("verifier_evidence", "verifier_note", "verifier_source"):
                    cursor.execute(f"ANALYZE {table}")
            elif connection.vendor == "sqlite":
                cursor.execute("ANALYZE")


class Clock:
    """Times that only move forward, a few minutes per step."""

    def __init__(self, start: datetime.datetime):
        self.time = start

    def now(self) -> datetime.datetime:
        self.time += datetime.timedelta(seconds=37)
        return self.time


class Work:
    """One claim's changes, applied to the claim now, with Events built later (once
    the evidence and notes have ids)."""

    def __init__(self, claim: Claim):
        self.claim = claim
        self.evidence: list[Evidence] = []
        self.notes: list[Note] = []
        self.steps: list = []

    def _event(self, actor, action, target, changes, when, reason=""):
        claim = self.claim
        self.steps.append(
            lambda: at(
                workflow._event(
                    actor, action, target, claim=claim, changes=changes, reason=reason
                ),
                when,
            )
        )

    def transition(self, actor, action, state, clock, reason="", **fields):
        claim = self.claim
        changes = {"state": [claim.state, state]}
        for name, value in fields.items():
            old = getattr(claim, name)
            if name in ("assignee", "submitted_by", "approved_by"):
                changes[name] = [workflow._plain(old), workflow._plain(value)]
                changes[f"{name}_id"] = [workflow._pk(old), workflow._pk(value)]
            else:
                changes[name] = [old, value]
            setattr(claim, name, value)
        claim.state = state
        claim.version += 1
        claim.updated_at = clock.now()
        self._event(actor, action, claim, changes, claim.updated_at, reason)

    def verdict(self, actor, rating, rationale, clock):
        claim = self.claim
        changes = {
            "rating": [None, rating.label],
            "rating_id": [None, rating.pk],
            "rationale": [claim.rationale, rationale],
        }
        claim.rating, claim.rationale = rating, rationale
        claim.version += 1
        claim.updated_at = clock.now()
        self._event(actor, "verdict", claim, changes, claim.updated_at)

    def cite(self, actor, source, clock, rng):
        evidence = Evidence(
            claim=self.claim,
            source=source,
            excerpt=rng.choice(EXCERPTS),
            locator=f"p. {rng.randrange(1, 80)}",
            stance=rng.choice(Evidence.Stance.values),
            added_by=actor,
            added_at=clock.now(),
        )
        self.evidence.append(evidence)
        self._event(
            actor,
            "add_evidence",
            evidence,
            {
                "source": [None, str(source)],
                "excerpt": [None, evidence.excerpt],
                "locator": [None, evidence.locator],
                "stance": [None, evidence.stance],
            },
            evidence.added_at,
        )

    def note(self, actor, text, clock):
        note = Note(claim=self.claim, author=actor, text=text, created_at=clock.now())
        self.notes.append(note)
        self._event(actor, "note", note, {"text": [None, text]}, note.created_at)


def at(event: Event, when: datetime.datetime) -> Event:
    event.created_at = when
    return event


def shifted(span: workflow.Span, offset: int) -> workflow.Span:
    return workflow.Span(
        span.start + offset, span.end + offset, span.score, span.reasons, span.claimant
    )


def paragraph_pool() -> list[Paragraph]:
    """The paragraphs of the sample articles that hold a sentence worth listing."""
    pool = []
    for path in sorted(source_texts()):
        try:
            body = importing.read_upload(path.name, path.read_bytes())
        except importing.ImportProblem:
            continue
        claims, others = extraction.candidates(body)
        claims, others = workflow.spans_from(claims), workflow.spans_from(others)
        offset = 0
        for text in body.split("\n\n"):
            end = offset + len(text)

            def inside(spans, offset=offset, end=end):
                return [
                    shifted(s, -offset)
                    for s in spans
                    if offset <= s.start < s.end <= end
                ]

            paragraph = Paragraph(text, inside(claims), inside(others))
            if paragraph.claims or paragraph.others:
                pool.append(paragraph)
            offset = end + 2
    return [p for p in pool if p.claims] + [p for p in pool if not p.claims]


def source_texts() -> Iterator[Path]:
    for pattern in ("*.txt", "*.html", "seed/*.txt"):
        yield from DATA.glob(pattern)


@contextmanager
def stored_times():
    """Let the past-dated times of this command be stored as given: auto_now and
    auto_now_add would stamp every row with the moment of the run."""
    fields = [
        Article._meta.get_field("imported_at"),
        Claim._meta.get_field("created_at"),
        Claim._meta.get_field("updated_at"),
        Evidence._meta.get_field("added_at"),
        Note._meta.get_field("created_at"),
        Event._meta.get_field("created_at"),
    ]
    saved = [(f.auto_now, f.auto_now_add) for f in fields]
    for f in fields:
        f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, (auto_now, auto_now_add) in zip(fields, saved, strict=True):
            f.auto_now, f.auto_now_add = auto_now, auto_now_add
