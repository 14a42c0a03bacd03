"""Pages and actions. Pages are class-based; actions are short POST-only functions
that call ``verifier.workflow`` and redirect."""

import html
import sys
from collections import Counter

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required, permission_required
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import (
    DatabaseError,
    InterfaceError,
    OperationalError,
    connection,
    transaction,
)
from django.db.models import Count
from django.db.models.functions import Substr
from django.http import HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import pluralize
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils.html import escape, format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import get_text_list
from django.views import defaults as default_views
from django.views.decorators.http import require_GET, require_POST
from django.views.generic import DetailView, FormView, TemplateView
from django_filters.views import FilterView
from django_tables2 import RequestConfig, SingleTableMixin

from verifier import (
    anchoring,
    charts,
    claim_exports,
    desk,
    exports,
    figures,
    forms,
    importing,
    notifications,
    previously,
    workflow,
)
from verifier.filters import ArticleFilter, ClaimFilter
from verifier.models import (
    Article,
    ArticleText,
    Claim,
    Evidence,
    Notification,
    Preferences,
    Rating,
)
from verifier.tables import ArticleTable, ClaimTable, IdsFirstPaginator

# --- object access ---


def get_claim_for_user(user, pk) -> Claim:
    """The claim; the caller has checked that this user may see claims.

    Its article comes without its text (``claim.article.body`` costs one query, and
    the claim page reads only the paragraph around the claim: ``claim_paragraph``),
    and the claim without its search vector (the database's, kept by a trigger).
    """
    return get_object_or_404(
        Claim.objects.with_article_title()
        .select_related("rating", "assignee", "submitted_by", "approved_by")
        .defer("search_vector"),
        pk=pk,
    )


def get_article_for_user(user, pk) -> Article:
    return get_object_or_404(
        Article.objects.select_related("imported_by", "signed_off_by"), pk=pk
    )


# --- pages ---


class DashboardView(PermissionRequiredMixin, TemplateView):
    permission_required = "verifier.view_claim"
    template_name = "verifier/dashboard.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            my_work=desk.my_work(self.request.user),
            limit=desk.LIMIT,
            articles=Article.objects.listed()
            .with_progress()
            .exclude(state=Article.State.SIGNED_OFF)[:20],
            verdict_chart=verdict_chart(),
            **kwargs,
        )


def verdict_chart() -> charts.BarChart:
    """Approved verdicts per rating: every active rating, and retired ones in use."""
    approved = dict(
        Claim.objects.filter(state=Claim.State.APPROVED)
        .values_list("rating")
        .annotate(n=Count("*"))
        .order_by()
    )
    return charts.verdict_chart(
        [
            (rating.label, rating.colour, approved.get(rating.pk, 0))
            for rating in Rating.objects.order_by("position", "pk")
            if rating.is_active or rating.pk in approved
        ]
    )


class ArticleListView(PermissionRequiredMixin, SingleTableMixin, FilterView):
    permission_required = "verifier.view_article"
    model = Article
    table_class = ArticleTable
    filterset_class = ArticleFilter
    template_name = "verifier/article_list.html"
    paginate_by = 25

    def get_queryset(self):
        # Aggregation drops Meta.ordering; say it again so pages are stable.
        return Article.objects.listed().with_progress().order_by("-imported_at", "-pk")


class ArticleCreateView(PermissionRequiredMixin, FormView):
    permission_required = "verifier.add_article"
    form_class = forms.ArticleImportForm
    template_name = "verifier/article_form.html"

    def form_valid(self, form):
        data = form.cleaned_data
        earlier = (
            Article.objects.filter(url=data["url"]).order_by("pk").first()
            if data["url"]
            else None
        )
        if earlier is not None:
            # The same address: a corrected version of an article already here.
            return _import_new_version(self.request, earlier, data["body"], form)
        duplicate = importing.find_duplicate(data["body"])
        if duplicate is not None:
            form.add_error(
                None,
                format_html(
                    'This text was already imported as <a href="{}">{}</a>.',
                    duplicate.get_absolute_url(),
                    duplicate.title,
                ),
            )
            return self.form_invalid(form)
        try:
            article, claims = importing.import_body(
                user=self.request.user,
                body=data["body"],
                title=data["title"],
                outlet=data["outlet"],
                byline=data["byline"],
                url=data["url"],
                published_on=data["published_on"],
            )
        except importing.ImportProblem as problem:
            form.add_error(None, problem.message)
            return self.form_invalid(form)
        except workflow.WorkflowError as error:
            form.add_error(None, error.message)
            return self.form_invalid(form)
        n = len(claims)
        messages.success(
            self.request, f"Imported with {n} candidate claim{pluralize(n)}."
        )
        checked = previously.checked_before(article)
        if checked:
            messages.info(
                self.request,
                f"{len(checked)} of them {pluralize(len(checked), 'was,were')} checked "
                "before in another article: claim "
                + ", ".join(f"#{c.pk}" for c in checked)
                + ". Their pages show the approved verdict under “Previously "
                "checked”.",
            )
        return redirect(article)


