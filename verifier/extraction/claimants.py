"""Stage 4: who makes the claim in a sentence, and one name for each per article."""

from __future__ import annotations

import re

from verifier.extraction.splitting import INITIALISM
from verifier.extraction.words import (
    ABBREVIATIONS,
    AGENT_VERBS,
    PRONOUNS,
    SAY_VERBS,
    TITLES,
)

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


# Words that end a description of someone's role: "the party's health spokesman".
_ROLES = TITLES | frozenset("leader researcher correspondent member".split())
_NOUNS_IN_LY = frozenset("family ally assembly supply rally monopoly anomaly".split())
_WHERE = re.compile(r"\s+(?:at|of|from|with|for|in)\s+")


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
    if lowered[0] in _ROLES and len(words) > 3:
        # "analyst Jane Doe at Example Bank": the person, not where they work
        phrase = _WHERE.split(phrase, 1)[0]
        return phrase if len(phrase.split()) >= 2 else ""
    if not (words[0][:1].isupper() or lowered[0] in _DETERMINERS or len(words) <= 3):
        return ""
    # "The two newly (discovered planets)": an adverb, not who speaks
    if (
        len(words) >= 3
        and words[-1].endswith("ly")
        and words[-1] not in _NOUNS_IN_LY
        and len(words[-1]) > 4
    ):
        return ""
    return phrase


def _subject_before(prefix: str) -> str:
    """Who speaks, from the text just before an attribution verb."""
    chunks = [chunk.strip() for chunk in _CHUNK_BREAK.split(prefix)]
    if chunks[-1]:
        # "Jane Doe, Example Party health spokesman said": the name, not the role
        role = chunks[-1].rsplit(" ", 1)[-1].lower().rstrip(".")
        if role in _ROLES and len(chunks) >= 2 and chunks[-2]:
            name = _clean_noun_phrase(chunks[-2])
            if name and all(word[:1].isupper() for word in name.split()):
                return name
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
    cleaned = _clean_noun_phrase(phrase)
    # Only a cut that keeps the start: "analyst Jane Doe (at Example Bank)".
    return cleaned if cleaned and phrase.startswith(cleaned) else ""


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
    if _CLAIM_VERBS.isdisjoint(_LOWER_WORD.findall(text)):
        return _according_to(text)
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
# One name per claimant across an article
# --------------------------------------------------------------------------

# "He said", "she added", "they explained that": who speaks is named earlier.
_PRONOUN_SUBJECT = re.compile(
    r"(?:^|[,;:“”\"]\s*|\b(?:and|but|so)\s+)(he|she|they|it)\s+(?:also\s+|later\s+"
    r"|then\s+|previously\s+|further\s+|have\s+|has\s+|had\s+)?([a-z]+)\b",
    re.IGNORECASE,
)
_INVERTED_PRONOUN = re.compile(r"[,”\"]\s*([a-z]+)\s+(he|she|they)\b[\s.,]")
_GROUP_ENDINGS = ("s", "team", "group", "panel")
# A name, then what it is: "Example Bank, the country's largest lender,".
_DESCRIBED = re.compile(
    r"([A-Z][\w&'’.-]*(?: [A-Z][\w&'’.-]*){0,4}), (?:the|a|an) "
    r"((?:[\w'’-]+ ){0,4}?)([a-z]+)[,.]"
)
# Words that show the description is of something else: "a spokesman for the
# council", "a unit of the group".
_DESCRIPTION_BREAKS = frozenset(
    "for of at in on with to from by and or who which that".split()
)


def _pronoun(text: str) -> str:
    """The pronoun that asserts ``text`` ("he", "she", "they", "it"), or ""."""
    for match in _PRONOUN_SUBJECT.finditer(text):
        if match.group(2).lower() in _CLAIM_VERBS:
            return match.group(1).lower()
    match = _INVERTED_PRONOUN.search(text)
    if match and match.group(1) in _CLAIM_VERBS:
        return match.group(2)
    return ""


