"""Reading uploaded spreadsheets (.xlsx and .csv) row by row, within bounds set by the caller.

An upload is hostile until read: a workbook may declare a sheet of 16,384 × 1,048,576 cells,
be a zip bomb, be encrypted, or not be a spreadsheet at all. Nothing here trusts what a file
says about itself: the zip's sizes are checked before openpyxl opens it, the declared sheet
dimension is never used, and cells are parsed one at a time so that no row is ever built
wider than the caller allows. Importers (lecturers, venues) read through `read_rows` only.
"""

import codecs
import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import BinaryIO

from flask_babel import gettext as _
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet._reader import CELL_TAG, ROW_TAG, WorkSheetParser
from openpyxl.xml.constants import SHEET_MAIN_NS
from openpyxl.xml.functions import iterparse

from webapp.services.errors import ServiceError

#: the largest upload read at all, whatever the row bounds
DEFAULT_MAX_BYTES = 5 * 1024 * 1024
#: a zip member expanding more than this many times is treated as a bomb
MAX_COMPRESSION_RATIO = 200
#: room for one cell of the caller's bounds in the sheet's XML (values, styles, coordinates)
_BYTES_PER_CELL = 256
_MIN_UNCOMPRESSED = 4 * 1024 * 1024
_MAX_UNCOMPRESSED = 64 * 1024 * 1024
_MAX_ZIP_MEMBERS = 500
#: Excel's own limits: a coordinate beyond them is not a real sheet
_EXCEL_ROWS, _EXCEL_COLUMNS = 1_048_576, 16_384
_SNIFF_BYTES = 64 * 1024
_ZIP_MAGIC = b"PK\x03\x04"
#: OLE2 compound file: an encrypted .xlsx or an old .xls
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_SHEET_DATA_TAG = f"{{{SHEET_MAIN_NS}}}sheetData"

Row = tuple[int, list[str | None]]


