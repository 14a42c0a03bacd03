"""The admin's control room: the verdict scale, the policy, users, and overrides.

Claims change state only through ``verifier.workflow`` (the bulk actions below call it);
every other save made here, users and groups with their permissions included, is
recorded as an Event with the reason the admin gives (a password change is recorded as
"changed", never its hash), and so is every delete, an unlock (deleting django-axes's
failed log-ins of a locked-out person) included.
"""

import re

from axes import admin as axes_admin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.contrib.auth import admin as auth_admin
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import models, transaction
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode

from verifier import validators, workflow
from verifier.models import (
    Article,
    Claim,
    Event,
    Evidence,
    Note,
    Notification,
    Rating,
    Source,
    WorkflowPolicy,
)

HEX_COLOUR = re.compile(r"#[0-9A-Fa-f]{6}")  # as the rating_colour_hex constraint

admin.site.site_header = "Claim verifier administration"
admin.site.site_title = "Claim verifier admin"


class ReasonForm(forms.ModelForm):
    """Every admin edit says why; the reason goes into the Event."""

    change_reason = forms.CharField(
        label="Reason for this change",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Recorded in the audit trail.",
        validators=[validators.plain_text],
    )


class AuditedAdmin(admin.ModelAdmin):
    """Saves through workflow.admin_save, so that each edit writes its Event."""

    form = ReasonForm
    # An address typed without a scheme is https (Django 6.0's default too).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def get_fields(self, request, obj=None):
        # The reason goes last, where the admin finishes the edit (also when the
        # subclass lists its fields without it).
        fields = [f for f in super().get_fields(request, obj) if f != "change_reason"]
        return fields + ["change_reason"]

    def save_model(self, request, obj, form, change):
        workflow.admin_save(
            obj,
            user=request.user,
            changed={
                name: [form.initial.get(name), form.cleaned_data.get(name)]
                for name in form.changed_data
                if name != "change_reason"
            },
            reason=form.cleaned_data["change_reason"],
            created=not change,
        )

    def delete_model(self, request, obj):
        # Deletion is offered only where has_delete_permission allows it.
        workflow.admin_delete(obj, user=request.user)

    def delete_queryset(self, request, queryset):
        # The "delete selected" action: one Event per object, all or nothing.
        with transaction.atomic():
            for obj in queryset:
                workflow.admin_delete(obj, user=request.user)


@admin.register(WorkflowPolicy)
class WorkflowPolicyAdmin(AuditedAdmin):
    list_display = ["__str__", "evidence_required", "four_eyes", "lock_after_sign_off"]

    def has_add_permission(self, request):
        return not WorkflowPolicy.objects.exists() and super().has_add_permission(
            request
        )

    def has_delete_permission(self, request, obj=None):
        return False


class RatingForm(ReasonForm):
    """A rating in use keeps its label and value: the form says so where they are."""

    def clean_colour(self):
        # The database's rating_colour_hex holds the same rule; here it is said at
        # the field, in words, before the constraint's name could be shown.
        colour = self.cleaned_data["colour"]
        if not HEX_COLOUR.fullmatch(colour):
            raise forms.ValidationError(
                f"Colour must be a hex colour such as #1a7f37, not “{colour}”."
            )
        return colour

    def clean(self):
        data = super().clean()
        for name in workflow.frozen_fields(self.instance):
            if name in self.changed_data:
                self.add_error(
                    name,
                    f"This rating is used by claims, so its {name} cannot change: "
                    "verdicts were given and published with it. Untick “active” to "
                    "retire it and add a new rating instead.",
                )
        return data


