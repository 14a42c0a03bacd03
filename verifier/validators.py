"""Checks on text that people type or upload, shared by the forms and the importer."""

import re

from django.core.exceptions import ValidationError

# Embeddings, overrides and isolates: invisible characters that make text display in
# another order than it is stored ("Trojan Source"). A quote or verdict shown to an
# editor must read as it is stored, so they are refused. Marks (U+200E, U+200F) and
# right-to-left scripts themselves are fine.
BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")


def bidi_control_problem(text: str) -> str | None:
    """A message naming the first bidirectional control in ``text``, or None."""
    match = BIDI_CONTROLS.search(text or "")
    if match is None:
        return None
    return (
        f"Remove the invisible text-direction character U+{ord(match.group()):04X}: "
        "it makes text display in another order than it is stored."
    )


def no_bidi_controls(value: str) -> None:
    problem = bidi_control_problem(value)
    if problem:
        raise ValidationError(problem, code="bidi")
