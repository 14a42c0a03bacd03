"""Newsroom scale: rows without article texts, bounded pages, search, long articles,
and the benchmark data."""

import io
import re

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import (
    current_version,
    make_approved,
    make_article,
    make_claim,
    make_in_progress,
)
from verifier import audit, previously, search, views, workflow
from verifier.models import Article, Claim, Event, PriorCandidates, Rating
from verifier.views import other_sentences

pytestmark = pytest.mark.django_db

# Full-text search is PostgreSQL's; SQLite's fallback matches every word as written.
# The tests below say what each does, so both run everywhere (CI runs both).
POSTGRESQL = connection.vendor == "postgresql"


def sentences(n, template="Statement {i:03} says prices rose 3.2% in March."):
    return "\n\n".join(template.format(i=i) for i in range(n))


def rows_on(page: str) -> int:
    return len(re.findall(r'<a href="/claims/\d+/">\d+</a>', page))


def sql_of(client, url) -> str:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
        if response.streaming:
            response.getvalue()
    assert response.status_code == 200
    return "\n".join(q["sql"] for q in captured.captured_queries)


# --- rows never carry the article text ---

BODY_COLUMN = '"verifier_article"."body"'


@pytest.fixture
def long_article(checker):
    body = sentences(40) + "\n\n" + "Filler text without figures. " * 2000
    return make_article(checker, body=body, title="A long report")


@pytest.mark.parametrize(
    "url", ["/", "/claims/", "/claims/?_export=csv", "/claims/?q=prices"]
)
def test_claim_lists_never_select_the_article_text(client, editor, long_article, url):
    client.force_login(editor)
    assert BODY_COLUMN not in sql_of(client, url)


def test_claim_page_reads_only_the_paragraph_around_its_claim(
    client, checker, long_article
):
    claim = long_article.claims.order_by("start")[3]
    client.force_login(checker)
    sql = sql_of(client, claim.get_absolute_url())
    assert BODY_COLUMN not in re.sub(
        r'SUBSTR(ING)?\("verifier_article"\."body"', "", sql
    )
    page = client.get(claim.get_absolute_url()).content.decode()
    assert claim.text in page


def test_claim_page_shows_the_whole_paragraph_around_the_claim(client, checker):
    body = (
        "Intro line.\n\nBefore words. Prices rose 3.2% in March. After words.\n\nEnd."
    )
    start = body.index("Prices")
    article = make_article(checker, body=body, spans=[workflow.Span(start, start + 26)])
    client.force_login(checker)
    response = client.get(article.claims.get().get_absolute_url())
    assert response.context["before"] == "Before words. "
    assert response.context["after"] == " After words."


@pytest.mark.parametrize(
    "url",
    ["/admin/verifier/claim/", "/admin/verifier/event/", "/admin/verifier/article/"],
)
def test_admin_changelists_never_select_the_article_text(
    client, admin_user, long_article, url
):
    client.force_login(admin_user)
    assert BODY_COLUMN not in sql_of(client, url)


def test_admin_claim_filter_lists_articles_by_title(
    client, admin_user, checker, long_article
):
    make_article(checker, title="Another article")
    client.force_login(admin_user)
    page = client.get("/admin/verifier/claim/").content.decode()
    assert f"article__id__exact={long_article.pk}" in page
    assert "A long report" in page


# --- pages of the claims list ---


@pytest.fixture
def sixty(checker):
    return make_article(checker, body=sentences(60))


@pytest.mark.parametrize(
    "per_page, shown",
    [("10", 10), ("25", 25), ("200", 60), ("100000", 50), ("-1", 50), ("0", 50)],
)
def test_per_page_is_bounded_and_bad_values_fall_back(
    client, checker, sixty, per_page, shown
):
    client.force_login(checker)
    response = client.get("/claims/", {"per_page": per_page})
    assert response.status_code == 200
    assert rows_on(response.content.decode()) == shown


def test_per_page_that_is_not_a_number_falls_back(client, checker, sixty):
    client.force_login(checker)
    response = client.get("/claims/", {"per_page": "all"})
    assert rows_on(response.content.decode()) == 50


