"""Automatic claim extraction: plain text in, candidate claims out.

Pure Python on purpose (no ORM, no request, no settings), so that the import
command, the web form and the tests all share one findable set of rules.

The pipeline is:

1. ``normalise`` the raw text once; the app stores that text as the article body,
   so every offset below refers to it.
2. ``split_sentences`` into character spans: paragraphs first, then pysbd inside
   each paragraph, so a sentence never crosses a paragraph break.
3. ``analyse`` every sentence: flag boilerplate (widgets, bylines, captions, tip
   lines, reference lists...), score check-worthiness with named reasons, and
   detect the claimant.
4. ``extract`` keeps the non-boilerplate sentences at or above the threshold,
   claims with figures first.

Every rule here is generic news-writing knowledge; none may name the words of a
particular article.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

import pysbd
import pysbd.exclamation_words
import pysbd.languages
from bs4 import BeautifulSoup, NavigableString

THRESHOLD = 0.45

# Weights of the reasons; a sentence's score is their sum minus penalties for
# opinion cues, clipped to [0, 1]. Figures or attribution alone reach the
# threshold (an attributed statement is what a newsroom checks first); a name, a
# date, a small count ("two clinics") or being the headline alone does not.
WEIGHTS: dict[str, float] = {
    "figures": 0.45,
    "attribution": 0.45,
    "causal": 0.3,
    "comparison": 0.25,
    "dates": 0.2,
    "quotation": 0.2,
    "named entity": 0.15,
    "headline": 0.25,
}
WEAK_FIGURES_WEIGHT = 0.3
OPINION_PENALTY = 0.4
QUESTION_PENALTY = 0.3


@dataclass(frozen=True)
class Sentence:
    text: str  # == body[start:end]
    start: int
    end: int
    score: float  # 0..1 check-worthiness
    reasons: tuple[str, ...]  # named reasons, in the order of WEIGHTS
    claimant: str  # "" when none detected
    boilerplate: bool  # True for dropped boilerplate


# --------------------------------------------------------------------------
# Normalisation
# --------------------------------------------------------------------------

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


# --------------------------------------------------------------------------
# Sentence splitting
# --------------------------------------------------------------------------

_TERMINAL = re.compile(r"[.!?…][\"'”’»)\]]*\s*$")
_LIST_MARKER = re.compile(r"\s*(?:[-*•#>]|\d+[.)]|\[\d+\])\s")
# A wrapped line is long and stops mid-sentence; shorter lines are headings,
# widgets or list items and stay paragraphs of their own.
_WRAPPED_LINE_LENGTH = 40
_WRAP_MAX_WIDTH = 100
_WRAP_WIDTH_SPREAD = 20
_SENTENCE_END = tuple(".!?…:;\"'”’)]")
_TITLE_MAX_WORDS = 40
_HEADLINE_MIN_WORDS = 3

_segmenters = threading.local()


def _segmenter() -> pysbd.Segmenter:
    # pysbd keeps per-call state on the instance, so one instance per thread.
    segmenter = getattr(_segmenters, "segmenter", None)
    if segmenter is None:
        segmenter = pysbd.Segmenter(language="en", clean=False, char_span=True)
        _segmenters.segmenter = segmenter
    return segmenter


def _language_list(name: str) -> frozenset[str]:
    """One of pysbd's English word lists; empty if this pysbd has none."""
    try:
        language = pysbd.languages.Language.get_language_code("en")
        return frozenset(getattr(language.Abbreviation, name))
    except AttributeError:  # then pysbd decides every period itself
        return frozenset()


_ABBREVIATIONS = _language_list("ABBREVIATIONS")
_PREPOSITIVE = _language_list("PREPOSITIVE_ABBREVIATIONS")
_EXCLAMATION_WORDS = frozenset(
    word.rstrip("!")
    for word in getattr(
        pysbd.exclamation_words.ExclamationWords, "EXCLAMATION_WORDS", []
    )
)


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


def _paragraphs(body: str) -> list[tuple[int, int]]:
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


def _trimmed(body: str, start: int, end: int) -> tuple[int, int] | None:
    text = body[start:end]
    stripped = text.strip()
    if not stripped:
        return None
    start += len(text) - len(text.lstrip())
    return start, start + len(stripped)


def _is_title(paragraph: str) -> bool:
    # Headlines and subheads carry no final punctuation; pysbd must not cut them
    # at an inner abbreviation. A line with a plain sentence end inside ("Have a
    # tip? Send it to ...") is not a title.
    return (
        not _TERMINAL.search(paragraph)
        and len(paragraph.split()) <= _TITLE_MAX_WORDS
        and len(list(_pre_split(paragraph))) == 1
    )


_EASY_BREAK = re.compile(r"\b([A-Za-z]+)([.!?])\s+(?=[A-Z])")


