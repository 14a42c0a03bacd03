"""The list pages' tables; the claims table is also what the exports hold."""

import django_tables2 as tables
from django.core.paginator import Paginator
from django.db.models import Case, Value, When
from django.db.models.functions import Substr
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.text import Truncator
from django_tables2.rows import BoundRows

from verifier import claim_exports, deadlines, search
from verifier.models import Article, Claim
from verifier.widgets import quick_html

TEXT_PREFIX = 60  # keep in step with claim_text_prefix_idx (Claim.Meta.indexes)
LIST_TEXT = 240  # how much of a claim the list shows: most claims whole
LIST_TITLE = 40  # an article title longer than this is cut (the link has it whole)
EMPTY = "—"  # what django-tables2 shows in an empty cell
NO_DEADLINE = format_html('<span class="no-deadline">{}</span>', EMPTY)


# Each cell carries its column's name, which the phone layout shows beside the value
# (app.css turns rows into cards there). A column with its own td attrs adds it too.
LABELLED_CELL = {"data-label": lambda bound_column: bound_column.header}
TABLE_ATTRS = {"class": "table", "td": LABELLED_CELL}


class StateColumn(tables.Column):
    """A state told by text, with a badge class for colour."""

    def render(self, value, record):
        return self.badge(record)

    @staticmethod
    def badge(record):
        return quick_html(
            '<span class="badge state-{}">{}</span>',
            record.state,
            record.get_state_display(),
        )

    def value(self, value, record):
        return value


class IdsFirstPaginator(Paginator):
    """Pages of a long table in two steps: the page's ids, then the page's rows.

    ``OFFSET 99950`` over the joined rows would build every skipped row (its article,
    rating, assignee and source count) to throw it away; over the ids alone it walks
    an index. The ids then fetch their 50 rows. The count is taken once (Paginator
    caches it) and ``per_page`` is held between MIN and MAX_PER_PAGE.
    """

    DEFAULT_PER_PAGE, MIN_PER_PAGE, MAX_PER_PAGE = 50, 10, 200

    def __init__(self, object_list, per_page, *args, **kwargs):
        if not self.MIN_PER_PAGE <= per_page <= self.MAX_PER_PAGE:
            per_page = self.DEFAULT_PER_PAGE
        super().__init__(object_list, per_page, *args, **kwargs)

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        rows = self.object_list  # django-tables2's BoundRows over the ordered queryset
        queryset = rows.data.data
        ordering = [*queryset.query.order_by, "-pk"]
        ids = list(
            queryset.order_by(*ordering).values_list("pk", flat=True)[bottom:top]
        )
        by_id = {record.pk: record for record in queryset.filter(pk__in=ids)}
        records = [by_id[pk] for pk in ids if pk in by_id]
        return self._get_page(BoundRows(records, table=rows.table), number, self)


STATE_ORDER = [
    Claim.State.OPEN,
    Claim.State.IN_PROGRESS,
    Claim.State.SUBMITTED,
    Claim.State.APPROVED,
    Claim.State.DISMISSED,
]


def in_workflow_order(field: str = "state") -> Case:
    """A claim's state as its place in the workflow: open first, dismissed last."""
    return Case(
        *(When(**{field: state}, then=Value(i)) for i, state in enumerate(STATE_ORDER)),
        default=Value(len(STATE_ORDER)),
    )


