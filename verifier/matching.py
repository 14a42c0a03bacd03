"""Is this claim one that was checked before? Pure text in, a judgement out.

Two claims are compared on what they say, not how: words are reduced to a stem with
common synonyms folded together ("kids", "minors" -> child), names to their initials
("Immigration and Customs Enforcement" and "ICE" are one), and figures written in
words to numbers ("thirty thousand" is 30,000). A pair that shares most of its
content is the same claim, unless its figures, years, months or named subjects
differ: then it is only similar, and the difference is named, because "lost track of
30,000 children" and "lost track of 85,000 children" are two claims to check.

No ORM, no request, no settings: ``verifier.previously`` finds the candidates.
"""

import functools
import re
from dataclasses import dataclass

from verifier import figures

# Shares at least this much of its content (Dice over stems): the same claim, unless
# a figure, date or subject differs.
SAME = 0.5
# Shares this much: worth showing as similar.
RELATED = 0.3

STOP = frozenset(
    """a about above after again against all also am an and any are as at be because
    been before being below between both but by can could did do does doing down
    during each few for from further had has have having he her here hers herself him
    himself his how i if in into is it its itself just me more most my no nor not now
    of off on once only or other our ours out over own same she should so some such
    than that the their theirs them themselves then there these they this those
    through to too under until up very was we were what when where which while who
    whom why will with would you your yours monday tuesday wednesday thursday friday
    saturday sunday last next this year years week month according say said says
    tell told state stated note noted add added report reported reports claim claimed
    find found finds show showed shown report's according""".split()
)
# Words that say the same thing in news copy, folded onto one.
SYNONYMS = {
    "kid": "child",
    "minor": "child",
    "youngster": "child",
    "juvenile": "child",
    "children": "child",
    "unable": "cannot",
    "fail": "cannot",
    "failed": "cannot",
    "couldn't": "cannot",
    "locate": "track",
    "find": "track",
    "trace": "track",
    "show": "appear",
    "attend": "appear",
    "hearing": "court",
    "appointment": "court",
    "summons": "notice",
    "subpoena": "notice",
    "free": "release",
    "freed": "release",
    "move": "transfer",
    "moved": "transfer",
    "hand": "transfer",
    "handed": "transfer",
    "authority": "government",
    "authorities": "government",
    "official": "government",
    "officials": "government",
    "watchdog": "inspector",
    "rise": "increase",
    "rose": "increase",
    "grow": "increase",
    "grew": "increase",
    "fall": "decrease",
    "fell": "decrease",
    "drop": "decrease",
    "dropped": "decrease",
    "decline": "decrease",
    "declined": "decrease",
    "cut": "decrease",
    "percent": "%",
    "per cent": "%",
    "america": "us",
    "u.s": "us",
}
MONTHS = (
    "january february march april may june july august september october november "
    "december"
).split()
SUFFIXES = (
    "ations",
    "ation",
    "ments",
    "ment",
    "ings",
    "ing",
    "edly",
    "ed",
    "ers",
    "er",
    "ly",
)
_TOKEN = re.compile(r"[A-Za-z][A-Za-z.'’-]*[A-Za-z]|[A-Za-z]")
# A run of capitalised words, "of"/"and"/"for"/"the" allowed inside: a name.
_NAME = re.compile(r"\b[A-Z][a-z]+(?:\s+(?:(?:of|and|for|the)\s+)*[A-Z][a-z]+)+\b")
_NAME_GLUE = {"of", "and", "for", "the"}


def stem(word: str) -> str:
    word = word.lower().strip(".'’-")
    word = SYNONYMS.get(word, word)
    word = figures.singular(word)
    word = SYNONYMS.get(word, word)
    for suffix in SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "aeiouls":
                word = word[:-1]  # transferred -> transferr -> transfer
            break
    if len(word) > 4 and word.endswith("e"):
        word = word[:-1]
    return SYNONYMS.get(word, word)


# Words that say what someone or something is, not which one: "Senator Maria Lopez"
# and "Senator James Okafor" are told apart by their names, not by "senator".
TITLES = frozenset(
    """mr mrs ms dr sir dame senator sen rep representative governor gov mayor
    president vice minister secretary chancellor prime inspector general attorney
    judge justice chief officer director commissioner sheriff police department
    ministry agency office bureau authority council committee commission board
    service services university college hospital school court city county state
    national federal central international world united group company corporation
    inc ltd party union association institute foundation st saint""".split()
)


@dataclass(frozen=True)
class Name:
    """A named subject: as written, its distinctive word stems, and its initials."""

    text: str
    stems: frozenset[str]
    initials: str

    def named_in(self, words: frozenset[str]) -> bool:
        return self.initials in words or bool(self.stems & words)


@dataclass(frozen=True)
class Reading:
    """What a claim says, reduced for comparison."""

    words: frozenset[str]
    figures: frozenset[float]
    years: frozenset[int]
    months: frozenset[str]
    names: tuple[Name, ...]


