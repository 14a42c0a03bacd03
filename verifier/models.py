"""The data of the claim verifier and the invariants the database can hold.

State changes do not happen here: every transition lives in ``verifier.workflow``.
"""

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import URLValidator
from django.db import models
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, Substr
from django.urls import reverse
from django.utils import timezone

from verifier.validators import plain_text

http_url = URLValidator(schemes=["http", "https"])


class WorkflowPolicy(models.Model):
    """The admin's rules for the workflow: one row, edited in the Django admin."""

    evidence_required = models.PositiveSmallIntegerField(
        default=1,
        help_text="How many pieces of evidence a verdict needs before it can be "
        "submitted, when its rating requires evidence.",
    )
    four_eyes = models.BooleanField(
        "four-eyes approval",
        default=True,
        help_text="An editor cannot approve a verdict they submitted themselves.",
    )
    lock_after_sign_off = models.BooleanField(
        default=True,
        help_text="After sign-off an article's claims, verdicts and evidence are "
        "read-only until an editor reopens it.",
    )

    class Meta:
        verbose_name = "workflow policy"
        verbose_name_plural = "workflow policy"
        constraints = [
            models.CheckConstraint(condition=Q(pk=1), name="workflowpolicy_single_row"),
        ]

    def __str__(self):
        return "Workflow policy"

    @classmethod
    def current(cls) -> "WorkflowPolicy":
        policy, _ = cls.objects.get_or_create(pk=1)
        return policy


class RatingQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


class Rating(models.Model):
    """One step of the verdict scale. Retired, never deleted, once in use."""

    label = models.CharField(max_length=60, validators=[plain_text])
    description = models.TextField(blank=True, validators=[plain_text])
    colour = models.CharField(
        max_length=7, default="#6b7280", help_text="A hex colour such as #1a7f37."
    )
    value = models.SmallIntegerField(
        help_text="The number published as ratingValue in ClaimReview "
        "(higher is more accurate)."
    )
    position = models.PositiveSmallIntegerField(default=0)
    requires_evidence = models.BooleanField(default=True)
    is_active = models.BooleanField(
        "active", default=True, help_text="Retire a rating instead of deleting it."
    )

    objects = RatingQuerySet.as_manager()

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["label"], name="rating_unique_label"),
            models.CheckConstraint(
                condition=Q(colour__regex=r"^#[0-9A-Fa-f]{6}$"),
                name="rating_colour_hex",
            ),
        ]

    def __str__(self):
        return self.label

    @property
    def text_colour(self) -> str:
        """Black or white, whichever reads better on the rating's colour."""
        r, g, b = (int(self.colour[i : i + 2], 16) for i in (1, 3, 5))
        luminance = (0.299 * r + 0.587 * g + 0.114 * b) / 255
        return "#000000" if luminance > 0.55 else "#ffffff"


# What a list of articles never needs: the text and its sentence list, which for a
# report or transcript run to megabytes.
ARTICLE_HEAVY_FIELDS = ("body", "sentences")


class Priority(models.IntegerChoices):
    """How urgent a piece of work is, beside its deadline; higher comes first."""

    NORMAL = 0, "Normal"
    HIGH = 1, "High"
    URGENT = 2, "Urgent"


class ArticleQuerySet(models.QuerySet):
    def listed(self):
        """Articles without their text, for lists, filters and choices."""
        return self.defer(*ARTICLE_HEAVY_FIELDS)

    def with_progress(self):
        """Annotate each article with the number of its claims in each state."""
        counts = {
            f"n_{state}": Count("claims", filter=Q(claims__state=state))
            for state in Claim.State.values
        }
        return self.annotate(n_claims=Count("claims"), **counts)


