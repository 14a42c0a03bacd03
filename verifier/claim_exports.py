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
from collections import defaultdict
from collections.abc import Iterable, Iterator

from django.db.models import QuerySet
from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from verifier.models import Claim, Evidence, Priority

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
    ("due", "Due"),
    ("priority", "Priority"),
    ("sources", "Sources"),
    ("evidence_urls", "Evidence URLs"),
    ("updated_at", "Updated"),
)
HEADERS = [header for _, header in COLUMNS]

# A spreadsheet runs a cell that starts with one of these as a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


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
    """The verdict as the pages show it: as approved (frozen), else the rating's."""
    shown = claim.verdict
    return shown.label if shown else ""


# What a row is read from: plain values, no model instances (a third of the time).
FIELDS = (
    "pk",
    "article__title",
    "text",
    "claimant",
    "state",
    "rating__label",
    # An approved claim's verdict is the one frozen at approval (Claim.approval).
    "approval__rating__label",
    "rationale",
    "assignee__username",
    "due",
    "priority",
    "updated_at",
)


def rows(queryset: QuerySet, link: str) -> Iterator[dict]:
    """One dict per claim, keyed as COLUMNS; ``link`` is the claims list's address.

    Read in chunks of CHUNK_SIZE, with one query per chunk for their evidence.
    """
    chunk = []
    for values in queryset.values_list(*FIELDS).iterator(chunk_size=CHUNK_SIZE):
        chunk.append(values)
        if len(chunk) == CHUNK_SIZE:
            yield from _rows(chunk, link)
            chunk = []
    yield from _rows(chunk, link)


def _rows(chunk: list[tuple], link: str) -> Iterator[dict]:
    cited: dict[int, list[tuple]] = defaultdict(list)
    evidence = (
        Evidence.objects.filter(claim_id__in=[values[0] for values in chunk])
        .order_by("added_at", "pk")
        .values_list("claim_id", "source_id", "source__url")
    )
    for claim_id, source_id, url in evidence:
        cited[claim_id].append((source_id, url))
    local = timezone.get_current_timezone()  # once, not per row
    for row in chunk:
        pk, title, text, claimant, state, label, approved, rationale = row[:8]
        assignee, due, priority, updated = row[8:]
        sources = cited.get(pk, ())
        yield {
            "id": pk,
            "url": f"{link}{pk}/",
            "article": title,
            "claim": text,
            "claimant": claimant,
            "state": state,
            "verdict": approved or label or "",
            "rationale": rationale,
            "assignee": assignee or "",
            "due": due.astimezone(local).replace(microsecond=0) if due else None,
            "priority": PRIORITY_NAMES[priority],
            "sources": len({source for source, _ in sources}),
            "evidence_urls": list(dict.fromkeys(url for _, url in sources if url)),
            "updated_at": updated.astimezone(local).replace(microsecond=0),
        }


STATE_LABELS = dict(Claim.State.choices)
PRIORITY_NAMES = {priority.value: priority.name.lower() for priority in Priority}


def spreadsheet_values(row: dict) -> list:
    """A row's cells for CSV and XLSX: labels for people, formulas defused."""
    values = dict(row)
    values["state"] = STATE_LABELS.get(row["state"], row["state"])
    values["priority"] = Priority[row["priority"].upper()].label
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
        # Times in ISO 8601 with the offset: 2026-11-29T10:30:00+01:00.
        yield writer.writerow([iso(value) for value in spreadsheet_values(row)])


def json_chunks(records: Iterable[dict]) -> Iterator[str]:
    yield "["
    separator = "\n"
    for row in records:
        row = {key: iso(value) for key, value in row.items()}
        yield separator + json.dumps(row, ensure_ascii=False)
        separator = ",\n"
    yield "\n]\n"


def iso(value):
    """A time as ISO 8601 text with its offset; anything else as it is."""
    return value.isoformat() if isinstance(value, datetime.datetime) else value


def xlsx_value(value):
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)
    if isinstance(value, datetime.datetime):
        # Excel has no time zones: the local time of TIME_ZONE, as a real date cell
        # (openpyxl gives a datetime a date format).
        return value.replace(tzinfo=None)
    return value


def xlsx_file(records: Iterable[dict]):
    """A temporary file holding the workbook, at its start; deleted when closed.

    openpyxl's write-only mode keeps one row in memory at a time and, with lxml
    installed, writes each as it comes.
    """
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Claims")
    sheet.append(HEADERS)
    for row in records:
        sheet.append([xlsx_value(v) for v in spreadsheet_values(row)])
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