def _pre_split(text: str) -> Iterator[tuple[int, int]]:
    """Cut a paragraph at sentence ends that pysbd would cut too.

    Only a full word of two or more letters that is not an abbreviation, then
    ``.``, ``!`` or ``?``, whitespace and a capital letter counts, and only outside
    quotes, brackets and parentheses (which pysbd protects). pysbd still decides
    everything else; this only saves it work on long text.
    """
    if not _ABBREVIATIONS:
        yield 0, len(text)
        return
    start = 0
    for match in _EASY_BREAK.finditer(text):
        word, mark = match.group(1), match.group(2)
        if mark == "." and (
            len(word) < 2 or not word[-2:].islower() or word.lower() in _ABBREVIATIONS
        ):
            continue
        if mark == "!" and word in _EXCLAMATION_WORDS:  # "Yahoo! Inc."
            continue
        if not _balanced(text[start : match.start(2)]):
            continue
        yield start, match.end(2)
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
# pysbd's rule skips a quotation that ends in a comma: '"...," Jane Doe said'.
_CLOSE_THEN_CAPITAL = re.compile(r"(?:[)\]]|(?<!,)[”\"»’'])\s+[A-Z]")
_DECIMAL = re.compile(r"[$€£¥]?\d+(?:[.,]\d+)+%?")
_INITIALISM = re.compile(r"(?:[A-Za-z]\.){2,}|(?:[A-Za-z]\.)+[A-Za-z]|[A-Z]\.")
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
    if _INITIALISM.fullmatch(core):
        # "U.S. The ..." may end a sentence; "U.S. officials" does not.
        return len(core) == 2 or not core.endswith(".") or goes_on
    abbreviation = _ABBREVIATION.fullmatch(core)
    if abbreviation:
        word = abbreviation.group(1).lower()
        return word in _PREPOSITIVE or (word in _ABBREVIATIONS and goes_on)
    return False


def _needs_segmenter(piece: str) -> bool:
    """Whether a piece may hold more than one sentence, so pysbd must decide."""
    # pysbd also ends a sentence after a parenthesis or quotation followed by a
    # capital: "(Photo by Jane Doe) Police tape ..."
    if _CLOSE_THEN_CAPITAL.search(piece):
        return True
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


def _split(body: str) -> list[tuple[tuple[int, int], list[tuple[int, int]]]]:
    """Each paragraph span with the spans of its sentences."""
    result = []
    for para_start, para_end in _paragraphs(body):
        paragraph = body[para_start:para_end]
        if _is_title(paragraph):
            pieces = [(0, len(paragraph))]
        else:
            pieces = []
            for piece_start, piece_end in _pre_split(paragraph):
                piece = paragraph[piece_start:piece_end]
                if _needs_segmenter(piece):
                    pieces.extend(
                        (piece_start + start, piece_start + end)
                        for start, end in _segment(piece)
                    )
                else:
                    pieces.append((piece_start, piece_end))
        sentences = []
        for start, end in pieces:
            span = _trimmed(body, para_start + start, para_start + end)
            if span:
                sentences.append(span)
        if sentences:
            result.append(((para_start, para_end), sentences))
    return result


def split_sentences(body: str) -> list[tuple[int, int]]:
    """Character spans of the sentences of ``body``, trimmed, in text order.

    A line without final punctuation (the headline, a subhead) is one sentence;
    no sentence crosses a paragraph break.
    """
    return [span for _, sentences in _split(body) for span in sentences]


# --------------------------------------------------------------------------
# Check-worthiness
# --------------------------------------------------------------------------


def _phrase_index(phrases: str) -> dict[str, tuple[str, ...]]:
    """Index phrases given as "a|b|c" by their first word.

    A sentence then tests only the phrases whose first word it contains.
    """
    index: dict[str, tuple[str, ...]] = {}
    for phrase in phrases.split("|"):
        first = phrase.split()[0]
        index[first] = index.get(first, ()) + (f" {phrase.strip()} ",)
    return index


# Cues are mostly single words looked up in sets and a few phrases looked up in
# the sentence's space-joined lower-case words: far faster on long articles than
# one regex alternation per reason, and easier to extend.
_WORD = re.compile(r"[a-z]+(?:['’-][a-z]+)*")

# "Two clinics" is a count, but a weak sign of a claim; a number in digits, a
# percentage or "thousands" is a strong one.
_SMALL_NUMBER_WORDS = frozenset(
    "two three four five six seven eight nine ten eleven twelve".split()
)
_NUMBER_WORDS = frozenset(
    "thirteen fourteen"
    " fifteen sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty"
    " seventy eighty ninety hundred thousand million billion trillion dozens"
    " hundreds thousands millions billions percent percentage half two-thirds"
    " three-quarters majority minority".split()
)
_FIGURE_PHRASES = _phrase_index(
    "a dozen|a third|a quarter|a fifth|nearly all|almost all|most of|"
    "per cent|one in|one out of|one of the"
)

_MONTHS = frozenset(
    "January February March April June July August September October November"
    " December Jan. Feb. Mar. Apr. Jun. Jul. Aug. Sep. Sept. Oct. Nov. Dec.".split()
)
_WEEKDAYS = frozenset(
    "Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split()
)
_CAPITALISED_WORD = re.compile(r"[A-Z][a-z]+\.?")
# "May" is a month only in a date-like context, never the modal verb.
_MAY = re.compile(
    r"\b(?:in|of|since|until|by|on|last|next|early|late|through|from|to|between"
    r"|during|this|that|mid)[ -]May\b|\bMay \d"
)
_MONTH_BEFORE = re.compile(
    r"(?:January|February|March|April|May|June|July|August|September|October"
    r"|November|December|Jan\.|Feb\.|Mar\.|Apr\.|Jun\.|Jul\.|Aug\.|Sept?\.|Oct\."
    r"|Nov\.|Dec\.)\s+$"
)
# Words without which no relative date can match: the regex runs only then.
_RELATIVE_HINTS = frozenset(
    "year years year's year’s month months month's month’s week weeks decade"
    " decades century centuries quarter quarters spring summer fall autumn winter"
    " yesterday".split()
)
# Relative dates, looked up in the space-joined lower-case words.
_RELATIVE_DATE = re.compile(
    r" (?:last|next|this|previous|past|coming|same) (?:\S+ )?(?:year|month|week"
    r"|decade|century|quarter|spring|summer|fall|autumn|winter)s?(?:['’]s)? "
    r"| \S+ (?:year|month|week|decade|quarter)s? (?:ago|earlier|before|later|after) "
    r"| the (?:year|month|week|decade) (?:before|after|earlier|prior) "
    r"| (?:yesterday|fiscal|decade|decades|centuries) "
)
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_YEAR = re.compile(r"(?:1[89]|20)\d\d")
_YEAR_BEFORE = re.compile(r"(?:1[89]|20)\d\d[-–/]$")
_DIGIT = re.compile(r"\d")


