"""Forms validate and normalise input; the workflow decides what may happen."""

import functools
from zoneinfo import available_timezones

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.forms.utils import ErrorList as DjangoErrorList
from django.utils.safestring import SafeString

from verifier import importing, validators
from verifier.models import Claim, Evidence, Priority, Rating, Source
from verifier.widgets import QuickSelect


class ErrorList(DjangoErrorList):
    """Django's list of a field's errors, written as nothing when there are none:
    Django renders two templates for an empty list, and a claim page has a score of
    fields without errors."""

    def render(self, *args, **kwargs):
        return super().render(*args, **kwargs) if self else SafeString()

    __str__ = __html__ = render


class Form(forms.Form):
    """Our forms' base: every text field runs the models' text validator, so that
    control characters and text-direction overrides get a clear message at the field
    (the workflow would refuse them anyway)."""

    # Fields holding imported text that the importer normalises instead.
    imported_text_fields: tuple[str, ...] = ()

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("error_class", ErrorList)
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if (
                isinstance(field, forms.CharField)
                and name not in self.imported_text_fields
            ):
                field.validators.append(validators.plain_text)


class VersionedForm(Form):
    """Carries the version the user saw, so a stale submission is caught."""

    STALE = "This form is out of date or was altered: reload the page and try again."

    version = forms.IntegerField(
        widget=forms.HiddenInput,
        min_value=1,
        error_messages={"required": STALE, "invalid": STALE, "min_value": STALE},
    )


