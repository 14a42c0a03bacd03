"""Automatic claim extraction: plain text in, candidate claims out.

Pure Python on purpose (no ORM, no request, no settings), so that the import
command, the web form and the tests all share one findable set of rules. One
stage per module:

1. ``splitting``: ``normalise`` the raw text once (the app stores that text as
   the article body, so every offset refers to it) and split it into sentence
   spans: paragraphs first, then sentences, each quoted sentence on its own.
2. ``boilerplate``: flag widgets, bylines, captions, tip lines, reference lists.
3. ``scoring``: check-worthiness in [0, 1] with named reasons.
4. ``claimants``: who asserts each sentence, one name per source per article.

``analyse`` runs them all and is the one entry point; ``candidates`` and
``extract`` only sort its result. ``words`` holds the word lists that several
stages share. Every rule is generic news-writing knowledge; none may name the
words of a particular article.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from verifier.extraction import boilerplate, claimants, scoring, splitting
from verifier.extraction.splitting import normalise
from verifier.extraction.weights import THRESHOLD

__all__ = ["THRESHOLD", "Sentence", "analyse", "candidates", "extract", "normalise"]

_HEADLINE_MIN_WORDS = 3


@dataclass(frozen=True)
class Sentence:
    text: str  # == body[start:end]
    start: int
    end: int
    score: float  # 0..1 check-worthiness (0 for boilerplate)
    reasons: tuple[str, ...]  # named reasons, in the order of scoring.REASONS
    claimant: str  # "" when none detected
    boilerplate: bool  # True for dropped boilerplate


def _headline(
    paragraphs: list[str], titles: list[bool], flags: list[bool]
) -> int | None:
    """Index of the headline: the last title line before the body text starts."""
    headline = None
    for index, paragraph in enumerate(paragraphs):
        if flags[index]:
            continue
        if not titles[index]:
            break  # the first paragraph of prose
        if len(paragraph.split()) >= _HEADLINE_MIN_WORDS:
            headline = index
    return headline


_QUOTE_MARK = re.compile(r"[“”«»\"]")


def _quoted_intervals(paragraph: str) -> list[tuple[int, int]]:
    """Where a paragraph is inside quotation marks.

    A straight quote opens after a space and closes before one. A quotation
    left open runs on until the next one opens, or to the paragraph's end (as a
    quote of several paragraphs does).
    """
    intervals = []
    opened = None
    for match in _QUOTE_MARK.finditer(paragraph):
        mark, char = match.start(), match.group()
        if char == '"':
            before = paragraph[mark - 1 : mark]
            char = "“" if not before or before.isspace() or before in "([—–-" else "”"
        if char in "“«":
            if opened is not None:
                intervals.append((opened, mark))
            opened = mark
        elif opened is not None:
            intervals.append((opened, mark + 1))
            opened = None
    if opened is not None:
        intervals.append((opened, len(paragraph)))
    return intervals


def _quoted_shares(
    intervals: list[tuple[int, int]], spans: list[tuple[int, int]]
) -> list[float]:
    """The share of each span (in text order) inside the intervals (in text order),
    in one sweep over both."""
    shares = []
    first = 0
    for start, end in spans:
        while first < len(intervals) and intervals[first][1] <= start:
            first += 1
        inside = 0
        following = first
        while following < len(intervals) and intervals[following][0] < end:
            a, b = intervals[following]
            inside += min(end, b) - max(start, a)
            following += 1
        shares.append(round(inside / (end - start), 2) if end > start else 0.0)
    return shares


def sentence_contexts(body: str) -> Iterator[tuple[int, int, bool, int, dict]]:
    """Each sentence's span, whether it is boilerplate, its paragraph's index and
    what the score needs to know of its place in the article (headline, lede,
    quoted speech)."""
    titled = splitting.titled_paragraphs(body)
    paragraphs = [body[start:end] for (start, end), _ in titled]
    titles = [title for _, title in titled]
    flags = boilerplate.flag_paragraphs(paragraphs, titles)
    # Furniture is split without pysbd: its sentences are dropped anyway, and
    # reference lists, full of abbreviations, cost pysbd the most.
    split = [
        (span, splitting.sentences_of(body, span, title, careful=not flag), title)
        for (span, title), flag in zip(titled, flags, strict=True)
    ]
    headline = _headline(paragraphs, titles, flags)
    lede_seen = False
    # How far into the story a paragraph stands, furniture left out: news puts
    # its facts first and its background and reactions further down.
    story = max(1, flags.count(False))
    seen = 0
    for index, ((para_start, _), spans, _) in enumerate(split):
        place = seen / story
        seen += not flags[index]
        if _QUOTE_MARK.search(paragraphs[index]):
            intervals = _quoted_intervals(paragraphs[index])
            relative = [(start - para_start, end - para_start) for start, end in spans]
            shares = _quoted_shares(intervals, relative)
        else:
            shares = [0.0] * len(spans)
        for (start, end), quoted in zip(spans, shares, strict=True):
            flagged = flags[index] or boilerplate.is_boilerplate_sentence(
                body[start:end]
            )
            is_headline = index == headline
            lede = not (flagged or is_headline or lede_seen) and (
                headline is not None and index > headline
            )
            lede_seen = lede_seen or lede
            context = {
                "headline": is_headline,
                "subhead": titles[index] and not is_headline,
                "lede": lede,
                "quoted": quoted,
                "place": place,
            }
            yield start, end, flagged, index, context


def analyse(body: str) -> list[Sentence]:
    """Every sentence of ``body`` in text order, scored, boilerplate flagged.

    ``body`` should already be normalised: offsets refer to it as given.
    """
    parts = list(sentence_contexts(body))
    story = [part for part in parts if not part[2]]
    names = claimants.resolve(
        [body[start:end] for start, end, *_ in story],
        [context["quoted"] for *_, context in story],
        [paragraph for *_, paragraph, _ in story],
    )
    claimant_of = {part[0]: name for part, name in zip(story, names, strict=True)}
    sentences = []
    for start, end, flagged, _, context in parts:
        text = body[start:end]
        # Furniture is never a claim: it scores 0 without being read.
        score, reasons = (
            (0.0, ()) if flagged else scoring.score_sentence(text, **context)
        )
        claimant = claimant_of.get(start, "")
        sentences.append(Sentence(text, start, end, score, reasons, claimant, flagged))
    return sentences


def candidates(
    body: str, threshold: float = THRESHOLD
) -> tuple[list[Sentence], list[Sentence]]:
    """From one pass over ``body``: the claims and the other non-boilerplate
    sentences, each best first."""
    sentences = [s for s in analyse(body) if not s.boilerplate]
    ranked = sorted(sentences, key=lambda s: (-s.score, s.start))
    claims = [s for s in ranked if s.score >= threshold]
    others = [s for s in ranked if s.score < threshold]
    return claims, others


def extract(body: str, threshold: float = THRESHOLD) -> list[Sentence]:
    """The candidate claims of ``body``, best first."""
    return candidates(body, threshold)[0]
