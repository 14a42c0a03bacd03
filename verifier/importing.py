"""Turning what a user brings (pasted text or a file) into an article and its claims.

Every problem raises ImportProblem with a message for the person importing, and
nothing is stored until the text is sound. The import page and the import_article
command both come through here.
"""

from django.conf import settings

from verifier import extraction, validators, workflow
from verifier.models import Article

ALLOWED_EXTENSIONS = (".txt", ".md", ".markdown", ".html", ".htm")


class ImportProblem(Exception):
    def __init__(self, message: str, code: str = "invalid"):
        super().__init__(message)
        self.message = message
        self.code = code


def _limit() -> int:
    return settings.VERIFIER_MAX_ARTICLE_BYTES


def read_upload(name: str, raw: bytes, size: int | None = None) -> str:
    """The normalised text of an uploaded file, or ImportProblem."""
    lower = (name or "").lower()
    if not lower.endswith(ALLOWED_EXTENSIONS):
        raise ImportProblem(
            f"“{name}” is not a .txt, .md or .html file.", code="extension"
        )
    if (size if size is not None else len(raw)) > _limit():
        raise ImportProblem(
            f"The file is larger than {_limit() // (1024 * 1024)} MB.", code="too_big"
        )
    if b"\x00" in raw:
        raise ImportProblem("The file is not text (it looks binary).", code="binary")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportProblem(
            f"The file is not valid UTF-8 (byte {error.start}). "
            "Save it as UTF-8 and try again.",
            code="encoding",
        ) from None
    if lower.endswith((".html", ".htm")):
        text = extraction.html_to_text(text)
        if not text.strip():
            raise ImportProblem(
                "The HTML file has no article text in its body.", code="empty_html"
            )
    return clean_text(text)


def clean_text(text: str) -> str:
    """Normalised article text, refusing empty or oversized input.

    The body is what was received, not what a person typed, so control characters
    are not refused as they are in every typed field: form feeds and vertical tabs
    become line breaks, and the rest (C0, DEL, C1: invisible, and fatal to XML
    exports) are dropped. Bidirectional overrides are refused, because dropping them
    would silently change the order in which a reader sees the text.
    """
    if len(text.encode("utf-8")) > _limit():
        raise ImportProblem(
            f"The text is larger than {_limit() // (1024 * 1024)} MB.", code="too_big"
        )
    if "\x00" in text:
        raise ImportProblem(
            "The text contains NUL characters: it is not plain text.", code="binary"
        )
    problem = validators.bidi_control_problem(text)
    if problem:
        raise ImportProblem(problem, code="bidi")
    body = validators.CONTROL_CHARACTERS.sub("", extraction.normalise(text))
    if not body.strip():
        raise ImportProblem(
            "The article is empty: paste its text or upload a file.", code="empty"
        )
    return body


def guess_title(body: str) -> str:
    for line in body.splitlines():
        line = line.strip()
        if len(line) > 12:
            return line[:300]
    return body.strip()[:300] or "Untitled article"


def find_duplicate(body: str) -> Article | None:
    return Article.objects.filter(body_sha256=workflow.body_digest(body)).first()


def import_body(*, user, body: str, title: str = "", **meta) -> tuple[Article, list]:
    """Store the article with the claims extraction finds in it.

    Returns the article and its claims as extraction ranked them (figures first).
    """
    duplicate = find_duplicate(body)
    if duplicate is not None:
        raise ImportProblem(
            f"This text was already imported as article #{duplicate.pk} "
            f"(“{duplicate.title}”).",
            code="duplicate",
        )
    claims, others = extraction.candidates(body)
    article = workflow.create_article(
        user=user,
        spans=workflow.spans_from(claims),
        others=workflow.spans_from(others),
        body=body,
        title=(title or guess_title(body))[:300],
        **meta,
    )
    return article, claims


def import_new_version(*, user, article, body: str) -> "workflow.NewVersion":
    """A corrected text of ``article``: its claims found again, new ones extracted."""
    claims, others = extraction.candidates(body)
    return workflow.new_version(
        article,
        user=user,
        body=body,
        spans=workflow.spans_from(claims),
        others=workflow.spans_from(others),
    )
