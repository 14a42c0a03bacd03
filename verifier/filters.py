"""Filters of the list pages; what they select is also what the exports hold."""

import django_filters
from django.contrib.auth import get_user_model
from django.db.models import Q

from verifier.models import Article, Claim, Rating


class ClaimFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="Text", method="search")
    article = django_filters.ModelChoiceFilter(
        queryset=Article.objects.only("pk", "title")
    )
    state = django_filters.ChoiceFilter(choices=Claim.State.choices)
    rating = django_filters.ModelChoiceFilter(
        label="Verdict", queryset=Rating.objects.all()
    )
    assignee = django_filters.ModelChoiceFilter(
        queryset=get_user_model()
        .objects.filter(assigned_claims__isnull=False)
        .distinct()
        # Unordered, PostgreSQL may list them differently from one query to the next.
        .order_by("username")
    )

    claimant = django_filters.CharFilter(
        label="Claimant", lookup_expr="iexact", help_text="The exact name."
    )

    class Meta:
        model = Claim
        fields = ["q", "article", "state", "rating", "assignee", "claimant"]

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(text__icontains=value)
            | Q(claimant__icontains=value)
            | Q(rationale__icontains=value)
        )


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
