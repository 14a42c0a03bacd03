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

    label = models.CharField(max_length=60)
    description = models.TextField(blank=True)
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

    title = models.CharField(max_length=300)
    body = models.TextField(help_text="Plain text as received.")
    body_sha256 = models.CharField(max_length=64, db_index=True, editable=False)
    outlet = models.CharField(max_length=200, blank=True)
    byline = models.CharField(max_length=300, blank=True)
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

    @property
    def is_signed_off(self) -> bool:
        return self.state == self.State.SIGNED_OFF


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
    claimant = models.CharField(max_length=200, blank=True)
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
    rationale = models.TextField(blank=True)
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
    dismiss_reason = models.TextField(blank=True)
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
        ]
        indexes = [
            models.Index(fields=["state"], name="claim_state_idx"),
            # The claims list sorts by it (most recently updated first).
            models.Index(fields=["updated_at"], name="claim_updated_at_idx"),
            # The default order of the claims list, newest change first: deep pages
            # walk this index instead of sorting every row.
            models.Index(fields=["updated_at", "id"], name="claim_updated_id_idx"),
            # The claims list sorted by claim: by its first 60 characters
            # (verifier.tables.TEXT_PREFIX), then id.
            models.Index(Substr("text", 1, 60), "id", name="claim_text_prefix_idx"),
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


class Source(models.Model):
    class Kind(models.TextChoices):
        PRIMARY = "primary", "Primary document"
        DATA = "data", "Official data"
        STATEMENT = "statement", "Official statement"
        EXPERT = "expert", "Expert"
        NEWS = "news", "News report"
        OTHER = "other", "Other"

    title = models.CharField(max_length=300)
    publisher = models.CharField(max_length=200, blank=True)
    kind = models.CharField(max_length=20, choices=Kind, default=Kind.PRIMARY)
    url = models.URLField("URL", max_length=500, blank=True, validators=[http_url])
    reference = models.CharField(
        "offline reference",
        max_length=300,
        blank=True,
        help_text="For a source with no web address: archive box, interview date, ...",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

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


class Evidence(models.Model):
    class Stance(models.TextChoices):
        SUPPORTS = "supports", "Supports"
        CONTRADICTS = "contradicts", "Contradicts"
        CONTEXT = "context", "Adds context"

    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="evidence")
    source = models.ForeignKey(
        Source, on_delete=models.PROTECT, related_name="evidence"
    )
    excerpt = models.TextField()
    locator = models.CharField(
        max_length=200,
        blank=True,
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


class Note(models.Model):
    """One entry of a claim's log. Append-only: workflow never edits or deletes one."""

    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    text = models.TextField()
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
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
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
    reason = models.TextField(blank=True)

    objects = EventQuerySet.as_manager()

    LABELS = {
        "add_evidence": "Evidence added",
        "remove_evidence": "Evidence removed",
        "open_for_review": "Opened for review",
        "sign_off": "Signed off",
        "verdict": "Verdict",
        "import": "Imported",
        "create": "Created",
    }

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.action} {self.target_type} #{self.target_id} by {self.actor}"

    # The audit trail is append-only at the ORM level too, whoever calls it.
    def save(self, *args, **kwargs):
        if not self._state.adding or kwargs.get("force_update"):
            raise ImmutableEventError("Events cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableEventError("Events cannot be deleted.")

    @property
    def label(self) -> str:
        return self.LABELS.get(self.action, self.action.replace("_", " ").capitalize())