def _person(claimant: str) -> tuple[str, str]:
    """A person's name and title, from "Welsh Health Minister Jane Hutt":
    ("Jane Hutt", "welsh health minister"); ("", "") when it is no person's."""
    words = claimant.split()
    if not words or not words[-1][:1].isupper() or words[0].lower() in ("the", "a"):
        return "", ""
    name: list[str] = []
    for word in reversed(words):
        if not word[:1].isupper() or word.rstrip(".,").lower() in TITLES:
            break
        name.insert(0, word)
    title = " ".join(words[: len(words) - len(name)]).lower()
    if len(name) < 2 and not title:
        return "", ""
    return " ".join(name), title


def _is_group(claimant: str) -> bool:
    last = claimant.rsplit(" ", 1)[-1]
    return (
        " and " in claimant
        or last.endswith(_GROUP_ENDINGS)
        and last[:1].islower()
        and not last.endswith("ss")
    )


def resolve(texts: list[str], quoted: list[float], paragraphs: list[int]) -> list[str]:
    """The claimant of each sentence of an article, one name per source.

    A pronoun ("she said") names whoever of that kind spoke last; a quotation
    with no attribution of its own belongs to whoever the quotation is
    attributed to further on in its paragraph, else to the last speaker. People
    go by their name without title ("Jane Hutt" for "Health Minister Jane Hutt",
    "Ms Hutt" and "Hutt"), and a role ("the health minister") by the name of
    whoever holds it. "" is the outlet's own voice.
    """
    found = [detect_claimant(text) for text in texts]
    people: dict[str, str] = {}  # surname -> name
    roles: dict[str, str] = {}  # title -> name
    for claimant in found:
        name, title = _person(claimant)
        if " " in name:
            people.setdefault(name.rsplit(" ", 1)[-1], name)
            if title:
                roles.setdefault(title.removeprefix("the "), name)

    # "Barclays, the UK's third-biggest bank, ...": later "the bank" is Barclays.
    for text in texts:
        if ", " not in text:
            continue
        for match in _DESCRIBED.finditer(text):
            between = match.group(2).split()
            if _DESCRIPTION_BREAKS.isdisjoint(between):
                roles.setdefault(match.group(3), match.group(1))

    def canonical(claimant: str) -> str:
        words = claimant.split()
        if words[-1] in people and all(
            word.rstrip(".").lower() in TITLES for word in words[:-1]
        ):
            return people[words[-1]]  # "Ms Hutt", "Hutt"
        name, title = _person(claimant)
        if name:
            return people.get(name.rsplit(" ", 1)[-1], name)
        lower = claimant.lower()
        for article in ("the ", "a "):
            if lower.startswith(article) and lower[len(article) :] in roles:
                return roles[lower[len(article) :]]
        return claimant

    resolved: list[str] = []
    last = {"person": "", "group": "", "thing": "", "any": ""}
    for index, text in enumerate(texts):
        claimant = canonical(found[index]) if found[index] else ""
        if not claimant:
            pronoun = _pronoun(text)
            if pronoun in ("he", "she"):
                claimant = last["person"] or last["any"]
            elif pronoun == "they":
                claimant = last["group"]
            elif pronoun == "it":
                claimant = last["thing"]
        if claimant:
            if claimant in people.values():
                last["person"] = claimant
            elif _is_group(claimant):
                last["group"] = claimant
            else:
                last["thing"] = claimant
            last["any"] = claimant
        resolved.append(claimant)

    # Quotations: "“We cut waits. Now we act,” she said." names her for both.
    for index in range(len(texts) - 1, -1, -1):
        if resolved[index] or quoted[index] < 0.5:
            continue
        after = index + 1
        if (
            after < len(texts)
            and paragraphs[after] == paragraphs[index]
            and quoted[after] > 0
            and resolved[after]
        ):
            resolved[index] = resolved[after]
    for index in range(len(texts)):
        if resolved[index] or quoted[index] < 0.5:
            continue
        speakers = [resolved[j] for j in range(max(0, index - 3), index) if resolved[j]]
        if speakers:
            resolved[index] = speakers[-1]
    return resolved