class SpreadsheetError(ServiceError):
    """The file cannot be read as a spreadsheet within the bounds; `line`/`column` when known."""

    status_code = 422

    def __init__(self, message: str, *, line: int | None = None, column: str | None = None):
        super().__init__(message, field="file")
        self.line = line
        self.column = column


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an imported file: Excel row number, column and what is wrong."""

    line: int
    column: str
    message: str


class ImportRejected(ServiceError):
    """An import file has problems; `problems` lists every one and nothing was imported."""

    status_code = 422

    def __init__(self, problems: list[Problem]):
        super().__init__(
            _("Nothing was imported: the file has %(n)s problem(s).", n=len(problems)),
            field="file",
        )
        self.problems = problems


def read_rows(
    stream: BinaryIO,
    *,
    filename: str,
    max_rows: int,
    max_columns: int,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Iterator[Row]:
    """Yield (line, cells) for every row of the first sheet that holds a value.

    Rules: `line` is the row number the user sees in Excel (the record number in a CSV);
    cells are text (numbers without a trailing ".0", dates as 2024-09-01), None when empty,
    and the list stops at the last filled cell. A value beyond `max_columns` or `max_rows`,
    a file over `max_bytes`, an encrypted workbook, an .xls, a zip bomb or a file that is
    neither .xlsx nor .csv (UTF-8 with or without BOM, or GB18030) is refused.
    Raises: SpreadsheetError, possibly after some rows have been yielded.
    """
    head = stream.read(_SNIFF_BYTES)
    stream.seek(0)
    if not head:
        raise SpreadsheetError(_("The file is empty."))
    size = stream.seek(0, io.SEEK_END)
    stream.seek(0)
    if size > max_bytes:
        raise SpreadsheetError(
            _("The file is larger than %(mb)s MB.", mb=round(max_bytes / 1024 / 1024, 1))
        )
    if head.startswith(_OLE_MAGIC):
        raise SpreadsheetError(
            _(
                "This file is encrypted or in the old Excel 97-2003 format (.xls). Save it "
                "in Excel as an .xlsx workbook without a password and upload it again."
            )
        )
    if head.startswith(_ZIP_MAGIC):
        yield from _xlsx_rows(stream, max_rows=max_rows, max_columns=max_columns)
    elif filename.lower().endswith((".csv", ".txt")) and b"\x00" not in head:
        yield from _csv_rows(stream, head, max_rows=max_rows, max_columns=max_columns)
    else:
        raise SpreadsheetError(
            _("This is not an Excel workbook (.xlsx) or a CSV file. Choose a spreadsheet.")
        )


# ---------------------------------------------------------------- .xlsx


def _check_zip(stream: BinaryIO, *, limit: int) -> None:
    """Refuse an archive whose members are encrypted or would expand past the limits."""
    try:
        with zipfile.ZipFile(stream) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise SpreadsheetError(_("The workbook is damaged and cannot be read.")) from None
    finally:
        stream.seek(0)
    if len(members) > _MAX_ZIP_MEMBERS:
        raise SpreadsheetError(_("The workbook is damaged and cannot be read."))
    if any(m.flag_bits & 0x1 for m in members):
        raise SpreadsheetError(
            _("The workbook is protected by a password. Remove the password and try again.")
        )
    # zipfile stops each member at its declared size (and fails the CRC past it), so the
    # declared sizes bound what openpyxl can be made to inflate.
    total = sum(m.file_size for m in members)
    ratio = max(m.file_size / max(m.compress_size, 1) for m in members)
    if total > limit or (ratio > MAX_COMPRESSION_RATIO and total > _MIN_UNCOMPRESSED):
        raise SpreadsheetError(
            _("The workbook expands to far more data than its rows could hold: not read.")
        )


def _xlsx_rows(stream: BinaryIO, *, max_rows: int, max_columns: int) -> Iterator[Row]:
    limit = min(_MAX_UNCOMPRESSED, max(_MIN_UNCOMPRESSED, max_rows * max_columns * _BYTES_PER_CELL))
    _check_zip(stream, limit=limit)
    try:
        workbook = load_workbook(stream, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, TypeError, OSError):
        raise SpreadsheetError(_("This is not an Excel workbook (.xlsx).")) from None
    try:
        if not workbook.worksheets:
            raise SpreadsheetError(_("The workbook has no sheet."))
        yield from _sheet_rows(workbook, workbook.worksheets[0], max_rows, max_columns)
    finally:
        workbook.close()


def _sheet_rows(workbook, sheet, max_rows: int, max_columns: int) -> Iterator[Row]:
    # openpyxl's own row iterator pads every row to the declared dimension and builds whole
    # rows before yielding them; its parser is used here cell by cell instead, and each
    # parsed element is dropped from the tree so memory stays at one cell.
    parser = WorkSheetParser(
        None,
        sheet._shared_strings,
        data_only=True,
        epoch=workbook.epoch,
        date_formats=workbook._date_formats,
        timedelta_formats=workbook._timedelta_formats,
    )
    sheet_data = row_element = None
    cells: dict[int, str] = {}
    count = 0
    try:
        with workbook._archive.open(sheet._worksheet_path) as source:
            for event, element in iterparse(source, events=("start", "end")):
                tag = element.tag
                if tag == _SHEET_DATA_TAG and event == "start":
                    sheet_data = element
                elif tag == ROW_TAG and event == "start":
                    row_element, cells, count = element, {}, 0
                    parser.row_counter = _row_number(element, parser.row_counter)
                    parser.col_counter = 0
                elif tag == CELL_TAG and event == "end":
                    count += 1
                    if count > _EXCEL_COLUMNS:
                        raise SpreadsheetError(
                            _("The workbook is damaged and cannot be read."),
                            line=parser.row_counter,
                        )
                    _read_cell(parser, element, cells, max_columns)
                    if row_element is not None:
                        row_element.remove(element)
                elif tag == ROW_TAG and event == "end":
                    line = parser.row_counter
                    if sheet_data is not None:
                        sheet_data.remove(element)
                    row_element = None
                    if not cells:
                        continue
                    if line > max_rows:
                        raise SpreadsheetError(
                            _("The file has more than %(n)s rows.", n=max_rows), line=line
                        )
                    yield line, [cells.get(i) for i in range(1, max(cells) + 1)]
    except (SyntaxError, ValueError, KeyError, IndexError, TypeError, OverflowError):
        # ParseError is a SyntaxError; a bad coordinate or shared-string index lands here too
        raise SpreadsheetError(
            _("The workbook is damaged and cannot be read."), line=parser.row_counter or None
        ) from None


def _row_number(element, previous: int) -> int:
    text = element.get("r")
    number = previous + 1 if text is None else int(text)
    if not 1 <= number <= _EXCEL_ROWS:
        raise ValueError(number)
    return number


def _read_cell(parser: WorkSheetParser, element, cells: dict[int, str], max_columns: int):
    cell = parser.parse_cell(element)
    text = as_text(cell["value"])
    column = cell["column"]
    if text is None:
        return
    if cell["row"] != parser.row_counter or not 1 <= column <= _EXCEL_COLUMNS:
        raise ValueError(cell)
    if column > max_columns:
        raise SpreadsheetError(
            _("The file has more than %(n)s columns.", n=max_columns),
            line=parser.row_counter,
            column=get_column_letter(column),
        )
    cells[column] = text


def as_text(value) -> str | None:
    """A cell's value as the text a person reads in it; None for an empty cell."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime):
        value = value.date() if value.time() == time(0) else value.replace(microsecond=0)
        return value.isoformat(sep=" ") if isinstance(value, datetime) else value.isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    text = str(value)
    return text if text.strip() else None


# ---------------------------------------------------------------- .csv


def _csv_encoding(head: bytes) -> str:
    """UTF-8 (with or without BOM) when the start decodes as UTF-8, else GB18030 (Excel's
    "CSV" on a Chinese Windows)."""
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return "gb18030"
    return "utf-8-sig"


def _csv_rows(stream: BinaryIO, head: bytes, *, max_rows: int, max_columns: int):
    text = io.TextIOWrapper(stream, encoding=_csv_encoding(head), newline="")
    line = 0
    try:
        for line, record in enumerate(csv.reader(text), start=1):
            cells = [value if value.strip() else None for value in record]
            while cells and cells[-1] is None:
                cells.pop()
            if not cells:
                continue
            if line > max_rows:
                raise SpreadsheetError(
                    _("The file has more than %(n)s rows.", n=max_rows), line=line
                )
            if len(cells) > max_columns:
                raise SpreadsheetError(
                    _("The file has more than %(n)s columns.", n=max_columns),
                    line=line,
                    column=get_column_letter(max_columns + 1),
                )
            yield line, cells
    except UnicodeDecodeError:
        raise SpreadsheetError(
            _("The file mixes text encodings: save it again as UTF-8 CSV."), line=line + 1
        ) from None
    except csv.Error:
        raise SpreadsheetError(
            _("This line cannot be read as CSV (a quote left open or a cell far too long)."),
            line=line + 1,
        ) from None
    finally:
        # the caller owns the upload; closing the wrapper would close it
        text.detach()