def _is_date_number(text: str, match: re.Match[str]) -> str:
    """The kind of date a number belongs to ("year", "day"), or "" if none."""
    number, before = match.group(), text[max(0, match.start() - 12) : match.start()]
    after = text[match.end() : match.end() + 1]
    if (
        _YEAR.fullmatch(number)
        and after != "%"
        and not before.endswith(("$", "£", "€", "¥"))
    ):
        return "year"
    if len(number) <= 2 and (
        _MONTH_BEFORE.search(before)  # "May 28"
        or _YEAR_BEFORE.search(before)  # "2022-23"
    ):
        return "day"
    if before.endswith(("FY", "FY ")):
        return "year"
    return ""


def _numbers(text: str) -> tuple[bool, bool]:
    """Whether ``text`` holds a number that is not a date, and a date number."""
    figure = date = False
    for match in _NUMBER.finditer(text):
        if _is_date_number(text, match):
            date = True
        else:
            figure = True
    return figure, date


def _has_date(
    text: str, vocabulary: frozenset[str], joined: str, date_number: bool
) -> bool:
    if date_number:
        return True
    found = _CAPITALISED_WORD.findall(text)
    # "Tuesday." ends a sentence, "Sept." is an abbreviation: try both forms.
    capitalised = frozenset(found + [word.rstrip(".") for word in found])
    if not capitalised.isdisjoint(_MONTHS) or not capitalised.isdisjoint(_WEEKDAYS):
        return True
    if ("May" in capitalised or "May." in capitalised) and _MAY.search(text):
        return True
    if _RELATIVE_HINTS.isdisjoint(vocabulary):
        return False
    return bool(_RELATIVE_DATE.search(joined))


_ATTRIBUTION_WORDS = frozenset(
    "said says say told tells wrote writes noted added adds reported stated"
    " announced announces found finds estimated estimates claimed argued argues"
    " warned warns warn concluded concludes testified confirmed confirms"
    " acknowledged admitted revealed insisted explained disputed asserted alleged"
    " declared tweeted".split()
)
_ATTRIBUTION_PHRASES = _phrase_index("according to|in a statement")
# "data show", "the study suggests": the document is the source.
_EVIDENCE_NOUNS = frozenset(
    "data figures records statistics numbers results study studies poll polls"
    " survey surveys research analysis report".split()
)
_EVIDENCE_VERBS = frozenset(
    "show shows showed suggest suggests suggested indicate indicates indicated".split()
)

# Quoted words, at least two of them (a single scare-quoted word is no quote),
# or a quotation that opens the sentence and runs on into the next one.
_QUOTATION = re.compile(
    r"“[^”\s]+\s+[^”\s][^”]*”|\"[^\"\s]+\s+[^\"\s][^\"]*\"|«[^»\s]+\s+[^»\s][^»]*»"
    r"|(?<!\w)‘[^’\s]+\s+[^’\s][^’]*’(?!\w)|^[“\"«]\s*\S+\s+\S"
)

_COMPARISON_WORDS = frozenset(
    "than more fewer less higher lower larger smaller bigger greater faster slower"
    " hotter colder warmer cooler cheaper costlier older younger stronger weaker"
    " better worse wider narrower most least best worst record records all-time"
    " highest lowest largest smallest biggest greatest fastest slowest hottest"
    " coldest warmest coolest wettest driest oldest youngest strongest weakest"
    " longest shortest cheapest richest poorest compared versus outpaced outpace"
    " outpacing surpassed surpass surpassing exceeded exceed exceeds exceeding"
    " doubled tripled halved rose risen rises rise fell fallen falls dropped"
    " declined declines decline decreased decrease increased increase increases"
    " climbed jumped soared surged plunged plummeted slipped grew shrank peaked"
    " rank ranks ranked above below".split()
)
_IEST = re.compile(r"[a-z]{3}iest ")
_HIGH_OR_LOW = re.compile(r"\b\d+-(?:year|month|decade)\s+(?:high|low)\b")

_CAUSAL_WORDS = frozenset(
    "because caused causes causing blamed blames credited credits attributed"
    " attributes responsible therefore consequently".split()
)
_CAUSAL_PHRASES = _phrase_index(
    "due to|led to|lead to|leads to|leading to|cause of|as a result|"
    "resulted in|results in|result of|thanks to|owing to|linked to|"
    "contributed to|contributing to|contributes to|driven by|fueled by|"
    "fuelled by"
)
_DRIVEN_BY = re.compile(r" driven \w+ly by ")