def initials(name: str) -> str:
    return "".join(w[0] for w in name.split() if w.lower() not in _NAME_GLUE).lower()


def _names(text: str) -> tuple[list[Name], set[str]]:
    """Named subjects (runs of capitalised words, and lone ones not opening the
    sentence) and every set of initials they may go by."""
    names, acronyms, taken = [], set(), []
    for match in _NAME.finditer(text):
        parts = [w for w in match.group().split() if w.lower() not in _NAME_GLUE]
        whole = initials(match.group())
        acronyms.add(whole)
        # "Department of Health and Human Services" is also "HHS".
        for k in range(2, len(parts)):
            acronyms.add(initials(" ".join(parts[-k:])))
        # A name made only of such words ("Department of Justice") is told apart
        # by all of them.
        stems = {stem(w) for w in parts if w.lower() not in TITLES} or {
            stem(w) for w in parts
        }
        names.append(Name(match.group(), frozenset(stems), whole))
        taken.append((match.start(), match.end()))
    for match in re.finditer(r"\b[A-Z][A-Za-z'’.]*[A-Za-z]\b", text):
        if any(s <= match.start() < e for s, e in taken):
            continue
        word = match.group()
        low = word.lower().replace(".", "")
        if word.isupper() and len(low) >= 2:
            names.append(Name(word, frozenset(), low))
        elif match.start() > 0 and low not in STOP and low not in TITLES:
            if low not in MONTHS and low not in figures.UNITS:
                names.append(Name(word, frozenset({stem(low)}), ""))
    return names, acronyms


# The same approved claims come up as candidates on claim page after claim page, and a
# Reading never changes (frozen): each process keeps the last few thousand.
@functools.lru_cache(maxsize=4096)
def read(text: str) -> Reading:
    """Reduce a claim to its stems, figures, dates and named subjects."""
    names, acronyms = _names(text)
    quantities = figures.quantities(text)
    spans = [(q.start, q.end) for q in quantities]
    words = set(acronyms)
    for match in _TOKEN.finditer(text):
        if any(s <= match.start() < e for s, e in spans):
            continue
        raw = match.group()
        low = raw.lower().strip(".")
        if raw.isupper() and len(raw) >= 2:
            words.add(low.replace(".", ""))
            continue
        if low in STOP or low in MONTHS or low in figures.UNITS or low in figures.TENS:
            continue
        token = stem(low)
        if token not in STOP and len(token) >= 2:
            words.add(token)
    return Reading(
        words=frozenset(words),
        figures=frozenset(q.value for q in quantities),
        years=frozenset(figures.years(text)),
        months=frozenset(m for m in MONTHS if re.search(rf"\b{m}\b", text, re.I)),
        names=tuple(names),
    )


@dataclass(frozen=True)
class Match:
    """How a claim relates to one checked before."""

    similarity: float
    differs: tuple[str, ...]  # "the figure (30,000 / 85,000)", "the date (...)"

    @property
    def same(self) -> bool:
        return self.similarity >= SAME and not self.differs

    @property
    def label(self) -> str:
        if self.same:
            return "Same claim"
        if self.differs:
            return "Similar, differs in " + "; ".join(self.differs)
        return "Similar"


def similarity(a: Reading, b: Reading) -> float:
    if not a.words or not b.words:
        return 0.0
    shared = len(a.words & b.words)
    # Dice, but a short rewording of a long claim still counts: the mean of Dice
    # and the share of the shorter one that the longer one holds.
    dice = 2 * shared / (len(a.words) + len(b.words))
    contained = shared / min(len(a.words), len(b.words))
    return round((dice + contained) / 2, 3)


def compare(a: str | Reading, b: str | Reading) -> Match:
    a = read(a) if isinstance(a, str) else a
    b = read(b) if isinstance(b, str) else b
    differs = []
    if a.figures and b.figures and a.figures != b.figures:
        differs.append(
            "the figure ("
            + ", ".join(_figure_text(a, a.figures - b.figures))
            + " / "
            + ", ".join(_figure_text(b, b.figures - a.figures))
            + ")"
        )
    if a.years and b.years and a.years != b.years:
        differs.append(f"the date ({_years(a.years)} / {_years(b.years)})")
    elif a.months and b.months and a.months != b.months:
        differs.append(
            f"the date ({', '.join(sorted(a.months))} / {', '.join(sorted(b.months))})"
        )
    only_a = [n.text for n in a.names if n.stems and not n.named_in(b.words)]
    only_b = [n.text for n in b.names if n.stems and not n.named_in(a.words)]
    if only_a and only_b:
        differs.append(
            f"who or what it is about ({', '.join(only_a)} / {', '.join(only_b)})"
        )
    return Match(similarity(a, b), tuple(differs))


def _figure_text(reading: Reading, values) -> list[str]:
    shown = [f"{v:,.0f}" if v == int(v) else f"{v:,}" for v in sorted(values)]
    return shown or ["—"]


def _years(years) -> str:
    return "–".join(str(y) for y in sorted(years))
