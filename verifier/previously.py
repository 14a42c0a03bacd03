"""Previously checked: approved claims of other articles that match a claim.

The database proposes candidates (on PostgreSQL by trigram similarity and full-text
search, both from ``django.contrib.postgres``; on SQLite the most recent approved
claims), and ``verifier.matching`` judges each one, so both databases give the same
answer whenever the candidates include the match. The ones that match a claim are kept
(PriorCandidates) and topped up with later approvals, so that a claim page neither asks
the trigram index nor compares a hundred texts on every view.
"""

import hashlib
import re
from dataclasses import dataclass
from datetime import timedelta

from django.contrib.postgres.search import SearchQuery, TrigramDistance
from django.db import connection
from django.utils import timezone

from verifier import matching
from verifier.models import Claim, PriorCandidates

CANDIDATES = 50  # per method, on PostgreSQL
RECENT = 2000  # on SQLite: the most recently approved claims are compared
SHOWN = 5
# How long the candidates found for a claim serve (PriorCandidates) before the indexes
# are asked again; what was approved meanwhile is added to them on every view. Claims
# that arrive approved with earlier times (an archive restored, generated data) call
# ``forget``; so REFRESH only bounds how long a change to ``matching`` takes to reach
# the matches kept, and most views of a claim never ask the trigram index.
REFRESH = timedelta(days=1)
# A transaction commits after it stamps updated_at, minutes later for a bulk approval
# in the admin: the top-up looks back this far before the candidates were found.
LATE = timedelta(minutes=10)
NEWLY = 200  # more approved since than this (a batch, an archive): ask afresh


@dataclass(frozen=True)
class Prior:
    """An approved claim elsewhere, and how this claim relates to it."""

    claim: Claim
    match: matching.Match


def matches(claim: Claim) -> list[tuple[int, matching.Match]]:
    """Approved claims of other articles that match this one, by id, unordered.

    The candidates are found afresh (``_find``) at most every REFRESH, when the
    claim's text changes and after ``forget``, and the ones that match are kept. In
    between, a view judges the kept ones that are still approved, and every claim
    approved since: the same answer as asking afresh (a claim's text cannot change
    while it is approved, and one approved again has a new ``updated_at``), at a
    fraction of the cost.
    """
    reading = matching.read(claim.text)

    def judged(texts: dict[int, str]) -> list[tuple[int, matching.Match]]:
        found = []
        for pk, text in texts.items():
            match = matching.compare(reading, matching.read(text))
            if match.similarity >= matching.RELATED:
                found.append((pk, match))
        return found

    approved = Claim.objects.filter(state=Claim.State.APPROVED).exclude(
        article_id=claim.article_id
    )
    digest = hashlib.sha256(claim.text.encode()).hexdigest()
    now = timezone.now()
    known = PriorCandidates.objects.filter(
        claim_id=claim.pk, text_sha256=digest, found_at__gt=now - REFRESH
    ).first()
    if known is not None:
        since = approved.filter(updated_at__gte=known.found_at - LATE)
        recent = dict(
            since.order_by("-updated_at").values_list("pk", "text")[: NEWLY + 1]
        )
        if len(recent) <= NEWLY:  # else a batch was approved: ask afresh
            kept = approved.filter(pk__in=known.ids).values_list("pk", "text")
            return judged({**dict(kept), **recent})
    found = judged(_find(claim, approved))
    PriorCandidates.objects.bulk_create(
        [
            PriorCandidates(
                claim_id=claim.pk,
                text_sha256=digest,
                ids=[pk for pk, _ in found],
                found_at=now,
            )
        ],
        update_conflicts=True,
        unique_fields=["claim"],
        update_fields=["text_sha256", "ids", "found_at"],
    )
    return found


def forget() -> None:
    """Let every claim ask the indexes afresh at its next view. Call when approved
    claims arrive with times earlier than now, which the kept candidates' top-up (by
    ``updated_at``) would not see."""
    PriorCandidates.objects.all().delete()


def _find(claim: Claim, approved) -> dict[int, str]:
    """The candidates among ``approved``, asked of the database's indexes."""
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
    found = sorted(
        matches(claim), key=lambda m: (not m[1].same, -m[1].similarity, m[0])
    )[:limit]
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
    claims = shown.in_bulk([pk for pk, _ in found])
    return [Prior(claims[pk], match) for pk, match in found if pk in claims]


def checked_before(article, limit: int = 100) -> list[Claim]:
    """The article's claims (the first ``limit`` in the text) that match an approved
    claim elsewhere: what to tell the person who just imported it."""
    claims = article.claims.exclude(state=Claim.State.DISMISSED).order_by("start")
    return [
        claim
        for claim in claims[:limit]
        if any(prior.match.same for prior in previously_checked(claim))
    ]
