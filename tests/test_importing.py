"""Bringing an article in: the import page, the import_article command, bad input."""

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from verifier import importing
from verifier.models import Article, Claim, Event

pytestmark = pytest.mark.django_db

SEED = Path(__file__).resolve().parent.parent / "fixtures" / "seed" / "article.txt"
TEXT = (
    "Unemployment fell to 3.9% in March, the statistics office said on Friday.\n\n"
    "The minister called it “the best result in a decade”.\n\n"
    "Have questions or tips? Send them to news@example.org"
)


def counts():
    return (Article.objects.count(), Claim.objects.count(), Event.objects.count())


def post_import(client, **fields):
    return client.post(reverse("article-new"), {"title": "", "text": "", **fields})


def test_pasted_article_is_imported_with_claims_highlighted(client, checker):
    client.force_login(checker)
    response = post_import(client, text=TEXT, title="Jobs report")
    article = Article.objects.get()
    assert response.status_code == 302
    assert response["Location"] == article.get_absolute_url()
    claims = list(article.claims.all())
    assert any("3.9%" in c.text for c in claims)
    assert not any("news@example.org" in c.text for c in claims)
    page = client.get(article.get_absolute_url()).content.decode()
    assert page.count('class="claim-mark') == len(claims)


def test_uploaded_html_keeps_the_body_and_drops_markup(client, checker):
    html = (
        "<html><body><nav>Home | World</nav><article><h1>Jobs report</h1>"
        "<p>Unemployment fell to 3.9% in March, the office said.</p>"
        "<script>alert(1)</script></article></body></html>"
    )
    client.force_login(checker)
    post_import(client, file=SimpleUploadedFile("jobs.html", html.encode()))
    article = Article.objects.get()
    assert "Unemployment fell to 3.9%" in article.body
    assert "alert" not in article.body and "Home | World" not in article.body
    assert "<" not in article.body


@pytest.mark.parametrize(
    "fields,message",
    [
        ({"text": "   \n  "}, "The article is empty"),
        ({"file": ("a.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00")}, "not text"),
        ({"file": ("a.txt", "café".encode("latin-1"))}, "not valid UTF-8"),
        ({"file": ("a.pdf", b"%PDF-1.4")}, "not a .txt, .md or .html file"),
        (
            {"file": ("a.html", b"<html><body><script>x()</script></body></html>")},
            "no article text",
        ),
        ({"text": "x" * (2 * 1024 * 1024 + 1)}, "larger than 2 MB"),
        ({"text": TEXT, "url": "javascript:alert(1)"}, "Enter a valid URL"),
    ],
)
def test_bad_input_gets_a_clear_message_and_saves_nothing(
    client, checker, fields, message
):
    if "file" in fields:
        name, raw = fields["file"]
        fields = {"file": SimpleUploadedFile(name, raw)}
    client.force_login(checker)
    before = counts()
    response = post_import(client, **fields)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert counts() == before


def test_duplicate_import_offers_the_existing_article(client, checker):
    client.force_login(checker)
    post_import(client, text=TEXT)
    existing = Article.objects.get()
    before = counts()
    response = post_import(client, text=TEXT)
    page = response.content.decode()
    assert "already imported" in page
    assert f'href="{existing.get_absolute_url()}"' in page
    assert counts() == before


def test_user_without_role_cannot_import(client, nobody):
    client.force_login(nobody)
    assert post_import(client, text=TEXT).status_code == 403
    assert Article.objects.count() == 0


# --- the command ---


def test_command_prints_json_lines_whose_offsets_match_the_body(tmp_path, admin_user):
    (tmp_path / "one.txt").write_text(TEXT, encoding="utf-8")
    (tmp_path / "two.md").write_text(SEED.read_text(encoding="utf-8"), encoding="utf-8")
    out = StringIO()
    call_command("import_article", str(tmp_path), "--json", stdout=out)
    lines = out.getvalue().strip().splitlines()
    assert len(lines) == 2
    for line in lines:
        document = json.loads(line)
        body = Article.objects.get(pk=document["article"]).body
        assert document["claims"]
        for claim in document["claims"]:
            assert set(claim) == {
                "text",
                "start",
                "end",
                "score",
                "reasons",
                "claimant",
            }
            assert claim["text"] == body[claim["start"] : claim["end"]]


