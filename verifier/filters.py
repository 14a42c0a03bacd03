"""Filters of the list pages; what they select is also what the exports hold."""

from functools import partial

import django_filters
from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Q

from verifier import deadlines, search
from verifier.models import Article, Claim, Rating
from verifier.widgets import QuickSelect

# The article filter offers the newest articles (and the one chosen): a select of a
# year's thousand titles helps nobody, and wrote 80 KB into every claim list. Any
# article's claims are one link away on its page ("These claims in the list").
ARTICLES_OFFERED = 50


def article_choices(chosen: str | None = None) -> list[tuple[int, str]]:
    """The newest articles by id and title (no Article objects), and ``chosen``."""
    offered = list(
        Article.objects.order_by("-imported_at", "-pk").values_list("pk", "title")[
            :ARTICLES_OFFERED
        ]
    )
    if chosen and chosen.isdigit() and all(str(pk) != chosen for pk, _ in offered):
        offered += Article.objects.filter(pk=int(chosen)).values_list("pk", "title")
    return offered


class ClaimFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label="Search",
        method="search",
        help_text="Claim, claimant, rationale and notes. "
        'Use "quotes" for a phrase, or, and -word to leave a word out.',
    )
    # Choices by id and title, newest first, as a plain select (see __init__).
    article = django_filters.ChoiceFilter(
        field_name="article", choices=article_choices, widget=QuickSelect
    )
    state = django_filters.ChoiceFilter(choices=Claim.State.choices, widget=QuickSelect)
    rating = django_filters.ModelChoiceFilter(
        label="Verdict", queryset=Rating.objects.all(), widget=QuickSelect
    )
    assignee = django_filters.ModelChoiceFilter(
        widget=QuickSelect,
        # Exists, not a join with DISTINCT: an index probe per user, not a pass over
        # every claim.
        queryset=get_user_model()
        .objects.filter(Exists(Claim.objects.filter(assignee=OuterRef("pk"))))
        # Unordered, PostgreSQL may list them differently from one query to the next.
        .order_by("username"),
    )

    claimant = django_filters.CharFilter(
        label="Claimant", lookup_expr="iexact", help_text="The exact name."
    )
    due = django_filters.ChoiceFilter(
        label="Due", choices=deadlines.CHOICES, method="by_due", widget=QuickSelect
    )

    class Meta:
        model = Claim
        fields = ["q", "article", "state", "rating", "assignee", "claimant", "due"]

    def __init__(self, data=None, *args, **kwargs):
        super().__init__(data, *args, **kwargs)
        # An older article chosen by its link stays chosen, and named, in the select.
        chosen = data.get("article") if data is not None else None
        self.filters["article"].extra["choices"] = partial(article_choices, chosen)

    def by_due(self, queryset, name, value):
        # A settled claim has no deadline left to miss.
        if value in ("overdue", "day", "week"):
            queryset = queryset.unsettled()
        return queryset.filter(deadlines.selection(value))

    def search(self, queryset, name, value):
        return search.search(queryset, value)


class ArticleFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="Text", method="search")
    state = django_filters.ChoiceFilter(choices=Article.State.choices)
    due = django_filters.ChoiceFilter(
        label="Due", choices=deadlines.CHOICES, method="by_due"
    )

    class Meta:
        model = Article
        fields = ["q", "state", "due"]

    def by_due(self, queryset, name, value):
        if value in ("overdue", "day", "week"):
            queryset = queryset.exclude(state=Article.State.SIGNED_OFF)
        return queryset.filter(deadlines.selection(value))

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(title__icontains=value)
            | Q(outlet__icontains=value)
            | Q(byline__icontains=value)
        )