def test_claims_list_is_newest_change_first_across_pages(client, checker, sixty):
    claims = list(sixty.claims.order_by("start"))
    make_in_progress(claims[30], checker)
    client.force_login(checker)
    first = client.get("/claims/", {"per_page": 10}).content.decode()
    listed = re.findall(r'<a href="/claims/(\d+)/">\d+</a>', first)
    assert listed[0] == str(claims[30].pk)
    assert len(listed) == 10
    seen = set()
    for page in range(1, 7):
        html = client.get("/claims/", {"per_page": 10, "page": page}).content.decode()
        seen |= set(re.findall(r'<a href="/claims/(\d+)/">\d+</a>', html))
    assert seen == {str(c.pk) for c in claims}


def test_deep_page_beyond_the_last_shows_the_last(client, checker, sixty):
    client.force_login(checker)
    response = client.get("/claims/", {"per_page": 25, "page": 99})
    assert rows_on(response.content.decode()) == 10


def test_list_counts_its_rows_once(client, checker, sixty):
    client.force_login(checker)
    sql = sql_of(client, "/claims/?state=open")
    # Counting the claims, that is; the header counts the user's unread notifications.
    assert sql.count('SELECT COUNT(*) AS "__count" FROM "verifier_claim"') == 1


@pytest.mark.parametrize(
    "query", ["", "?state=open", "?sort=text", "?sort=state", "?page=2"]
)
def test_claim_list_query_count_is_the_same_at_two_sizes(
    client, checker, editor, query
):
    client.force_login(editor)
    make_article(checker, body=sentences(60), title="First")

    def count():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"/claims/{query}").status_code == 200
        return len(captured)

    small = count()
    for n in range(3):
        article = make_article(checker, body=sentences(80), title=f"More {n}")
        for claim in article.claims.all()[:5]:
            make_in_progress(claim, checker)
    assert count() == small


# --- search ---


@pytest.fixture
def searchable(checker, other_checker):
    article = make_article(
        checker,
        body="Unemployment fell to 4.1% in May.\n\n"
        "The bridge cost 12 million pounds.\n\n"
        "Exports to Canada doubled since 2019.",
        title="Searchable",
    )
    unemployment, bridge, exports = article.claims.order_by("start")
    workflow.start(bridge, user=checker, version=current_version(bridge))
    workflow.save_verdict(
        bridge,
        user=checker,
        rating=None,
        rationale="The council minutes give a different contractor.",
        version=current_version(bridge),
    )
    workflow.add_note(exports, user=other_checker, text="Ask the trade ministry.")
    return {"unemployment": unemployment, "bridge": bridge, "exports": exports}


def found(client, user, query) -> set[int]:
    client.force_login(user)
    page = client.get("/claims/", {"q": query}).content.decode()
    return {int(pk) for pk in re.findall(r'<a href="/claims/(\d+)/">\d+</a>', page)}


def test_search_finds_claims_by_their_text(client, checker, searchable):
    assert found(client, checker, "unemployment") == {searchable["unemployment"].pk}


def test_search_finds_claims_by_their_rationale(client, checker, searchable):
    assert found(client, checker, "contractor") == {searchable["bridge"].pk}


def test_search_finds_claims_by_their_notes(client, checker, searchable):
    assert found(client, checker, "ministry") == {searchable["exports"].pk}


def test_search_needs_every_word(client, checker, searchable):
    assert found(client, checker, "bridge Canada") == set()


def test_search_finds_nothing_for_a_word_nowhere(client, checker, searchable):
    assert found(client, checker, "zeppelin") == set()


def test_search_results_mark_the_matched_words(client, checker, searchable):
    client.force_login(checker)
    page = client.get("/claims/", {"q": "bridge"}).content.decode()
    assert "The <mark>bridge</mark> cost 12 million pounds." in page


def test_search_highlight_escapes_the_claim_text(client, checker):
    make_article(checker, body="<script>alert(1)</script> rose 5% in <b>May</b>.")
    client.force_login(checker)
    page = client.get("/claims/", {"q": "May"}).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<mark>May</mark>" in page


def test_search_operators_never_break_the_page(client, checker, searchable):
    client.force_login(checker)
    for query in ['"', "-", "or", "&|!:*()", "'", "a" * 500]:
        assert client.get("/claims/", {"q": query}).status_code == 200


def test_search_matches_other_forms_of_a_word_on_postgresql_only(
    client, checker, searchable
):
    expected = {searchable["exports"].pk} if POSTGRESQL else set()
    assert found(client, checker, "doubling") == expected


