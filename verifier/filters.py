"""Filters of the list pages; what they select is also what the exports hold."""

import django_filters
from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Q

from verifier import deadlines, search
from verifier.models import Article, Claim, Rating
from verifier.widgets import QuickSelect


def article_choices():
    return list(
        Article.objects.order_by("-imported_at", "-pk").values_list("pk", "title")
    )


class ClaimFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label="Search",
        method="search",
        help_text="Claim, claimant, rationale and notes. "
        'Use "quotes" for a phrase, or, and -word to leave a word out.',
    )
    # Choices by id and title (no Article objects), newest first, as a plain select.
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