@admin.register(Rating)
class RatingAdmin(AuditedAdmin):
    form = RatingForm
    list_display = [
        "label",
        "value",
        "colour",
        "position",
        "requires_evidence",
        "is_active",
    ]
    list_filter = ["is_active", "requires_evidence"]
    search_fields = ["label", "description"]
    ordering = ["position"]
    readonly_fields = ["in_use"]

    @admin.display(description="In use")
    def in_use(self, obj):
        n = obj.claims.count() if obj and obj.pk else 0
        if not n:
            return "Not used by any claim yet: every field can change."
        return (
            f"Used by {n} claim{'s' if n != 1 else ''}, so its label and value are "
            "fixed: verdicts were given and published in these words. To change "
            "them, untick “active” to retire this rating and add a new one. Its "
            "description and colour can still change; approved verdicts keep the "
            "ones they were approved with."
        )

    def get_deleted_objects(self, objs, request):
        # A rating in use is retired (unticked "active"), never deleted: the delete
        # page says so, with how many claims use it, instead of listing every claim
        # (the database's PROTECT refuses the delete anyway).
        deleted, counts, perms_needed, protected = super().get_deleted_objects(
            objs, request
        )
        in_use = (
            Rating.objects.filter(pk__in=[obj.pk for obj in objs])
            .annotate(n=models.Count("claims"))
            .filter(n__gt=0)
            .order_by("position")
        )
        if in_use:
            # Not "no permission to delete claims": the claims are why, not the
            # admin's permissions.
            perms_needed = set()
            protected = [
                f"“{rating.label}” is in use by {rating.n} "
                f"claim{'s' if rating.n != 1 else ''} and cannot be deleted; untick "
                "“active” to retire it instead."
                for rating in in_use
            ]
        return deleted, counts, perms_needed, protected


@admin.register(Source)
class SourceAdmin(AuditedAdmin):
    list_display = ["title", "publisher", "kind", "url", "created_by", "created_at"]
    list_filter = ["kind"]
    search_fields = ["title", "publisher", "url", "reference"]
    readonly_fields = ["versions", "created_by", "created_at"]
    raw_id_fields = ["supersedes"]

    def get_readonly_fields(self, request, obj=None):
        # Evidence cites a source as it was: correct it by adding a version.
        frozen = workflow.frozen_fields(obj)
        if frozen:
            frozen = (*frozen, "supersedes")
        return [*super().get_readonly_fields(request, obj), *frozen]

    @admin.display(description="Versions")
    def versions(self, obj):
        if obj is None or obj.pk is None:
            return "A new source."
        later = list(obj.superseded_by.all())
        parts = []
        if later:
            parts.append(
                format_html_join(
                    ", ",
                    'Corrected by <a href="{}">{}</a>',
                    (
                        (reverse("admin:verifier_source_change", args=[v.pk]), v)
                        for v in later
                    ),
                )
            )
        if workflow.frozen_fields(obj):
            query = urlencode(
                {
                    "supersedes": obj.pk,
                    "title": obj.title,
                    "publisher": obj.publisher,
                    "kind": obj.kind,
                    "url": obj.url,
                    "reference": obj.reference,
                }
            )
            parts.append(
                format_html(
                    "Cited as evidence, so it stays as it was cited. "
                    '<a href="{}?{}">Add a corrected version</a>: new evidence '
                    "then cites that one.",
                    reverse("admin:verifier_source_add"),
                    query,
                )
            )
        return format_html_join(" ", "<p>{}</p>", ((p,) for p in parts)) or "-"

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


class ArticleForm(ReasonForm):
    def clean(self):
        cleaned = super().clean()
        locked = self.instance.pk is not None and workflow.claims_locked(self.instance)
        changed = set(self.changed_data) - {"change_reason"}
        if locked and changed - workflow.EDITABLE_AFTER_SIGN_OFF:
            raise forms.ValidationError(
                "This article is signed off, so only its published fact-check URL "
                "can change. An editor must reopen it before its other details can "
                "be edited."
            )
        return cleaned