def test_search_understands_phrases_and_exclusions_on_postgresql(
    client, checker, searchable
):
    bridge, unemployment = searchable["bridge"].pk, searchable["unemployment"].pk
    assert found(client, checker, '"million pounds"') == {bridge}
    if POSTGRESQL:
        assert found(client, checker, '"pounds million"') == set()
        assert found(client, checker, "bridge or unemployment") == {
            bridge,
            unemployment,
        }
        assert bridge not in found(client, checker, "cost -bridge")
    else:
        # The fallback takes quotes and operators as plain characters to ignore.
        assert found(client, checker, "bridge or unemployment") == set()


def test_search_ranks_a_match_in_the_claim_above_one_in_a_note_on_postgresql(
    client, checker
):
    article = make_article(
        checker, body="Tariffs rose 10% in 2024.\n\nWages rose 2% in 2024."
    )
    tariffs, wages = article.claims.order_by("start")
    workflow.add_note(wages, user=checker, text="Compare with tariffs.")
    ranked = list(
        search.search(Claim.objects.all(), "tariffs").values_list("pk", flat=True)
    )
    if POSTGRESQL:
        assert ranked == [tariffs.pk, wages.pk]
    else:  # no ranking in the fallback: both found
        assert sorted(ranked) == sorted([tariffs.pk, wages.pk])


def test_search_ignores_case_and_stray_operators(client, checker, searchable):
    assert found(client, checker, '"UNEMPLOYMENT"') == {searchable["unemployment"].pk}


# --- long articles ---


def test_other_sentences_leave_out_those_a_live_claim_overlaps(checker):
    body = "One two. Three four. Five six. Seven eight. Nine ten."
    article = make_article(
        checker,
        body=body,
        spans=[workflow.Span(9, 20), workflow.Span(18, 30)],
        others=[],
    )
    article.sentences = [[0, 8, 0.1, []], [21, 30, 0.1, []], [31, 43, 0.1, []]]
    claims = list(article.claims.order_by("start"))
    assert [s["text"] for s in other_sentences(article, claims)] == [
        "One two.",
        "Seven eight.",
    ]
    workflow.dismiss(
        claims[1], user=checker, reason="Duplicate.", version=current_version(claims[1])
    )
    claims = list(article.claims.order_by("start"))
    assert [s["text"] for s in other_sentences(article, claims)] == [
        "One two.",
        "Five six.",
        "Seven eight.",
    ]


@pytest.fixture
def report(checker):
    body = sentences(450)
    spans, offset = [], 0
    for i, paragraph in enumerate(body.split("\n\n")):
        if i % 2 == 0:
            spans.append(workflow.Span(offset, offset + len(paragraph)))
        offset += len(paragraph) + 2
    others = []
    offset = 0
    for i, paragraph in enumerate(body.split("\n\n")):
        if i % 2:
            others.append(workflow.Span(offset, offset + len(paragraph), 0.1))
        offset += len(paragraph) + 2
    return workflow.create_article(
        user=checker, title="Report", body=body, spans=spans, others=others
    )


def test_long_article_marks_every_claim_in_its_text(client, checker, report):
    client.force_login(checker)
    page = client.get(report.get_absolute_url()).content.decode()
    assert page.count('class="claim-mark') == 225


def test_long_article_lists_its_claims_a_page_at_a_time(client, checker, report):
    client.force_login(checker)
    first = client.get(report.get_absolute_url()).content.decode()
    assert first.count('class="claim-row"') == 100
    assert "Claims 1–100 of 225" in first
    third = client.get(report.get_absolute_url(), {"claims_page": 3})
    assert third.content.decode().count('class="claim-row"') == 25


def test_long_article_lists_other_sentences_a_page_at_a_time(client, checker, report):
    client.force_login(checker)
    page = client.get(report.get_absolute_url()).content.decode()
    assert "Sentences 1–100 of 225" in page
    assert 'href="?others_page=2"' in page
    last = client.get(report.get_absolute_url(), {"others_page": "3"})
    assert "Sentences 201–225 of 225" in last.content.decode()


def test_article_page_runs_as_many_queries_for_225_claims_as_for_one(
    client, checker, report
):
    short = make_article(checker, body="Wages rose 2% in 2024.")
    client.force_login(checker)
    client.get(short.get_absolute_url())  # the session and permissions, warm
    with CaptureQueriesContext(connection) as one:
        assert client.get(short.get_absolute_url()).status_code == 200
    with CaptureQueriesContext(connection) as many:
        assert client.get(report.get_absolute_url()).status_code == 200
    assert len(many) == len(one)


