"""Stage 3: how check-worthy a sentence is, with the named reasons behind it."""

from __future__ import annotations

import re

from verifier.extraction.words import (
    MONTH_ABBREVIATIONS,
    MONTH_NAMES,
    SAY_VERBS,
    WEEKDAYS,
)

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

# "May" is left out: it is a month only in a date-like context (see _MAY).
_MONTHS = frozenset(MONTH_NAMES + MONTH_ABBREVIATIONS) - {"May"}
_CAPITALISED_WORD = re.compile(r"[A-Z][a-z]+\.?")
# "May" is a month only in a date-like context, never the modal verb.
_MAY = re.compile(
    r"\b(?:in|of|since|until|by|on|last|next|early|late|through|from|to|between"
    r"|during|this|that|mid)[ -]May\b|\bMay \d"
)
_MONTH_BEFORE = re.compile(
    "(?:" + "|".join(map(re.escape, MONTH_NAMES + MONTH_ABBREVIATIONS)) + r")\s+$"
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
    if not capitalised.isdisjoint(_MONTHS) or not capitalised.isdisjoint(WEEKDAYS):
        return True
    if ("May" in capitalised or "May." in capitalised) and _MAY.search(text):
        return True
    if _RELATIVE_HINTS.isdisjoint(vocabulary):
        return False
    return bool(_RELATIVE_DATE.search(joined))


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
_NOT_NAMES = (
    frozenset("I I'm I’m I've I’ve I'll I’ll I'd I’d A An The".split() + MONTH_NAMES)
    | WEEKDAYS
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
            not SAY_VERBS.isdisjoint(vocabulary)
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
