"""The XLSX writer: what a spreadsheet reads back is what was written."""

import datetime
import io

import openpyxl
import pytest

from verifier import xlsx


def written(headers, rows) -> openpyxl.worksheet.worksheet.Worksheet:
    file = io.BytesIO()
    xlsx.write(file, headers, rows, sheet_name="Claims")
    return openpyxl.load_workbook(io.BytesIO(file.getvalue()))["Claims"]


def test_it_reads_back_strings_numbers_dates_and_empty_cells():
    when = datetime.datetime(2026, 11, 29, 10, 30, 5)
    sheet = written(
        ["Text", "Count", "Share", "Updated", "Note"],
        [["Tom & Jerry <b>", 3, 0.25, when, None], ["  padded  ", -1, 1e-9, when, ""]],
    )
    assert list(sheet.iter_rows(values_only=True)) == [
        ("Text", "Count", "Share", "Updated", "Note"),
        ("Tom & Jerry <b>", 3, 0.25, when, None),
        ("  padded  ", -1, 1e-9, when, None),
    ]


def test_dates_are_date_cells_and_the_header_is_bold():
    sheet = written(["Updated"], [[datetime.datetime(2026, 1, 2, 3, 4, 5)]])
    assert sheet["A2"].is_date
    assert sheet["A2"].number_format == "yyyy-mm-dd hh:mm:ss"
    assert sheet["A1"].font.b


def test_characters_xml_cannot_hold_become_replacement_characters():
    sheet = written(["Text"], [["Bell\x07, escape\x1b, tab\tand newline\n kept"]])
    assert sheet["A2"].value == "Bell\ufffd, escape\ufffd, tab\tand newline\n kept"


def test_it_writes_more_rows_than_one_batch():
    rows = [[n, f"row {n}"] for n in range(xlsx.ROWS_PER_WRITE * 2 + 3)]
    sheet = written(["#", "Text"], rows)
    assert sheet.max_row == len(rows) + 1
    assert sheet.cell(row=len(rows) + 1, column=2).value == f"row {len(rows) - 1}"


def test_it_refuses_an_aware_datetime():
    aware = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    with pytest.raises(ValueError, match="no time zones"):
        written(["Updated"], [[aware]])


def test_a_row_of_the_wrong_length_is_an_error_not_a_shifted_sheet():
    with pytest.raises(ValueError):
        written(["A", "B"], [[1]])
