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

from dataclasses import dataclass

from verifier.extraction import boilerplate, claimants, scoring, splitting
from verifier.extraction.scoring import THRESHOLD
from verifier.extraction.splitting import normalise

__all__ = ["THRESHOLD", "Sentence", "analyse", "candidates", "extract", "normalise"]

_HEADLINE_MIN_WORDS = 3


@dataclass(frozen=True)
class Sentence:
    text: str  # == body[start:end]
    start: int
    end: int
    score: float  # 0..1 check-worthiness
    reasons: tuple[str, ...]  # named reasons, in the order of scoring.REASONS
    claimant: str  # "" when none detected
    boilerplate: bool  # True for dropped boilerplate


def _headline(paragraphs: list[str], flags: list[bool]) -> int | None:
    """Index of the headline: the last title line before the body text starts."""
    headline = None
    for index, paragraph in enumerate(paragraphs):
        if flags[index]:
            continue
        if not splitting.is_title(paragraph):
            break  # the first paragraph of prose
        if len(paragraph.split()) >= _HEADLINE_MIN_WORDS:
            headline = index
    return headline


def analyse(body: str) -> list[Sentence]:
    """Every sentence of ``body`` in text order, scored, boilerplate flagged.

    ``body`` should already be normalised: offsets refer to it as given.
    """
    split = splitting.split_paragraphs(body)
    paragraphs = [body[start:end] for (start, end), _ in split]
    flags = boilerplate.flag_paragraphs(paragraphs)
    headline = _headline(paragraphs, flags)

    sentences = []
    for index, (_, spans) in enumerate(split):
        for start, end in spans:
            text = body[start:end]
            flagged = flags[index] or boilerplate.is_boilerplate_sentence(text)
            score, reasons = scoring.score_sentence(text, headline=index == headline)
            claimant = "" if flagged else claimants.detect_claimant(text)
            sentences.append(
                Sentence(text, start, end, score, reasons, claimant, flagged)
            )
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
