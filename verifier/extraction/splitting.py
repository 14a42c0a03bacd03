"""Stage 1: the canonical text of an article and its sentences as character spans.

``normalise`` fixes the text once (the app stores that as the article body, so
every offset refers to it); ``split_sentences`` cuts it into paragraphs, then into
sentences with pysbd inside each paragraph, then cuts quotations of several
sentences at their sentence ends, so that each quoted sentence stands alone.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Iterator

import pysbd

from verifier.extraction.words import ABBREVIATIONS, EXCLAMATION_WORDS, PREPOSITIVE

_NEWLINES = re.compile(r"\r\n|[\r\x0b\x0c\x85\u2028\u2029]")
# C0 controls (but tab and newline), DEL, zero-width characters, bidi marks,
# embeddings, overrides and isolates, the BOM and the soft hyphen: all invisible,
# and bidi overrides can make a quote read differently from what is stored.
_INVISIBLE = re.compile(
    "[\x00-\x08\x0e-\x1f\x7f\u00ad\u061c\u200b-\u200f\u202a-\u202e"
    "\u2060-\u2064\u2066-\u2069\ufeff]"
)
_TRAILING_SPACE = re.compile(r"[^\S\n]+$", re.MULTILINE)


def normalise(text: str) -> str:
    """Return the canonical form of an article body.

    Newlines become ``\\n``, invisible controls go, the text is NFC-composed and
    trailing spaces and leading/trailing blank lines are trimmed.
    """
    text = _NEWLINES.sub("\n", text)
    text = _INVISIBLE.sub("", text)
    text = unicodedata.normalize("NFC", text)
    text = _TRAILING_SPACE.sub("", text)
    return text.strip("\n")


TERMINAL = re.compile(r"[.!?…][\"'”’»)\]]*\s*$")
_LIST_MARKER = re.compile(r"\s*(?:[-*•#>]|\d+[.)]|\[\d+\])\s")
# A wrapped line is long and stops mid-sentence; shorter lines are headings,
# widgets or list items and stay paragraphs of their own.
_WRAPPED_LINE_LENGTH = 40
_WRAP_MAX_WIDTH = 100
_WRAP_WIDTH_SPREAD = 20
_SENTENCE_END = tuple(".!?…:;\"'”’)]")
_TITLE_MAX_WORDS = 40

_segmenters = threading.local()


def _segmenter() -> pysbd.Segmenter:
    # pysbd keeps per-call state on the instance, so one instance per thread.
    segmenter = getattr(_segmenters, "segmenter", None)
    if segmenter is None:
        segmenter = pysbd.Segmenter(language="en", clean=False, char_span=True)
        _segmenters.segmenter = segmenter
    return segmenter


def _blocks(body: str) -> Iterator[list[tuple[int, int]]]:
    """Runs of non-blank lines, each line as its span."""
    block: list[tuple[int, int]] = []
    position = 0
    for line in body.split("\n"):
        start, end = position, position + len(line)
        position = end + 1
        if line.strip():
            block.append((start, end))
        elif block:
            yield block
            block = []
    if block:
        yield block


def _is_wrapped(lines: list[str]) -> bool:
    """Whether a block of lines is one paragraph hard-wrapped at a fixed width.

    Wrapped lines (all but the last) are long and of about the same length, no
    line is a list item, and at least one stops mid-sentence.
    """
    if len(lines) < 3:
        return False
    wrapped = [line.strip() for line in lines[:-1]]
    lengths = [len(line) for line in wrapped]
    return (
        min(lengths) >= _WRAPPED_LINE_LENGTH
        and max(lengths) - min(lengths) <= _WRAP_WIDTH_SPREAD
        and max(lengths) <= _WRAP_MAX_WIDTH
        and not any(_LIST_MARKER.match(line) for line in lines)
        and any(not line.endswith(_SENTENCE_END) for line in wrapped)
    )


def paragraphs(body: str) -> list[tuple[int, int]]:
    """Spans of paragraphs: lines, except that hard-wrapped lines are joined.

    A block of lines wrapped at a fixed width is one paragraph. Elsewhere a line
    joins the previous one only when that line is long, stops without
    punctuation and this one goes on in lower case. Blank lines always end a
    paragraph.
    """
    paragraphs: list[tuple[int, int]] = []
    for block in _blocks(body):
        if _is_wrapped([body[start:end] for start, end in block]):
            paragraphs.append((block[0][0], block[-1][1]))
            continue
        joinable = False
        for start, end in block:
            stripped = body[start:end].strip()
            if joinable and stripped[0].islower() and not _LIST_MARKER.match(stripped):
                paragraphs[-1] = (paragraphs[-1][0], end)
            else:
                paragraphs.append((start, end))
            joinable = len(stripped) >= _WRAPPED_LINE_LENGTH and not stripped.endswith(
                _SENTENCE_END
            )
    return paragraphs


def trimmed(body: str, start: int, end: int) -> tuple[int, int] | None:
    text = body[start:end]
    stripped = text.strip()
    if not stripped:
        return None
    start += len(text) - len(text.lstrip())
    return start, start + len(stripped)


def is_title(paragraph: str) -> bool:
    # Headlines and subheads carry no final punctuation; pysbd must not cut them
    # at an inner abbreviation. A line with a plain sentence end inside ("Have a
    # tip? Send it to ...") is not a title.
    return (
        not TERMINAL.search(paragraph)
        and len(paragraph.split()) <= _TITLE_MAX_WORDS
        and len(list(_pre_split(paragraph))) == 1
    )


_EASY_BREAK = re.compile(r"\b([A-Za-z]+)([.!?])([”\"]?)\s+(?=[“\"]?[A-Z])")


def _pre_split(text: str) -> Iterator[tuple[int, int]]:
    """Cut a paragraph at sentence ends that pysbd would cut too.

    Only a full word of two or more letters that is not an abbreviation, then
    ``.``, ``!`` or ``?``, whitespace and a capital letter counts, and only outside
    quotes, brackets and parentheses (which pysbd protects). pysbd still decides
    everything else; this only saves it work on long text.
    """
    if not ABBREVIATIONS:
        yield 0, len(text)
        return
    start = 0
    for match in _EASY_BREAK.finditer(text):
        word, mark = match.group(1), match.group(2)
        if mark == "." and (
            len(word) < 2 or not word[-2:].islower() or word.lower() in ABBREVIATIONS
        ):
            continue
        if mark == "!" and word in EXCLAMATION_WORDS:  # "Yahoo! Inc."
            continue
        # After a closing quote the quotation must have opened in this piece:
        # "... miss him." One of ...
        if not _balanced(text[start : match.end(3)]):
            continue
        yield start, match.end(3)
        start = match.end()
    yield start, len(text)


def _balanced(text: str) -> bool:
    return (
        text.count('"') % 2 == 0
        and text.count("“") == text.count("”")
        and text.count("«") == text.count("»")
        and text.count("(") == text.count(")")
        and text.count("[") == text.count("]")
        and "‘" not in text
        and " '" not in text
    )


_STOP = re.compile(r"[.!?…]")
# Stops that may end a sentence: all but a period between word characters.
_OUTER_STOP = re.compile(r"[!?…]|\.(?!(?<=\w\.)\w)")
# pysbd's rule skips a quotation that ends in a comma ('"...," Jane Doe said') and
# one that ends in a word ('a cut “as soon as” September').
_CLOSE_THEN_CAPITAL = re.compile(r"(?:[)\]]|(?<![,\w])[”\"»’'])\s+[A-Z]")
_DECIMAL = re.compile(r"[$€£¥]?\d+(?:[.,]\d+)+%?")
INITIALISM = re.compile(r"(?:[A-Za-z]\.){2,}|(?:[A-Za-z]\.)+[A-Za-z]|[A-Z]\.")
_ABBREVIATION = re.compile(r"([A-Za-z]+)\.")


def _kept_by_pysbd(token: str, following: str) -> bool:
    """Whether pysbd keeps the inner periods of ``token`` inside a sentence.

    Only cases that pysbd's own rules protect whatever the context: a period
    between word characters ("2.5", "example.com"), initials ("V.", "U.S."
    before a lower-case word), title abbreviations ("Dr.", "Sen.") and other
    known abbreviations before a lower-case word or a digit ("Sept. 11"). Tests
    compare the result with plain pysbd.
    """
    core = token.rstrip(",;:")
    if not _OUTER_STOP.search(core):
        return True
    goes_on = core != token or following[:1].islower() or following[:1].isdigit()
    if _DECIMAL.fullmatch(core):
        return True
    if INITIALISM.fullmatch(core):
        # "U.S. The ..." may end a sentence; "U.S. officials" does not.
        return len(core) == 2 or not core.endswith(".") or goes_on
    abbreviation = _ABBREVIATION.fullmatch(core)
    if abbreviation:
        word = abbreviation.group(1).lower()
        return word in PREPOSITIVE or (word in ABBREVIATIONS and goes_on)
    return False


# A piece that is one quotation of whole sentences: '"We won. They lost."'
_ONE_QUOTATION = re.compile(r'\s*(?:“[^“”"]+[.!?]”|"[^“”"]+[.!?]")\s*')


def _needs_segmenter(piece: str) -> bool:
    """Whether a piece may hold more than one sentence, so pysbd must decide."""
    # pysbd also ends a sentence after a parenthesis or quotation followed by a
    # capital: "(Photo by Jane Doe) Police tape ..."
    if _CLOSE_THEN_CAPITAL.search(piece):
        return True
    if _ONE_QUOTATION.fullmatch(piece):
        return False  # pysbd keeps a quotation whole; refine cuts inside it
    # The final punctuation of the piece is its own end, not a question.
    body = piece.rstrip().rstrip("\"'”’»)]").rstrip(".!?…")
    if not _STOP.search(body):
        return False  # most sentences: no other stop at all
    tokens = body.split()
    for index, token in enumerate(tokens):
        if not _STOP.search(token):
            continue
        following = tokens[index + 1] if index + 1 < len(tokens) else ""
        if not _kept_by_pysbd(token, following):
            return True
    return False


def _segment(piece: str) -> list[tuple[int, int]]:
    """pysbd spans inside one piece of a paragraph, with no text lost."""
    # pysbd always breaks at a newline; a wrapped paragraph must not be cut there.
    # A space keeps every offset where it was.
    flat = piece.replace("\n", " ")
    spans: list[tuple[int, int]] = []
    cursor = 0
    for span in _segmenter().segment(flat):
        start, end = max(span.start, cursor), span.end
        if start >= end:
            continue
        # pysbd drops a sentence it cannot find verbatim again; keep that text.
        if flat[cursor:start].strip():
            spans.append((cursor, start))
        spans.append((start, end))
        cursor = end
    if flat[cursor:].strip():
        spans.append((cursor, len(flat)))
    return spans


# A stop, maybe a closing quote, space, then maybe an opening quote and a capital
# or a digit: a sentence may end here even inside a quotation, which pysbd keeps
# whole ("“We won. They lost,” she said.").
_INNER_BREAK = re.compile(r"(?<=[\w%)])[.!?…]+[\"”’']?\s+(?=[\"“‘']?[A-Z0-9])")
_LOWER_CASE_ABBREVIATIONS = frozenset("vs approx cf al fig figs ca".split())
_LAST_TOKEN = re.compile(r"[^\s\"“‘'(\[]+$")
_STRAY_CLOSING_QUOTE = re.compile(r"[\"”’](?:\s|$)")
# A piece that goes on a sentence: a comma, or a word all in lower case.
_CONTINUATION = re.compile(r"[,;:)\]]|[a-z][a-z.'’-]*(?:\s|$)")


def _ends_sentence(text: str, stop: int) -> bool:
    """Whether the stop at ``text[stop]`` ends a sentence, not an abbreviation."""
    if text[stop] != ".":
        return True
    # A window: searching from the paragraph's start would cost its length.
    token = _LAST_TOKEN.search(text, max(0, stop - 60), stop)
    word = token.group() if token else ""
    if len(word) < 2 or INITIALISM.fullmatch(word + "."):
        return False  # initials: "J.", "U.S."
    if word.isupper():
        return True  # an acronym: "MS.", "NASA."
    if word.islower():
        # pysbd's list holds words too ("man", "mar"): in lower case only these
        # are abbreviations that a capital may follow.
        return word not in _LOWER_CASE_ABBREVIATIONS
    return word.lower() not in ABBREVIATIONS and word.lower() not in PREPOSITIVE


def refine(paragraph: str, pieces: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Cut pieces at sentence ends inside quotations; join continuations.

    pysbd keeps a quotation of several sentences whole, and cuts after a title
    that ends in a question mark ("a regular on Who Knows?, a quiz"); a piece
    that starts with a comma or a lower-case word goes on the one before.
    """
    refined: list[tuple[int, int]] = []
    for start, end in pieces:
        cursor = start
        for match in _INNER_BREAK.finditer(paragraph, start, end):
            if _ends_sentence(paragraph, match.start()):
                refined.append((cursor, match.end()))
                cursor = match.end()
        refined.append((cursor, end))
    joined: list[tuple[int, int]] = []
    for start, end in refined:
        text = paragraph[start:end].lstrip()
        if joined and _STRAY_CLOSING_QUOTE.match(text):
            # pysbd may cut between a stop and its closing quote
            start = paragraph.index(text[0], start) + 1
            joined[-1] = (joined[-1][0], start)
            text = paragraph[start:end].lstrip()
            if not text:
                continue
        if joined and _CONTINUATION.match(text):
            joined[-1] = (joined[-1][0], end)
        else:
            joined.append((start, end))
    return joined


