"""The pictures: the verdict chart's geometry; the chart and progress bars as shown."""

import re
from pathlib import Path

import pytest
from django.urls import reverse

from tests.conftest import (
    current_version,
    make_approved,
    make_article,
    make_submitted,
    refresh,
)
from verifier import charts, workflow

ROWS = [
    ("Accurate", "#1a7f37", 3),
    ("Misleading", "#b3410e", 1),
    ("False", "#b42318", 0),
]


def test_longest_bar_fills_the_room_left_for_the_count():
    chart = charts.verdict_chart(ROWS)
    assert chart.bars[0].width == charts.WIDTH - charts.COUNT_SPACE


def test_bars_are_proportional_to_their_counts():
    chart = charts.verdict_chart(ROWS)
    assert chart.bars[1].width == round(chart.bars[0].width / 3)


def test_zero_count_keeps_its_row_without_a_bar():
    chart = charts.verdict_chart(ROWS)
    assert [bar.label for bar in chart.bars] == ["Accurate", "Misleading", "False"]
    assert chart.bars[2].width == 0
    assert chart.height == 3 * charts.ROW


def test_a_count_of_one_among_thousands_still_shows():
    chart = charts.verdict_chart(
        [("Accurate", "#1a7f37", 5000), ("False", "#b42318", 1)]
    )
    assert chart.bars[1].width >= 2


def test_rows_are_stacked_in_the_order_given():
    chart = charts.verdict_chart(ROWS)
    assert [bar.top for bar in chart.bars] == [0, charts.ROW, 2 * charts.ROW]


def test_shares_are_whole_percent_of_the_total():
    chart = charts.verdict_chart(ROWS)
    assert chart.total == 4
    assert [bar.share for bar in chart.bars] == [75, 25, 0]


def test_description_states_every_count_in_words():
    chart = charts.verdict_chart(ROWS)
    assert (
        chart.description == "4 approved in all. Accurate: 3; Misleading: 1; False: 0."
    )


def test_empty_scale_draws_nothing():
    chart = charts.verdict_chart([])
    assert (chart.bars, chart.total, chart.height) == ([], 0, 0)


# --- as shown on the pages ---


@pytest.mark.django_db
def test_dashboard_draws_approved_verdicts_as_an_svg_chart(client, checker, editor):
    article = make_article(checker)
    first, second, third = article.claims.order_by("start")
    make_approved(first, checker, editor)
    make_approved(second, checker, editor)
    make_submitted(third, checker)  # submitted, not approved: not counted
    client.force_login(editor)
    html = client.get(reverse("dashboard")).content.decode()
    svg = re.search(r"<svg class=\"verdict-chart\".*?</svg>", html, re.S).group(0)
    assert 'role="img"' in svg
    assert '<title id="verdict-chart-title">Approved verdicts by rating</title>' in svg
    assert "Misleading: 2" in svg
    assert ">2 · 100%</text>" in svg
    assert 'fill="#b3410e"' in svg


@pytest.mark.django_db
def test_dashboard_chart_lists_every_active_rating_at_zero(client, checker, editor):
    claim = make_article(checker).claims.order_by("start").first()
    make_approved(claim, checker, editor)
    client.force_login(editor)
    html = client.get(reverse("dashboard")).content.decode()
    others = ["Accurate", "Mostly accurate", "Needs context", "False", "Unverifiable"]
    for label in others:
        assert f"{label}: 0" in html


@pytest.mark.django_db
def test_dashboard_says_so_when_nothing_is_approved(client, checker):
    make_article(checker)
    client.force_login(checker)
    html = client.get(reverse("dashboard")).content.decode()
    assert "No verdict has been approved yet." in html
    assert "verdict-chart" not in html


@pytest.mark.django_db
def test_progress_bar_names_every_state_for_screen_readers(client, checker, editor):
    article = make_article(checker)
    first, second, third = article.claims.order_by("start")
    make_approved(first, checker, editor)
    workflow.dismiss(
        second, user=checker, reason="Not a claim", version=current_version(second)
    )
    client.force_login(checker)
    html = client.get(reverse("article-list")).content.decode()
    assert (
        'role="img" aria-label="3 claims: 1 approved, 0 submitted, 0 in progress, '
        '1 open, 1 dismissed"'
    ) in html


@pytest.mark.django_db
def test_progress_bar_tells_the_counts_in_visible_text(client, checker, editor):
    article = make_article(checker)
    first, second, _ = article.claims.order_by("start")
    make_approved(first, checker, editor)
    make_submitted(second, checker)
    client.force_login(checker)
    html = client.get(article.get_absolute_url()).content.decode()
    text = re.sub(r"<[^>]+>", "", html)
    assert "1 of 3 settled" in text
    assert "1 approved" in text and "1 submitted" in text and "1 open" in text
    assert "dismissed</span>" not in html  # states with no claims are left out


@pytest.mark.django_db
def test_claim_page_says_where_the_claim_stands_in_its_article(client, checker):
    article = make_article(checker)
    first, second, third = article.claims.order_by("start")
    client.force_login(checker)
    html = client.get(second.get_absolute_url()).content.decode()
    assert "Claim 2 of 3 in the article" in html
    assert f'href="{first.get_absolute_url()}" rel="prev"' in html
    assert f'href="{third.get_absolute_url()}" rel="next"' in html


@pytest.mark.django_db
def test_last_claim_has_no_next_link(client, checker):
    article = make_article(checker)
    last = refresh(article.claims.order_by("start").last())
    client.force_login(checker)
    html = client.get(last.get_absolute_url()).content.decode()
    assert 'rel="next"' not in html
    assert 'rel="prev"' in html


# --- the README's screenshots (made by `make screenshots`) ---


def test_readme_shows_the_three_screenshots_and_each_is_small():
    root = Path(__file__).resolve().parent.parent
    readme = (root / "README.md").read_text(encoding="utf-8")
    for name in ["dashboard", "article", "claim"]:
        assert f"(docs/screenshots/{name}.png)" in readme
        png = root / "docs" / "screenshots" / f"{name}.png"
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert png.stat().st_size < 300 * 1024
