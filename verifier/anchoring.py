"""Finding a claim again in a new version of its article's text.

Each claim is anchored by its offsets and a quote selector (its exact words with the
text just before and after). In the new text a claim is looked for exactly, the
occurrence whose surroundings match its prefix and suffix best; failing that, its old
offsets are carried through a diff of the two texts (Google's diff-match-patch) and
the words found there are compared with the old ones: close enough, the claim's
words changed; too far, or nothing left, its text is gone (an orphan).

Pure text in, anchors out: no ORM, no request, no settings.
"""

import re
import time
from collections.abc import Sequence
from dataclasses import dataclass

from diff_match_patch import diff_match_patch

# Words that changed this little are the same claim reworded; below, the claim's
# text is gone.
SAME_CLAIM = 0.5


@dataclass(frozen=True)
class Quote:
    start: int
    end: int
    text: str
    prefix: str = ""
    suffix: str = ""


@dataclass(frozen=True)
class Anchor:
    """Where a claim stands in the new text, and what happened to its words."""

    start: int
    end: int
    text: str
    status: str  # "same" (same words, same place), "moved", "changed" or "orphan"


def _affix_score(body: str, start: int, end: int, quote: Quote) -> int:
    before = body[max(0, start - len(quote.prefix)) : start]
    after = body[end : end + len(quote.suffix)]
    score = 0
    for mine, theirs, reverse in (
        (quote.prefix, before, True),
        (quote.suffix, after, False),
    ):
        a, b = (mine[::-1], theirs[::-1]) if reverse else (mine, theirs)
        while score < 10_000 and a and b and a[0] == b[0]:
            a, b, score = a[1:], b[1:], score + 1
    return score


def _trim(body: str, start: int, end: int) -> tuple[int, int]:
    while start < end and body[start].isspace():
        start += 1
    while end > start and body[end - 1].isspace():
        end -= 1
    return start, end


def _similarity(dmp: diff_match_patch, a: str, b: str) -> float:
    """difflib's ratio (twice the characters in common over the characters of both),
    with the characters in common found by diff-match-patch, whose diff takes
    milliseconds where difflib's matching took 18 s for a claim of 15,000 characters."""
    common = sum(
        len(text) for op, text in dmp.diff_main(a, b, False) if op == dmp.DIFF_EQUAL
    )
    return 2 * common / (len(a) + len(b))


def reanchor(old: str, new: str, quotes: Sequence[Quote]) -> list[Anchor]:
    """An anchor in ``new`` for each quote of ``old``, in the order given."""
    dmp = diff_match_patch()
    diffs = dmp.diff_main(old, new)
    dmp.diff_cleanupSemantic(diffs)
    anchors = []
    for quote in quotes:
        mapped = dmp.diff_xIndex(diffs, quote.start)
        found = []
        at = new.find(quote.text)
        while at >= 0:
            found.append(at)
            at = new.find(quote.text, at + 1)
        if found:
            start = max(
                found,
                key=lambda s: (
                    _affix_score(new, s, s + len(quote.text), quote),
                    -abs(s - mapped),
                ),
            )
            end = start + len(quote.text)
            status = "same" if (start, end) == (quote.start, quote.end) else "moved"
            anchors.append(Anchor(start, end, quote.text, status))
            continue
        start = mapped
        end = max(start, dmp.diff_xIndex(diffs, quote.end - 1) + 1)
        start, end = _trim(new, start, min(end, len(new)))
        text = new[start:end]
        if text and _similarity(dmp, quote.text, text) >= SAME_CLAIM:
            anchors.append(Anchor(start, end, text, "changed"))
        else:
            anchors.append(Anchor(quote.start, quote.end, quote.text, "orphan"))
    return anchors


# --- what changed between two versions of a text, for people to read ---

SAME, REMOVED, ADDED, FOLDED = "same", "removed", "added", "folded"
CONTEXT = 200  # characters of unchanged text shown on each side of a change
DIFF_SECONDS = 2.0  # then the diff is coarser, never slower (a 2 MB transcript)
TOKEN = re.compile(r"\w+|\s+|[^\w\s]", re.UNICODE)


@dataclass(frozen=True)
class Piece:
    kind: str  # SAME, REMOVED, ADDED, or FOLDED: unchanged text left out
    text: str  # for FOLDED, empty


@dataclass(frozen=True)
class Changes:
    pieces: list[Piece]
    # False when the diff ran out of time (DIFF_SECONDS): a passage shown as removed
    # and added may then hold words that did not change.
    exact: bool


def changes(old: str, new: str, context: int = CONTEXT) -> Changes:
    """``old`` turned into ``new``, as words removed and added among unchanged text;
    unchanged text longer than twice ``context`` keeps only its ends around each
    change."""
    dmp = diff_match_patch()
    dmp.Diff_Timeout = DIFF_SECONDS
    # Compared word by word ("spent" to "spend" is a word replaced, not a letter):
    # each distinct word, space or mark stands as one character while diffing.
    tokens: dict[str, str] = {}
    words: list[str] = []

    def encoded(text: str) -> str:
        out = []
        for token in TOKEN.findall(text):
            if token not in tokens:
                tokens[token] = chr(len(words) + 1)
                words.append(token)
            out.append(tokens[token])
        return "".join(out)

    started = time.monotonic()
    coded = dmp.diff_main(encoded(old), encoded(new), False)
    exact = time.monotonic() - started < DIFF_SECONDS
    dmp.diff_cleanupSemantic(coded)
    diffs = [(op, "".join(words[ord(c) - 1] for c in text)) for op, text in coded]
    kinds = {dmp.DIFF_EQUAL: SAME, dmp.DIFF_DELETE: REMOVED, dmp.DIFF_INSERT: ADDED}
    pieces = []
    for index, (op, text) in enumerate(diffs):
        kind = kinds[op]
        if kind != SAME or len(text) <= 2 * context:
            pieces.append(Piece(kind, text))
            continue
        # Around the changes, cut at a space, so that no word is shown half.
        if index > 0:
            pieces.append(Piece(SAME, text[:context].rsplit(" ", 1)[0]))
        pieces.append(Piece(FOLDED, ""))
        if index < len(diffs) - 1:
            pieces.append(Piece(SAME, text[-context:].split(" ", 1)[-1]))
    return Changes(pieces, exact)
