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


def candidates(claim: Claim) -> dict[int, str]:
    """Approved claims of other articles that may match: their text by id."""
    approved = Claim.objects.filter(state=Claim.State.APPROVED).exclude(
        article_id=claim.article_id
    )
    if connection.vendor != "postgresql":
        return dict(approved.order_by("-updated_at").values_list("pk", "text")[:RECENT])
    # The nearest in trigrams first, walked along claim_approved_text_gist (migration
    # 0017): the same fifty as "similarity above 0.3, best first", without rechecking
    # every approved claim that shares a few common trigrams.
    by_trigram = approved.annotate(
        distance=TrigramDistance("text", claim.text)
    ).order_by("distance")
    found = dict(by_trigram.values_list("pk", "text")[:CANDIDATES])
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
        by_words = approved.filter(search_vector=query).order_by("-updated_at")
        for pk, text in by_words.values_list("pk", "text")[:CANDIDATES]:
            found.setdefault(pk, text)
    return found


def previously_checked(claim: Claim, limit: int = SHOWN) -> list[Prior]:
    """The best matches first: the same claim before claims that only look similar.

    The candidates are compared as text; only the few shown are loaded as claims.
    """
    reading = matching.read(claim.text)
    matches = []
    for pk, text in candidates(claim).items():
        match = matching.compare(reading, matching.read(text))
        if match.similarity >= matching.RELATED:
            matches.append((pk, match))
    matches.sort(key=lambda m: (not m[1].same, -m[1].similarity, m[0]))
    matches = matches[:limit]
    shown = Claim.objects.select_related("article").only(
        "pk",
        "text",
        "approval",
        "state",
        "article__id",
        "article__title",
        "article__outlet",
        "article__published_on",
    )
    claims = shown.in_bulk([pk for pk, _ in matches])
    return [Prior(claims[pk], match) for pk, match in matches if pk in claims]


def checked_before(article, limit: int = 100) -> list[Claim]:
    """The article's claims (the first ``limit`` in the text) that match an approved
    claim elsewhere: what to tell the person who just imported it."""
    claims = article.claims.exclude(state=Claim.State.DISMISSED).order_by("start")
    return [
        claim
        for claim in claims[:limit]
        if any(prior.match.same for prior in previously_checked(claim))
    ]
