"""Filters of the list pages; what they select is also what the exports hold."""

import django_filters
from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Q

from verifier import search
from verifier.models import Article, Claim, Rating


class ClaimFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label="Search",
        method="search",
        help_text="Claim, claimant, rationale and notes. "
        'Use "quotes" for a phrase, or, and -word to leave a word out.',
    )
    article = django_filters.ModelChoiceFilter(
        queryset=Article.objects.only("pk", "title")
    )
    state = django_filters.ChoiceFilter(choices=Claim.State.choices)
    rating = django_filters.ModelChoiceFilter(
        label="Verdict", queryset=Rating.objects.all()
    )
    assignee = django_filters.ModelChoiceFilter(
        # Exists, not a join with DISTINCT: an index probe per user, not a pass over
        # every claim.
        queryset=get_user_model()
        .objects.filter(Exists(Claim.objects.filter(assignee=OuterRef("pk"))))
        # Unordered, PostgreSQL may list them differently from one query to the next.
        .order_by("username")
    )

    class Meta:
        model = Claim
        fields = ["q", "article", "state", "rating", "assignee"]

    def search(self, queryset, name, value):
        return search.search(queryset, value)


class ArticleFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="Text", method="search")
    state = django_filters.ChoiceFilter(choices=Article.State.choices)

    class Meta:
        model = Article
        fields = ["q", "state"]

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(title__icontains=value)
            | Q(outlet__icontains=value)
            | Q(byline__icontains=value)
        )
