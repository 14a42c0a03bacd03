"""The word lists that more than one stage of extraction needs, each listed once."""

from __future__ import annotations

import pysbd
import pysbd.exclamation_words
import pysbd.languages


def _language_list(name: str) -> frozenset[str]:
    """One of pysbd's English word lists; empty if this pysbd has none."""
    try:
        language = pysbd.languages.Language.get_language_code("en")
        return frozenset(getattr(language.Abbreviation, name))
    except AttributeError:  # then pysbd decides every period itself
        return frozenset()


# pysbd's abbreviations ("dr", "sept", "inc"), without their period.
ABBREVIATIONS = _language_list("ABBREVIATIONS")
# Those that stand before a name: "Dr.", "Sen.", "Gov."
PREPOSITIVE = _language_list("PREPOSITIVE_ABBREVIATIONS")
EXCLAMATION_WORDS = frozenset(
    word.rstrip("!")
    for word in getattr(
        pysbd.exclamation_words.ExclamationWords, "EXCLAMATION_WORDS", []
    )
)

MONTH_NAMES = (
    "January February March April May June July August September October"
    " November December".split()
)
MONTH_ABBREVIATIONS = (
    "Jan. Feb. Mar. Apr. Jun. Jul. Aug. Sep. Sept. Oct. Nov. Dec.".split()
)
WEEKDAYS = frozenset("Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split())

# Verbs by which a source asserts something: "she said", "the study found".
SAY_VERBS = frozenset(
    "said says say told tells wrote writes noted added adds reported stated"
    " announced announces found finds estimated estimates claimed argued argues"
    " warned warns warn concluded concludes testified confirmed confirms"
    " acknowledged admitted revealed insisted explained disputed asserted alleged"
    " declared tweeted".split()
)
# Verbs whose subject may also be whoever makes the claim, though they are no
# sign of attribution by themselves: "the data show", "police blamed ...".
AGENT_VERBS = frozenset(
    "claims credited attributed blamed show shows showed shown suggested suggests"
    " predicted projected indicated indicates identified discovered demonstrated"
    " observed detected determined".split()
)

PRONOUNS = frozenset(
    "he she they it we i you who which that this there those these".split()
)
PERSONAL_PRONOUNS = frozenset("he she they".split())

# Words of a title or role: before a name ("Health Minister Jane Roe", "Dr. Ana
# Ruiz") or ending a description of someone ("the party's health spokesman").
TITLES = frozenset(
    "mr mrs ms miss mx dr prof professor sir dame lord lady rev reverend sen senator"
    " rep representative gov governor president minister secretary chancellor"
    " mayor judge justice attorney general chief director officer executive"
    " chairman chairwoman chair commissioner superintendent sheriff"
    " detective sergeant captain lieutenant colonel councillor councilman"
    " councilwoman supervisor spokesman spokeswoman spokesperson economist analyst"
    " associate assistant deputy vice head manager founder editor author"
    " ceo cfo coo md mph phd".split()
)