class Article(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", "Draft"
        IN_REVIEW = "in_review", "In review"
        SIGNED_OFF = "signed_off", "Signed off"

    title = models.CharField(max_length=300, validators=[plain_text])
    # Imported text, normalised on the way in (importing.clean_text drops control
    # characters and refuses bidi overrides), so the validator holds for it too.
    body = models.TextField(
        help_text="Plain text as received.", validators=[plain_text]
    )
    body_sha256 = models.CharField(max_length=64, db_index=True, editable=False)
    outlet = models.CharField(max_length=200, blank=True, validators=[plain_text])
    byline = models.CharField(max_length=300, blank=True, validators=[plain_text])
    url = models.URLField(max_length=500, blank=True, validators=[http_url])
    published_on = models.DateField(null=True, blank=True)
    factcheck_url = models.URLField(
        "published fact-check URL",
        max_length=500,
        blank=True,
        validators=[http_url],
        help_text="Where the fact-check is published; ClaimReview links to it.",
    )
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    imported_at = models.DateTimeField(auto_now_add=True)
    state = models.CharField(max_length=20, choices=State, default=State.DRAFT)
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    signed_off_at = models.DateTimeField(null=True, blank=True)
    fingerprint = models.CharField(max_length=64, blank=True, editable=False)
    # What extraction found below the claim threshold, kept so that a checker can
    # promote one without re-running extraction: [[start, end, score, [reasons]], ...]
    sentences = models.JSONField(default=list, blank=True, editable=False)
    # Which version of the text this is (a corrected article is imported as a new
    # version: workflow.new_version), and which one was last signed off.
    text_version = models.PositiveIntegerField(default=1, editable=False)
    signed_off_version = models.PositiveIntegerField(
        null=True, blank=True, editable=False
    )
    # When the editors need the fact-check, and how urgent it is; its claims follow
    # unless an editor gives one its own (workflow.schedule).
    due = models.DateTimeField(null=True, blank=True, db_index=True)
    priority = models.PositiveSmallIntegerField(
        choices=Priority, default=Priority.NORMAL
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-imported_at", "-pk"]
        permissions = [
            ("sign_off_article", "Can sign off and reopen articles"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(state="signed_off")
                | (Q(signed_off_by__isnull=False) & Q(signed_off_at__isnull=False)),
                name="article_signed_off_has_editor_and_time",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("article-detail", args=[self.pk])

    def clean(self):
        problem = self.sentence_problem(self.body or "", self.sentences)
        if problem:
            # Not tied to the field: no form shows it, and a ModelForm refuses an
            # error for a field it does not have.
            raise ValidationError(f"The article's sentences are malformed: {problem}")

    @staticmethod
    def sentence_problem(body: str, sentences) -> str:
        """What is wrong with stored ``sentences`` for ``body`` ("" when nothing):
        the article page and add-claim read them as [start, end, score, reasons]."""
        if not isinstance(sentences, list):
            return "must be a list of [start, end, score, reasons]"
        for index, item in enumerate(sentences):
            if not (isinstance(item, list) and len(item) == 4):
                return f"[{index}]: must be a list of [start, end, score, reasons]"
            start, end, score, reasons = item
            if not all(
                isinstance(n, int) and not isinstance(n, bool) for n in (start, end)
            ):
                return f"[{index}]: start and end must be whole numbers"
            if not 0 <= start < end <= len(body):
                return f"[{index}]: {start}-{end} is outside the text (0-{len(body)})"
            if isinstance(score, bool) or not isinstance(score, int | float):
                return f"[{index}]: the score must be a number"
            if not (
                isinstance(reasons, list) and all(isinstance(r, str) for r in reasons)
            ):
                return f"[{index}]: the reasons must be a list of texts"
        return ""

    @property
    def is_signed_off(self) -> bool:
        return self.state == self.State.SIGNED_OFF

    @property
    def sign_off_is_stale(self) -> bool:
        """A version of the text was signed off, but the text has changed since."""
        return (
            not self.is_signed_off
            and self.signed_off_version is not None
            and self.signed_off_version != self.text_version
        )


class ArticleText(models.Model):
    """An earlier version of an article's text, kept when a new one is imported."""

    article = models.ForeignKey(
        Article, on_delete=models.PROTECT, related_name="earlier_texts"
    )
    number = models.PositiveIntegerField()
    body = models.TextField()
    body_sha256 = models.CharField(max_length=64)
    replaced_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    replaced_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["article", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["article", "number"], name="articletext_unique_number"
            ),
        ]

    def __str__(self):
        return f"{self.article} (version {self.number})"


class ClaimQuerySet(models.QuerySet):
    def with_article_title(self):
        """Claims joined to their article, without the article's text.

        Every list, page and export of claims goes through this: one megabyte article
        would otherwise ride along with each of its claims' rows.
        """
        return self.select_related("article").defer(
            *(f"article__{name}" for name in ARTICLE_HEAVY_FIELDS)
        )

    def assigned_to(self, user):
        return self.filter(assignee=user)

    def open_work_for(self, user):
        return self.filter(
            assignee=user, state__in=[Claim.State.OPEN, Claim.State.IN_PROGRESS]
        )

    def awaiting_approval(self):
        return self.filter(state=Claim.State.SUBMITTED)

    def with_source_count(self):
        """Annotate n_sources by a subquery, not GROUP BY: a page of a long list then
        counts sources for its own rows only, and the row count stays cheap."""
        sources = (
            Evidence.objects.filter(claim=OuterRef("pk"))
            .order_by()
            .values("claim")
            .annotate(n=Count("source", distinct=True))
            .values("n")
        )
        return self.annotate(n_sources=Coalesce(Subquery(sources), 0))

    def unsettled(self):
        return self.exclude(state__in=[Claim.State.APPROVED, Claim.State.DISMISSED])


class Claim(models.Model):
    class State(models.TextChoices):
        OPEN = "open", "Open"
        IN_PROGRESS = "in_progress", "In progress"
        SUBMITTED = "submitted", "Submitted"
        APPROVED = "approved", "Approved"
        DISMISSED = "dismissed", "Dismissed"

    class ClaimantKind(models.TextChoices):
        # Unset means "guess from the name" (exports.claimant_kind) until someone
        # says which it is; the guess is frozen with the rest at approval.
        UNSET = "", "Not said (guessed from the name)"
        PERSON = "person", "A person"
        ORGANISATION = "organisation", "An organisation, a document or data"

    article = models.ForeignKey(
        Article, on_delete=models.PROTECT, related_name="claims"
    )
    # The anchor: offsets into article.body plus a quote selector (the exact text
    # with what stands just before and after it) to find it again if offsets drift.
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    text = models.TextField("claim")
    prefix = models.CharField(max_length=64, blank=True)
    suffix = models.CharField(max_length=64, blank=True)
    claimant = models.CharField(max_length=200, blank=True, validators=[plain_text])
    claimant_kind = models.CharField(
        max_length=20, choices=ClaimantKind, blank=True, default=ClaimantKind.UNSET
    )
    score = models.FloatField(default=0)
    reasons = models.JSONField(default=list, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_claims",
    )
    state = models.CharField(max_length=20, choices=State, default=State.OPEN)
    rating = models.ForeignKey(
        Rating, on_delete=models.PROTECT, null=True, blank=True, related_name="claims"
    )
    rationale = models.TextField(blank=True, validators=[plain_text])
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    dismiss_reason = models.TextField(blank=True, validators=[plain_text])
    # Its words are gone from a new version of the article: an editor dismisses it.
    orphaned = models.BooleanField(default=False)
    # The deadline and priority this claim is worked to: its article's, copied here so
    # that lists sort and filter by them along an index, unless an editor set the
    # claim's own (schedule_own). workflow.schedule keeps them in step.
    due = models.DateTimeField(null=True, blank=True)
    priority = models.PositiveSmallIntegerField(
        choices=Priority, default=Priority.NORMAL
    )
    schedule_own = models.BooleanField(default=False, editable=False)
    # What the editor approved, frozen at that moment (workflow.approval_record):
    # the memo, ClaimReview, exports and the sign-off fingerprint read this, never the
    # live Rating or Source, so editing the scale or a source later changes nothing
    # that was approved. None unless the claim is approved.
    approval = models.JSONField(null=True, blank=True, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # PostgreSQL's full-text index of text, claimant and rationale, kept current by a
    # trigger (migration 0006) and searched by verifier.search; NULL on SQLite.
    search_vector = SearchVectorField(null=True, editable=False)

    objects = ClaimQuerySet.as_manager()

    class Meta:
        ordering = ["article", "start", "pk"]
        permissions = [
            ("work_claim", "Can work claims: verdicts, evidence, notes, submit"),
            ("approve_claim", "Can approve, return, reopen and restore claims"),
            ("assign_claim", "Can assign claims to fact-checkers"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=models.F("start")), name="claim_span_not_empty"
            ),
            models.CheckConstraint(
                condition=~Q(state__in=["submitted", "approved"])
                | Q(rating__isnull=False),
                name="claim_settled_verdict_has_rating",
            ),
            models.CheckConstraint(
                condition=Q(state="approved", approval__isnull=False)
                | (~Q(state="approved") & Q(approval__isnull=True)),
                name="claim_approval_frozen_when_approved",
            ),
        ]
        indexes = [
            # A state's claims, and the dashboard's approved verdicts counted by
            # rating from the index alone (not a pass over every claim).
            models.Index(fields=["state", "rating"], name="claim_state_rating_idx"),
            # The claims list sorts by it (most recently updated first).
            models.Index(fields=["updated_at"], name="claim_updated_at_idx"),
            # The default order of the claims list, newest change first: deep pages
            # walk this index instead of sorting every row.
            models.Index(fields=["updated_at", "id"], name="claim_updated_id_idx"),
            # The claims list sorted by claim: by its first 60 characters
            # (verifier.tables.TEXT_PREFIX), then id.
            models.Index(Substr("text", 1, 60), "id", name="claim_text_prefix_idx"),
            # The claims list sorted and filtered by deadline.
            models.Index(fields=["due", "id"], name="claim_due_id_idx"),
        ]

    def __str__(self):
        return f"#{self.pk} {self.short_text}"

    def get_absolute_url(self):
        return reverse("claim-detail", args=[self.pk])

    @property
    def short_text(self) -> str:
        return self.text if len(self.text) <= 80 else self.text[:79] + "…"

    @property
    def is_settled(self) -> bool:
        return self.state in (self.State.APPROVED, self.State.DISMISSED)

    @property
    def verdict(self):
        """The verdict as pages show it: the frozen one once approved (label, colour,
        description, value), else the live rating being worked on (or None)."""
        if self.approval:
            return _Record(self.approval["rating"])
        return self.rating

    @property
    def approved(self) -> "ApprovedVerdict | None":
        """The frozen approval record, for templates; None unless approved."""
        return ApprovedVerdict(self.approval) if self.approval else None


class _Record:
    """Attribute access to one level of a frozen record (a dict from JSON)."""

    def __init__(self, data: dict):
        self._data = data

    def __getattr__(self, name):
        try:
            return self._data[name]
        except KeyError:
            raise AttributeError(name) from None


class ApprovedVerdict(_Record):
    """A claim's approval record as the pages read it: ``claim.approved.rating.label``,
    ``claim.approved.evidence``, each with its ``source``."""

    @property
    def rating(self) -> _Record:
        return _Record(self._data["rating"])

    @property
    def evidence(self) -> list:
        stances = Evidence.STANCE_FOR_CLAIM
        return [
            _Record(
                item
                | {
                    "source": _Record(item["source"]),
                    "stance_display": stances.get(item["stance"], item["stance"]),
                }
            )
            for item in self._data.get("evidence", [])
        ]


class SourceQuerySet(models.QuerySet):
    def current(self):
        """Sources no later version corrects: the ones to cite now."""
        return self.filter(superseded_by__isnull=True)

    def same_as(self, *, url: str = "", title: str = "", reference: str = ""):
        """The sources these describe: the same URL, else (an offline source) the same
        title and reference. Oldest first."""
        if url:
            return self.filter(url=url).order_by("pk")
        return self.filter(url="", title=title, reference=reference).order_by("pk")


class Source(models.Model):
    class Kind(models.TextChoices):
        PRIMARY = "primary", "Primary document"
        DATA = "data", "Official data"
        STATEMENT = "statement", "Official statement"
        EXPERT = "expert", "Expert"
        NEWS = "news", "News report"
        OTHER = "other", "Other"

    title = models.CharField(max_length=300, validators=[plain_text])
    publisher = models.CharField(max_length=200, blank=True, validators=[plain_text])
    kind = models.CharField(max_length=20, choices=Kind, default=Kind.PRIMARY)
    url = models.URLField("URL", max_length=500, blank=True, validators=[http_url])
    reference = models.CharField(
        "offline reference",
        max_length=300,
        blank=True,
        validators=[plain_text],
        help_text="For a source with no web address: archive box, interview date, ...",
    )
    # A source is corrected by adding a new version that supersedes it: what claims
    # cited (and what editors approved) keeps pointing at the words it had.
    supersedes = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="superseded_by",
        help_text="The earlier version of this source that this one corrects.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SourceQuerySet.as_manager()

    class Meta:
        ordering = ["title", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(url="") | ~Q(reference=""),
                name="source_has_url_or_reference",
            ),
            models.CheckConstraint(
                condition=Q(url="")
                | Q(url__startswith="http://")
                | Q(url__startswith="https://"),
                name="source_url_is_http",
            ),
        ]

    def __str__(self):
        return f"{self.title} ({self.publisher})" if self.publisher else self.title

    def clean(self):
        if not self.url and not self.reference:
            raise ValidationError("Give the source a URL or an offline reference.")
        if self.pk is not None and self.supersedes_id == self.pk:
            raise ValidationError({"supersedes": "A source cannot correct itself."})


class Evidence(models.Model):
    class Stance(models.TextChoices):
        SUPPORTS = "supports", "Supports"
        CONTRADICTS = "contradicts", "Contradicts"
        CONTEXT = "context", "Adds context"

    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="evidence")
    source = models.ForeignKey(
        Source, on_delete=models.PROTECT, related_name="evidence"
    )
    excerpt = models.TextField(validators=[plain_text])
    locator = models.CharField(
        max_length=200,
        blank=True,
        validators=[plain_text],
        help_text="Page, section or timestamp in the source.",
    )
    stance = models.CharField(max_length=20, choices=Stance)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["added_at", "pk"]
        verbose_name_plural = "evidence"

    def __str__(self):
        return f"{self.source} on claim #{self.claim_id}"

    # What each stance means for the claim, as the forms and pages say it (a bare
    # "Supports" under a "Misleading" verdict reads as supporting the verdict).
    STANCE_FOR_CLAIM = {
        Stance.SUPPORTS: "Supports the claim",
        Stance.CONTRADICTS: "Contradicts the claim",
        Stance.CONTEXT: "Adds context to the claim",
    }

    @property
    def stance_label(self) -> str:
        return self.STANCE_FOR_CLAIM.get(self.stance, self.get_stance_display())


class Note(models.Model):
    """One entry of a claim's log. Append-only: workflow never edits or deletes one."""

    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    text = models.TextField(validators=[plain_text])
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"Note by {self.author} on claim #{self.claim_id}"


class EventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise ImmutableEventError("Events cannot be changed.")

    def delete(self):
        raise ImmutableEventError("Events cannot be deleted.")


class ImmutableEventError(Exception):
    pass


class Event(models.Model):
    """The immutable record of one change: who, when, what, from and to, and why."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # When it happened: now for a live change, the original time for a restored one.
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    action = models.CharField(max_length=40)
    # What the event is about, by model name and primary key, plus the claim and article
    # it belongs to so that their histories are one indexed query each.
    target_type = models.CharField(max_length=40)
    target_id = models.PositiveBigIntegerField(null=True, blank=True)
    article = models.ForeignKey(
        Article, on_delete=models.PROTECT, null=True, blank=True, related_name="events"
    )
    claim = models.ForeignKey(
        Claim, on_delete=models.PROTECT, null=True, blank=True, related_name="events"
    )
    changes = models.JSONField(
        default=dict,
        blank=True,
        encoder=DjangoJSONEncoder,
        help_text='{"field": [from, to], ...}',
    )
    reason = models.TextField(blank=True, validators=[plain_text])
    # The hash chain (``verifier.audit``): this Event's place in it, when this instance
    # wrote it there, the hash of the Event before it, and the hash of its own content
    # together with that previous hash.
    sequence = models.PositiveBigIntegerField(unique=True, editable=False)
    recorded_at = models.DateTimeField(editable=False)
    previous_hash = models.CharField(max_length=64, editable=False)
    hash = models.CharField(max_length=64, editable=False)

    objects = EventQuerySet.as_manager()

    LABELS = {
        "add_evidence": "Evidence added",
        "remove_evidence": "Evidence removed",
        "open_for_review": "Opened for review",
        "sign_off": "Signed off",
        "verdict": "Verdict",
        "import": "Imported",
        "create": "Created",
        "claimant": "Claimant",
        "reuse": "Verdict reused",
        "new_version": "New version of the text",
        "reanchor": "Found again in the new text",
        "text_changed": "Words changed in the new text",
        "text_reopened": "Back to work: its words changed",
        "orphan": "Words gone from the new text",
        "freeze": "Approval record frozen",
        "schedule": "Deadline",
    }

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.action} {self.target_type} #{self.target_id} by {self.actor}"

    # The audit trail is append-only at the ORM level too, whoever calls it, and a new
    # Event always joins the hash chain.
    def save(self, *args, **kwargs):
        if not self._state.adding or kwargs.get("force_update"):
            raise ImmutableEventError("Events cannot be changed.")
        from verifier import audit

        audit.append([self])

    def delete(self, *args, **kwargs):
        raise ImmutableEventError("Events cannot be deleted.")

    @property
    def label(self) -> str:
        return self.LABELS.get(self.action, self.action.replace("_", " ").capitalize())


class AuditHead(models.Model):
    """The end of the Events' hash chain: one row, locked by every append.

    Appending takes this row's lock last in its transaction, after any article and
    claim locks, so that two transactions can neither fork the chain nor deadlock.
    """

    sequence = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(pk=1), name="audit_head_single_row")
        ]

    def __str__(self):
        return f"audit chain head at #{self.sequence}"


def default_time_zone() -> str:
    # A callable, so that a migration does not freeze the setting of the day it ran.
    return settings.TIME_ZONE


class Preferences(models.Model):
    """What one person chose for themselves: email notifications and their time zone.

    A user without a row has the defaults; the preferences page creates it.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="preferences"
    )
    email = models.BooleanField(
        "email notifications",
        default=True,
        help_text="Also send each notification to my email address.",
    )
    time_zone = models.CharField(max_length=64, default=default_time_zone)

    class Meta:
        verbose_name_plural = "preferences"

    def __str__(self):
        return f"Preferences of {self.user}"