@admin.register(Article)
class ArticleAdmin(AuditedAdmin):
    form = ArticleForm
    list_display = [
        "title",
        "outlet",
        "state",
        "imported_by",
        "imported_at",
        "signed_off_by",
    ]
    list_filter = ["state", "outlet"]
    search_fields = ["title", "outlet", "byline", "url"]
    date_hierarchy = "imported_at"
    fields = [
        "title",
        "outlet",
        "byline",
        "url",
        "published_on",
        "factcheck_url",
        "state",
        "imported_by",
        "imported_at",
        "signed_off_by",
        "signed_off_at",
        "fingerprint",
        "body",
    ]
    readonly_fields = [
        "state",
        "imported_by",
        "imported_at",
        "signed_off_by",
        "signed_off_at",
        "fingerprint",
        "body",
    ]

    def get_queryset(self, request):
        # The text is read on the change page only (one more query there).
        return super().get_queryset(request).defer("body", "sentences")

    def has_add_permission(self, request):
        # Articles come in through the import page, which extracts their claims.
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        fields = {
            name: form.cleaned_data[name]
            for name in form.changed_data
            if name != "change_reason"
        }
        # Reload so that update_article compares against what is stored.
        article = Article.objects.get(pk=obj.pk)
        with transaction.atomic():
            workflow.update_article(
                article,
                user=request.user,
                reason=form.cleaned_data["change_reason"],
                **fields,
            )


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class EvidenceInline(ReadOnlyInline):
    model = Evidence
    fields = ["source", "excerpt", "locator", "stance", "added_by", "added_at"]
    readonly_fields = fields


class NoteInline(ReadOnlyInline):
    model = Note
    fields = ["author", "text", "created_at"]
    readonly_fields = fields


class ClaimActionForm(ActionForm):
    """Extra inputs of the bulk actions: whom to assign to, and why."""

    assignee = forms.ModelChoiceField(
        queryset=get_user_model().objects.filter(is_active=True).order_by("username"),
        required=False,
        label="Assign to",
    )
    reason = forms.CharField(required=False, label="Reason", max_length=2000)


def _bulk(modeladmin, request, queryset, verb, call):
    """Run one workflow call per claim; report what worked and why the rest did not.

    Each call passes the version of the row as the admin's list loaded it, so a claim
    changed since is refused as a conflict rather than acted on unseen.
    """
    done, failed = 0, []
    for claim in queryset.with_article_title():
        try:
            call(claim)
            done += 1
        except workflow.WorkflowError as error:
            failed.append(f"#{claim.pk}: {error.message}")
    if done:
        modeladmin.message_user(request, f"{verb}: {done} claim(s).", messages.SUCCESS)
    for line in failed:
        modeladmin.message_user(request, line, messages.ERROR)


class ArticleTitleFilter(admin.RelatedFieldListFilter):
    """Filter by article, listing titles only: the stock filter loads whole articles,
    texts and all, on every page of the changelist."""

    def field_choices(self, field, request, model_admin):
        return list(
            Article.objects.order_by("-imported_at", "-pk").values_list("pk", "title")
        )


# Claims and events show their article's title, never its text.
WITHOUT_ARTICLE_TEXT = ("article__body", "article__sentences")