# Subjective or speculative wording: a fact-checker checks facts, not feelings.
_OPINION_WORDS = frozenset(
    "maybe perhaps arguably seem seems seemed incredibly amazing wonderful terrible"
    " awful horrible beautiful remarkable unfortunate heartbreaking shameful"
    " disgraceful outrageous ridiculous absurd proud grateful thrilled".split()
)
_OPINION_PHRASES = _phrase_index(
    "in my view|in my opinion|feels like|felt like|appears to|"
    "appear to|appeared to|might be|may be|could be|remains to be seen|"
    "time will tell|another question|hard to overstate|welcome news|"
    "wake-up call"
)
_FIRST_PERSON_VIEW = re.compile(
    r" (?:i|we) (?:just |really |still |do )?(?:want|wish|hope|think|believe|feel"
    r"|love|hate|guess) "
)

_FIRST_WORD = re.compile(r"[\w'’&.-]+")
# A capitalised word: a capital not preceded by a word character.
_NAME_START = re.compile(r"[A-Z](?<![\w'’&.-][A-Z])[\w'’&.-]*")
_NEXT_CAPITALISED = re.compile(r"\s+[A-Z]")
_ACRONYM = re.compile(r"^(?:[A-Z]{2,}[a-z]?s?|(?:[A-Z]\.){2,})$")
_NOT_NAMES = frozenset(
    "I I'm I’m I've I’ve I'll I’ll I'd I’d A An The".split()
    + "January February March April May June July August September October".split()
    + "November December Monday Tuesday Wednesday Thursday Friday Saturday".split()
    + ["Sunday"]
)


def _has_named_entity(text: str) -> bool:
    """A name or acronym: capitalised words past the first, or a run of two."""
    first_word = _FIRST_WORD.search(text)
    for match in _NAME_START.finditer(text):
        word = match.group()
        clean = word.rstrip(".")
        if clean in _NOT_NAMES:
            continue
        if _ACRONYM.match(word) or _ACRONYM.match(clean):
            return True
        initial = first_word is not None and match.start() == first_word.start()
        after_stop = text[max(0, match.start() - 4) : match.start()].rstrip()
        if not initial and not after_stop.endswith((".", ":")):
            return True
        # At the start of a sentence only a multi-word name counts.
        if _NEXT_CAPITALISED.match(text, match.end()):
            return True
    return False


def _has_quotation(text: str) -> bool:
    if not any(mark in text for mark in '“"«‘'):
        return False
    return bool(_QUOTATION.search(text))


def _has_phrase(
    phrases: dict[str, tuple[str, ...]], vocabulary: frozenset[str], joined: str
) -> bool:
    return any(
        phrase in joined
        for first in vocabulary.intersection(phrases)
        for phrase in phrases[first]
    )


def score_sentence(
    text: str, *, headline: bool = False
) -> tuple[float, tuple[str, ...]]:
    """Check-worthiness in [0, 1] and the named reasons behind it.

    The score adds the weights of the reasons found and takes a penalty for
    opinion or speculation cues and for questions. ``headline`` marks the
    article's headline, which readers take for the story's main claim.
    """
    words = _WORD.findall(text.lower())
    vocabulary = frozenset(words)
    joined = f" {' '.join(words)} "
    figure_number, date_number = _numbers(text)

    strong_figures = (
        figure_number  # in digits, money and percentages included
        or not _NUMBER_WORDS.isdisjoint(vocabulary)
        or _has_phrase(_FIGURE_PHRASES, vocabulary, joined)
    )
    found = {
        "figures": strong_figures or not _SMALL_NUMBER_WORDS.isdisjoint(vocabulary),
        "dates": _has_date(text, vocabulary, joined, date_number),
        "attribution": (
            not _ATTRIBUTION_WORDS.isdisjoint(vocabulary)
            or _has_phrase(_ATTRIBUTION_PHRASES, vocabulary, joined)
            or any(
                noun in _EVIDENCE_NOUNS and verb in _EVIDENCE_VERBS
                for noun, verb in zip(words, words[1:], strict=False)
            )
        ),
        "quotation": _has_quotation(text),
        "comparison": (
            not _COMPARISON_WORDS.isdisjoint(vocabulary)
            # "deadliest", "earliest", but not "priest"
            or ("iest " in joined and bool(_IEST.search(joined)))
            or (
                ("high" in vocabulary or "low" in vocabulary)
                and bool(_HIGH_OR_LOW.search(text))
            )
        ),
        "causal": (
            not _CAUSAL_WORDS.isdisjoint(vocabulary)
            or _has_phrase(_CAUSAL_PHRASES, vocabulary, joined)
            or ("driven" in vocabulary and bool(_DRIVEN_BY.search(joined)))
        ),
        "named entity": _has_named_entity(text),
        "headline": headline,
    }
    reasons = tuple(name for name in WEIGHTS if found[name])
    score = sum(WEIGHTS[name] for name in reasons)
    if found["figures"] and not strong_figures:
        score += WEAK_FIGURES_WEIGHT - WEIGHTS["figures"]
    if (
        not _OPINION_WORDS.isdisjoint(vocabulary)
        or _has_phrase(_OPINION_PHRASES, vocabulary, joined)
        or (
            ("i" in vocabulary or "we" in vocabulary)
            and _FIRST_PERSON_VIEW.search(joined)
        )
    ):
        score -= OPINION_PENALTY
    if text.rstrip("\"'”’») ").endswith("?"):
        score -= QUESTION_PENALTY
    return round(min(max(score, 0.0), 1.0), 3), reasons