class NotificationQuerySet(models.QuerySet):
    def unread(self):
        return self.filter(read_at__isnull=True)

    def for_user(self, user):
        return self.filter(recipient=user)

    def to_send(self):
        """Mail not yet delivered: pending, or failed and worth another try."""
        return self.filter(
            Q(email_state=Notification.Email.PENDING)
            | Q(
                email_state=Notification.Email.FAILED,
                attempts__lt=Notification.MAX_ATTEMPTS,
            )
        )


class Notification(models.Model):
    """Something a person should know about, in their inbox and (by choice) by email.

    Made by ``verifier.notifications`` from the Events of the workflow; never the
    record of what happened (that is the Event), only the message about it.
    """

    class Kind(models.TextChoices):
        ASSIGNED = "assigned", "Assigned to you"
        RETURNED = "returned", "Returned to you"
        AWAITING_APPROVAL = "awaiting_approval", "Awaiting your approval"
        READY_TO_SIGN_OFF = "ready_to_sign_off", "Ready to sign off"
        MENTIONED = "mentioned", "Mentioned you"

    class Email(models.TextChoices):
        PENDING = "pending", "Pending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        OFF = "off", "Off"  # no address, or the person turned email off

    MAX_ATTEMPTS = 5

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    claim = models.ForeignKey(
        Claim, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    email_state = models.CharField(
        max_length=10, choices=Email.choices, default=Email.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(
                fields=["recipient", "-created_at"], name="notification_inbox"
            ),
            models.Index(
                fields=["recipient"],
                condition=Q(read_at__isnull=True),
                name="notification_unread",
            ),
            models.Index(
                fields=["email_state"],
                condition=Q(email_state__in=["pending", "failed"]),
                name="notification_to_send",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} for {self.recipient}: {self.text}"

    def get_absolute_url(self):
        if self.claim_id is not None:
            return reverse("claim-detail", args=[self.claim_id])
        if self.article_id is not None:
            return reverse("article-detail", args=[self.article_id])
        return reverse("inbox")


class PriorCandidates(models.Model):
    """The approved claims found to match a claim when the indexes were last asked:
    what ``verifier.previously`` remembers between views, so that a claim page asks the
    trigram index (25-40 ms of the database's time at 100,000 claims) once a day
    instead of on every view. Derived data, rebuilt whenever it is missing or
    old; no person's change, so no Event."""

    claim = models.OneToOneField(
        Claim, on_delete=models.CASCADE, related_name="prior_candidates"
    )
    # The claim's text when the candidates were found: an adjusted claim looks again.
    text_sha256 = models.CharField(max_length=64)
    ids = models.JSONField(default=list)
    found_at = models.DateTimeField()

    def __str__(self):
        return f"{len(self.ids)} matches for claim #{self.claim_id}"