FIGURES = (
    "The council says 1,250 families are waiting for a home.\n\n"
    "Officials later put the waiting list at 1,400 families."
)


def test_long_article_compares_its_figures_when_asked(client, checker, monkeypatch):
    monkeypatch.setattr(views, "FIGURES_INLINE", 1)
    article = make_article(checker, body=FIGURES)
    client.force_login(checker)
    page = client.get(article.get_absolute_url()).content.decode()
    assert "Figures that disagree" in page
    assert "or two different counts?" not in page
    assert 'href="?figures=1#figures">Compare the figures</a>' in page
    asked = client.get(article.get_absolute_url(), {"figures": "1"}).content.decode()
    assert "“1,250” against “1,400”" in asked
    assert "Compare the figures" not in asked


def test_short_article_shows_its_figure_questions_at_once(client, checker):
    article = make_article(checker, body=FIGURES)
    client.force_login(checker)
    page = client.get(article.get_absolute_url()).content.decode()
    assert "“1,250” against “1,400”" in page
    assert "Compare the figures" not in page


def test_article_page_marks_an_approved_claim_with_its_frozen_verdict(
    client, checker, editor
):
    claim = make_claim(checker, body="Wages rose 2% in 2024.\n\nPrices rose 3%.")
    make_approved(claim, checker, editor)
    colour = Rating.objects.get(label="Misleading").colour
    # The scale edited behind the workflow: the mark shows what was approved.
    Rating.objects.filter(label="Misleading").update(label="Renamed", colour="#000000")
    client.force_login(checker)
    page = client.get(claim.article.get_absolute_url()).content.decode()
    assert f'id="mark-{claim.pk}" style="--verdict:{colour}"' in page
    assert "[1 · Misleading]" in page
    assert "[2 · Open]" in page


def test_article_page_escapes_its_text(client, checker):
    article = make_article(checker, body="<img src=x onerror=alert(1)> rose 5%.")
    client.force_login(checker)
    page = client.get(article.get_absolute_url()).content.decode()
    assert "<img src=x" not in page
    assert "&lt;img src=x onerror=alert(1)&gt; rose 5%." in page


def test_import_writes_claims_and_their_events_in_bulk(checker):
    body = sentences(300)
    with CaptureQueriesContext(connection) as captured:
        article = make_article(checker, body=body)
    assert article.claims.count() == 300
    assert Event.objects.filter(article=article, action="create").count() == 300
    inserts = [q for q in captured.captured_queries if q["sql"].startswith("INSERT")]
    assert len(inserts) < 30  # in batches, not 600 single INSERTs
    assert audit.verify_article(article) == []


def test_app_connections_run_without_jit():
    if POSTGRESQL:  # JIT cost the dashboard seconds at 100,000 claims (settings.py)
        with connection.cursor() as cursor:
            cursor.execute("SHOW jit")
            assert cursor.fetchone() == ("off",)
    else:  # SQLite compiles nothing: no option to pass
        assert "options" not in connection.settings_dict.get("OPTIONS", {})


# --- the benchmark data ---


def test_make_scale_data_builds_claims_in_every_state_that_verify_audit_accepts():
    call_command("make_scale_data", articles=4, claims=200, big=1, stdout=None)
    assert Article.objects.count() == 4
    assert Claim.objects.count() == 200
    assert set(Claim.objects.values_list("state", flat=True)) == set(Claim.State.values)
    big = max(Article.objects.all(), key=lambda a: len(a.body))
    assert 1_000_000 <= len(big.body.encode()) <= 2 * 1024 * 1024
    assert big.claims.count() == 20
    assert list(audit.check_all()) == []
    assert User.objects.filter(username__startswith="scale-checker-").count() == 12


def test_scale_data_added_to_a_desk_makes_previously_checked_look_afresh():
    # Its approvals are dated in the past year, before what a claim's kept
    # candidates are topped up from.
    call_command("make_scale_data", articles=2, claims=20, big=0, stdout=io.StringIO())
    claim = Claim.objects.order_by("pk").first()
    previously.previously_checked(claim)
    assert PriorCandidates.objects.filter(claim=claim).exists()
    call_command("make_scale_data", articles=2, claims=20, big=0, stdout=io.StringIO())
    assert not PriorCandidates.objects.exists()


def test_make_scale_data_refuses_fewer_claims_than_articles():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="one claim per article"):
        call_command("make_scale_data", articles=10, claims=5)
    assert Article.objects.count() == 0
