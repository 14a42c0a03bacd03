"""The figures in a claim, and the questions they raise.

Reads each number a sentence states: its value, what it counts (or its unit), the
comparator in front of it ("more than", "about"), and the years the sentence names.
From those it asks three questions a checker would ask, each a question and never a
verdict:

- ``disagreements``: two claims of one article give different figures for what looks
  like the same thing (a headline's "more than 30,000 children" against the body's
  "more than 32,000 children");
- ``arithmetic``: a total that is not the sum of the parts listed with it, or a
  percentage that does not follow from the two numbers it compares;
- ``compare_with_excerpt``: whether a cited excerpt states the claim's figures, years
  and quoted words, states them differently, or not at all.

Pure text in, findings out: no ORM, no request, no settings.
"""

import difflib
import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

# --- reading numbers --------------------------------------------------------------

UNITS = {
    "zero": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
}
TENS = {
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
SCALES = {
    "hundred": 100,
    "thousand": 1_000,
    "million": 1_000_000,
    "billion": 1_000_000_000,
    "trillion": 1_000_000_000_000,
    "bn": 1_000_000_000,
    "m": 1_000_000,
    "k": 1_000,
}
# In front of a number, what it claims about the true value.
COMPARATORS = {
    "more than": "more than",
    "over": "more than",
    "above": "more than",
    "upwards of": "more than",
    "in excess of": "more than",
    "at least": "at least",
    "no fewer than": "at least",
    "no less than": "at least",
    "fewer than": "less than",
    "less than": "less than",
    "under": "less than",
    "below": "less than",
    "at most": "at most",
    "up to": "at most",
    "no more than": "at most",
    "about": "about",
    "around": "about",
    "roughly": "about",
    "approximately": "about",
    "some": "about",
    "nearly": "nearly",
    "almost": "nearly",
    "close to": "nearly",
    "just under": "nearly",
}
CURRENCIES = {"$": "$", "£": "£", "€": "€", "us$": "$"}
PERCENT_WORDS = ("percent", "per cent", "percentage points")
# What a figure counts is read from the words after it, up to a word like these.
THING_STOP = frozenset(
    """a an and are as at be been but by for from had has have he her his in into is
    it its of on or over she since than that the their them these they this those to
    was were when where which while who whom whose with would will could should can
    may might did do does not said say says according last this next""".split()
)
PRONOUNS = frozenset({"them", "those", "these", "they", "which", "whom"})
# Different words for the same counted thing, by their singular form.
SAME_THING = {
    "kid": "child",
    "minor": "child",
    "youngster": "child",
    "juvenile": "child",
    "uc": "child",
    "adult": "person",
    "individual": "person",
    "resident": "person",
    "people": "person",
    "dollar": "$",
    "usd": "$",
    "pound": "£",
    "euro": "€",
    "percent": "%",
    "pct": "%",
}
IRREGULAR_SINGULARS = {
    "children": "child",
    "people": "person",
    "men": "man",
    "women": "woman",
    "feet": "foot",
    "mice": "mouse",
    "teeth": "tooth",
    "data": "data",
    "news": "news",
    "series": "series",
    "species": "species",
}

_WORD_NUMBER = "|".join(sorted([*UNITS, *TENS], key=len, reverse=True))
_NUMBER = re.compile(
    r"(?P<currency>(?:US)?[$£€])?\s?"
    r"(?P<digits>(?<![\w.,])\d{1,3}(?:,\d{3})+(?:\.\d+)?|(?<![\w.,])\d+(?:\.\d+)?)"
    r"(?:\s?(?P<scale>hundred|thousand|million|billion|trillion|bn|m|k)\b)?"
    r"|(?P<words>\b(?:" + _WORD_NUMBER + r")(?:[\s-](?:" + _WORD_NUMBER + r"))?"
    r"(?:\s(?:hundred|thousand|million|billion|trillion))*\b)",
    re.IGNORECASE,
)
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*|%|\[|\]")
_YEAR = re.compile(r"(?<![\d,.$£€])(?:19|20)\d\d(?!\d|,\d)")


@dataclass(frozen=True)
class Quantity:
    """One figure a sentence states."""

    value: float
    text: str  # as written, with its comparator: "more than 30,000"
    start: int  # offsets of ``text`` in the sentence
    end: int
    comparator: str = ""  # "more than", "about", ... ("" when exact)
    unit: str = ""  # "%", "$", "£", "€" or "" for a count
    thing: tuple[str, ...] = ()  # what it counts, singular: ("migrant", "child")
    anaphoric: bool = False  # "32,000 of them": what it counts is said earlier

    @property
    def head(self) -> str:
        """The counted thing in one word ("child"), or the unit."""
        if self.unit:
            return self.unit
        return self.thing[-1] if self.thing else ""

    @property
    def shown(self) -> str:
        """The figure with what it counts, for a person: "more than 30,000 children"."""
        return self.text


def singular(word: str) -> str:
    word = word.lower().strip("'’")
    if word in IRREGULAR_SINGULARS:
        return IRREGULAR_SINGULARS[word]
    if len(word) > 4 and word.endswith("ies"):
        word = word[:-3] + "y"
    elif len(word) > 3 and word.endswith(("ches", "shes", "xes", "sses")):
        word = word[:-2]
    elif len(word) > 2 and word.endswith("s") and not word.endswith(("ss", "us")):
        word = word[:-1]
    return SAME_THING.get(word, word)


def _words_value(text: str) -> float | None:
    total, current = 0, 0
    for word in re.split(r"[\s-]+", text.lower()):
        if word in UNITS:
            current += UNITS[word]
        elif word in TENS:
            current += TENS[word]
        elif word == "hundred":
            current = max(current, 1) * 100
        elif word in SCALES:
            total += max(current, 1) * SCALES[word]
            current = 0
        else:
            return None
    return float(total + current)


@functools.lru_cache(maxsize=8192)
def years(sentence: str) -> frozenset[int]:
    """The years a sentence names (1900-2099), not amounts such as "$2,000"."""
    return frozenset(int(m.group()) for m in _YEAR.finditer(sentence))


@functools.lru_cache(maxsize=8192)
def quantities(sentence: str) -> tuple[Quantity, ...]:
    """Every figure the sentence states, years left out (see ``years``). Cached: an
    article page asks about the same claims several times."""
    found = []
    for match in _NUMBER.finditer(sentence):
        if match.group("words"):
            value = _words_value(match.group("words"))
            if value is None or value < 2 and not _counts_after(sentence, match.end()):
                continue  # "one of them", "a one-off": not a figure worth checking
        else:
            digits = match.group("digits")
            value = float(digits.replace(",", ""))
            if re.fullmatch(r"(19|20)\d\d", digits) and not match.group("currency"):
                if not match.group("scale"):
                    continue  # a year
            scale = (match.group("scale") or "").lower()
            value *= SCALES.get(scale, 1)
        start, end = match.start(), match.end()
        while start < end and sentence[start].isspace():
            start += 1
        unit = CURRENCIES.get((match.group("currency") or "").lower(), "")
        rest = sentence[end:]
        percent = re.match(r"\s?(%|percent\b|per cent\b)", rest, re.IGNORECASE)
        if percent:
            unit, end = "%", end + percent.end()
        comparator, start = _comparator(sentence, start)
        thing, anaphoric = _thing(sentence[end:]) if not unit else ((), False)
        found.append(
            Quantity(
                value=value,
                text=sentence[start:end].strip(),
                start=start,
                end=end,
                comparator=comparator,
                unit=unit,
                thing=thing,
                anaphoric=anaphoric,
            )
        )
    return tuple(found)


def _counts_after(sentence: str, end: int) -> bool:
    words = _WORD.findall(sentence[end : end + 40])
    return bool(words) and words[0].lower() not in THING_STOP


def _comparator(sentence: str, start: int) -> tuple[str, int]:
    before = sentence[max(0, start - 24) : start].lower()
    for phrase in sorted(COMPARATORS, key=len, reverse=True):
        if re.search(r"(?:^|\W)" + re.escape(phrase) + r"\s*$", before):
            at = before.rstrip().rfind(phrase)
            return COMPARATORS[phrase], start - (len(before) - at)
    return "", start


def _thing(after: str) -> tuple[tuple[str, ...], bool]:
    """What a figure counts, from the words right after it."""
    words = [w for w in _WORD.findall(after[:80]) if w not in "[]"]
    if words and words[0].lower() == "of" and len(words) > 1:
        if words[1].lower() in PRONOUNS:
            return (), True
        if words[1].lower() == "the":
            words = words[2:]
    thing = []
    for word in words:
        low = word.lower()
        if low in THING_STOP or low in SCALES:
            break
        # A participle after the noun starts what is said of it ("30,000 children
        # released"); before it, it describes it ("unaccompanied children").
        if thing and low.endswith(("ed", "ing")):
            break
        thing.append(singular(low))
        if len(thing) == 3:
            break
    return tuple(thing), False


# --- figures that disagree within an article ---------------------------------------

# Two figures this close, for the same thing, look like one figure told two ways.
CLOSE = 0.25
# Each figure is compared with this many of the next figures (by value) for the same
# thing, and an article raises at most MOST_QUESTIONS of these questions.
NEIGHBOURS = 3
MOST_QUESTIONS = 50


@dataclass(frozen=True)
class Disagreement:
    """Two claims whose figures for what looks like the same thing differ."""

    first: int  # indexes into the claims given to ``disagreements``
    second: int
    first_figure: Quantity
    second_figure: Quantity
    about: str  # the counted thing both speak of: "children"

    @property
    def question(self) -> str:
        return (
            f"“{self.first_figure.text}” against “{self.second_figure.text}”: "
            f"the same {self.about}, or two different counts?"
        )


def same_thing(a: Quantity, b: Quantity) -> str:
    """What both figures count, when it looks like the same thing; else ""."""
    if a.unit or b.unit:
        return a.unit if a.unit == b.unit else ""
    if a.anaphoric or b.anaphoric:
        return ""
    if a.head and a.head == b.head:
        return a.thing[-1] if a.thing else a.head
    return ""


def disagreements(sentences: Sequence[str]) -> list[Disagreement]:
    """Pairs of sentences giving close but different figures for the same thing.

    Figures of sentences that name different years are left alone: a count for 2022
    and one for 2023 may both be right. Figures are grouped by what they count and
    sorted by value, so a long report costs little more than reading its figures.
    """
    read = [(quantities(s), years(s)) for s in sentences]
    groups: dict[str, list[tuple[float, int, Quantity]]] = {}
    for i, (figures_i, _) in enumerate(read):
        for q in figures_i:
            key = q.unit or (q.head if not q.anaphoric else "")
            if key:
                groups.setdefault(key, []).append((q.value, i, q))
    pairs: dict[tuple[int, int], Disagreement] = {}
    for members in groups.values():
        members.sort(key=lambda m: (m[0], m[1]))
        for n, (value, i, a) in enumerate(members):
            # Its nearest neighbours in value only: a report of many similar
            # figures would otherwise raise a question for every pair of them.
            for other, j, b in members[n + 1 : n + 1 + NEIGHBOURS]:
                if not _close(value, other):
                    break  # sorted: every later figure is further away
                if i == j or other == value or (min(i, j), max(i, j)) in pairs:
                    continue
                years_i, years_j = read[i][1], read[j][1]
                if years_i and years_j and years_i != years_j:
                    continue
                about = same_thing(a, b)
                if not about:
                    continue
                first, second = (a, b) if i < j else (b, a)
                pairs[(min(i, j), max(i, j))] = Disagreement(
                    min(i, j), max(i, j), first, second, _plural(about)
                )
    return [pairs[key] for key in sorted(pairs)][:MOST_QUESTIONS]


def _close(a: float, b: float) -> bool:
    low, high = sorted((a, b))
    return low > 0 and (high - low) / high <= CLOSE


def _plural(word: str) -> str:
    if word in ("%", "$", "£", "€"):
        return {"%": "percentage", "$": "amount", "£": "amount", "€": "amount"}[word]
    back = {v: k for k, v in IRREGULAR_SINGULARS.items() if k != v}
    if word in back:
        return back[word]
    if word.endswith("y") and word[-2:-1] not in "aeiou":
        return word[:-1] + "ies"
    return word if word.endswith("s") else word + "s"


# --- arithmetic within one claim ---------------------------------------------------

TOTAL_WORDS = re.compile(
    r"\b(in total|a total of|total(?:led|ed)?|in all|altogether|combined)\b", re.I
)


@dataclass(frozen=True)
class Arithmetic:
    """A sum or a percentage in one sentence that does not add up."""

    kind: str  # "sum" or "percentage"
    question: str


def arithmetic(sentence: str) -> list[Arithmetic]:
    figures = quantities(sentence)
    counts = [q for q in figures if not q.unit]
    found = []
    total = _total(sentence, counts)
    if total is not None:
        parts = [q for q in counts if q is not total and q.value < total.value]
        if len(parts) >= 2:
            added = sum(q.value for q in parts)
            if added != total.value and abs(added - total.value) <= 0.5 * total.value:
                found.append(
                    Arithmetic(
                        "sum",
                        f"The parts ({' + '.join(_number(q.value) for q in parts)}) "
                        f"add up to {_number(added)}, not the total of "
                        f"{_number(total.value)}.",
                    )
                )
    percents = [q for q in figures if q.unit == "%"]
    if len(percents) == 1 and len(counts) == 2:
        found.extend(_percentage(sentence, percents[0], counts))
    return found


def _total(sentence: str, counts: list[Quantity]) -> Quantity | None:
    for marker in TOTAL_WORDS.finditer(sentence):
        nearest = min(
            counts,
            key=lambda q: min(abs(q.start - marker.end()), abs(marker.start() - q.end)),
            default=None,
        )
        if nearest is not None and (
            abs(nearest.start - marker.end()) <= 12
            or abs(marker.start() - nearest.end) <= 12
        ):
            return nearest
    return None


def _percentage(
    sentence: str, percent: Quantity, counts: list[Quantity]
) -> list[Arithmetic]:
    a, b = counts
    between = sentence[a.end : b.start].lower()
    said = percent.value
    if re.search(r"\bto\b", between) and re.search(
        r"\bfrom\b", sentence[max(0, a.start - 8) : a.start].lower()
    ):
        if a.value == 0:
            return []
        follows = (b.value - a.value) / a.value * 100
        how = f"from {_number(a.value)} to {_number(b.value)} is a change of"
        said = said if b.value >= a.value else -said
    elif re.search(r"\b(of|out of)\b", between) and a.value <= b.value and b.value:
        follows = a.value / b.value * 100
        how = f"{_number(a.value)} of {_number(b.value)} is"
    else:
        return []
    if abs(abs(follows) - abs(said)) <= max(1.0, 0.05 * abs(said)):
        return []
    return [
        Arithmetic(
            "percentage",
            f"{how} {abs(follows):.1f}%, not the {_number(percent.value)}% stated.",
        )
    ]


def _number(value: float) -> str:
    return f"{value:,.0f}" if value == int(value) else f"{value:,.2f}".rstrip("0")


# --- does the excerpt say it? -------------------------------------------------------

QUOTES = re.compile(r"[“\"]([^”\"]{12,})[”\"]")


@dataclass(frozen=True)
class Check:
    """One thing the claim states, looked for in an excerpt."""

    what: str  # "figure", "year" or "quotation"
    claim_says: str
    status: str  # "found", "different" or "missing"
    excerpt_says: str = ""
    diff: tuple[tuple[str, str], ...] = field(default=())  # (op, words) of a quotation

    @property
    def label(self) -> str:
        return {
            "found": "found",
            "different": "different in the excerpt",
            "missing": "not in the excerpt",
        }[self.status]


def compare_with_excerpt(claim: str, excerpt: str) -> list[Check]:
    """The claim's figures, years and quotations, each looked for in the excerpt."""
    checks = []
    said = quantities(excerpt)
    for figure in quantities(claim):
        same = [q for q in said if q.value == figure.value and q.unit == figure.unit]
        if same:
            checks.append(Check("figure", figure.text, "found", same[0].text))
            continue
        other = [q for q in said if _comparable(figure, q)]
        if other:
            checks.append(Check("figure", figure.text, "different", other[0].text))
        else:
            checks.append(Check("figure", figure.text, "missing"))
    excerpt_years = years(excerpt)
    for year in sorted(years(claim)):
        if year in excerpt_years:
            checks.append(Check("year", str(year), "found", str(year)))
        elif excerpt_years:
            others = ", ".join(str(y) for y in sorted(excerpt_years))
            checks.append(Check("year", str(year), "different", others))
        else:
            checks.append(Check("year", str(year), "missing"))
    for quote in QUOTES.findall(claim):
        checks.append(_compare_quote(quote, excerpt))
    return checks


def _comparable(figure: Quantity, other: Quantity) -> bool:
    if figure.unit or other.unit:
        return figure.unit == other.unit
    return bool(figure.head) and figure.head == other.head or figure.anaphoric


def _tokens(text: str) -> list[str]:
    return re.findall(r"\w+(?:[’',.]\w+)*", text.lower())


def _compare_quote(quote: str, excerpt: str) -> Check:
    """A quotation compared word by word with the closest passage of the excerpt."""
    words, source = _tokens(quote), _tokens(excerpt)
    if not words:
        return Check("quotation", quote, "missing")
    matcher = difflib.SequenceMatcher(None, words, source, autojunk=False)
    blocks = [b for b in matcher.get_matching_blocks() if b.size]
    if not blocks or sum(b.size for b in blocks) < max(2, len(words) // 3):
        return Check("quotation", quote, "missing")
    lo = max(0, blocks[0].b - blocks[0].a)
    hi = min(
        len(source),
        blocks[-1].b + blocks[-1].size + (len(words) - blocks[-1].a - blocks[-1].size),
    )
    passage = source[lo:hi]
    if passage == words:
        return Check("quotation", quote, "found", " ".join(passage))
    diff = []
    for op, a1, a2, b1, b2 in difflib.SequenceMatcher(
        None, words, passage, autojunk=False
    ).get_opcodes():
        if op == "equal":
            diff.append(("same", " ".join(words[a1:a2])))
        else:
            if a2 > a1:
                diff.append(("claim", " ".join(words[a1:a2])))
            if b2 > b1:
                diff.append(("source", " ".join(passage[b1:b2])))
    return Check("quotation", quote, "different", " ".join(passage), tuple(diff))


def summary(checks: Iterable[Check]) -> str:
    """One line for a list of checks: "2 found, 1 different, 1 missing"."""
    counts = {"found": 0, "different": 0, "missing": 0}
    for check in checks:
        counts[check.status] += 1
    return ", ".join(f"{n} {status}" for status, n in counts.items() if n)
