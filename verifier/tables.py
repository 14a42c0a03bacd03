"""The list pages' tables; the claims table is also what the exports hold."""

import django_tables2 as tables
from django.utils import timezone
from django.utils.html import format_html
from django_tables2.export import TableExport
from tablib import Dataset

from verifier.models import Article, Claim

# A spreadsheet runs a cell that starts with one of these as a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class SpreadsheetExport(TableExport):
    """A table's plain values; in CSV and XLSX no cell can start a formula.

    Article text is untrusted, and a claim such as "=HYPERLINK(...)" would run in the
    spreadsheet of whoever opens the export. Such cells get the usual defence, a
    leading apostrophe; JSON keeps the text as it is.
    """

    def table_to_dataset(self, table, exclude_columns, dataset_kwargs=None):
        dataset = super().table_to_dataset(table, exclude_columns, dataset_kwargs)
        if self.format not in (self.CSV, self.XLSX):
            return dataset
        safe = Dataset(title=dataset.title, headers=dataset.headers)
        for row in dataset:
            safe.append([defuse(value) for value in row])
        return safe


def defuse(value):
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


# Each cell carries its column's name, which the phone layout shows beside the value
# (app.css turns rows into cards there). A column with its own td attrs adds it too.
LABELLED_CELL = {"data-label": lambda bound_column: bound_column.header}
TABLE_ATTRS = {"class": "table", "td": LABELLED_CELL}


class StateColumn(tables.Column):
    """A state told by text, with a badge class for colour."""

    def render(self, value, record):
        return format_html(
            '<span class="badge state-{}">{}</span>', record.state, value
        )

    def value(self, value, record):
        return value


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
    updated_at = tables.DateTimeColumn(verbose_name="Updated", format="Y-m-d H:i")

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
        order_by = ("article", "id")
        empty_text = "No claims match these filters."
        attrs = TABLE_ATTRS

    def render_text(self, record):
        return record.short_text

    def value_text(self, record):
        # Exports carry the whole claim, the page a shortened one.
        return record.text

    def render_rating(self, record):
        return format_html(
            '<span class="verdict" style="--verdict:{}">{}</span>',
            record.rating.colour,
            record.rating.label,
        )

    def value_rating(self, record):
        return record.rating.label

    def value_updated_at(self, value):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


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
    imported_at = tables.DateTimeColumn(verbose_name="Imported", format="Y-m-d H:i")

    class Meta:
        model = Article
        fields = ("title", "outlet", "state", "progress", "imported_at")
        empty_text = "No articles yet."
        attrs = TABLE_ATTRS