# --------------------------------------------------------------------------
# Claimant
# --------------------------------------------------------------------------

_CLAIM_VERBS = frozenset(
    "said says say told tells wrote writes noted added adds reported stated"
    " announced announces found finds estimated estimates claimed claims argued"
    " argues warned warns warn concluded concludes testified confirmed confirms"
    " acknowledged admitted revealed insisted explained disputed asserted alleged"
    " declared tweeted credited attributed blamed show shows showed suggested"
    " suggests predicted projected indicated indicates".split()
)
_LOWER_WORD = re.compile(r"[a-z]+")
_CHUNK_BREAK = re.compile(r"[,;:“”\"()\[\]—–]")
_ENDS_WITH_BREAK = re.compile(r"[,”\"’]\s*$")
_CLAUSE_START = re.compile(r"\s+(?:that|which|who|and|with|as|on|in)\s+")
_LAST_WORD = re.compile(r"([\w.]*)$")
# Words that may follow a closing attribution: "said on Tuesday in a statement".
_CLOSING_WORDS = 5
_PREPOSITION = re.compile(r"\s+(?:in|by|at|on|for|to|from|with|as|among|across)\b")
_APPOSITIVE = re.compile(r"(?:who|which|whose|where|a|an)\b|[a-z]")
_ACCORDING_TO = re.compile(r"\baccording to\s+([^,;:!?“”\"()]+)", re.IGNORECASE)
_PRONOUNS = frozenset(
    "he she they it we i you who which that this there those these".split()
)
_DETERMINERS = frozenset(
    "the a an this that these those his her their its our one another each some"
    " many several both two three four five most".split()
)
# Words that show a chunk is a clause, not the name of whoever speaks.
_CLAUSE_WORDS = frozenset(
    "that which who whom whose to not is was were are be been have has had would"
    " could will can did does do if when because while after before as than but"
    " so it they he she we them him her".split()
)
_LEADING_FILLER = re.compile(
    r"^(?:(?:and|but|or|so|then|also|meanwhile|however|in addition|still|yet|now)"
    r"\b[\s,]*)+",
    re.IGNORECASE,
)
_TRAILING_FILLER = re.compile(
    r"(?:\s+(?:also|previously|later|recently|then|now|once|has|have|had|was|were"
    r"|is|are|will|would|already|further|repeatedly|publicly|separately|earlier"
    r"|initially|first|last|on|in|at))+$",
    re.IGNORECASE,
)
# "a report released Monday by the agency", "a survey by Gallup": the agent.
_AGENT = re.compile(r"\bby\s+(.+)$")
_PARTICIPLE_TAIL = re.compile(
    r"\s+(?:released|published|issued|compiled|conducted|prepared|provided"
    r"|obtained|commissioned|posted|seen|reviewed|shared|cited)\b.*$"
)


def _clean_noun_phrase(text: str) -> str:
    """The noun phrase naming a claimant, or "" when ``text`` is not one."""
    phrase = _TRAILING_FILLER.sub("", _LEADING_FILLER.sub("", text.strip()))
    phrase = phrase.strip(" '’\"”“")
    last_word = phrase.rsplit(" ", 1)[-1]
    if phrase.endswith(".") and not (
        _INITIALISM.fullmatch(last_word) or last_word[:-1].lower() in _ABBREVIATIONS
    ):
        phrase = phrase[:-1]  # the sentence's period, not an abbreviation's
    # "Chief Economist Jane Doe of the Bank of X" -> the person, while
    # "the Department of X" and "Bank of America" stay whole.
    head, sep, _ = phrase.partition(" of the ")
    if sep and len(head.split()) >= 3 and head[:1].isupper():
        phrase = head
    words = phrase.split()
    if not 1 <= len(words) <= 8:
        return ""
    lowered = [word.lower().strip(",.") for word in words]
    if lowered[0] in _PRONOUNS or any(word in _CLAUSE_WORDS for word in lowered):
        return ""
    if not (words[0][:1].isupper() or lowered[0] in _DETERMINERS or len(words) <= 3):
        return ""
    return phrase


def _subject_before(prefix: str) -> str:
    """Who speaks, from the text just before an attribution verb."""
    chunks = [chunk.strip() for chunk in _CHUNK_BREAK.split(prefix)]
    if chunks[-1]:
        return _clean_noun_phrase(chunks[-1])
    # The verb follows a comma: the speaker comes before an appositive
    # ("Jane Doe, a historian, said"); without one the verb is inverted or ends
    # a quote, and the speaker, if any, comes after it.
    skipped_appositive = False
    for chunk in reversed(chunks[:-1]):
        if not chunk:
            continue
        if _APPOSITIVE.match(chunk):
            skipped_appositive = True
            continue
        return _clean_noun_phrase(chunk) if skipped_appositive else ""
    return ""


def _phrase_until_punctuation(text: str) -> tuple[str, str]:
    """Split ``text`` at the first comma, quote or sentence-ending period.

    The period of an abbreviation or an initial ("Dr. Jane Roe", "Joseph V. Doe",
    "U.S.") does not end the phrase.
    """
    for match in re.finditer(r"[,;:!?“”\"()]|\.", text):
        if match.group() == ".":
            word = _LAST_WORD.search(text[: match.start()]).group(1)
            inside = match.end() < len(text.rstrip())
            if re.fullmatch(r"(?:[A-Za-z]\.)+[A-Za-z]", word):
                if inside:
                    continue
                # "U.S." keeps its period where it also ends the sentence.
                return text[: match.end()], text[match.end() :]
            if inside and (
                word.lower() in _ABBREVIATIONS or re.fullmatch(r"[A-Za-z]", word)
            ):
                continue
        return text[: match.start()], text[match.start() :]
    return text, ""


