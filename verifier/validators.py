"""Checks on text that people type or upload, declared on the models and shared by the
forms, the workflow and the importer."""

import re

from django.core.exceptions import ValidationError

# Embeddings, overrides and isolates: invisible characters that make text display in
# another order than it is stored ("Trojan Source"). A quote or verdict shown to an
# editor must read as it is stored, so they are refused. Marks (U+200E, U+200F) and
# right-to-left scripts themselves are fine.
BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")

# C0 controls but tab, newline and carriage return (a textarea sends CRLF), DEL and
# the C1 controls: nobody types them on purpose, they are invisible on the page, and
# they break what reads the text later (XML in XLSX exports, terminals, CSV tools).
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def bidi_control_problem(text: str) -> str | None:
    """A message naming the first bidirectional control in ``text``, or None."""
    match = BIDI_CONTROLS.search(text or "")
    if match is None:
        return None
    return (
        f"Remove the invisible text-direction character U+{ord(match.group()):04X}: "
        "it makes text display in another order than it is stored."
    )


def control_character_problem(text: str) -> str | None:
    """A message naming the first control character in ``text``, or None."""
    match = CONTROL_CHARACTERS.search(text or "")
    if match is None:
        return None
    return (
        f"Remove the invisible control character U+{ord(match.group()):04X}: "
        "it cannot be shown or printed."
    )


def plain_text(value: str) -> None:
    """The validator of every text a person types: no controls, no bidi overrides.

    Declared on the model fields, so the admin's forms run it; our forms and the
    workflow run the same function, so a command cannot slip such text past it.
    """
    problem = control_character_problem(value) or bidi_control_problem(value)
    if problem:
        raise ValidationError(problem, code="control_character")
