"""The claims list as a spreadsheet or JSON, streamed in constant memory.

``/claims/?_export=csv|xlsx|json`` holds exactly the rows the list's filters, search
and sort select, every page of them. Rows are read in chunks (``iterator``), each chunk
with one more query for its evidence, and written out as they come: CSV and JSON
stream row by row, XLSX is written by openpyxl's write-only mode to a temporary file
that is then streamed. A worker's memory therefore stays flat whatever the row count.

Article text is untrusted. In CSV and XLSX a cell that a spreadsheet would run as a
formula (it starts with = + - @, a tab or a carriage return) gets the usual defence, a
leading apostrophe; control characters that XLSX cannot hold are replaced with U+FFFD.
JSON keeps every text as it is.
"""

import csv
import datetime
import json
import tempfile
from collections.abc import Iterable, Iterator

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Prefetch, QuerySet
from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from verifier.models import Claim, Evidence

FORMATS = ("csv", "xlsx", "json")
CHUNK_SIZE = 2000

# (JSON key, spreadsheet header): the keys are a stable interface for scripts.
COLUMNS = (
    ("id", "#"),
    ("url", "Link"),
    ("article", "Article"),
    ("claim", "Claim"),
    ("claimant", "Claimant"),
    ("state", "State"),
    ("verdict", "Verdict"),
    ("rationale", "Rationale"),
    ("assignee", "Assignee"),
    ("sources", "Sources"),
    ("evidence_urls", "Evidence URLs"),
    ("updated_at", "Updated"),
)
HEADERS = [header for _, header in COLUMNS]

# A spreadsheet runs a cell that starts with one of these as a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
XLSX_DATE_FORMAT = "yyyy-mm-dd hh:mm:ss"


class ExportProblem(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def check_format(name: str) -> str:
    if name not in FORMATS:
        raise ExportProblem(
            f"Unknown export format “{name}”: choose one of {', '.join(FORMATS)}."
        )
    return name


def verdict(claim: Claim) -> str:
    """The verdict as the pages and exports show it (the rating's label)."""
    return claim.rating.label if claim.rating_id else ""


def rows(queryset: QuerySet, link: str) -> Iterator[dict]:
    """One dict per claim, keyed as COLUMNS; ``link`` is the claims list's address."""
    evidence = (
        Evidence.objects.select_related("source")
        .only("claim_id", "source_id", "source__url")
        .order_by("added_at", "pk")
    )
    claims = (
        queryset.select_related("article", "rating", "assignee")
        .defer("article__body", "article__sentences", "search_vector")
        .prefetch_related(Prefetch("evidence", queryset=evidence))
    )
    for claim in claims.iterator(chunk_size=CHUNK_SIZE):
        cited = claim.evidence.all()
        urls = list(dict.fromkeys(e.source.url for e in cited if e.source.url))
        yield {
            "id": claim.pk,
            "url": f"{link}{claim.pk}/",
            "article": claim.article.title,
            "claim": claim.text,
            "claimant": claim.claimant,
            "state": claim.state,
            "verdict": verdict(claim),
            "rationale": claim.rationale,
            "assignee": claim.assignee.get_username() if claim.assignee else "",
            "sources": len({e.source_id for e in cited}),
            "evidence_urls": urls,
            "updated_at": timezone.localtime(claim.updated_at).replace(microsecond=0),
        }


STATE_LABELS = dict(Claim.State.choices)


def spreadsheet_values(row: dict) -> list:
    """A row's cells for CSV and XLSX: labels for people, formulas defused."""
    values = dict(row)
    values["state"] = STATE_LABELS.get(row["state"], row["state"])
    values["evidence_urls"] = "\n".join(row["evidence_urls"])
    return [defuse(values[key]) for key, _ in COLUMNS]


def defuse(value):
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


class _Line:
    """csv.writer's file: hands back each line instead of keeping it."""

    def write(self, line: str) -> str:
        return line


def csv_lines(records: Iterable[dict]) -> Iterator[str]:
    writer = csv.writer(_Line())
    yield writer.writerow(HEADERS)
    for row in records:
        cells = spreadsheet_values(row)
        cells[-1] = cells[-1].isoformat()
        yield writer.writerow(cells)


def json_chunks(records: Iterable[dict]) -> Iterator[str]:
    yield "["
    separator = "\n"
    for row in records:
        yield separator + json.dumps(row, cls=_JSONEncoder, ensure_ascii=False)
        separator = ",\n"
    yield "\n]\n"


class _JSONEncoder(DjangoJSONEncoder):
    """ISO 8601 with the offset: 2026-11-29T10:30:00+01:00 (Django's says Z for UTC)."""

    def default(self, o):
        if isinstance(o, datetime.datetime):
            return o.isoformat()
        return super().default(o)


def xlsx_cell(sheet, value):
    if isinstance(value, datetime.datetime):
        # Excel has no time zones: the local time of TIME_ZONE, as a real date cell.
        cell = WriteOnlyCell(sheet, value=value.replace(tzinfo=None))
        cell.number_format = XLSX_DATE_FORMAT
        return cell
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)
    return value


def xlsx_file(records: Iterable[dict]):
    """A temporary file holding the workbook, at its start; deleted when closed."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Claims")
    sheet.append(HEADERS)
    for row in records:
        sheet.append([xlsx_cell(sheet, v) for v in spreadsheet_values(row)])
    file = tempfile.TemporaryFile(suffix=".xlsx")
    workbook.save(file)
    file.seek(0)
    return file


def response(fmt: str, queryset: QuerySet, *, link: str, name: str = "claims"):
    """The streamed export of ``queryset`` in ``fmt`` (one of FORMATS)."""
    records = rows(queryset, link)
    filename = f"{name}.{fmt}"
    if fmt == "xlsx":
        return FileResponse(
            xlsx_file(records),
            as_attachment=True,
            filename=filename,
            content_type="application/vnd.openxmlformats-officedocument."
            "spreadsheetml.sheet",
        )
    if fmt == "csv":
        content, content_type = csv_lines(records), "text/csv; charset=utf-8"
    else:
        content, content_type = json_chunks(records), "application/json"
    result = StreamingHttpResponse(content, content_type=content_type)
    result["Content-Disposition"] = f'attachment; filename="{filename}"'
    return result