def _subject_after(suffix: str) -> str:
    """Who speaks in the inverted order: '..., said Jane Doe, an economist.'"""
    phrase, rest = _phrase_until_punctuation(suffix)
    phrase = phrase.strip()
    # The name must run up to a comma or the end, else the verb opens a clause
    # ("..., said crime was out of control").
    if rest and rest[0] not in ",.":
        return ""
    return phrase if _clean_noun_phrase(phrase) == phrase else ""


def _according_to(text: str) -> str:
    if "ccording to" not in text:
        return ""
    match = _ACCORDING_TO.search(text)
    if not match:
        return ""
    # "according to the U.S. Census Bureau." ends at its last period only.
    phrase, _ = _phrase_until_punctuation(_CLAUSE_START.split(match.group(1))[0])
    agent = _AGENT.search(phrase)
    if agent:
        return _clean_noun_phrase(agent.group(1))
    _, sep, source = phrase.partition(" from ")  # "data from the agency"
    if sep and source:
        phrase = source
    return _clean_noun_phrase(_PARTICIPLE_TAIL.sub("", phrase))


def _is_infinitive(text: str, start: int) -> bool:
    before = text[max(0, start - 4) : start].rstrip()
    return before == "to" or before.endswith(" to")


def detect_claimant(text: str) -> str:
    """Who makes the claim in ``text`` (a person, body or document), or "".

    In order: a closing attribution ("..., the agency said Thursday."), an
    inverted one ("..., said Jane Doe, an economist."), "according to ...", then
    the subject of the first attribution verb ("Jane Doe found that ...").
    """
    verbs = [
        match
        for match in _LOWER_WORD.finditer(text)
        if match.group() in _CLAIM_VERBS
        # "failed to show up" is no attribution
        and not _is_infinitive(text, match.start())
    ]
    if verbs and len(text[verbs[-1].end() :].split()) <= _CLOSING_WORDS:
        claimant = _subject_before(text[: verbs[-1].start()])
        if claimant:
            return claimant
    for match in verbs:
        if _ENDS_WITH_BREAK.search(text, max(0, match.start() - 4), match.start()):
            claimant = _subject_after(text[match.end() :])
            if claimant:
                return claimant
    claimant = _according_to(text)
    if claimant:
        return claimant
    for match in verbs:
        # "cases reported in ..." is a participle, not who reports.
        if match.group().endswith("ed") and _PREPOSITION.match(text[match.end() :]):
            continue
        claimant = _subject_before(text[: match.start()])
        if claimant:
            return claimant
    return ""


# --------------------------------------------------------------------------
# Boilerplate
# --------------------------------------------------------------------------

# Whole lines that are page widgets, "|"-separated.
_WIDGETS = frozenset(
    "close|menu|search|share|share this|share this article|"
    "share this story|advertisement|advertising|sponsored|ad|"
    "skip to content|skip to main content|sign up|sign in|log in|login|"
    "log out|register|subscribe|subscribe now|home|print|email|e-mail|"
    "tweet|facebook|twitter|linkedin|whatsapp|comments|comment|next|"
    "previous|back to top|read more|show more|load more|continue reading|"
    "listen|listen to this|listen to this article|play|video|photo|photos|"
    "gallery|accept|accept all|cookie settings|toggle navigation|"
    "navigation|main menu|more|top stories|trending|related|most read|"
    "most popular|you may also like|recommended|follow us|open|expand|"
    "collapse|x|copy link|save|contact us|about us|privacy policy|"
    "terms of use|no comments|post a comment|add a comment|unsubscribe|"
    "manage preferences|similar news|related news|related stories|"
    "related articles|more stories|more news|latest news|breaking news".split("|")
)
# Rules on how a boilerplate sentence starts (tried at its start only).
_BOILERPLATE_START = re.compile(
    "|".join(
        [
            # tip lines: "Have questions, concerns or tips?"
            r"(?:have|got|do you have)\b[^.!?]{0,60}\b(?:tips?|questions?|concerns?"
            r"|story ideas?|feedback|comments?)\b[^.!]*\?$",
            # newsletters and widgets
            r"(?:sign up|subscribe|register|follow|download our|click here"
            r"|get our)\b",
            r"leave a (?:comment|reply)\b|\d+\s+comments?$",
        ]
    ),
    re.IGNORECASE,
)
# Wire credits: "Jane Doe contributed to this report.", "... contributed from Rome."
_CONTRIBUTED = re.compile(
    r"^.{0,80}\bcontributed(?: reporting)?(?: to (?:this|the) (?:report|story))?"
    r"(?: from [\w ,.]+)?\.?$"
)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+|\[\s*email\s+protected\s*\]")
_SEND_TO = re.compile(r"\bsend (?:them|it|us|your \w+(?: \w+)?) to\b")
_CONTACT_US = re.compile(r"\b(?:contact|email|e-mail|write to|reach|call|message) us\b")
_TIP_LINE = re.compile(r"\btip ?line\b")

