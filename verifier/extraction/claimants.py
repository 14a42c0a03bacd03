"""Stage 4: who makes the claim in a sentence, and one name for each per article."""

from __future__ import annotations

import re

from verifier.extraction.splitting import INITIALISM
from verifier.extraction.words import ABBREVIATIONS, AGENT_VERBS, PRONOUNS, SAY_VERBS

_CLAIM_VERBS = SAY_VERBS | AGENT_VERBS
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
        INITIALISM.fullmatch(last_word) or last_word[:-1].lower() in ABBREVIATIONS
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
    if lowered[0] in PRONOUNS or any(word in _CLAUSE_WORDS for word in lowered):
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
                word.lower() in ABBREVIATIONS or re.fullmatch(r"[A-Za-z]", word)
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