class ClaimTable(tables.Table):
    # Only editors see it (``bulk_assign``): the rows they pick for bulk assignment.
    select = tables.Column(
        verbose_name="Select",
        empty_values=(),
        orderable=False,
        exclude_from_export=True,
    )
    id = tables.Column(verbose_name="#", linkify=True)
    article = tables.Column(
        accessor="article__title",
        verbose_name="Article",
        linkify=lambda record: record.article.get_absolute_url(),
        order_by=("article__title", "start"),
    )
    text = tables.Column(
        verbose_name="Claim",
        linkify=True,
        attrs={"td": {**LABELLED_CELL, "class": "claim-text"}},
    )
    claimant = tables.Column()
    state = StateColumn()
    rating = tables.Column(
        verbose_name="Verdict", accessor="rating__label", order_by=("rating__position",)
    )
    assignee = tables.Column(accessor="assignee__username", verbose_name="Assignee")
    n_sources = tables.Column(
        verbose_name="Sources", attrs={"td": {**LABELLED_CELL, "class": "num"}}
    )
    due = tables.Column(verbose_name="Due")
    updated_at = tables.DateTimeColumn(verbose_name="Updated", format="Y-m-d H:i T")

    class Meta:
        model = Claim
        fields = (
            "select",
            "id",
            "article",
            "text",
            "claimant",
            "state",
            "rating",
            "assignee",
            "n_sources",
            "due",
            "updated_at",
        )
        empty_text = "No claims match these filters."
        per_page = IdsFirstPaginator.DEFAULT_PER_PAGE
        # The rows are written by row_html (the headers, sorting and pages stay
        # django-tables2's): its cell-by-cell rendering took a third of a second
        # for 50 rows.
        template_name = "includes/_claim_table.html"
        attrs = {**TABLE_ATTRS, "class": "table claims-table"}

    def __init__(self, *args, query: str = "", bulk_assign: bool = False, **kwargs):
        if not bulk_assign:
            kwargs["exclude"] = (*kwargs.get("exclude", ()), "select")
        super().__init__(*args, **kwargs)
        self.query = query
        self.bulk_assign = bulk_assign
        self._previous_article = None
        self._claims_url = reverse("claim-list")
        self._articles_url = reverse("article-list")

    def order_text(self, queryset, is_descending):
        # By the claim's first words, along claim_text_prefix_idx: ordering by the whole
        # text sorts every row for each page.
        prefix = Substr("text", 1, TEXT_PREFIX)
        ordering = [prefix.desc(), "-pk"] if is_descending else [prefix.asc(), "pk"]
        return queryset.order_by(*ordering), True

    def order_due(self, queryset, is_descending):
        # Along claim_due_id_idx.
        return deadlines.soonest_first(queryset, is_descending), True

    def order_state(self, queryset, is_descending):
        # As the work flows (open, in progress, submitted, approved, dismissed), not
        # alphabetically; one CASE in the ORDER BY, so the query count stays the same.
        rank = in_workflow_order()
        ordering = [rank.desc(), "-pk"] if is_descending else [rank.asc(), "pk"]
        return queryset.order_by(*ordering), True

    def render_text(self, record):
        if self.query:
            # Search results show the whole claim with the matched words marked.
            return search.highlighted(record, record.text, self.query)
        return cut(record.text, LIST_TEXT)

    def article_cell(self, claim: Claim, index: int) -> SafeString:
        """The article's title, cut short; on a row below one of the same article
        a short "same article" link instead (the title stays for screen readers)."""
        if index == 0:
            self._previous_article = None
        title = claim.article.title
        url = f"{self._articles_url}{claim.article_id}/"
        same = claim.article_id == self._previous_article
        self._previous_article = claim.article_id
        if same:
            return quick_html(
                '<a class="same-article" href="{}">same article'
                '<span class="visually-hidden">: {}</span></a>',
                url,
                title,
            )
        return quick_html(
            '<a href="{}" title="{}">{}</a>', url, title, cut(title, LIST_TITLE)
        )

    def row_html(self, claim: Claim, index: int) -> SafeString:
        """The row as the columns above render it, in one pass."""
        claim_url = f"{self._claims_url}{claim.pk}/"
        updated = timezone.localtime(claim.updated_at)
        cells = [
            ("#", "col-id", quick_html('<a href="{}">{}</a>', claim_url, claim.pk)),
            ("Article", "col-article", self.article_cell(claim, index)),
            (
                "Claim",
                "claim-text",
                quick_html('<a href="{}">{}</a>', claim_url, self.render_text(claim)),
            ),
            ("Claimant", "col-claimant", claim.claimant or EMPTY),
            ("State", "col-state", StateColumn.badge(claim)),
            (
                "Verdict",
                "col-verdict",
                self.render_rating(claim) if claim.rating_id else EMPTY,
            ),
            (
                "Assignee",
                "col-assignee",
                claim.assignee.username if claim.assignee else EMPTY,
            ),
            ("Sources", "num", claim.n_sources),
            (
                "Due",
                "col-due",
                deadlines.flag(claim.due, settled=claim.is_settled) or NO_DEADLINE,
            ),
            # As the DateTimeColumn's "Y-m-d H:i T" of the other tables.
            ("Updated", "col-updated", f"{updated:%Y-%m-%d %H:%M} {updated.tzname()}"),
        ]
        if self.bulk_assign:
            cells.insert(0, ("Select", "col-select", self.select_cell(claim)))
        return SafeString(
            f'<tr class="{"odd" if index % 2 else "even"}">'
            + "".join(
                quick_html('<td data-label="{}" class="{}">{}</td>', label, css, value)
                for label, css, value in cells
            )
            + "</tr>"
        )

    @staticmethod
    def select_cell(claim: Claim) -> SafeString:
        # The version the editor saw goes with each row: workflow.assign refuses a
        # claim that changed since.
        return quick_html(
            '<input type="checkbox" name="claim" value="{}" form="bulk-assign"'
            ' aria-label="Select claim #{}">'
            '<input type="hidden" name="version-{}" value="{}" form="bulk-assign">',
            claim.pk,
            claim.pk,
            claim.pk,
            claim.version,
        )

    def render_rating(self, record):
        return quick_html(
            '<span class="verdict" style="--verdict:{}">{}</span>',
            record.verdict.colour,
            claim_exports.verdict(record),
        )


def cut(text: str, length: int) -> str:
    """``text`` cut to ``length`` characters with an ellipsis, as Truncator.chars (only
    asked when the text is longer: most claims are not)."""
    return text if len(text) <= length else Truncator(text).chars(length)


class ArticleTable(tables.Table):
    title = tables.Column(linkify=True)
    outlet = tables.Column()
    state = StateColumn()
    progress = tables.TemplateColumn(
        template_name="includes/_progress.html",
        verbose_name="Progress",
        orderable=False,
        exclude_from_export=True,
    )
    due = tables.Column(verbose_name="Due")
    imported_at = tables.DateTimeColumn(verbose_name="Imported", format="Y-m-d H:i T")

    class Meta:
        model = Article
        fields = ("title", "outlet", "state", "progress", "due", "imported_at")
        empty_text = "No articles yet."
        attrs = TABLE_ATTRS

    def render_due(self, value, record):
        return deadlines.flag(value, settled=record.is_signed_off)

    def order_due(self, queryset, is_descending):
        return deadlines.soonest_first(queryset, is_descending), True