# Rules on how a boilerplate paragraph starts (tried at its start only).
_BOILERPLATE_PARAGRAPH_START = re.compile(
    "|".join(
        [
            # credits of the page rather than facts of the story
            r"(?:additional |staff )?(?:reporting|writing|editing|edited|written"
            r"|compiled|produced|photos?|graphics?) by\b",
            r"(?:published|updated|posted|last updated|first published)\b.{0,60}$",
            # captions
            r"(?:file )?(?:photo|photograph|image|picture|illustration|video"
            r"|graphic|credit|caption)s?\s*(?::|by\b)",
            # links, copyright, source lines
            r"(?:read more|related|see also|recommended|most read|trending"
            r"|also read|read next|read also|more coverage|further reading|watch"
            r"|listen|similar|more)(?: (?:news|stories|articles|coverage|reading))?"
            r"\s*(?::|[-–—]|$)",
            r"more from(?: \w+){1,3}$",
            # a newsletter's masthead: "The Grid Letter -- Issue 112"
            r".{0,60}\b(?:issue|vol\.|volume|edition)\s+(?:no\.\s*)?\d+$",
            # relative timestamps of the page: "9 hours ago", "Updated 6:15 p.m."
            r"(?:updated |posted |published )?\d+\s+(?:seconds?|minutes?|mins?|hours?"
            r"|hrs?|days?|weeks?)\s+ago$",
            r"(?:©|\(c\)|copyright\b)",
            r"sources?\s*:",
            # citations
            r"\[\d+\]\s",
            r"\d+[.)]\s.*(?:\bet al\b|\bdoi\b|https?://|\(\d{4}\)|\d{4};\d+)",
        ]
    ),
    re.IGNORECASE,
)
# "By Jane Doe", "By Jane Doe and John Roe", "By Jane Doe, Health Reporter",
# "By Jane Doe | Updated 6:15 p.m."; case matters: "By contrast, prices fell" is
# no byline.
_BYLINE = re.compile(
    r"(?:By|BY)\s+[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){0,3}"
    r"(?:(?:\s*,\s*|\s+and\s+|\s*&\s*)[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){0,3})*"
    r"(?:\s*[|·•]\s*.*)?$"
)
# Menus and breadcrumbs: "Home | Nation | World", "Privacy · Terms"
_MENU_SEPARATOR = re.compile(r"\s[|·•»]\s")
# A teaser link: "Clinics close in rural areas Read more »"
_TEASER_END = re.compile(
    r"\b(?:read more|continue reading|more)\s*[»›>]+$", re.IGNORECASE
)
# "(AP Photo/Jane Doe)", "(Getty Images)", "Photo: Jane Doe/Reuters"
_CREDIT_IN_PARENTHESES = re.compile(
    r"\([^()]*\b(?:photo|photograph|getty images|shutterstock|image credit)\b[^()]*\)",
    re.IGNORECASE,
)
_CREDIT_AT_END = re.compile(
    r"\b(?:photo|photograph|image|credit)s?:\s*[^.]*/[^.]*$", re.IGNORECASE
)
_REFERENCES_HEADING = re.compile(
    r"^(?:references|sources|notes|bibliography|citations|footnotes|further reading"
    r"|works cited)\s*:?$",
    re.IGNORECASE,
)
_CITATION = re.compile(
    r"^(?:\d+[.)]|\[\d+\]|[-*•])\s|\bet al\b|\bdoi\b|https?://|\(\d{4}\)|\d{4};\d+",
    re.IGNORECASE,
)
_STAFF_TITLE = re.compile(
    r"\b(?:writer|reporter|correspondent|editor|staff|contributor|columnist)\b",
    re.IGNORECASE,
)