class ArticleDetailView(PermissionRequiredMixin, DetailView):
    permission_required = "verifier.view_article"
    template_name = "verifier/article_detail.html"

    def get_object(self, queryset=None):
        return get_article_for_user(self.request.user, self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        article = self.object
        # Every claim as a row of values for the marks in the text, the counts and the
        # figures; model instances only for the page of claims listed beside it.
        marks = claim_marks(article)
        user = self.request.user
        settled = sum(m.is_settled for m in marks)
        states = Counter(m.state for m in marks)
        ranked = self.request.GET.get("order") == "rank"
        live = [m for m in marks if m.state != Claim.State.DISMISSED]
        listed = Paginator(
            sorted(marks, key=rank) if ranked else marks, CLAIMS_PER_SIDE_PAGE
        ).get_page(self.request.GET.get("claims_page"))
        others = Paginator(other_sentences(article, marks), OTHERS_PER_PAGE).get_page(
            self.request.GET.get("others_page")
        )
        # A long report's figures are compared when asked for: 2,000 claims cost a
        # tenth of a second, which a checker reading the text need not wait for.
        compare = len(live) <= FIGURES_INLINE or "figures" in self.request.GET
        context = dict(
            figure_questions=figure_questions(live) if compare else None,
            figures_link=None if compare else with_param(self.request, "figures", 1),
            claims=side_claims(listed.object_list),
            claims_nav=page_nav(self.request, listed, "claims_page", "Claims"),
            ranked=ranked,
            article_text=article_text(article.body, marks),
            others=others.object_list,
            others_nav=page_nav(self.request, others, "others_page", "Sentences"),
            actions=workflow.allowed_actions(user, article),
            add_claim_form=forms.AddClaimForm(),
            settled=settled,
            # What _progress.html reads, counted from the claims already loaded.
            progress={"n_claims": len(marks)}
            | {f"n_{state}": states[state] for state in Claim.State.values},
            orphans=[m for m in marks if m.orphaned],
            new_version_form=forms.NewVersionForm(),
            # The earlier texts kept here ("what changed" compares them); an archive
            # made before archives carried them restores without them.
            kept_versions=set(article.earlier_texts.values_list("number", flat=True)),
            ready_to_sign=settled == len(marks),
            reopen_form=forms.ReasonForm(initial={"version": article.version}),
            schedule_form=forms.ScheduleForm(
                initial={
                    "due": article.due,
                    "priority": article.priority,
                    "version": article.version,
                }
            ),
        )
        # Bound forms passed in (a refused action shown again) keep what was typed.
        return super().get_context_data(**(context | kwargs))


class ClaimMark:
    """One claim as the article page marks it: a few values, not a model instance.

    A 2,000-claim report would otherwise build 4,000 model instances (claim and
    rating) per view, most of its time; only the page of claims listed beside the
    text is loaded whole (``side_claims``).
    """

    __slots__ = ("pk", "start", "end", "state", "orphaned", "text", "score")
    __slots__ += ("verdict_label", "verdict_colour", "number")

    # In the order of __slots__; the frozen verdict of an approved claim is read
    # inside the database, not decoded from its whole approval record.
    FIELDS = ("pk", "start", "end", "state", "orphaned", "text", "score")
    FIELDS += ("approval__rating__label", "approval__rating__colour")

    def __init__(self, row: tuple, number: int):
        (self.pk, self.start, self.end, self.state, self.orphaned, self.text) = row[:6]
        (self.score, self.verdict_label, self.verdict_colour) = row[6:]
        self.number = number  # its place in the text, as the page numbers claims

    @property
    def is_settled(self) -> bool:
        return self.state in (Claim.State.APPROVED, Claim.State.DISMISSED)

    @property
    def short_text(self) -> str:
        return Claim.short_text.fget(self)

    def get_state_display(self) -> str:
        return Claim.State(self.state).label

    def get_absolute_url(self) -> str:
        return reverse("claim-detail", args=[self.pk])


def claim_marks(article: Article) -> list[ClaimMark]:
    """The article's claims in text order, numbered from 1."""
    rows = article.claims.order_by("start", "pk").values_list(*ClaimMark.FIELDS)
    return [ClaimMark(row, number) for number, row in enumerate(rows, start=1)]


def side_claims(marks: list[ClaimMark]) -> list[Claim]:
    """The claims of one page of the list beside the text, in the marks' order."""
    loaded = (
        Claim.objects.select_related("rating", "assignee")
        .defer("search_vector")
        .in_bulk([m.pk for m in marks])
    )
    claims = []
    for mark in marks:
        claim = loaded[mark.pk]
        claim.number = mark.number
        claims.append(claim)
    return claims


def figure_questions(claims: list[ClaimMark]) -> list[dict]:
    """ "Figures that disagree": what the article's own figures make a checker ask."""
    questions = [
        {
            "claims": [claims[d.first], claims[d.second]],
            "figures": [d.first_figure.text, d.second_figure.text],
            "question": d.question,
        }
        for d in figures.disagreements([c.text for c in claims])
    ]
    for claim in claims:
        for finding in figures.arithmetic(claim.text):
            questions.append(
                {"claims": [claim], "figures": [], "question": finding.question}
            )
    return questions


# A long report's page lists its claims and other sentences a page at a time; the
# text itself is always whole, every claim marked in it.
CLAIMS_PER_SIDE_PAGE = 100
OTHERS_PER_PAGE = 100
# Articles with more live claims than this show "Figures that disagree" on request.
FIGURES_INLINE = 300


def with_param(request, param: str, value) -> str:
    """This page's query string with one parameter set."""
    query = request.GET.copy()
    query[param] = value
    return f"?{query.urlencode()}"


def page_nav(request, page, param: str, what: str) -> dict | None:
    """Links to the neighbouring pages of one list on a page that holds several."""
    if not page.has_other_pages():
        return None

    def link(number):
        return with_param(request, param, number)

    return {
        "page": page,
        "what": what,
        "label": f"Pages of {what.lower()}",
        "previous": link(page.previous_page_number()) if page.has_previous() else "",
        "next": link(page.next_page_number()) if page.has_next() else "",
    }


def rank(claim: Claim):
    """Extraction's order: by check-worthiness, then in text order."""
    return (-claim.score, claim.start)


def article_segments(body: str, claims: list[Claim]) -> list[dict]:
    """The article text cut into plain runs and claim runs, in order, for highlighting.

    Claims are expected in text order; an overlap (possible after curation) is clipped
    so the text is never shown twice.
    """
    segments, cursor = [], 0
    for number, claim in enumerate(claims, start=1):
        if claim.orphaned:
            continue  # its words are not in this version of the text
        start, end = max(claim.start, cursor), min(claim.end, len(body))
        if start >= end:
            continue
        if start > cursor:
            segments.append({"text": body[cursor:start], "start": cursor})
        segments.append(
            {"text": body[start:end], "start": start, "claim": claim, "number": number}
        )
        cursor = end
    if cursor < len(body):
        segments.append({"text": body[cursor:], "start": cursor})
    return segments


def article_text(body: str, marks: list[ClaimMark]) -> SafeString:
    """The article text as HTML, each claim a link marked in place.

    Built here in one pass with f-strings rather than in the template (or with
    format_html): a 1 MB report with 2,000 claims has 4,000 runs of text, and the
    template engine takes a second over them.
    """
    claim_url = reverse("claim-detail", args=[0]).replace("/0/", "/{}/")
    labels = {state: escape(label) for state, label in Claim.State.choices}
    parts = []
    for segment in article_segments(body, marks):
        # The standard library's escape: Django's (the same replacements) checks
        # for lazy strings on each of 4,000 calls.
        start, text = segment["start"], html.escape(segment["text"])
        mark = segment.get("claim")
        if mark is None:
            parts.append(f'<span data-start="{start}">{text}</span>')
            continue
        if mark.state == Claim.State.APPROVED:
            style = f' style="--verdict:{escape(mark.verdict_colour)}"'
            label = escape(mark.verdict_label)
        else:
            style, label = "", labels[mark.state]
        parts.append(
            f'<a class="claim-mark state-{escape(mark.state)}" '
            f'href="{claim_url.format(mark.pk)}" id="mark-{mark.pk}"{style}>'
            f'<span class="mark-label">[{segment["number"]} · {label}]</span> '
            f'<span data-start="{start}">{text}</span></a>'
        )
    # Every value above is escaped or a number.
    return mark_safe("".join(parts))


@require_GET
@permission_required("verifier.view_article", raise_exception=True)
def article_text_changes(request, pk, number):
    """What changed in the article's text since its version ``number``: the words
    removed and added, unchanged stretches folded."""
    article = get_article_for_user(request.user, pk)
    earlier = get_object_or_404(
        ArticleText.objects.select_related("replaced_by"),
        article=article,
        number=number,
    )
    return render(
        request,
        "verifier/article_text_changes.html",
        {
            "article": article,
            "earlier": earlier,
            "versions": list(
                article.earlier_texts.order_by("number").values_list(
                    "number", flat=True
                )
            ),
            "changes": anchoring.changes(earlier.body, article.body),
        },
    )


class ArticleReportView(PermissionRequiredMixin, DetailView):
    """The printable fact-check memo: the text with its claims, verdicts and sources."""

    permission_required = "verifier.view_article"
    template_name = "verifier/article_report.html"

    def get_object(self, queryset=None):
        return get_article_for_user(self.request.user, self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            **report_context(self.request, self.object, **kwargs)
        )


def report_context(request, article: Article, **overrides) -> dict:
    """Everything the memo shows; a bound form in ``overrides`` keeps what was typed."""
    # Approved claims show their frozen record (Claim.approved), not live evidence.
    claims = list(
        article.claims.select_related(
            "rating", "assignee", "submitted_by", "approved_by"
        ).order_by("start", "pk")
    )
    document = exports.claimreview_document(article)
    can_publish = (
        workflow.can_edit_article(request.user, article, ["factcheck_url"]) is None
    )
    context = {
        "article": article,
        "claims": claims,
        "segments": article_segments(article.body, claims),
        "settled": sum(c.is_settled for c in claims),
        "n_approved": sum(c.state == Claim.State.APPROVED for c in claims),
        "org_name": settings.VERIFIER_ORG_NAME,
        "review_url": exports.review_url(article),
        "n_reviews": len(document["@graph"]),
        # Escaped for <script> by exports.script_json, so safe to place as it is.
        "claimreview_json": mark_safe(exports.script_json(document)),
        "factcheck_form": forms.FactCheckURLForm(
            initial={"factcheck_url": article.factcheck_url}
        )
        if can_publish
        else None,
    }
    context.update(overrides)
    return context


@require_GET
@permission_required("verifier.view_article", raise_exception=True)
def article_claimreview(request, pk):
    """The article's ClaimReview JSON-LD; before sign-off every review is a draft."""
    article = get_article_for_user(request.user, pk)
    document = exports.claimreview_document(article)
    return HttpResponse(
        exports.to_json(document), content_type="application/ld+json; charset=utf-8"
    )


def other_sentences(article: Article, claims: list[Claim]) -> list[dict]:
    """What extraction scored below the threshold and no live claim covers.

    One pass over both lists sorted by position: the live claims' spans merged into
    disjoint stretches, and each sentence checked against the stretch at hand.
    """
    stretches: list[list[int]] = []
    for start, end in sorted(
        (c.start, c.end) for c in claims if c.state != Claim.State.DISMISSED
    ):
        if stretches and start <= stretches[-1][1]:
            stretches[-1][1] = max(stretches[-1][1], end)
        else:
            stretches.append([start, end])
    others, i = [], 0
    for start, end, score, reasons in sorted(article.sentences):
        while i < len(stretches) and stretches[i][1] <= start:
            i += 1
        if i < len(stretches) and stretches[i][0] < end:
            continue
        others.append(
            {
                "start": start,
                "end": end,
                "text": article.body[start:end],
                "score": score,
                "reasons": reasons,
            }
        )
    # Best first, as extraction ranks them: a checker scanning for a missed
    # claim finds the likeliest at the top.
    return sorted(others, key=lambda sentence: (-sentence["score"], sentence["start"]))


class ClaimListView(PermissionRequiredMixin, SingleTableMixin, FilterView):
    permission_required = "verifier.view_claim"
    model = Claim
    table_class = ClaimTable
    filterset_class = ClaimFilter
    template_name = "verifier/claim_list.html"
    # The table paginates (not ListView too, which would count and fetch again).
    table_pagination = {
        "per_page": IdsFirstPaginator.DEFAULT_PER_PAGE,
        "paginator_class": IdsFirstPaginator,
    }
    export_formats = claim_exports.FORMATS

    def get_queryset(self):
        return (
            Claim.objects.with_article_title()
            .select_related("rating", "assignee")
            .defer("search_vector")
            .with_source_count()
            # claim_updated_id_idx holds this order; a search orders by rank instead.
            .order_by("-updated_at", "-pk")
        )

    def get_table_kwargs(self):
        return {
            "query": self.request.GET.get("q", ""),
            "bulk_assign": self.request.user.has_perm(workflow.ASSIGN),
        }

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.request.user.has_perm(workflow.ASSIGN):
            context["bulk_assign_form"] = forms.BulkAssignForm(auto_id="bulk_%s")
        return context

    def get(self, request, *args, **kwargs):
        if "_export" in request.GET:
            return self.export(request.GET["_export"])
        return super().get(request, *args, **kwargs)

    def export(self, fmt: str):
        """Every row the filters, search and sort select, streamed (claim_exports)."""
        try:
            claim_exports.check_format(fmt)
        except claim_exports.ExportProblem as problem:
            return HttpResponseBadRequest(
                problem.message, content_type="text/plain; charset=utf-8"
            )
        filterset = self.get_filterset(self.get_filterset_class())
        queryset = filterset.qs if filterset.is_valid() else Claim.objects.none()
        table = self.get_table_class()(queryset, **self.get_table_kwargs())
        RequestConfig(self.request, paginate=False).configure(table)
        return claim_exports.response(
            fmt,
            table.data.data,
            link=self.request.build_absolute_uri(reverse("claim-list")),
        )


@require_POST
@permission_required("verifier.assign_claim", raise_exception=True)
def claim_bulk_assign(request):
    """Assign the claims picked on the claims list, one by one.

    Not all-or-nothing: each claim goes through ``workflow.assign`` in its own
    transaction, so a claim that cannot be assigned (settled, changed since the page
    was loaded) is named with the reason and the others are still assigned.
    """
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        back = reverse("claim-list")
    form = forms.BulkAssignForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
        return redirect(back)
    assignee, versions = form.cleaned_data["assignee"], form.cleaned_data["versions"]
    assigned, refused = [], []
    found = Claim.objects.select_related("article").in_bulk(versions)
    for pk in sorted(versions):
        if pk not in found:
            refused.append(f"Claim #{pk} was not assigned: it no longer exists.")
            continue
        try:
            workflow.assign(
                found[pk], user=request.user, assignee=assignee, version=versions[pk]
            )
        except workflow.WorkflowError as error:
            refused.append(f"Claim #{pk} was not assigned: {error.message}")
        else:
            assigned.append(f"#{pk}")
    if assigned:
        messages.success(
            request,
            f"{len(assigned)} claim{pluralize(len(assigned))} now assigned to "
            f"{assignee}: {', '.join(assigned)}."
            + (" The others were not, as said below." if refused else ""),
        )
    for refusal in refused:
        messages.error(request, refusal)
    return redirect(back)


class ClaimDetailView(PermissionRequiredMixin, DetailView):
    permission_required = "verifier.view_claim"
    template_name = "verifier/claim_detail.html"

    def get_object(self, queryset=None):
        return get_claim_for_user(self.request.user, self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            **claim_context(self.request, self.object, **kwargs)
        )


def claim_context(request, claim: Claim, **overrides) -> dict:
    """What the claim page shows; bound forms in ``overrides`` keep what was typed."""
    user = request.user
    version = {"version": claim.version}
    evidence = claim.evidence.select_related("source", "added_by")
    events = list(claim.events.select_related("actor"))
    before, after = claim_paragraph(claim)
    context = {
        "claim": claim,
        "article": claim.article,
        # An orphan's words are not in this version of the text: no context to show.
        "before": "" if claim.orphaned else before,
        "after": "" if claim.orphaned else after,
        "evidence_list": [
            (item, figures.compare_with_excerpt(claim.text, item.excerpt))
            for item in evidence
        ],
        "previously": previously.previously_checked(claim),
        "notes": claim.notes.select_related("author"),
        "events": events,
        "neighbours": claim_neighbours(claim),
        "actions": workflow.allowed_actions(user, claim),
        "locked": workflow.claims_locked(claim.article),
        "problems": workflow.submission_problems(claim)
        if claim.state == Claim.State.IN_PROGRESS
        else [],
        "verdict_form": forms.VerdictForm(
            claim=claim,
            initial={
                "rating": claim.rating_id,
                "rationale": claim.rationale,
                **version,
            },
        ),
        "evidence_form": forms.EvidenceForm(claim=claim),
        "note_form": forms.NoteForm(),
        "reason_form": forms.ReasonForm(initial=version),
        "claimant_form": forms.ClaimantForm(
            initial={
                "claimant": claim.claimant,
                "claimant_kind": claim.claimant_kind,
                **version,
            }
        ),
        "assign_form": forms.AssignForm(
            initial={"assignee": claim.assignee_id, **version}
        ),
        "adjust_form": forms.AdjustForm(initial={"quote": claim.text, **version}),
        "schedule_form": forms.ClaimScheduleForm(
            initial={
                "due": claim.due,
                "priority": claim.priority,
                "follow_article": not claim.schedule_own,
                **version,
            }
        ),
        "came_back": workflow.came_back(events),
        "split_form": forms.SplitForm(initial=version),
        "ratings": Rating.objects.active(),
    }
    context.update(overrides)
    return context


# How far around a claim the claim page reads the article text for its paragraph.
PARAGRAPH_WINDOW = 4000


def claim_paragraph(claim: Claim) -> tuple[str, str]:
    """The text of the claim's paragraph before and after it.

    Read from the database as a window around the claim, not the whole article: a
    2 MB transcript would otherwise travel with every claim page. A paragraph longer
    than the window is shown from the window's edge.
    """
    low = max(claim.start - PARAGRAPH_WINDOW, 0)
    window = (
        Article.objects.filter(pk=claim.article_id)
        .annotate(window=Substr("body", low + 1, claim.end + PARAGRAPH_WINDOW - low))
        .values_list("window", flat=True)
        .get()
    )
    start, end = claim.start - low, claim.end - low
    paragraph_start = window.rfind("\n\n", 0, start)
    paragraph_start = 0 if paragraph_start < 0 else paragraph_start + 2
    paragraph_end = window.find("\n\n", end)
    paragraph_end = len(window) if paragraph_end < 0 else paragraph_end
    return window[paragraph_start:start], window[end:paragraph_end]


def claim_neighbours(claim: Claim) -> dict:
    """The claim's number in its article (as on the article page) and its neighbours."""
    claims = claim.article.claims.order_by("start", "pk")
    pks = list(claims.values_list("pk", flat=True))
    i = pks.index(claim.pk)
    return {
        "number": i + 1,
        "total": len(pks),
        "previous": pks[i - 1] if i > 0 else None,
        "next": pks[i + 1] if i + 1 < len(pks) else None,
    }


def _claim_page(request, claim, status, **overrides):
    claim = get_claim_for_user(request.user, claim.pk)
    return render(
        request,
        "verifier/claim_detail.html",
        claim_context(request, claim, **overrides),
        status=status,
    )


# --- claim actions ---
#
# Every action view parses its form, calls one workflow function through ``_act`` and
# redirects. ``_act`` is the one place that maps the workflow's refusals to answers: a
# Conflict (someone changed the claim, or the form was stale) is a 409, any other
# WorkflowError a 400, both with the page shown again with what the user typed.


def _act(request, call, *, done: str, page):
    """Run ``call()``; redirect to what it returns, or show ``page(status, error)``.

    ``done`` is the message saying what happened (empty when ``call`` says it).
    """
    try:
        result = call()
    except workflow.Conflict as error:
        messages.error(request, error.message)
        return page(409, error)
    except workflow.WorkflowError as error:
        messages.error(request, error.message)
        return page(400, error)
    if done:
        messages.success(request, done)
    return redirect(result)


def _claim_page_with(request, claim, **forms_as_typed):
    """A ``page`` for ``_act``: the claim page again, the user's input kept."""
    return lambda status, error: _claim_page(request, claim, status, **forms_as_typed)


# transition name -> (workflow function, whether it needs a reason, permission, what
# the message says happened)
TRANSITIONS = {
    "start": (workflow.start, False, workflow.WORK, "Claim #{pk} started."),
    "submit": (
        workflow.submit,
        False,
        workflow.WORK,
        "Verdict submitted for approval.",
    ),
    "approve": (workflow.approve, False, workflow.APPROVE, "Verdict approved."),
    "return": (
        workflow.return_,
        True,
        workflow.APPROVE,
        "Verdict returned to the fact-checker.",
    ),
    "reopen": (workflow.reopen, True, workflow.APPROVE, "Claim #{pk} reopened."),
    "dismiss": (workflow.dismiss, True, workflow.WORK, "Claim #{pk} dismissed."),
    "restore": (workflow.restore, False, workflow.APPROVE, "Claim #{pk} restored."),
}


@require_POST
def claim_transition(request, pk, action):
    transition, needs_reason, perm, done = TRANSITIONS[action]
    if not request.user.has_perm(perm):
        raise PermissionDenied
    claim = get_claim_for_user(request.user, pk)
    form = (
        forms.ReasonForm(request.POST)
        if needs_reason
        else forms.VersionedForm(request.POST)
    )
    if not form.is_valid():
        if form.has_error("version"):
            messages.error(request, forms.VersionedForm.STALE)
        elif needs_reason:
            # An empty reason is simply missing; any other gets its problem named
            # (too long, a control character).
            problems = form.errors.get("reason", []) if form.data.get("reason") else []
            messages.error(request, " ".join(["Give a reason.", *problems]))
        else:
            messages.error(request, "The form was incomplete.")
        return _claim_page(
            request, claim, 400, reason_form=form, reason_for=f"claim-{action}"
        )
    kwargs = {"user": request.user, "version": form.cleaned_data["version"]}
    if needs_reason:
        kwargs["reason"] = form.cleaned_data["reason"]
    return _act(
        request,
        lambda: transition(claim, **kwargs),
        done=done.format(pk=claim.pk),
        page=_claim_page_with(
            request, claim, reason_form=form, reason_for=f"claim-{action}"
        ),
    )


@require_POST
@permission_required("verifier.work_claim", raise_exception=True)
def claim_verdict(request, pk):
    claim = get_claim_for_user(request.user, pk)
    form = forms.VerdictForm(request.POST, claim=claim)
    if not form.is_valid():
        _report_hidden_errors(request, form)
        return _claim_page(request, claim, 400, verdict_form=form)

    def page(status, error):
        if not isinstance(error, workflow.Conflict):
            return _claim_page(request, claim, status, verdict_form=form)
        current = error.current
        return _claim_page(
            request,
            claim,
            status,
            verdict_form=_rebased(form, current),
            conflict={
                "rating": current.rating,
                "rationale": current.rationale,
                "state": current.get_state_display(),
                # Shown read-only when the current state no longer takes a verdict.
                "typed_rating": form.cleaned_data["rating"],
                "typed_rationale": form.cleaned_data["rationale"],
            },
        )

    return _act(
        request,
        lambda: workflow.save_verdict(
            claim,
            user=request.user,
            rating=form.cleaned_data["rating"],
            rationale=form.cleaned_data["rationale"],
            version=form.cleaned_data["version"],
        ),
        done="Verdict saved.",
        page=page,
    )


def _report_hidden_errors(request, form) -> None:
    """A hidden field's error is not shown beside any input: say it as a message."""
    for field in form.hidden_fields():
        for error in field.errors:
            messages.error(request, error)


def _rebased(form, current: Claim):
    """The typed verdict on the current version, so that saving again is deliberate."""
    data = form.data.copy()
    data["version"] = current.version
    return forms.VerdictForm(data, claim=current)


@require_POST
@permission_required("verifier.work_claim", raise_exception=True)
def claim_evidence(request, pk):
    claim = get_claim_for_user(request.user, pk)
    form = forms.EvidenceForm(request.POST, claim=claim)
    if not form.is_valid():
        return _claim_page(request, claim, 400, evidence_form=form)
    known = form.known_source

    @transaction.atomic  # a new source is not kept when the evidence is refused
    def call():
        source = (
            form.cleaned_data["source"]
            or known
            or workflow.create_source(user=request.user, **form.new_source_fields())
        )
        workflow.add_evidence(
            claim,
            user=request.user,
            source=source,
            excerpt=form.cleaned_data["excerpt"],
            locator=form.cleaned_data["locator"],
            stance=form.cleaned_data["stance"],
        )
        return claim

    return _act(
        request,
        call,
        done=f"Evidence added, citing “{known}”, already on the desk."
        if known
        else "Evidence added.",
        page=_claim_page_with(request, claim, evidence_form=form),
    )


@require_POST
@permission_required("verifier.work_claim", raise_exception=True)
def evidence_remove(request, pk):
    evidence = get_object_or_404(Evidence.objects.select_related("claim"), pk=pk)
    claim = evidence.claim

    def call():
        workflow.remove_evidence(evidence, user=request.user)
        return claim

    return _act(
        request,
        call,
        done="Evidence removed; the history keeps what it said.",
        page=_claim_page_with(request, claim),
    )


@require_POST
@permission_required("verifier.work_claim", raise_exception=True)
def claim_note(request, pk):
    claim = get_claim_for_user(request.user, pk)
    form = forms.NoteForm(request.POST)
    if not form.is_valid():
        return _claim_page(request, claim, 400, note_form=form)

    def add_note():
        note = workflow.add_note(
            claim, user=request.user, text=form.cleaned_data["text"]
        )
        # Say who an @mention reached: a mistyped name must not pass for a colleague
        # told.
        told, untold = notifications.mentions_told(note)
        said = "Note added."
        if told:
            said = f"Note added; {_people(told)} {_were(told)} told."
        messages.success(request, said)
        if untold:
            messages.warning(
                request,
                f"{_people(untold)} {_were(untold)} not told: nobody on the desk by "
                f"{'that name' if len(untold) == 1 else 'those names'} may see claims.",
            )
        return note.claim

    return _act(
        request,
        add_note,
        done="",
        page=_claim_page_with(request, claim, note_form=form),
    )


def _people(names: list[str]) -> str:
    """ "@a", "@a and @b", "@a, @b and @c"."""
    return get_text_list([f"@{name}" for name in names], "and")


def _were(names: list[str]) -> str:
    return "was" if len(names) == 1 else "were"


@require_POST
@permission_required("verifier.assign_claim", raise_exception=True)
def claim_assign(request, pk):
    claim = get_claim_for_user(request.user, pk)
    form = forms.AssignForm(request.POST)
    if not form.is_valid():
        _report_hidden_errors(request, form)
        return _claim_page(request, claim, 400, assign_form=form)
    assignee = form.cleaned_data["assignee"]
    return _act(
        request,
        lambda: workflow.assign(
            claim,
            user=request.user,
            assignee=assignee,
            version=form.cleaned_data["version"],
        ),
        done=f"Claim #{claim.pk} is now assigned to {assignee}."
        if assignee
        else f"Claim #{claim.pk} is now unassigned.",
        page=_claim_page_with(request, claim, assign_form=form),
    )


@require_POST
@permission_required("verifier.assign_claim", raise_exception=True)
def claim_schedule(request, pk):
    claim = get_claim_for_user(request.user, pk)
    form = forms.ClaimScheduleForm(request.POST)
    if not form.is_valid():
        _report_hidden_errors(request, form)
        return _claim_page(request, claim, 400, schedule_form=form)
    data = form.cleaned_data
    return _act(
        request,
        lambda: workflow.schedule_claim(
            claim,
            user=request.user,
            due=data["due"],
            priority=data["priority"],
            version=data["version"],
            follow_article=data["follow_article"],
        ),
        done="The claim follows its article's deadline again."
        if data["follow_article"]
        else "Deadline saved for this claim.",
        page=_claim_page_with(request, claim, schedule_form=form),
    )


@require_POST
@permission_required("verifier.work_claim", raise_exception=True)
def claim_claimant(request, pk):
    claim = get_claim_for_user(request.user, pk)
    form = forms.ClaimantForm(request.POST)
    if not form.is_valid():
        _report_hidden_errors(request, form)
        return _claim_page(request, claim, 400, claimant_form=form)

    def call():
        return workflow.set_claimant(
            claim,
            user=request.user,
            claimant=form.cleaned_data["claimant"],
            kind=form.cleaned_data["claimant_kind"],
            version=form.cleaned_data["version"],
        )

    return _act(
        request,
        call,
        done="Claimant saved.",
        page=_claim_page_with(request, claim, claimant_form=form),
    )


@require_POST
@permission_required("verifier.work_claim", raise_exception=True)
def claim_reuse(request, pk):
    claim = get_claim_for_user(request.user, pk)
    form = forms.ReuseForm(request.POST)
    if not form.is_valid():
        _report_hidden_errors(request, form)
        for error in form.errors.get("prior", []):
            messages.error(request, error)
        return _claim_page(request, claim, 400)
    prior = form.cleaned_data["prior"]
    return _act(
        request,
        lambda: workflow.reuse(
            claim,
            user=request.user,
            prior=prior,
            version=form.cleaned_data["version"],
        ),
        done=f"Started from the verdict approved on claim #{prior.pk}: check that it "
        "holds here, then submit it for approval.",
        page=_claim_page_with(request, claim),
    )


class ClaimantListView(PermissionRequiredMixin, TemplateView):
    """Every claimant with its number of claims, and the merge of two spellings."""

    permission_required = "verifier.view_claim"
    template_name = "verifier/claimant_list.html"

    def get_context_data(self, **kwargs):
        claimants = (
            Claim.objects.exclude(claimant="")
            .values("claimant")
            .annotate(n=Count("pk"))
            .order_by("claimant")
        )
        return super().get_context_data(
            claimants=claimants,
            merge_form=forms.MergeClaimantsForm()
            if self.request.user.has_perm(workflow.ASSIGN)
            else None,
            **kwargs,
        )


@require_POST
@permission_required("verifier.assign_claim", raise_exception=True)
def claimant_merge(request):
    form = forms.MergeClaimantsForm(request.POST)

    def page(status, error=None):
        view = ClaimantListView(request=request, kwargs={})
        context = view.get_context_data(merge_form=form)
        return render(request, view.template_name, context, status=status)

    if not form.is_valid():
        return page(400)

    def call():
        merged = workflow.merge_claimants(
            user=request.user,
            name=form.cleaned_data["name"],
            into=form.cleaned_data["into"],
        )
        n, kept = len(merged.renamed), len(merged.kept)
        message = f"{n} claim{pluralize(n)} now name “{form.cleaned_data['into']}”."
        if kept:
            message += (
                f" {kept} submitted, approved or signed-off claim{pluralize(kept)} "
                "keep the name they were submitted with."
            )
        messages.success(request, message)
        return "claimant-list"

    return _act(request, call, done="", page=page)


# --- article actions ---


def _article_page_with(request, article, **forms_as_typed):
    """A ``page`` for ``_act``: the article page again, the user's input kept."""

    def page(status, error):
        view = ArticleDetailView(request=request, kwargs={"pk": article.pk})
        view.object = get_article_for_user(request.user, article.pk)
        context = view.get_context_data(object=view.object, **forms_as_typed)
        return render(request, view.template_name, context, status=status)

    return page


def _import_new_version(request, article: Article, body: str, form=None):
    try:
        result = importing.import_new_version(
            user=request.user, article=article, body=body
        )
    except workflow.WorkflowError as error:
        messages.error(request, error.message)
        if form is not None:
            form.add_error(None, error.message)
            return render(
                request, "verifier/article_form.html", {"form": form}, status=400
            )
        return redirect(article)
    n = result.article.text_version
    parts = [f"Imported as version {n} of “{article.title}”."]
    for ids, what in [
        (result.changed, "changed their words and went back to in progress"),
        (result.orphaned, "lost their words: an editor should dismiss them"),
        (result.added, "are new"),
    ]:
        if ids:
            numbers = ", ".join(f"#{i}" for i in ids)
            parts.append(f"{len(ids)} claim{pluralize(len(ids))} ({numbers}) {what}.")
    if not (result.changed or result.orphaned):
        parts.append("Every claim was found again with its words unchanged.")
    if result.stale:
        parts.append("The sign-off no longer matches the text: sign it off again.")
    messages.success(request, " ".join(parts))
    return redirect(result.article)


@require_POST
@permission_required("verifier.add_article", raise_exception=True)
def article_new_version(request, pk):
    article = get_article_for_user(request.user, pk)
    form = forms.NewVersionForm(request.POST, request.FILES)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
        return redirect(article)
    return _import_new_version(request, article, form.cleaned_data["body"])


@require_POST
@permission_required("verifier.sign_off_article", raise_exception=True)
def article_open(request, pk):
    article = get_article_for_user(request.user, pk)
    return _act(
        request,
        lambda: workflow.open_for_review(article, user=request.user),
        done="The article is open for review.",
        page=_article_page_with(request, article),
    )


@require_POST
@permission_required("verifier.assign_claim", raise_exception=True)
def article_schedule(request, pk):
    article = get_article_for_user(request.user, pk)
    form = forms.ScheduleForm(request.POST)
    if not form.is_valid():
        _report_hidden_errors(request, form)
        return _article_page_with(request, article, schedule_form=form)(400, None)
    data = form.cleaned_data
    return _act(
        request,
        lambda: workflow.schedule_article(
            article,
            user=request.user,
            due=data["due"],
            priority=data["priority"],
            version=data["version"],
        ),
        done="Deadline saved; the article's claims follow it, except those with "
        "their own.",
        page=_article_page_with(request, article, schedule_form=form),
    )


@require_POST
@permission_required("verifier.sign_off_article", raise_exception=True)
def article_sign_off(request, pk):
    article = get_article_for_user(request.user, pk)
    form = forms.VersionedForm(request.POST)
    if not form.is_valid():
        messages.error(request, forms.VersionedForm.STALE)
        return _article_page_with(request, article)(400, None)
    return _act(
        request,
        lambda: workflow.sign_off(
            article, user=request.user, version=form.cleaned_data["version"]
        ),
        done="Signed off. The article is now read-only.",
        page=_article_page_with(request, article),
    )


@require_POST
@permission_required("verifier.sign_off_article", raise_exception=True)
def article_reopen(request, pk):
    article = get_article_for_user(request.user, pk)
    form = forms.ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(
            request,
            forms.VersionedForm.STALE
            if form.has_error("version")
            else "Give a reason to reopen the article.",
        )
        return _article_page_with(request, article, reopen_form=form)(400, None)
    return _act(
        request,
        lambda: workflow.reopen_article(
            article,
            user=request.user,
            reason=form.cleaned_data["reason"],
            version=form.cleaned_data["version"],
        ),
        done="The article is reopened for review.",
        page=_article_page_with(request, article, reopen_form=form),
    )


@require_POST
@permission_required("verifier.sign_off_article", raise_exception=True)
def article_factcheck_url(request, pk):
    article = get_article_for_user(request.user, pk)
    form = forms.FactCheckURLForm(request.POST)
    if form.is_valid():
        url = form.cleaned_data["factcheck_url"]
        try:
            workflow.update_article(article, user=request.user, factcheck_url=url)
        except workflow.WorkflowError as error:
            form.add_error("factcheck_url", error.message)
        else:
            messages.success(
                request,
                "Published fact-check URL saved."
                if url
                else "Published fact-check URL removed: ClaimReview links to the memo.",
            )
            return redirect("article-report", pk=article.pk)
    return render(
        request,
        "verifier/article_report.html",
        report_context(request, article, factcheck_form=form),
        status=400,
    )


# --- health ---

# How long a client should wait before trying again while the database is away.
RETRY_AFTER_SECONDS = "5"


@login_not_required
@require_GET
def favicon(request):
    """Browsers ask for /favicon.ico whatever the page links: send them to the icon."""
    return redirect(static("verifier/favicon.svg"), permanent=True)


@login_not_required
@require_GET
def healthz(request):
    """For load balancers: 200 when the database answers, 503 when it does not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        # The same pause as every page's 503 (server_error below): probes and clients
        # that honour it come back when a reconnect is likely.
        return JsonResponse(
            {"status": "error", "database": "unreachable"},
            status=503,
            headers={"Retry-After": RETRY_AFTER_SECONDS},
        )
    return JsonResponse({"status": "ok", "database": "reachable"})


# --- curation: marking, adjusting, splitting and merging claims ---


@require_POST
@permission_required("verifier.work_claim", raise_exception=True)
def article_add_claim(request, pk):
    article = get_article_for_user(request.user, pk)
    form = forms.AddClaimForm(request.POST)
    page = _article_page_with(request, article, add_claim_form=form)
    if not form.is_valid():
        for error in form.errors.values():
            messages.error(request, " ".join(error))
        return page(400, None)
    data = form.cleaned_data

    def call():
        if (data["quote"] or "").strip():
            start, end = workflow.resolve_quote(
                article.body, data["quote"], data["start"]
            )
        else:
            start, end = data["start"], data["end"]
        claim = workflow.add_claim(
            article, user=request.user, start=start, end=end, claimant=data["claimant"]
        )
        messages.success(request, f"Claim #{claim.pk} added.")
        return f"{article.get_absolute_url()}#mark-{claim.pk}"

    return _act(request, call, done="", page=page)


def _curate(request, pk, name: str, form_class, call, done: str):
    """Run one curation step; on failure show the claim page with the form as typed."""
    claim = get_claim_for_user(request.user, pk)
    form = form_class(request.POST)
    if not form.is_valid():
        _report_hidden_errors(request, form)
        return _claim_page(request, claim, 400, **{name: form})
    return _act(
        request,
        lambda: call(claim, form.cleaned_data),
        done=done,
        page=_claim_page_with(request, claim, **{name: form}),
    )


@require_POST
@permission_required("verifier.work_claim", raise_exception=True)
def claim_adjust(request, pk):
    def call(claim, data):
        start, end = workflow.resolve_quote(
            claim.article.body, data["quote"], claim.start
        )
        return workflow.adjust_span(
            claim, user=request.user, start=start, end=end, version=data["version"]
        )

    return _curate(
        request, pk, "adjust_form", forms.AdjustForm, call, "Claim adjusted."
    )


@require_POST
@permission_required("verifier.work_claim", raise_exception=True)
def claim_split(request, pk):
    def call(claim, data):
        offset = claim.text.find(data["split_before"].strip())
        if offset <= 0:
            raise workflow.WorkflowError(
                "Copy the words where the second part begins from inside the claim."
            )
        workflow.split(
            claim, user=request.user, at=claim.start + offset, version=data["version"]
        )
        return claim.article

    return _curate(request, pk, "split_form", forms.SplitForm, call, "Claim split.")


@require_POST
@permission_required("verifier.work_claim", raise_exception=True)
def claim_merge(request, pk):
    def call(claim, data):
        following = (
            claim.article.claims.exclude(state=Claim.State.DISMISSED)
            .filter(start__gte=claim.end)
            .exclude(pk=claim.pk)
            .order_by("start", "pk")
            .first()
        )
        if following is None:
            raise workflow.WorkflowError(
                "There is no claim after this one to merge with."
            )
        # The version is compared by merge itself, under the lock.
        return workflow.merge(
            claim, following, user=request.user, version=data["version"]
        )

    return _curate(
        request, pk, "merge_form", forms.VersionedForm, call, "Claims merged."
    )


def server_error(request):
    """The 500 handler, except that an unreachable database is a 503: try again soon.

    Called by Django while it handles the exception, so ``sys.exc_info()`` holds it. The
    page is rendered without the request: its context would query the database again.
    The driver's own errors count too: one raised where Django does not wrap them (a
    server-side cursor closed while PostgreSQL shuts down) is the same outage.
    """
    driver = connection.Database
    unreachable = (
        OperationalError,
        InterfaceError,
        driver.OperationalError,
        driver.InterfaceError,
    )
    if isinstance(sys.exc_info()[1], unreachable):
        return HttpResponse(
            render_to_string("503.html"),
            status=503,
            headers={"Retry-After": RETRY_AFTER_SECONDS},
        )
    return default_views.server_error(request)


# --- notifications and preferences: every logged-in person's own ---


class InboxView(TemplateView):
    """Your notifications, newest first; opening one (a POST) marks it read."""

    template_name = "verifier/inbox.html"
    per_page = 25

    def get_context_data(self, **kwargs):
        mine = Notification.objects.for_user(self.request.user).only(
            "kind", "text", "created_at", "read_at", "claim_id", "article_id"
        )
        page = Paginator(mine, self.per_page).get_page(self.request.GET.get("page"))
        return super().get_context_data(
            page=page,
            page_nav=page_nav(self.request, page, "page", "Notifications"),
            **kwargs,
        )


@require_POST
def notification_open(request, pk):
    notification = get_object_or_404(Notification.objects.for_user(request.user), pk=pk)
    notifications.mark_read(Notification.objects.filter(pk=notification.pk))
    return redirect(notification.get_absolute_url())


@require_POST
def inbox_mark_all_read(request):
    n = notifications.mark_read(Notification.objects.for_user(request.user))
    messages.success(request, f"Marked {n} notification{pluralize(n)} read.")
    return redirect("inbox")


class PreferencesView(FormView):
    template_name = "verifier/preferences.html"
    form_class = forms.PreferencesForm

    def get_initial(self):
        preferences = Preferences.objects.filter(user=self.request.user).first()
        if preferences is None:
            preferences = Preferences(user=self.request.user)
        return {"email": preferences.email, "time_zone": preferences.time_zone}

    def form_valid(self, form):
        workflow.save_preferences(self.request.user, **form.cleaned_data)
        messages.success(self.request, "Your preferences are saved.")
        return redirect("preferences")

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)
