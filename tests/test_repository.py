"""The checkout itself: what a half-finished merge or edit leaves behind.

A conflict marker once shipped in app.css; browsers drop the rule after it, and the
"Add claim" button landed off-screen for every user.
"""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SKIP = {".venv", ".git", "staticfiles", "__pycache__", ".pytest_cache", ".ruff_cache"}
TEXT = {".py", ".html", ".css", ".js", ".md", ".txt", ".json", ".toml", ".sh", ".cfg"}
MARKER = re.compile(r"^(<{7}|={7}|>{7})( |$)", re.MULTILINE)


def project_files():
    for path in ROOT.rglob("*"):
        if SKIP.intersection(path.relative_to(ROOT).parts):
            continue
        if path.is_file() and (path.suffix in TEXT or path.name in ("Makefile", "run")):
            yield path


def test_no_file_holds_a_merge_conflict_marker():
    found = [
        f"{path.relative_to(ROOT)}:{text.count(chr(10), 0, match.start()) + 1}"
        for path in project_files()
        for text in [path.read_text(encoding="utf-8", errors="replace")]
        for match in MARKER.finditer(text)
    ]
    assert found == []


def test_every_stylesheet_closes_its_comments_and_rules():
    for path in (ROOT / "verifier" / "static").rglob("*.css"):
        css = path.read_text(encoding="utf-8")
        assert css.count("/*") == css.count("*/"), path.name
        without_comments = re.sub(r"/\*.*?\*/", "", css, flags=re.DOTALL)
        assert without_comments.count("{") == without_comments.count("}"), path.name
