"""The claims search: one box over claim text, claimant, rationale and notes.

On PostgreSQL it is full-text search: the stored, GIN-indexed ``Claim.search_vector``
(kept by the trigger of migration 0006) and an index on the notes' text, queried with
web-search syntax (``"exact phrase"``, ``or``, ``-word``), ranked, and highlighted by
``ts_headline``. On SQLite every word must appear somewhere in those fields
(case-insensitive substrings), newest first, and the words are highlighted in Python.
"""

import re

from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchRank,
    SearchVector,
)
from django.db import connection
from django.db.models import F, Q
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from verifier.models import Claim, Note

CONFIG = "english"  # the text search configuration of migration 0006's trigger
# ts_headline marks matches with these; they cannot be typed into a form (private use
# characters), so after escaping the text they are the only places that get a <mark>.
START, STOP = "\ue000", "\ue001"
MAX_QUERY = 200


def full_text() -> bool:
    return connection.vendor == "postgresql"


def words(text: str) -> list[str]:
    """The words of a query, without web-search operators, for the SQLite fallback."""
    found = re.findall(r"[^\s\"]+", text or "")
    return [w.lstrip("-") for w in found if w.lower() != "or" and w.lstrip("-")][:10]


def note_vector() -> SearchVector:
    # Compiles to the expression of note_search_idx, so PostgreSQL uses the index.
    return SearchVector("text", config=CONFIG)


def search(queryset, text: str):
    """Claims matching ``text``, best first, annotated with rank and headline."""
    text = (text or "").strip()[:MAX_QUERY]
    if not text:
        return queryset
    if full_text():
        query = SearchQuery(text, config=CONFIG, search_type="websearch")
        in_notes = (
            Note.objects.annotate(vector=note_vector())
            .filter(vector=query)
            .order_by()
            .values("claim_id")
        )
        # A union of two GIN index scans; "vector matches OR in notes" would test
        # every row of the table instead.
        matching = (
            Claim.objects.filter(search_vector=query).values("pk").union(in_notes)
        )
        return (
            queryset.filter(pk__in=matching)
            .annotate(
                rank=SearchRank(F("search_vector"), query),
                headline=SearchHeadline(
                    "text",
                    query,
                    config=CONFIG,
                    start_sel=START,
                    stop_sel=STOP,
                    highlight_all=True,
                ),
            )
            .order_by("-rank", "-updated_at", "-pk")
        )
    for word in words(text):
        queryset = queryset.filter(
            Q(text__icontains=word)
            | Q(claimant__icontains=word)
            | Q(rationale__icontains=word)
            | Q(pk__in=Note.objects.filter(text__icontains=word).values("claim_id"))
        )
    return queryset.order_by("-updated_at", "-pk")


def highlighted(claim: Claim, text: str, query: str) -> SafeString:
    """``text`` (the claim's words) escaped, with the words that matched in <mark>."""
    headline = getattr(claim, "headline", None)
    if headline is not None and full_text():
        marked = escape(headline)
    else:
        pattern = "|".join(re.escape(w) for w in words(query))
        if not pattern:
            return escape(text)
        marked = escape(
            re.sub(
                f"({pattern})",
                lambda m: START + m.group(1) + STOP,
                text,
                flags=re.IGNORECASE,
            )
        )
    return mark_safe(marked.replace(START, "<mark>").replace(STOP, "</mark>"))
