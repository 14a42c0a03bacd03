"""The list pages' tables; the claims table is also what the exports hold."""

import django_tables2 as tables
from django.core.paginator import Paginator
from django.db.models.functions import Substr
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django_tables2.rows import BoundRows

from verifier import claim_exports, search
from verifier.models import Article, Claim

TEXT_PREFIX = 60  # keep in step with claim_text_prefix_idx (Claim.Meta.indexes)
EMPTY = "—"  # what django-tables2 shows in an empty cell

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
        return format_html(
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


class ClaimTable(tables.Table):
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
    updated_at = tables.DateTimeColumn(verbose_name="Updated", format="Y-m-d H:i T")

    class Meta:
        model = Claim
        fields = (
            "id",
            "article",
            "text",
            "claimant",
            "state",
            "rating",
            "assignee",
            "n_sources",
            "updated_at",
        )
        empty_text = "No claims match these filters."
        per_page = IdsFirstPaginator.DEFAULT_PER_PAGE
        # The rows are written by row_html (the headers, sorting and pages stay
        # django-tables2's): its cell-by-cell rendering took a third of a second
        # for 50 rows.
        template_name = "includes/_claim_table.html"
        attrs = TABLE_ATTRS

    def __init__(self, *args, query: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.query = query
        self._claims_url = reverse("claim-list")
        self._articles_url = reverse("article-list")

    def order_text(self, queryset, is_descending):
        # By the claim's first words, along claim_text_prefix_idx: ordering by the whole
        # text sorts every row for each page.
        prefix = Substr("text", 1, TEXT_PREFIX)
        ordering = [prefix.desc(), "-pk"] if is_descending else [prefix.asc(), "pk"]
        return queryset.order_by(*ordering), True

    def render_text(self, record):
        if self.query:
            # Search results show the whole claim with the matched words marked.
            return search.highlighted(record, record.text, self.query)
        return record.short_text

    def row_html(self, claim: Claim, index: int) -> SafeString:
        """The row as the columns above render it, in one pass."""
        claim_url = f"{self._claims_url}{claim.pk}/"
        updated = dateformat.format(timezone.localtime(claim.updated_at), "Y-m-d H:i T")
        cells = [
            ("#", "", format_html('<a href="{}">{}</a>', claim_url, claim.pk)),
            (
                "Article",
                "",
                format_html(
                    '<a href="{}{}/">{}</a>',
                    self._articles_url,
                    claim.article_id,
                    claim.article.title,
                ),
            ),
            (
                "Claim",
                "claim-text",
                format_html('<a href="{}">{}</a>', claim_url, self.render_text(claim)),
            ),
            ("Claimant", "", claim.claimant or EMPTY),
            ("State", "", StateColumn.badge(claim)),
            ("Verdict", "", self.render_rating(claim) if claim.rating_id else EMPTY),
            ("Assignee", "", claim.assignee.username if claim.assignee else EMPTY),
            ("Sources", "num", claim.n_sources),
            ("Updated", "", updated),
        ]
        return format_html(
            '<tr class="{}">{}</tr>',
            "odd" if index % 2 else "even",
            format_html_join(
                "",
                '<td data-label="{}"{}>{}</td>',
                (
                    (label, format_html(' class="{}"', css) if css else "", value)
                    for label, css, value in cells
                ),
            ),
        )

    def render_rating(self, record):
        return format_html(
            '<span class="verdict" style="--verdict:{}">{}</span>',
            record.verdict.colour,
            claim_exports.verdict(record),
        )


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
    imported_at = tables.DateTimeColumn(verbose_name="Imported", format="Y-m-d H:i T")

    class Meta:
        model = Article
        fields = ("title", "outlet", "state", "progress", "imported_at")
        empty_text = "No articles yet."
        attrs = TABLE_ATTRS
