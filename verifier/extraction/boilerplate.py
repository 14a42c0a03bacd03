"""Stage 2: page furniture that is no part of the story (widgets, bylines, captions,
tip lines, reference lists)."""

from __future__ import annotations

import re

from verifier.extraction.splitting import TERMINAL

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
    "related articles|more stories|more news|latest news|breaking news|"
    "en español|español|in english|en français|français|deutsch|"
    "translate|language|languages".split("|")
)
# Rules on how a boilerplate sentence starts (tried at its start only).
_BOILERPLATE_START = re.compile(
    "|".join(
        [
            # tip lines: "Have questions, concerns or tips?"
            r"(?:have|got|do you have)\b[^.!?]{0,60}\b(?:tips?|questions?|concerns?"
            r"|story|story ideas?|feedback|comments?)\b[^.!]*\?$",
            r"you(?:'re|’re| are) receiving this\b",
            # newsletters and widgets
            r"(?:sign up|subscribe|unsubscribe|manage preferences|register|follow"
            r"|download our|click here"
            r"|get our)\b",
            r"leave a (?:comment|reply)\b|\d+\s+comments?$",
            # calls to action: "Read our ...", "Join us on LinkedIn."
            r"(?:like|join|check out|read|visit|watch|listen to|connect with|find)"
            r"\b.{0,60}\b(?:our|us|facebook|twitter|linkedin|youtube|instagram"
            r"|tiktok)\b",
            r"for more information\b",
            # citations: "Doe, J.A., Roe, B. Title. Journal (2017), doi: ..."
            r"(?:[A-Z][\w'’-]+,\s(?:[A-Z]\.\s?){1,3},?\s){2,}",
        ]
    ),
    re.IGNORECASE,
)
_DOI = re.compile(r"\bdoi:\s*10\.")
# "The institute has more on floaters.": a pointer to elsewhere.
_HAS_MORE = re.compile(r"\bha(?:s|ve) more (?:information )?(?:on|about)\b")
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
_DIGIT = re.compile(r"\d")
_STAFF_TITLE = re.compile(
    r"\b(?:writer|reporter|correspondent|editor|staff|contributor|columnist)\b",
    re.IGNORECASE,
)


def _widget_key(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s'’-]", " ", text.lower()).split())


# An author's note: "Jane Roe, MD, MPH, is a resident at ...".
_AUTHOR_NOTE = re.compile(
    r"^[A-Z][\w.'’-]*(?: [A-Z][\w.'’-]*){1,3},(?: (?:MD|M\.D\.|PhD|Ph\.D\.|MPH"
    r"|DO|RN|NP|MBA|MSc|MS|MA|BSc|DrPH|JD|MSW|PharmD|DDS|FACP|FACS|FAAP|FRCP)\b,?)+"
    r" (?:is|was) (?:a|an|the)\b"
)
# An image credit: "NASA/JPL-Caltech", "Agency/Doe et al."
_CREDIT_WORDS = re.compile(r"[A-Z][\w.&'’-]*|et|al\.?|and|&")


def _is_credit_line(text: str) -> bool:
    words = text.replace("/", " ").split()
    return (
        "/" in text
        and len(words) <= 6
        and all(_CREDIT_WORDS.fullmatch(word) for word in words)
    )


def is_boilerplate_sentence(text: str) -> bool:
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
        or ("doi" in lower and _DOI.search(lower))
        or ("more" in lower and _HAS_MORE.search(lower))
        or (text.endswith(":") and _is_shouted(text))  # "(SOUNDBITE) JO DOE, SAYING:"
        or (", " in text and _AUTHOR_NOTE.match(text))
        or ("/" in text and _is_credit_line(text))
    )


def _is_shouted(text: str) -> bool:
    """Mostly capitals: a transcript's speaker label, a wire slug."""
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 8 and sum(c.isupper() for c in letters) >= 0.8 * len(letters)


def _is_menu(paragraph: str) -> bool:
    """Short items between separators, with no sentence among them."""
    if not any(separator in paragraph for separator in "|·•»"):
        return False
    items = _MENU_SEPARATOR.split(paragraph)
    return (
        len(items) >= 2
        and all(len(item.split()) <= 4 for item in items)
        and not TERMINAL.search(paragraph)
    )


def _is_boilerplate_paragraph(paragraph: str) -> bool:
    """Bylines, captions, credits, related links, source and reference lines."""
    paragraph = paragraph.strip()
    words = paragraph.split()
    if (
        len(words) == 1
        and not _DIGIT.search(paragraph)
        and not TERMINAL.search(paragraph)
    ):
        return True  # a lone navigation or widget word
    if len(words) <= 2 and paragraph.isupper() and not _DIGIT.search(paragraph):
        return True  # a section label over the headline: "LOCAL NEWS"
    if (
        len(words) <= 4
        and _STAFF_TITLE.search(paragraph)
        and not TERMINAL.search(paragraph)
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


# Headings of the sections that close a press release or a page: links,
# contacts, the organisation's own description ("About the Example Institute").
_FURNITURE_HEADING = re.compile(
    r"^(?:resources|reference|links|related links|more information"
    r"|for more information|media contacts?|press contacts?|contacts?"
    r"|notes to editors"
    r"|editor'?s notes?|disclaimer"
    r"|about (?:the )?[A-Z][\w&.'’-]*(?: [A-Z&][\w&.'’-]*)*)"
    r"\s*:?$",
    re.IGNORECASE,
)
# "About the Example Institute", not "About the study"
_ABOUT_NAME = re.compile(
    r"About (?:the )?[A-Z][\w&.'’-]*(?: (?:[A-Z&][\w&.'’-]*|of|and|for))*\s*:?$"
)
# The end of a press release: what follows is about the sender, not the news.
_END_MARK = re.compile(r"^(?:#{3,}|-\s*30\s*-|-\s*ends\s*-|ends)$", re.IGNORECASE)


def flag_paragraphs(paragraphs: list[str], titles: list[bool]) -> list[bool]:
    """Whether each paragraph is boilerplate.

    Besides furniture paragraphs, that is a reference list's entries, a furniture
    section (links, contacts, "About the Example Institute") up to the next
    heading, and everything after a press release's end mark ("###").
    """
    flags = []
    in_references = in_section = ended = False
    for paragraph, title in zip(paragraphs, titles, strict=True):
        stripped = paragraph.strip()
        ended = ended or bool(_END_MARK.match(stripped))
        if _REFERENCES_HEADING.match(stripped):
            in_references = True
        elif in_references and not _CITATION.search(paragraph):
            in_references = False
        if title:
            in_section = bool(_FURNITURE_HEADING.match(stripped)) and (
                not stripped.lower().startswith("about ")
                or bool(_ABOUT_NAME.match(stripped))
            )
        flags.append(
            ended or in_references or in_section or _is_boilerplate_paragraph(paragraph)
        )
    return flags