def test_command_prints_id_and_claim_count(tmp_path, admin_user):
    path = tmp_path / "one.txt"
    path.write_text(TEXT, encoding="utf-8")
    out = StringIO()
    call_command(
        "import_article", str(path), "--title", "Jobs", "--outlet", "Daily", stdout=out
    )
    article = Article.objects.get()
    assert (article.title, article.outlet) == ("Jobs", "Daily")
    assert f"article {article.pk}, {article.claims.count()} claims" in out.getvalue()


def test_command_refuses_bad_files_and_imports_the_good_ones(tmp_path, admin_user):
    (tmp_path / "good.txt").write_text(TEXT, encoding="utf-8")
    (tmp_path / "bad.txt").write_bytes(b"\xff\xfe\x00bad")
    err = StringIO()
    with pytest.raises(CommandError, match="1 of 2"):
        call_command("import_article", str(tmp_path), stdout=StringIO(), stderr=err)
    assert "bad.txt" in err.getvalue()
    assert Article.objects.count() == 1


def test_command_refuses_a_missing_path(admin_user):
    with pytest.raises(CommandError, match="no such file"):
        call_command("import_article", "/nonexistent/article.txt")


def test_command_refuses_a_non_http_url(tmp_path, admin_user):
    path = tmp_path / "one.txt"
    path.write_text(TEXT, encoding="utf-8")
    with pytest.raises(CommandError):
        call_command(
            "import_article",
            str(path),
            "--url",
            "ftp://example.org/a",
            stderr=StringIO(),
        )
    assert Article.objects.count() == 0


# --- html_to_text -----------------------------------------------------------------

PAGE = """<!doctype html><html><head><title>T</title><style>p{}</style>
<script>var tracker = 1;</script></head><body>
<nav><a href="/">Home</a> <a href="/news">News</a></nav>
<header><p>Site name</p></header>
<main><article>
<header><h1>Water  bills rose 8%</h1></header>
<figure><img src="a.jpg" alt="A dripping tap">
<figcaption>A tap. Photo: Jo/AP</figcaption></figure>
<p>Bills rose 8% in 2024,
the utility said.</p>
<p>Rates had not risen&nbsp;since 2019.<br>Nobody objected.</p>
<script>loadComments("tracker");</script><noscript>Enable JavaScript</noscript>
<div class="gallery"><figcaption>Meters. Photo: Jo/AP</figcaption></div>
<aside>Related stories</aside>
<form><label>Email</label><input name="e"></form>
</article></main>
<div class="sidebar"><p>Most read today</p></div>
<footer>© 2024 Example</footer>
</body></html>"""


def test_html_to_text_keeps_the_headline_first_and_paragraphs_apart():
    assert importing.html_to_text(PAGE) == (
        "Water bills rose 8%\n\n"
        "Bills rose 8% in 2024, the utility said.\n\n"
        "Rates had not risen since 2019.\nNobody objected."
    )


def test_html_to_text_drops_navigation_scripts_figures_and_furniture():
    text = importing.html_to_text(PAGE)

    for dropped in [
        "Home",
        "tracker",
        "p{}",
        "JavaScript",
        "dripping",
        "Photo: Jo",
        "Meters",
        "Related",
        "Email",
        "Most read",
        "©",
        "Site name",
    ]:
        assert dropped not in text


def test_html_to_text_uses_the_body_when_there_is_no_article():
    html = (
        "<html><body><h1>Dam fails</h1><nav>Menu</nav>"
        "<p>It failed in 1976.</p></body></html>"
    )

    assert importing.html_to_text(html) == "Dam fails\n\nIt failed in 1976."


@pytest.mark.parametrize(
    "html",
    [
        "",
        "<html><body></body></html>",
        "<html><body><nav>Home</nav><script>x()</script><footer>©</footer></body></html>",
        "<html><body><h1>Only a headline</h1></body></html>",
    ],
)
def test_html_to_text_returns_empty_text_without_body_text(html):
    assert importing.html_to_text(html) == ""


def test_html_to_text_keeps_every_block_of_a_long_page_in_order():
    paragraphs = [f"Paragraph {n} says {n * 7} things." for n in range(20_000)]
    html = (
        "<html><body><article><h1>Many blocks</h1>"
        + "".join(
            f"<p>{p}</p><script>x({n})</script>" for n, p in enumerate(paragraphs)
        )
        + "</article></body></html>"
    )

    assert importing.html_to_text(html) == "\n\n".join(["Many blocks"] + paragraphs)
