"""A one-sheet XLSX workbook written row by row, at the speed of a CSV file.

The claims export writes 100,000 rows of twelve cells. openpyxl's write-only mode
builds a cell object and an XML element for each of those 1.2 million cells: about
5,000 rows a second on the development machine (xlsxwriter's constant-memory mode
9,400), so a full export took 20 s of CPU and, on a shared machine, more than the
request timeout. A worksheet of plain values is a small, fixed XML format, so this
writes it directly: strings inline (no shared-string table to keep in memory),
numbers as they are, a datetime as a date cell with one number format. About 60,000
rows a second, in constant memory: rows are compressed into the file as they come.

Only what the export needs: one sheet, str, int, float, bool, naive datetime and
None; an empty string is an empty cell, as None is.
"""

import datetime
import re
import zipfile
from collections.abc import Iterable, Sequence
from typing import BinaryIO
from xml.sax.saxutils import escape, quoteattr

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Characters XML 1.0 cannot hold (openpyxl's ILLEGAL_CHARACTERS_RE, and U+FFFE/F).
ILLEGAL_CHARACTERS = re.compile(r"[\000-\010\013\014\016-\037\ufffe\uffff]")
MAX_COLUMNS = 26  # A to Z: enough for one export, and letters without arithmetic
ROWS_PER_WRITE = 1000
EPOCH = datetime.datetime(1899, 12, 30)  # day 0 of Excel's (1900) date system

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_DOC = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_OFFICE = "application/vnd.openxmlformats-officedocument.spreadsheetml"

CONTENT_TYPES = f"""{_XML}<Types \
xmlns="http://schemas.openxmlformats.org/package/2006/content-types">\
<Default Extension="rels" \
ContentType="application/vnd.openxmlformats-package.relationships+xml"/>\
<Default Extension="xml" ContentType="application/xml"/>\
<Override PartName="/xl/workbook.xml" ContentType="{_OFFICE}.sheet.main+xml"/>\
<Override PartName="/xl/worksheets/sheet1.xml" \
ContentType="{_OFFICE}.worksheet+xml"/>\
<Override PartName="/xl/styles.xml" ContentType="{_OFFICE}.styles+xml"/>\
</Types>"""

PACKAGE_RELS = f"""{_XML}<Relationships xmlns="{_RELS}">\
<Relationship Id="rId1" Type="{_DOC}/officeDocument" Target="xl/workbook.xml"/>\
</Relationships>"""

WORKBOOK_RELS = f"""{_XML}<Relationships xmlns="{_RELS}">\
<Relationship Id="rId1" Type="{_DOC}/worksheet" Target="worksheets/sheet1.xml"/>\
<Relationship Id="rId2" Type="{_DOC}/styles" Target="styles.xml"/>\
</Relationships>"""

# Style 0: plain; style 1: a date and time; style 2: bold (the header row).
STYLES = f"""{_XML}<styleSheet xmlns="{_MAIN}">\
<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd hh:mm:ss"/>\
</numFmts>\
<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>\
<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>\
<fills count="2"><fill><patternFill patternType="none"/></fill>\
<fill><patternFill patternType="gray125"/></fill></fills>\
<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border>\
</borders>\
<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>\
</cellStyleXfs>\
<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>\
<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" \
applyNumberFormat="1"/>\
<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>\
</cellXfs>\
<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/>\
</cellStyles></styleSheet>"""


def _workbook(sheet_name: str) -> str:
    return (
        f'{_XML}<workbook xmlns="{_MAIN}" xmlns:r="{_DOC}"><sheets>'
        f'<sheet name={quoteattr(sheet_name)} sheetId="1" r:id="rId1"/>'
        "</sheets></workbook>"
    )


def text(value: str) -> str:
    """A string as XML character data: escaped, characters XML refuses as U+FFFD."""
    return escape(ILLEGAL_CHARACTERS.sub("\ufffd", value))


def _cell(ref: str, value) -> str:
    if value is None or value == "":
        return ""  # an empty cell
    if isinstance(value, str):
        return (
            f'<c r="{ref}" t="inlineStr">'
            f'<is><t xml:space="preserve">{text(value)}</t></is></c>'
        )
    if isinstance(value, bool):  # before int: a bool is an int
        return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int | float):
        return f'<c r="{ref}"><v>{value!r}</v></c>'
    if isinstance(value, datetime.datetime):
        if value.tzinfo is not None:
            raise ValueError("A spreadsheet has no time zones: give a local time.")
        days = (value - EPOCH) / datetime.timedelta(days=1)
        return f'<c r="{ref}" s="1"><v>{days!r}</v></c>'
    raise TypeError(f"No spreadsheet cell for {type(value).__name__}")


def write(
    file: BinaryIO,
    headers: Sequence[str],
    rows: Iterable[Sequence],
    *,
    sheet_name: str = "Sheet1",
) -> None:
    """Writes a workbook of one sheet to ``file``: a bold header row, then ``rows``."""
    if len(headers) > MAX_COLUMNS:
        raise ValueError(f"At most {MAX_COLUMNS} columns.")
    letters = [chr(ord("A") + i) for i in range(len(headers))]
    with zipfile.ZipFile(file, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as package:
        package.writestr("[Content_Types].xml", CONTENT_TYPES)
        package.writestr("_rels/.rels", PACKAGE_RELS)
        package.writestr("xl/workbook.xml", _workbook(sheet_name))
        package.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        package.writestr("xl/styles.xml", STYLES)
        with package.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(f'{_XML}<worksheet xmlns="{_MAIN}"><sheetData>'.encode())
            header = "".join(
                f'<c r="{letter}1" t="inlineStr" s="2"><is><t>{text(name)}</t></is></c>'
                for letter, name in zip(letters, headers, strict=True)
            )
            batch = [f'<row r="1">{header}</row>']
            for number, row in enumerate(rows, start=2):
                cells = "".join(
                    _cell(f"{letter}{number}", value)
                    for letter, value in zip(letters, row, strict=True)
                )
                batch.append(f'<row r="{number}">{cells}</row>')
                if len(batch) == ROWS_PER_WRITE:
                    sheet.write("".join(batch).encode())
                    batch = []
            sheet.write(("".join(batch) + "</sheetData></worksheet>").encode())
