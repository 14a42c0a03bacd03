"""Placeholder until the extraction module lands: no claims are proposed."""

from dataclasses import dataclass

THRESHOLD = 0.5


@dataclass(frozen=True)
class Sentence:
    text: str
    start: int
    end: int
    score: float
    reasons: tuple[str, ...]
    claimant: str
    boilerplate: bool


def normalise(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")


def analyse(body: str) -> list[Sentence]:
    return []


def extract(body: str, threshold: float = THRESHOLD) -> list[Sentence]:
    return []


def html_to_text(html: str) -> str:
    from bs4 import BeautifulSoup

    return BeautifulSoup(html, "html.parser").get_text("\n\n").strip()


def candidates(body: str, threshold: float = THRESHOLD):
    return [], []