def _widget_key(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s'’-]", " ", text.lower()).split())


def _is_boilerplate_sentence(text: str) -> bool:
    """Widgets, tip lines, contact details, copyright: page furniture."""
    # Cheap substring tests guard the regexes: most sentences pass none.
    lower = text.lower()
    return bool(
        (len(text) <= 40 and _widget_key(text) in _WIDGETS)
        or _BOILERPLATE_START.match(text)
        or (("@" in text or "protected" in lower) and _EMAIL.search(lower))
        or ("send " in lower and _SEND_TO.search(lower))
        or (" us" in lower and _CONTACT_US.search(lower))
        or ("tip" in lower and _TIP_LINE.search(lower))
        or "all rights reserved" in lower
        or ("contributed" in lower and _CONTRIBUTED.search(lower))
    )


def _is_menu(paragraph: str) -> bool:
    """Short items between separators, with no sentence among them."""
    if not any(separator in paragraph for separator in "|·•»"):
        return False
    items = _MENU_SEPARATOR.split(paragraph)
    return (
        len(items) >= 2
        and all(len(item.split()) <= 4 for item in items)
        and not _TERMINAL.search(paragraph)
    )


def _is_boilerplate_paragraph(paragraph: str) -> bool:
    """Bylines, captions, credits, related links, source and reference lines."""
    paragraph = paragraph.strip()
    words = paragraph.split()
    if (
        len(words) == 1
        and not _DIGIT.search(paragraph)
        and not _TERMINAL.search(paragraph)
    ):
        return True  # a lone navigation or widget word
    if (
        len(words) <= 4
        and _STAFF_TITLE.search(paragraph)
        and not _TERMINAL.search(paragraph)
    ):
        return True  # "Staff Writer" under a byline
    if _is_menu(paragraph):
        return True
    return bool(
        _REFERENCES_HEADING.match(paragraph)
        or (paragraph.endswith(("»", "›", ">")) and _TEASER_END.search(paragraph))
        or _BOILERPLATE_PARAGRAPH_START.match(paragraph)
        or _BYLINE.match(paragraph)
        or ("(" in paragraph and _CREDIT_IN_PARENTHESES.search(paragraph))
        or ("/" in paragraph and ":" in paragraph and _CREDIT_AT_END.search(paragraph))
    )


# --------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------


def _headline(paragraphs: list[str], boilerplate: list[bool]) -> int | None:
    """Index of the headline: the last title line before the body text starts."""
    headline = None
    for index, paragraph in enumerate(paragraphs):
        if boilerplate[index]:
            continue
        if not _is_title(paragraph):
            break  # the first paragraph of prose
        if len(paragraph.split()) >= _HEADLINE_MIN_WORDS:
            headline = index
    return headline


def analyse(body: str) -> list[Sentence]:
    """Every sentence of ``body`` in text order, scored, boilerplate flagged.

    ``body`` should already be normalised: offsets refer to it as given.
    """
    split = _split(body)
    paragraphs = [body[start:end] for (start, end), _ in split]
    boilerplate = []
    in_references = False
    for paragraph in paragraphs:
        if _REFERENCES_HEADING.match(paragraph.strip()):
            in_references = True
        elif in_references and not _CITATION.search(paragraph):
            in_references = False
        boilerplate.append(in_references or _is_boilerplate_paragraph(paragraph))
    headline = _headline(paragraphs, boilerplate)

    sentences = []
    for index, (_, spans) in enumerate(split):
        for start, end in spans:
            text = body[start:end]
            flagged = boilerplate[index] or _is_boilerplate_sentence(text)
            score, reasons = score_sentence(text, headline=index == headline)
            claimant = "" if flagged else detect_claimant(text)
            sentences.append(
                Sentence(text, start, end, score, reasons, claimant, flagged)
            )
    return sentences


def candidates(
    body: str, threshold: float = THRESHOLD
) -> tuple[list[Sentence], list[Sentence]]:
    """From one pass over ``body``: the claims, best first (claims with figures
    first), and the other non-boilerplate sentences in text order."""
    sentences = [s for s in analyse(body) if not s.boilerplate]
    claims = [s for s in sentences if s.score >= threshold]
    others = [s for s in sentences if s.score < threshold]
    ranked = sorted(
        claims, key=lambda s: ("figures" not in s.reasons, -s.score, s.start)
    )
    return ranked, others


def extract(body: str, threshold: float = THRESHOLD) -> list[Sentence]:
    """The candidate claims of ``body``, best first: claims with figures first."""
    return candidates(body, threshold)[0]


# --------------------------------------------------------------------------
# HTML
# --------------------------------------------------------------------------

_DROPPED_EVERYWHERE = ["script", "style", "noscript", "template", "svg", "iframe"]
_DROPPED_IN_BODY = (
    "nav header footer aside form figure figcaption img button select"
    " textarea input label dialog menu object video audio canvas picture"
    " source"
).split()
_LANDMARK_ROLES = ["navigation", "banner", "contentinfo", "complementary", "search"]
_BLOCKS = (
    "p div section article main h1 h2 h3 h4 h5 h6 li ul ol dl dt dd"
    " blockquote pre table tr td th caption address hr details summary"
).split()
# Private-use characters mark block and line breaks while whitespace is folded.
_BLOCK_MARK = "\ue000"
_LINE_MARK = "\ue001"


def html_to_text(html: str) -> str:
    """The readable article text of an HTML page.

    The ``<h1>`` comes first, then the article's blocks (from ``<article>``,
    else ``<main>``, else ``<body>``) separated by blank lines, without
    navigation, page furniture, scripts, forms, figures and their captions.
    Returns "" when there is no body text.
    """
    html = html.replace(_BLOCK_MARK, "").replace(_LINE_MARK, "")
    soup = BeautifulSoup(html, "html.parser")
    for tag in soup.find_all(_DROPPED_EVERYWHERE):
        tag.decompose()

    articles = soup.find_all("article")
    root = (
        max(articles, key=lambda tag: len(tag.get_text()))
        if articles
        else soup.find("main") or soup.find("body") or soup
    )
    heading = root.find("h1") or soup.find("h1")
    headline = " ".join(heading.get_text(" ").split()) if heading else ""
    if heading:
        heading.decompose()

    for tag in root.find_all(_DROPPED_IN_BODY):
        tag.decompose()
    for tag in root.find_all(attrs={"role": _LANDMARK_ROLES}):
        tag.decompose()
    for tag in root.find_all(attrs={"aria-hidden": "true"}):
        tag.decompose()
    for tag in root.find_all(hidden=True):
        tag.decompose()

    for tag in root.find_all("br"):
        tag.replace_with(NavigableString(_LINE_MARK))
    for tag in root.find_all(_BLOCKS):
        tag.insert_before(NavigableString(_BLOCK_MARK))
        tag.append(NavigableString(_BLOCK_MARK))

    text = " ".join(root.get_text().split())
    blocks = []
    for block in text.split(_BLOCK_MARK):
        lines = [line.strip() for line in block.split(_LINE_MARK)]
        block = "\n".join(line for line in lines if line)
        if block:
            blocks.append(block)
    if not blocks:
        return ""
    if headline:
        blocks.insert(0, headline)
    return normalise("\n\n".join(blocks))