class VerdictForm(VersionedForm):
    rating = forms.ModelChoiceField(
        label="Verdict",
        queryset=Rating.objects.none(),
        required=False,
        empty_label="— no verdict yet —",
        error_messages={"invalid_choice": "Choose a verdict from the scale."},
        widget=QuickSelect,
    )
    rationale = forms.CharField(
        label="Rationale",
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
        max_length=20000,
    )

    def __init__(self, *args, claim=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Offer the active scale, plus the claim's current rating even if retired since.
        active = Q(is_active=True)
        if claim is not None and claim.rating_id:
            active |= Q(pk=claim.rating_id)
        self.fields["rating"].queryset = Rating.objects.filter(active)


class ClaimantForm(VersionedForm):
    """Who made the claim; ClaimReview publishes it as the claim's author."""

    claimant = forms.CharField(
        label="Claimant",
        required=False,
        max_length=200,
        help_text="Who makes the claim, as the article names them. Leave empty when "
        "the outlet says it in its own voice.",
    )
    claimant_kind = forms.ChoiceField(
        label="The claimant is",
        choices=Claim.ClaimantKind.choices,
        required=False,
        widget=QuickSelect,
    )


class MergeClaimantsForm(Form):
    name = forms.CharField(label="Claimant", max_length=200)
    into = forms.CharField(label="Merge into", max_length=200)


class ReuseForm(VersionedForm):
    """Start from a verdict approved elsewhere (the claim page's "Previously
    checked")."""

    prior = forms.ModelChoiceField(
        queryset=Claim.objects.filter(state=Claim.State.APPROVED),
        widget=forms.HiddenInput,
        error_messages={
            "invalid_choice": "That verdict is no longer approved: reload the page."
        },
    )


class ReasonForm(VersionedForm):
    reason = forms.CharField(
        label="Reason", widget=forms.Textarea(attrs={"rows": 2}), max_length=5000
    )


class NoteForm(Form):
    text = forms.CharField(
        label="Note", widget=forms.Textarea(attrs={"rows": 3}), max_length=20000
    )


class AssignForm(VersionedForm):
    assignee = forms.ModelChoiceField(
        label="Assignee",
        queryset=get_user_model().objects.none(),
        required=False,
        empty_label="— unassigned —",
        widget=QuickSelect,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = checkers()


class DueInput(forms.DateTimeInput):
    """The browser's date and time picker, read in the user's time zone."""

    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


class ScheduleForm(VersionedForm):
    """An article's deadline and priority (and a claim's own, with follow_article)."""

    due = forms.DateTimeField(
        label="Due",
        required=False,
        widget=DueInput,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
        help_text="Date and time, in your time zone. Leave empty for no deadline.",
        error_messages={"invalid": "Give the deadline as a date and a time."},
    )
    priority = forms.TypedChoiceField(
        label="Priority", choices=Priority.choices, coerce=int, widget=QuickSelect
    )


class ClaimScheduleForm(ScheduleForm):
    follow_article = forms.BooleanField(
        label="Use the article's deadline and priority",
        required=False,
    )


class BulkAssignForm(Form):
    """Claims picked on the claims list, each with the version the editor saw."""

    MAX_CLAIMS = 200  # the longest page of the list

    assignee = forms.ModelChoiceField(
        label="Assign the selected claims to",
        queryset=get_user_model().objects.none(),
        error_messages={"required": "Choose who gets the selected claims."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = checkers()

    def clean(self):
        cleaned = super().clean()
        picked = {}
        for value in self.data.getlist("claim") if self.data else []:
            try:
                pk = int(value)
                picked[pk] = int(self.data.get(f"version-{pk}", ""))
            except ValueError:
                raise forms.ValidationError(VersionedForm.STALE) from None
        if not picked:
            raise forms.ValidationError("Select at least one claim to assign.")
        if len(picked) > self.MAX_CLAIMS:
            raise forms.ValidationError(
                f"Assign at most {self.MAX_CLAIMS} claims at a time."
            )
        cleaned["versions"] = picked
        return cleaned


def checkers():
    """Active users who can work claims: the fact-checkers and editors."""
    User = get_user_model()
    perm = Q(groups__permissions__codename="work_claim") | Q(
        user_permissions__codename="work_claim"
    )
    return (
        User.objects.filter(is_active=True)
        .filter(perm | Q(is_superuser=True))
        .distinct()
        .order_by("username")
    )


# The evidence form offers the sources cited in the claim's article and the newest
# ones: a year's sources in one select help nobody (300 were 27 KB of every claim
# page). Any other is cited by describing it as a new one (known_source below).
SOURCES_OFFERED = 50


def offered_sources(claim: Claim, chosen: str | None = None) -> list[tuple[int, str]]:
    """The current sources cited in this claim's article, the newest, and ``chosen``,
    by title, as (id, what the option shows)."""
    current = Source.objects.current()
    newest = current.order_by("-created_at", "-pk").values("pk")[:SOURCES_OFFERED]
    cited = Evidence.objects.filter(claim__article_id=claim.article_id)
    offered = Q(pk__in=newest) | Q(pk__in=cited.values("source_id"))
    if chosen and chosen.isdigit():
        offered |= Q(pk=int(chosen))
    return [
        (source.pk, str(source))
        for source in current.filter(offered).only("pk", "title", "publisher")
    ]


class EvidenceForm(Form):
    """Cite an existing source, or describe a new one in the same form."""

    source = forms.ModelChoiceField(
        label="Source",
        # What the option shows (Source.__str__), not each source's notes and links.
        queryset=Source.objects.current().only("pk", "title", "publisher"),
        required=False,
        empty_label="— a new source (fill in below) —",
        widget=QuickSelect,
        help_text="Sources cited in this article and the newest. For another, give "
        "its URL below (or its title and offline reference): a source already on the "
        "desk is cited, not copied.",
    )
    new_title = forms.CharField(label="Title", required=False, max_length=300)
    new_publisher = forms.CharField(label="Publisher", required=False, max_length=200)
    new_kind = forms.ChoiceField(
        label="Kind",
        choices=Source.Kind.choices,
        initial=Source.Kind.PRIMARY,
        widget=QuickSelect,
    )
    new_url = forms.URLField(
        label="URL",
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text="http or https only.",
    )
    new_reference = forms.CharField(
        label="Offline reference", required=False, max_length=300
    )
    excerpt = forms.CharField(
        label="Excerpt", widget=forms.Textarea(attrs={"rows": 3}), max_length=20000
    )
    locator = forms.CharField(
        label="Locator",
        required=False,
        max_length=200,
        help_text="Page, section or timestamp.",
    )
    # No default: whether a source supports or contradicts the claim is the checker's
    # call, said in words about the claim (not about the verdict).
    stance = forms.ChoiceField(
        label="Stance",
        choices=[("", "— choose what the source does —")]
        + list(Evidence.STANCE_FOR_CLAIM.items()),
        error_messages={
            "required": "Say whether the source supports or contradicts the claim, "
            "or adds context."
        },
        widget=QuickSelect,
    )

    def __init__(self, *args, claim: Claim | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if claim is not None:  # any current source is accepted; these are offered
            field = self.fields["source"]
            field.widget.choices = [
                ("", field.empty_label),
                *offered_sources(claim, self.data.get("source")),
            ]

    # The current source that the new one describes (its URL, else its title and
    # offline reference: Source.objects.same_as): cited again rather than copied.
    known_source: Source | None = None

    def _find_known_source(self) -> Source | None:
        data = self.cleaned_data
        url, title = data.get("new_url"), data.get("new_title", "").strip()
        reference = data.get("new_reference", "").strip()
        if not url and not (title and reference):
            return None
        same = Source.objects.current().same_as(
            url=url, title=title, reference=reference
        )
        return same.first()

    def clean_new_url(self):
        url = self.cleaned_data["new_url"]
        if url and not url.lower().startswith(("http://", "https://")):
            raise forms.ValidationError("Only http and https addresses are accepted.")
        return url

    def clean(self):
        data = super().clean()
        if data.get("source") is not None:
            return data
        # A source already on the desk needs only its URL.
        self.known_source = self._find_known_source()
        if self.known_source is not None:
            return data
        if not data.get("new_title", "").strip():
            self.add_error(
                "new_title", "Choose a source above, or give the new source a title."
            )
        elif not data.get("new_url") and not data.get("new_reference", "").strip():
            self.add_error(
                "new_url", "Give the new source a URL or an offline reference."
            )
        return data

    def new_source_fields(self) -> dict:
        d = self.cleaned_data
        return {
            "title": d["new_title"].strip(),
            "publisher": d["new_publisher"].strip(),
            "kind": d["new_kind"],
            "url": d["new_url"],
            "reference": d["new_reference"].strip(),
        }


class FactCheckURLForm(Form):
    """The address where the article's fact-check is published, set by an editor."""

    factcheck_url = forms.URLField(
        label="Published fact-check URL",
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text="ClaimReview links every review to this address; leave it empty to "
        "link to this memo.",
    )

    def clean_factcheck_url(self):
        url = self.cleaned_data["factcheck_url"]
        if url and not url.lower().startswith(("http://", "https://")):
            raise forms.ValidationError("Only http and https addresses are accepted.")
        return url


class ArticleImportForm(Form):
    """Paste text or upload a .txt, .md or .html file; the result is normalised text."""

    # A pasted article keeps its form feeds and stray controls until
    # importing.clean_text drops them, as it does for an uploaded file.
    imported_text_fields = ("text",)

    title = forms.CharField(
        label="Title",
        max_length=300,
        required=False,
        help_text="Leave empty to use the article's first line.",
    )
    text = forms.CharField(
        label="Article text",
        widget=forms.Textarea(attrs={"rows": 14}),
        required=False,
        strip=False,
        help_text="Paste the article as plain text, or upload a file below.",
    )
    file = forms.FileField(
        label="Or upload a file",
        required=False,
        help_text=".txt, .md or .html, up to 2 MB, UTF-8.",
    )
    outlet = forms.CharField(label="Outlet", max_length=200, required=False)
    byline = forms.CharField(label="Byline", max_length=300, required=False)
    url = forms.URLField(
        label="URL", max_length=500, required=False, assume_scheme="https"
    )
    published_on = forms.DateField(
        label="Publication date",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def clean_url(self):
        url = self.cleaned_data["url"]
        if url and not url.lower().startswith(("http://", "https://")):
            raise forms.ValidationError("Only http and https addresses are accepted.")
        return url

    def clean(self):
        data = super().clean()
        data["body"] = article_text(data)
        if not data.get("title"):
            data["title"] = importing.guess_title(data["body"])
        return data


def article_text(data: dict) -> str:
    """The article's text from an uploaded ``file``, else the pasted ``text``."""
    upload = data.get("file")
    try:
        if upload is not None:
            return importing.read_upload(upload.name, upload.read(), upload.size)
        return importing.clean_text(data.get("text") or "")
    except importing.ImportProblem as problem:
        raise forms.ValidationError(problem.message, code=problem.code) from None


class NewVersionForm(Form):
    """A corrected text of an article: pasted, or a .txt, .md or .html file."""

    imported_text_fields = ("text",)

    text = forms.CharField(
        label="New text",
        widget=forms.Textarea(attrs={"rows": 8}),
        required=False,
        strip=False,
        help_text="The whole corrected article, as plain text.",
    )
    file = forms.FileField(
        label="Or upload a file",
        required=False,
        help_text=".txt, .md or .html, up to 2 MB, UTF-8.",
    )

    def clean(self):
        data = super().clean()
        data["body"] = article_text(data)
        return data


class AddClaimForm(Form):
    """A claim marked in the text: the quote decides, offsets are only a hint."""

    quote = forms.CharField(
        label="Claim text",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=20000,
        strip=False,
        help_text="Select the words in the article, or paste them exactly.",
    )
    start = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)
    end = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)
    claimant = forms.CharField(label="Claimant", required=False, max_length=200)

    def clean(self):
        data = super().clean()
        if not (data.get("quote") or "").strip() and (
            data.get("start") is None or data.get("end") is None
        ):
            raise forms.ValidationError("Select or paste the exact words of the claim.")
        return data


class AdjustForm(VersionedForm):
    quote = forms.CharField(
        label="Claim text",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=20000,
        strip=False,
        help_text="Edit to the exact words of the article the claim should cover.",
    )


class SplitForm(VersionedForm):
    split_before = forms.CharField(
        label="Second part starts with",
        max_length=2000,
        strip=False,
        help_text="The words, copied from the claim, where the second claim begins.",
    )


@functools.cache  # available_timezones() reads the system's zone files each time
def time_zone_choices() -> list[tuple[str, str]]:
    return [(name, name.replace("_", " ")) for name in sorted(available_timezones())]


class PreferencesForm(Form):
    email = forms.BooleanField(
        label="Email me my notifications",
        required=False,
        help_text="They always appear in your inbox.",
    )
    time_zone = forms.ChoiceField(
        label="Time zone",
        choices=time_zone_choices,
        widget=QuickSelect,  # some six hundred zones
        help_text="Every time on the site is shown in this zone.",
        error_messages={
            "invalid_choice": "“%(value)s” is not a time zone we know: choose one "
            "from the list, such as Europe/Berlin.",
            "required": "Choose your time zone.",
        },
    )
