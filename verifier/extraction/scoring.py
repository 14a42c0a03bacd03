"""Stage 3: how check-worthy a sentence is, with the named reasons behind it."""

from __future__ import annotations

import math
import re

from verifier.extraction.weights import BIAS, WEIGHTS
from verifier.extraction.words import (
    MONTH_ABBREVIATIONS,
    MONTH_NAMES,
    SAY_VERBS,
    WEEKDAYS,
)

# The reasons a person sees next to a score, in this order: the cues that make
# a sentence check-worthy. The cues against (opinion, prediction, quoted
# speech...) weigh in the score too but are not listed.
REASONS = (
    "figures",
    "dates",
    "attribution",
    "quotation",
    "comparison",
    "causal",
    "event",
    "named entity",
    "headline",
)


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


# "about 1800 genes", "more than 2000 people": a count, not a year.
_QUANTITY_BEFORE = re.compile(
    r"\b(?:about|around|nearly|almost|some|roughly|approximately|than|over|under"
    r"|only|just|least|most)\s+$"
)


def _is_date_number(text: str, match: re.Match[str]) -> str:
    """The kind of date a number belongs to ("year", "day"), or "" if none."""
    number, before = match.group(), text[max(0, match.start() - 12) : match.start()]
    after = text[match.end() : match.end() + 1]
    if (
        _YEAR.fullmatch(number)
        and after != "%"
        and not before.endswith(("$", "£", "€", "¥"))
        and not _QUANTITY_BEFORE.search(before)
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


def _numbers(text: str) -> tuple[bool, bool, int]:
    """Whether ``text`` holds a number that is not a date, a date number, and how
    many numbers it holds."""
    figure = date = False
    count = 0
    if not _DIGIT.search(text):
        return figure, date, count
    for match in _NUMBER.finditer(text):
        count += 1
        if _is_date_number(text, match):
            date = True
        else:
            figure = True
    return figure, date, count


_CALENDAR_WORDS = frozenset(
    word.rstrip(".").lower() for word in (*_MONTHS, "May", *WEEKDAYS)
)


def _has_date(
    text: str, vocabulary: frozenset[str], joined: str, date_number: bool
) -> bool:
    if date_number:
        return True
    # Only a sentence with a month's or a day's name in lower case can hold one.
    if not vocabulary.isdisjoint(_CALENDAR_WORDS):
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


# "May" the month is no modal: "may" counts in lower case only.
_MODAL_WORDS = frozenset("would could might should must can cannot ought".split())
_FUTURE_WORDS = frozenset("shall won't won’t".split())
_WILL_SHORT = re.compile(r"[’']ll\b")
# Verbs that report a view rather than a fact: "welcomed", "called it ...".
_VIEW_VERBS = frozenset(
    "welcomed welcomes praised praises criticised criticized criticises criticizes"
    " condemned condemns slammed hailed urged urges cautioned cautions stressed"
    " believes believed thinks thought hopes hoped feels felt described called"
    " calls branded dubbed labelled labeled insisted argued argues warned warns"
    " suggested suggests hypothesised hypothesized speculated predicted predicts"
    " forecast forecasts".split()
)
_HEDGE_WORDS = frozenset(
    "possibly potentially likely unlikely perhaps maybe probably hope hopes hoped"
    " hoping promise promising prospect prospects soon aim aims plan plans intend"
    " intends wish wishes believe believes think thinks".split()
)
_PREDICTION_PHRASES = _phrase_index(
    "is expected to|are expected to|is set to|are set to|is likely to|are likely to"
    "|is going to|are going to|is due to|are due to|in the future|next year"
    "|is expected|are expected|be expected|was expected|were expected"
)
# Aims and purposes state what someone wants, not what is: "the plan is to ...",
# "measures designed to cut ...".
_AIM_PHRASES = _phrase_index(
    "in order to|so as to|intended to|intends to|intend to|aimed to|aims to|aim to"
    "|aimed at|aiming to|designed to|meant to|seeks to|seek to|seeking to"
    "|hopes to|hope to|hoping to|plans to|plan to|planning to|is to|was to|are to"
    "|were to|wants to|want to"
)
# A press release's thanks to its funders and helpers: "made possible by ...".
_THANKS_PHRASES = _phrase_index(
    "made possible|thanks to the generosity|generosity of|grateful to|we thank"
    "|would like to thank|wish to thank|in memory of"
)
# What a caption says about its picture: "seen in the image above", "(left)".
_CAPTION_PHRASES = _phrase_index(
    "in the image|in the photo|in the picture|in this image|in this photo"
    "|image above|image below|photo above|photo below|pictured|seen here"
)
_PLACE_IN_PICTURE = re.compile(
    r"\((?:(?:far|top|bottom|center|centre|upper|lower) )?(?:left|right|center"
    r"|centre|above|below|top|bottom)\)"
)
# Words of feeling and judgement: praise, blame, hopes and fears.
_EVALUATIVE_WORDS = frozenset(
    "good great greatly excellent fantastic brilliant lovely delight delighted"
    " pleasure pleased happy glad sad sorry sorely miss missed loved love kind"
    " generous funny witty courteous charming gentle wise honest fair unfair"
    " positive negative exciting excited encouraging disappointing disappointed"
    " worried worrying concern concerns concerned fear fears afraid shocked"
    " shocking welcome welcomed impressive unambitious ambitious failed failure"
    " important importance significant crucial vital key essential serious"
    " strong weak aggressive robust healthy bright bleak dramatic dramatically"
    " huge enormous massive tremendous extraordinary incredible unacceptable"
    " acceptable appropriate inappropriate proportionate disproportionate best"
    " worst better worse really truly deeply very so quite pretty clearly"
    " obviously surely certainly definitely wonderful terrible awful horrible"
    " beautiful remarkable unfortunate shameful disgraceful outrageous ridiculous"
    " absurd proud grateful thrilled amazing legendary iconic beloved".split()
)
_FIRST_PERSON = frozenset(
    "i i'm i’m i've i’ve i'd i’d i'll i’ll me my mine we we're we’re we've we’ve"
    " we'd we’d we'll we’ll our ours let's let’s".split()
)
# Case matters: "us" is a pronoun, "US" a country.
_US = re.compile(r"\bus\b")
_SECOND_PERSON = frozenset("you your you're you’re yours yourself".split())
# Words that open a call to action: "Follow us on ...", "Read our ...".
_IMPERATIVES = frozenset(
    "like follow join check read visit click subscribe see watch sign download share"
    " contact call consider imagine learn find get try remember please register"
    " listen discover explore donate send tell let let's let’s don't don’t do".split()
)
_PAST_IRREGULAR = frozenset(
    "was were had did made took gave went came became begun began won lost fell"
    " rose grew led met held kept left paid sold bought built brought caught chose"
    " drew drove fought found got hit knew meant put ran saw sent set shot spent"
    " spoke stood struck taught told thought threw wrote born died dies won"
    " broke beat sat".split()
)
# Verbs of events and official acts that news reports as facts.
_EVENT_WORDS = frozenset(
    "died dies dead killed injured born married divorced elected appointed"
    " resigned retired fired hired sentenced convicted acquitted charged arrested"
    " pleaded jailed fined sued ruled rejected dismissed approved passed signed"
    " vetoed voted banned launched opened closed founded acquired merged bought"
    " sold won lost beat defeated scored awarded published released announced"
    " agreed reached signed raised cut increased reduced".split()
)
# What a document says is on the record: "the report said", "the ruling found".
_DOCUMENTS = frozenset(
    "report reports study studies survey surveys audit audits ruling rulings filing"
    " filings indictment complaint lawsuit document documents records data statement"
    " memo letter analysis review findings paper journal census figures statistics"
    " minutes transcript".split()
)
# Headlines of aims and explainers: "To fix the roads", "How the tax works".
_AIM_OPENERS = frozenset("to what how why when where who which inside".split())
_PRESENT = frozenset("is are has have does do".split())
# A few quoted words inside the outlet's sentence: a label or a judgement
# ("called it a “historic day”"), seldom the checkable part.
_SHORT_QUOTE = re.compile(r"[“\"‘'][^“”\"‘’\s]+(?:\s+[^“”\"‘’\s]+){0,3}[”\"’']")
_ALL_CAPS = re.compile(r"[A-Z0-9 ().,:;'’/&-]{12,}$")


# Before these an "-ed" word is no finite past verb: "is expected", "will be
# completed", "the planned cuts".
_NOT_PAST_BEFORE = frozenset(
    "is are am be being 's the a an this that these those its their his her our"
    " my your newly once if when unless".split()
)


def _has_past_participle(words: list[str]) -> bool:
    """Whether a word ending in "-ed" stands where a past verb would."""
    previous = ""
    for word in words:
        if (
            word.endswith("ed")
            and len(word) > 4
            and word[-3] != "e"
            and previous not in _NOT_PAST_BEFORE
        ):
            return True
        previous = word
    return False


# Every phrase list by the cue it serves, so that a sentence looks its words up
# once: most sentences hold the first word of none or one of the phrases.
_PHRASE_LISTS = {
    "figures": _FIGURE_PHRASES,
    "attribution": _ATTRIBUTION_PHRASES,
    "causal": _CAUSAL_PHRASES,
    "opinion": _OPINION_PHRASES,
    "prediction": _PREDICTION_PHRASES,
    "aim": _AIM_PHRASES,
    "acknowledgement": _THANKS_PHRASES,
    "caption": _CAPTION_PHRASES,
}
_PHRASES_BY_FIRST_WORD: dict[str, tuple[tuple[str, str], ...]] = {}
for _cue, _index in _PHRASE_LISTS.items():
    for _first, _phrases in _index.items():
        _PHRASES_BY_FIRST_WORD[_first] = _PHRASES_BY_FIRST_WORD.get(_first, ()) + tuple(
            (_cue, phrase) for phrase in _phrases
        )
_PHRASE_FIRST_WORDS = frozenset(_PHRASES_BY_FIRST_WORD)


def _phrase_cues(vocabulary: frozenset[str], joined: str) -> set[str]:
    """The cues of ``_PHRASE_LISTS`` that some phrase of the sentence serves."""
    found: set[str] = set()
    for first in vocabulary.intersection(_PHRASE_FIRST_WORDS):
        for cue, phrase in _PHRASES_BY_FIRST_WORD[first]:
            if cue not in found and phrase in joined:
                found.add(cue)
    return found


# "at will", "free will", "goodwill": the noun, no future.
_WILL_NOUN_BEFORE = frozenset("at free own good ill the political popular".split())


def _has_future(
    words: list[str], vocabulary: frozenset[str], kinds: set[str], text: str
) -> bool:
    if "will" in vocabulary:
        previous = ""
        for word in words:
            if word == "will" and previous not in _WILL_NOUN_BEFORE:
                return True
            previous = word
    return (
        "future" in kinds
        or ("ll" in text and bool(_WILL_SHORT.search(text)))
        or "going" in vocabulary
        and " going to " in f" {' '.join(words)} "
    )


# Every word list by the kind of word it holds, so that a sentence looks each of
# its words up once rather than testing every list.
_WORD_LISTS = {
    "future": _FUTURE_WORDS,
    "past": _PAST_IRREGULAR,
    "number": _NUMBER_WORDS,
    "small number": _SMALL_NUMBER_WORDS,
    "say": SAY_VERBS,
    "evidence noun": _EVIDENCE_NOUNS,
    "evidence verb": _EVIDENCE_VERBS,
    "comparison": _COMPARISON_WORDS,
    "causal": _CAUSAL_WORDS,
    "event": _EVENT_WORDS,
    "opinion": _OPINION_WORDS,
    "evaluative": _EVALUATIVE_WORDS,
    "present": _PRESENT,
    "modal": _MODAL_WORDS,
    "view verb": _VIEW_VERBS,
    "hedge": _HEDGE_WORDS,
    "first person": _FIRST_PERSON,
    "second person": _SECOND_PERSON,
    "document": _DOCUMENTS,
}
_KINDS_OF_WORD: dict[str, frozenset[str]] = {}
for _kind, _words in _WORD_LISTS.items():
    for _word in _words:
        _KINDS_OF_WORD[_word] = _KINDS_OF_WORD.get(_word, frozenset()) | {_kind}


def _word_kinds(vocabulary: frozenset[str]) -> set[str]:
    kinds: set[str] = set()
    for word in vocabulary:
        found = _KINDS_OF_WORD.get(word)
        if found is not None:
            kinds |= found
    return kinds


def features(
    text: str,
    *,
    headline: bool = False,
    subhead: bool = False,
    quoted: float = 0.0,
    lede: bool = False,
    place: float = 0.5,
) -> dict[str, float]:
    """The cues of ``text`` that the score weighs, each 0..1 (place -0.5..0.5).

    ``headline`` marks the article's headline, ``subhead`` any other line
    without final punctuation (subheads, labels), ``lede`` the first sentence of
    the body, ``quoted`` the share of the sentence that is quoted speech (a
    quotation may run over several sentences, so the caller works that out),
    ``place`` how far into the story its paragraph stands (0 the first, 1 past
    the last; 0.5 when not known).
    """
    words = _WORD.findall(text.lower())
    vocabulary = frozenset(words)
    joined = f" {' '.join(words)} "
    phrases = _phrase_cues(vocabulary, joined)
    kinds = _word_kinds(vocabulary)
    figure_number, date_number, numbers = _numbers(text)
    past = "past" in kinds or _has_past_participle(words)

    strong_figures = (
        figure_number  # in digits, money and percentages included
        or "number" in kinds
        or "figures" in phrases
    )
    weak_figures = not strong_figures and "small number" in kinds
    first = words[0] if words else ""
    found = {
        "figures": strong_figures,
        "small count": weak_figures,
        "dates": _has_date(text, vocabulary, joined, date_number),
        "attribution": (
            "say" in kinds
            or "attribution" in phrases
            or (
                "evidence noun" in kinds
                and "evidence verb" in kinds
                and any(
                    noun in _EVIDENCE_NOUNS and verb in _EVIDENCE_VERBS
                    for noun, verb in zip(words, words[1:], strict=False)
                )
            )
        ),
        "quotation": _has_quotation(text),
        "comparison": (
            "comparison" in kinds
            # "deadliest", "earliest", but not "priest"
            or ("iest " in joined and bool(_IEST.search(joined)))
            or (
                ("high" in vocabulary or "low" in vocabulary)
                and bool(_HIGH_OR_LOW.search(text))
            )
        ),
        "causal": (
            "causal" in kinds
            or "causal" in phrases
            or ("driven" in vocabulary and bool(_DRIVEN_BY.search(joined)))
        ),
        "event": "event" in kinds,
        "past tense": past,
        "named entity": _has_named_entity(text),
        "headline": headline,
        "subhead": subhead,
        "lede": lede,
        "opinion": (
            "opinion" in kinds
            or "opinion" in phrases
            or (
                ("i" in vocabulary or "we" in vocabulary)
                and bool(_FIRST_PERSON_VIEW.search(joined))
            )
        ),
        "evaluative": "evaluative" in kinds,
        "present tense": not past and "present" in kinds,
        "modal": "modal" in kinds or ("may" in vocabulary and " may " in text),
        "future": _has_future(words, vocabulary, kinds, text),
        "aim": "aim" in phrases,
        "caption": "caption" in phrases
        or ("(" in text and bool(_PLACE_IN_PICTURE.search(text))),
        "view verb": "view verb" in kinds,
        "hedge": "hedge" in kinds or "prediction" in phrases,
        "first person": "first person" in kinds
        or ("us" in vocabulary and bool(_US.search(text))),
        "second person": "second person" in kinds,
        "imperative": first in _IMPERATIVES and text.lstrip("“\"‘'«([")[:1].isupper(),
        "acknowledgement": "acknowledgement" in phrases,
        "question": text.rstrip("\"'”’») ").endswith("?"),
        "short": len(words) <= 4,
        "long": len(words) >= 30,
        "all caps": bool(_ALL_CAPS.match(text)),
        "lead-in": text.endswith(":"),
    }
    result = {name: 1.0 for name, value in found.items() if value}
    # From -0.5 at the top of the story to 0.5 at its end; 0 when not known.
    if place != 0.5:
        result["place in the article"] = place - 0.5
    # How specific: names and numbers past the first word, up to three.
    specifics = numbers + len(_NAME_START.findall(text, 1))
    if specifics:
        result["specifics"] = min(specifics, 6) / 6
    # Without a figure or a date, a quotation or a judgement is mostly opinion.
    unmeasured = not (strong_figures or weak_figures or found["dates"])
    if quoted:
        result["quoted speech"] = quoted
        if unmeasured:
            result["quoted, no figure or date"] = quoted
        if found["first person"]:
            result["quoted, first person"] = quoted
    if quoted and quoted < 0.5 and _SHORT_QUOTE.search(text):
        result["short quote"] = 1.0
        if unmeasured:
            result["short quote, no figure or date"] = 1.0
    if found["evaluative"] and unmeasured:
        result["judgement, no figure or date"] = 1.0
    if found["future"] and (strong_figures or found["comparison"]):
        result["forecast of a figure or comparison"] = 1.0
    if found["modal"] and found["evaluative"]:
        result["possible judgement"] = 1.0
    if found["attribution"] and not quoted:
        result["reported speech"] = 1.0
    if found["attribution"] and "document" in kinds:
        result["document as source"] = 1.0
    if headline and (first in _AIM_OPENERS or found["question"]):
        result["headline of an aim"] = 1.0
    return result


def score_sentence(
    text: str,
    *,
    headline: bool = False,
    subhead: bool = False,
    quoted: float = 0.0,
    lede: bool = False,
    place: float = 0.5,
) -> tuple[float, tuple[str, ...]]:
    """Check-worthiness in [0, 1] and the named reasons behind it.

    A logistic model over the cues of ``features``, with the weights that
    ``scripts/fit_extraction.py`` fitted (see ``weights``).
    """
    cues = features(
        text, headline=headline, subhead=subhead, quoted=quoted, lede=lede, place=place
    )
    z = BIAS
    for name, value in cues.items():
        z += WEIGHTS.get(name, 0.0) * value
    score = 1.0 / (1.0 + math.exp(-max(min(z, 30.0), -30.0)))
    if "small count" in cues:
        cues["figures"] = 0.0  # shown as a figure, weighed as a small count
    reasons = tuple(name for name in REASONS if name in cues)
    return round(score, 3), reasons