def titled_paragraphs(body: str) -> list[tuple[tuple[int, int], bool]]:
    """Each paragraph span with text in it, and whether it is a title (a line
    without final punctuation: a headline, a subhead)."""
    return [
        ((start, end), is_title(body[start:end]))
        for start, end in paragraphs(body)
        if body[start:end].strip()
    ]


def sentences_of(
    body: str, span: tuple[int, int], title: bool, careful: bool = True
) -> list[tuple[int, int]]:
    """The sentence spans of one paragraph of ``body``.

    ``careful=False`` cuts only where the quick rules are sure, without pysbd:
    enough for page furniture, whose sentences nobody reads one by one.
    """
    para_start, para_end = span
    paragraph = body[para_start:para_end]
    if title:
        pieces = [(0, len(paragraph))]
    else:
        pieces = []
        for piece_start, piece_end in _pre_split(paragraph):
            piece = paragraph[piece_start:piece_end]
            if careful and _needs_segmenter(piece):
                pieces.extend(
                    (piece_start + start, piece_start + end)
                    for start, end in _segment(piece)
                )
            else:
                pieces.append((piece_start, piece_end))
        pieces = refine(paragraph, pieces)
    sentences = []
    for start, end in pieces:
        trimmed_span = trimmed(body, para_start + start, para_start + end)
        if trimmed_span:
            sentences.append(trimmed_span)
    return sentences


def split_paragraphs(
    body: str,
) -> list[tuple[tuple[int, int], list[tuple[int, int]], bool]]:
    """Each paragraph span with the spans of its sentences, and whether it is a
    title (a line without final punctuation: a headline, a subhead)."""
    return [
        (span, sentences_of(body, span, title), title)
        for span, title in titled_paragraphs(body)
    ]


def split_sentences(body: str) -> list[tuple[int, int]]:
    """Character spans of the sentences of ``body``, trimmed, in text order.

    A line without final punctuation (the headline, a subhead) is one sentence;
    no sentence crosses a paragraph break.
    """
    return [span for _, sentences, _ in split_paragraphs(body) for span in sentences]