@admin.register(Claim)
class ClaimAdmin(AuditedAdmin):
    """Claims change through the bulk actions (workflow); a save of the change form
    changes nothing, but is recorded with its reason like every admin save."""

    list_display = [
        "id",
        "short_text",
        "article",
        "state",
        "rating",
        "assignee",
        "updated_at",
    ]
    list_filter = ["state", "rating", "assignee", ("article", ArticleTitleFilter)]
    search_fields = ["text", "claimant", "rationale"]
    list_select_related = ["article", "rating", "assignee"]
    inlines = [EvidenceInline, NoteInline]
    action_form = ClaimActionForm
    actions = ["assign_to", "approve", "return_", "reopen", "dismiss", "restore"]
    readonly_fields = [
        "article",
        "text",
        "start",
        "end",
        "prefix",
        "suffix",
        "claimant",
        "score",
        "reasons",
        "state",
        "assignee",
        "rating",
        "rationale",
        "submitted_by",
        "approved_by",
        "dismiss_reason",
        # Set on the article and claim pages (workflow.schedule_*), as an Event.
        "due",
        "priority",
        "version",
        "created_at",
        "updated_at",
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            # All three: the changelist adds list_select_related only to a queryset
            # that joins nothing yet.
            .select_related("article", "rating", "assignee")
            .defer(*WITHOUT_ARTICLE_TEXT, "search_vector")
        )

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="Assign to the chosen user (or unassign)")
    def assign_to(self, request, queryset):
        assignee = (
            ClaimActionForm(request.POST)
            .fields["assignee"]
            .clean(request.POST.get("assignee") or None)
        )
        _bulk(
            self,
            request,
            queryset,
            "Assigned",
            lambda c: workflow.assign(
                c, user=request.user, assignee=assignee, version=c.version
            ),
        )

    @admin.action(description="Approve submitted verdicts")
    def approve(self, request, queryset):
        _bulk(
            self,
            request,
            queryset,
            "Approved",
            lambda c: workflow.approve(c, user=request.user, version=c.version),
        )

    @admin.action(description="Return submitted verdicts (give a reason)")
    def return_(self, request, queryset):
        reason = request.POST.get("reason", "")
        _bulk(
            self,
            request,
            queryset,
            "Returned",
            lambda c: workflow.return_(
                c, user=request.user, reason=reason, version=c.version
            ),
        )

    @admin.action(description="Reopen approved claims (give a reason)")
    def reopen(self, request, queryset):
        reason = request.POST.get("reason", "")
        _bulk(
            self,
            request,
            queryset,
            "Reopened",
            lambda c: workflow.reopen(
                c, user=request.user, reason=reason, version=c.version
            ),
        )

    @admin.action(description="Dismiss claims (give a reason)")
    def dismiss(self, request, queryset):
        reason = request.POST.get("reason", "")
        _bulk(
            self,
            request,
            queryset,
            "Dismissed",
            lambda c: workflow.dismiss(
                c, user=request.user, reason=reason, version=c.version
            ),
        )

    @admin.action(description="Restore dismissed claims")
    def restore(self, request, queryset):
        _bulk(
            self,
            request,
            queryset,
            "Restored",
            lambda c: workflow.restore(c, user=request.user, version=c.version),
        )


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records the workflow writes: listed and searched in the admin, never changed
    there."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Evidence)
class EvidenceAdmin(ReadOnlyAdmin):
    list_display = ["claim", "source", "stance", "locator", "added_by", "added_at"]
    list_filter = ["stance", "source__kind"]
    search_fields = ["excerpt", "source__title", "claim__text"]
    list_select_related = ["claim", "source", "added_by"]


@admin.register(Note)
class NoteAdmin(ReadOnlyAdmin):
    list_display = ["claim", "author", "created_at", "text"]
    search_fields = ["text"]
    list_select_related = ["claim", "author"]


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin):
    """The audit trail: readable and searchable, never editable, by anyone."""

    list_display = [
        "created_at",
        "actor",
        "action",
        "target_type",
        "target_id",
        "claim",
        "article",
        "reason",
    ]
    list_filter = ["action", "target_type", "actor"]
    search_fields = ["reason", "action"]
    list_select_related = ["actor", "claim", "article"]
    date_hierarchy = "created_at"

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("actor", "claim", "article")
            .defer(*WITHOUT_ARTICLE_TEXT, "claim__search_vector")
        )


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    """What people were told, and whether their mail went out: filter by email state
    to see failed mail (``manage.py send_notifications`` retries it)."""

    list_display = [
        "created_at",
        "recipient",
        "kind",
        "claim",
        "email_state",
        "attempts",
        "last_error",
        "read_at",
    ]
    list_filter = ["email_state", "kind"]
    search_fields = ["recipient__username", "text", "last_error"]
    list_select_related = ["recipient", "claim"]
    date_hierarchy = "created_at"

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("recipient", "claim")
            .defer("claim__search_vector")
        )


# --- users and groups: Django's own admin, with an Event for every save ---------------

UserModel = get_user_model()
# What an Event never holds: a password (even hashed) is recorded as "changed".
SECRET_FIELDS = {"password", "password1", "password2", "usable_password"}


def _form_changes(form, *, created: bool) -> dict:
    changed = {
        name: [form.initial.get(name), form.cleaned_data.get(name)]
        for name in form.changed_data
        if name != "change_reason" and name not in SECRET_FIELDS
    }
    changes = {
        name: pair
        for name, pair in workflow.admin_changes(changed, created=created).items()
        if created or pair[0] != pair[1]  # a time shown without its microseconds
    }
    if SECRET_FIELDS & set(form.changed_data):
        changes["password"] = [None, "changed"]
    return changes


