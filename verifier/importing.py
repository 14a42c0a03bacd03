"""Turning what a user brings (pasted text or a file) into an article and its claims.

Every problem raises ImportProblem with a message for the person importing, and
nothing is stored until the text is sound. The import page and the import_article
command both come through here.
"""

from bs4 import BeautifulSoup, CData, NavigableString, Tag
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
        text = html_to_text(text)
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

    Returns the article and its claims as extraction ranked them (best first).
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


# --------------------------------------------------------------------------
# HTML
# --------------------------------------------------------------------------

_DROPPED_EVERYWHERE = frozenset("script style noscript template svg iframe".split())
_DROPPED_IN_BODY = frozenset(
    "nav header footer aside form figure figcaption img button select"
    " textarea input label dialog menu object video audio canvas picture"
    " source".split()
)
_LANDMARK_ROLES = frozenset(
    "navigation banner contentinfo complementary search".split()
)
_BLOCKS = frozenset(
    "p div section article main h1 h2 h3 h4 h5 h6 li ul ol dl dt dd"
    " blockquote pre table tr td th caption address hr details summary".split()
)
# Private-use characters mark block and line breaks while whitespace is folded.
_BLOCK_MARK = "\ue000"
_LINE_MARK = "\ue001"


def _is_furniture(tag: Tag) -> bool:
    """Navigation, page furniture, forms, figures and hidden parts of a page.

    Cloudflare's email protection is furniture too: the page holds the address
    encoded, and its text is the placeholder "[email protected]", never the words
    of the article.
    """
    return (
        tag.name in _DROPPED_IN_BODY
        or tag.get("role") in _LANDMARK_ROLES
        or tag.get("aria-hidden") == "true"
        or tag.has_attr("hidden")
        or tag.has_attr("data-cfemail")
    )


def _text(
    root: Tag, *, skip: Tag | None = None, body: bool = False, separator: str = ""
) -> str:
    """The text under ``root`` without scripts and styles, in one pass.

    With ``body``, page furniture is left out too, ``<br>`` marks a line break and
    every block is wrapped in block marks. ``skip`` is left out with its content.
    The walk never changes the tree: removing or inserting nodes one by one costs
    a scan of the siblings each time, quadratic on pages of many paragraphs.
    """
    parts: list[str] = []
    # The stack holds nodes still to visit and block marks still to write.
    stack: list[Tag | NavigableString | str] = list(reversed(root.contents))
    while stack:
        node = stack.pop()
        if isinstance(node, str) and not isinstance(node, NavigableString):
            parts.append(node)  # a block mark pushed below
        elif isinstance(node, Tag):
            if node is skip or node.name in _DROPPED_EVERYWHERE:
                continue
            if body:
                if _is_furniture(node):
                    continue
                if node.name == "br":
                    parts.append(_LINE_MARK)
                    continue
                if node.name in _BLOCKS:
                    parts.append(_BLOCK_MARK)
                    stack.append(_BLOCK_MARK)
            stack.extend(reversed(node.contents))
        elif type(node) in (NavigableString, CData):  # not comments or doctypes
            parts.append(node)
    return separator.join(parts)


def html_to_text(html: str) -> str:
    """The readable article text of an HTML page.

    The ``<h1>`` comes first, then the article's blocks (from ``<article>``,
    else ``<main>``, else ``<body>``) separated by blank lines, without
    navigation, page furniture, scripts, forms, figures and their captions.
    Returns "" when there is no body text. Takes time linear in the page's size.
    """
    html = html.replace(_BLOCK_MARK, "").replace(_LINE_MARK, "")
    soup = BeautifulSoup(html, "html.parser")

    articles = soup.find_all("article")
    root = (
        max(articles, key=lambda tag: len(_text(tag)))
        if articles
        else soup.find("main") or soup.find("body") or soup
    )
    heading = root.find("h1") or soup.find("h1")
    headline = " ".join(_text(heading, separator=" ").split()) if heading else ""

    text = " ".join(_text(root, skip=heading, body=True).split())
    blocks = []
    for block in text.split(_BLOCK_MARK):
        lines = [line.strip() for line in block.split(_LINE_MARK)]
        block = "\n".join(line for line in lines if line)
        if block:
            blocks.append(block)
    if not blocks:
        return ""
    if headline:
        blocks.insert(0, headline)
    return extraction.normalise("\n\n".join(blocks))
