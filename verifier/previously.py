"""Previously checked: approved claims of other articles that match a claim.

The database proposes candidates (on PostgreSQL by trigram similarity and full-text
search, both from ``django.contrib.postgres``; on SQLite the most recent approved
claims), and ``verifier.matching`` judges each one, so both databases give the same
answer whenever the candidates include the match.
"""

import re
from dataclasses import dataclass

from django.contrib.postgres.search import SearchQuery, TrigramDistance
from django.db import connection

from verifier import matching
from verifier.models import Claim

CANDIDATES = 50  # per method, on PostgreSQL
RECENT = 2000  # on SQLite: the most recently approved claims are compared
SHOWN = 5


@dataclass(frozen=True)
class Prior:
    """An approved claim elsewhere, and how this claim relates to it."""

    claim: Claim
    match: matching.Match


def candidates(claim: Claim):
    approved = (
        Claim.objects.filter(state=Claim.State.APPROVED)
        .exclude(article_id=claim.article_id)
        .select_related("article")
        .only(
            "pk",
            "text",
            "approval",
            "state",
            "article__id",
            "article__title",
            "article__outlet",
            "article__published_on",
        )
    )
    if connection.vendor != "postgresql":
        return list(approved.order_by("-updated_at")[:RECENT])
    # The nearest in trigrams first, walked along claim_approved_text_gist (migration
    # 0017): the same fifty as "similarity above 0.3, best first", without rechecking
    # every approved claim that shares a few common trigrams.
    by_trigram = approved.annotate(
        distance=TrigramDistance("text", claim.text)
    ).order_by("distance")
    found = {c.pk: c for c in by_trigram[:CANDIDATES]}
    words = sorted(set(re.findall(r"[a-z]{3,}", claim.text.lower())) - matching.STOP)
    if words:
        # Any of its words in an approved claim's text: the stored search vector
        # (migration 0014) weighs the text A, so ":A" leaves out claimant and
        # rationale. A vector computed per row cost 10-20 ms a claim page.
        query = SearchQuery(
            " | ".join(f"{word}:A" for word in words),
            search_type="raw",
            config="english",
        )
        by_words = approved.filter(search_vector=query)
        for candidate in by_words.order_by("-updated_at")[:CANDIDATES]:
            found.setdefault(candidate.pk, candidate)
    return list(found.values())


def previously_checked(claim: Claim, limit: int = SHOWN) -> list[Prior]:
    """The best matches first: the same claim before claims that only look similar."""
    reading = matching.read(claim.text)
    priors = []
    for candidate in candidates(claim):
        match = matching.compare(reading, matching.read(candidate.text))
        if match.similarity >= matching.RELATED:
            priors.append(Prior(candidate, match))
    priors.sort(key=lambda p: (not p.match.same, -p.match.similarity, p.claim.pk))
    return priors[:limit]


def checked_before(article, limit: int = 100) -> list[Claim]:
    """The article's claims (the first ``limit`` in the text) that match an approved
    claim elsewhere: what to tell the person who just imported it."""
    claims = article.claims.exclude(state=Claim.State.DISMISSED).order_by("start")
    return [
        claim
        for claim in claims[:limit]
        if any(prior.match.same for prior in previously_checked(claim))
    ]