class UserChangeForm(auth_forms.UserChangeForm):
    change_reason = ReasonForm.base_fields["change_reason"]


class UserCreationForm(auth_forms.AdminUserCreationForm):
    change_reason = ReasonForm.base_fields["change_reason"]


class AuditedDeletes:
    """Each row the admin deletes is an Event, a bulk delete one Event per row."""

    def described(self, obj) -> str:
        """How the Event names the deleted row."""
        return str(obj)

    def delete_model(self, request, obj):
        workflow.admin_delete(obj, user=request.user, description=self.described(obj))

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            for obj in queryset:
                workflow.admin_delete(
                    obj, user=request.user, description=self.described(obj)
                )


class AuditedAuthAdmin(AuditedDeletes):
    """Users and groups: Django's admin saves them; each save and delete is an
    Event, with the reason the form asks for."""

    def save_related(self, request, form, formsets, change):
        # After the groups and permissions are saved, inside the admin's transaction.
        super().save_related(request, form, formsets, change)
        workflow.record_admin_change(
            form.instance,
            user=request.user,
            action="edit" if change else "create",
            changes=_form_changes(form, created=not change),
            reason=form.cleaned_data["change_reason"],
        )


class AuditedUserAdmin(AuditedAuthAdmin, auth_admin.UserAdmin):
    form = UserChangeForm
    add_form = UserCreationForm
    list_display = [*auth_admin.UserAdmin.list_display, "group_names"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    @admin.display(description="Groups")
    def group_names(self, obj):
        # From the prefetched groups: one query for the page, not one per user.
        return ", ".join(sorted(group.name for group in obj.groups.all())) or "—"

    def get_fieldsets(self, request, obj=None):
        return [
            *super().get_fieldsets(request, obj),
            (None, {"fields": ["change_reason"]}),
        ]

    def user_change_password(self, request, id, form_url=""):
        # Django's view saves the password and calls log_change only when it did;
        # one transaction holds the password and its Event.
        request.changing_password = True
        with transaction.atomic():
            return super().user_change_password(request, id, form_url)

    def log_change(self, request, obj, message):
        if getattr(request, "changing_password", False):
            workflow.record_admin_change(
                obj,
                user=request.user,
                action="password",
                changes={"password": [None, "changed"]},
            )
        return super().log_change(request, obj, message)


class AuditedGroupAdmin(AuditedAuthAdmin, auth_admin.GroupAdmin):
    form = ReasonForm


class AuditedAccessAttemptAdmin(AuditedDeletes, axes_admin.AccessAttemptAdmin):
    """django-axes's failed log-ins. Deleting a locked-out row unlocks that username
    from that address: a change a person makes, so an Event like any delete."""

    # Axes's own "clean up expired attempts" deletes in bulk without saying which
    # rows; expired attempts lock nobody out, and "Delete selected" is recorded.
    actions = []

    def described(self, obj) -> str:
        state = (
            "locked out"
            if obj.failures_since_start >= settings.AXES_FAILURE_LIMIT
            else ""
        )
        return (
            f"{obj.failures_since_start} failed log-ins of “{obj.username}” from "
            f"{obj.ip_address} {state}".strip()
        )


class AuditedAccessLogAdmin(AuditedDeletes, axes_admin.AccessLogAdmin):
    """Who logged in when: deleting a record of it is itself recorded."""


class AuditedAccessFailureLogAdmin(AuditedDeletes, axes_admin.AccessFailureLogAdmin):
    """Every failed log-in: deleting a record of one is itself recorded."""


for model, model_admin in [
    (UserModel, AuditedUserAdmin),
    (Group, AuditedGroupAdmin),
    (AccessAttempt, AuditedAccessAttemptAdmin),
    (AccessLog, AuditedAccessLogAdmin),
    (AccessFailureLog, AuditedAccessFailureLogAdmin),
]:
    if admin.site.is_registered(model):
        admin.site.unregister(model)
    admin.site.register(model, model_admin)
