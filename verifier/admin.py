"""The admin's control room: the verdict scale, the policy, users, and overrides.

Claims change state only through ``verifier.workflow`` (the bulk actions below call it);
every other edit made here is recorded as an Event with the reason the admin gives.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.contrib.auth import get_user_model
from django.db import models, transaction

from verifier import workflow
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

admin.site.site_header = "Claim verifier administration"
admin.site.site_title = "Claim verifier admin"


class ReasonForm(forms.ModelForm):
    """Every admin edit says why; the reason goes into the Event."""

    change_reason = forms.CharField(
        label="Reason for this change",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Recorded in the audit trail.",
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


@admin.register(Rating)
class RatingAdmin(AuditedAdmin):
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

    def has_delete_permission(self, request, obj=None):
        # A rating in use is retired (unticked "active"), never deleted.
        if obj is not None and obj.claims.exists():
            return False
        return super().has_delete_permission(request, obj)


@admin.register(Source)
class SourceAdmin(AuditedAdmin):
    list_display = ["title", "publisher", "kind", "url", "created_by", "created_at"]
    list_filter = ["kind"]
    search_fields = ["title", "publisher", "url", "reference"]
    readonly_fields = ["created_by", "created_at"]

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(Article)
class ArticleAdmin(AuditedAdmin):
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
    """Run one workflow call per claim; report what worked and why the rest did not."""
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
class ClaimAdmin(admin.ModelAdmin):
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
            lambda c: workflow.assign(c, user=request.user, assignee=assignee),
        )

    @admin.action(description="Approve submitted verdicts")
    def approve(self, request, queryset):
        _bulk(
            self,
            request,
            queryset,
            "Approved",
            lambda c: workflow.approve(c, user=request.user),
        )

    @admin.action(description="Return submitted verdicts (give a reason)")
    def return_(self, request, queryset):
        reason = request.POST.get("reason", "")
        _bulk(
            self,
            request,
            queryset,
            "Returned",
            lambda c: workflow.return_(c, user=request.user, reason=reason),
        )

    @admin.action(description="Reopen approved claims (give a reason)")
    def reopen(self, request, queryset):
        reason = request.POST.get("reason", "")
        _bulk(
            self,
            request,
            queryset,
            "Reopened",
            lambda c: workflow.reopen(c, user=request.user, reason=reason),
        )

    @admin.action(description="Dismiss claims (give a reason)")
    def dismiss(self, request, queryset):
        reason = request.POST.get("reason", "")
        _bulk(
            self,
            request,
            queryset,
            "Dismissed",
            lambda c: workflow.dismiss(c, user=request.user, reason=reason),
        )

    @admin.action(description="Restore dismissed claims")
    def restore(self, request, queryset):
        _bulk(
            self,
            request,
            queryset,
            "Restored",
            lambda c: workflow.restore(c, user=request.user),
        )


@admin.register(Evidence)
class EvidenceAdmin(admin.ModelAdmin):
    list_display = ["claim", "source", "stance", "locator", "added_by", "added_at"]
    list_filter = ["stance", "source__kind"]
    search_fields = ["excerpt", "source__title", "claim__text"]
    list_select_related = ["claim", "source", "added_by"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Note)
class NoteAdmin(admin.ModelAdmin):
    list_display = ["claim", "author", "created_at", "text"]
    search_fields = ["text"]
    list_select_related = ["claim", "author"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
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

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
