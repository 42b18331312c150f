"""The lecturer roster read from a workbook (.xlsx, or .csv as Chinese Excel saves it): every
row is checked first (roster_rows), and nothing is written when any row is bad.

A row names its lecturer by pool, name and phone: a row matching a lecturer already in that
pool updates them (so an exported roster can be edited and imported back); the same lecturer
twice in one file is an error.
"""

from dataclasses import dataclass, field
from io import BytesIO
from typing import BinaryIO

import sqlalchemy as sa
from flask_babel import gettext as _

from models import Lecturer, db
from webapp.services import spreadsheets
from webapp.services import text as text_rules
from webapp.services.errors import PermissionDenied, ServiceError
from webapp.services.lecturers.editing import LecturerValues, apply_values
from webapp.services.lecturers.pools import ensure_pool
from webapp.services.lecturers.roster_layout import COLUMNS
from webapp.services.lecturers.roster_rows import Known, Problem, Row, cell_text, read_row
from webapp.services.permissions import can
from webapp.services.transactions import unit_of_work

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000
#: the header is looked for among the first lines that hold anything
MAX_HEADER_LINE = 10
#: the roster's columns plus room for a bureau's own (备注 and the like)
MAX_COLUMNS = 40


class ImportRejected(ServiceError):
    """The file has problems; `problems` lists every one and nothing was imported."""

    def __init__(self, problems: list[Problem]):
        super().__init__(
            _("Nothing was imported: the file has %(n)s problem(s).", n=len(problems)),
            field="file",
        )
        self.problems = problems


@dataclass
class ImportResult:
    added: int = 0
    updated: int = 0
    lecturers: list[Lecturer] = field(default_factory=list)


def _read_rows(data: bytes | BinaryIO, filename: str):
    stream = BytesIO(data) if isinstance(data, bytes) else data
    try:
        return list(
            spreadsheets.read_rows(
                stream,
                filename=filename,
                max_rows=MAX_ROWS + MAX_HEADER_LINE,
                max_columns=MAX_COLUMNS,
                max_bytes=MAX_FILE_BYTES,
            )
        )
    except spreadsheets.SpreadsheetError as error:
        raise ImportRejected(
            [Problem(error.line or 1, error.column or "", error.message)]
        ) from None


def _find_header(rows) -> tuple[int, dict[str, int]] | None:
    for number, row in rows[:MAX_HEADER_LINE]:
        headers = [cell_text(v).rstrip("*").strip() for v in row]
        if "姓名" in headers:
            found = {}
            for column in COLUMNS:
                # cells are NFKC-normalised, so （市/县） in a header reads as (市/县)
                header = text_rules.normalise(column.header)
                if header in headers:
                    found[column.key] = headers.index(header)
            return number, found
    return None


def _header_problems(rows) -> tuple[int, dict[str, int], list[Problem]]:
    """(header line, column positions, problems) of the file's header."""
    header = _find_header(rows)
    if header is None:
        missing = _("No header row with a “姓名” (name) column was found.")
        return 0, {}, [Problem(1, "姓名", missing)]
    header_line, positions = header
    problems = [
        Problem(header_line, column.header, _("The column is missing."))
        for column in COLUMNS
        if column.required and column.key not in positions
    ]
    return header_line, positions, problems


def _check_not_seen(row: Row, values: LecturerValues, seen: dict[tuple, int]) -> None:
    """Note a lecturer (pool, name and phone) already on an earlier line of the file."""
    if values.pool_region is None or not values.name or not values.phone:
        return
    key = (values.pool_region.id, values.name, values.phone)
    if key in seen:
        row.problem("name", _("Duplicate lecturer: the same as line %(line)s.", line=seen[key]))
    else:
        seen[key] = row.line


def parse_roster(
    data: bytes | BinaryIO, *, by, filename: str = "roster.xlsx"
) -> tuple[list[tuple[int, LecturerValues, bool]], list[Problem]]:
    """Check a roster file (.xlsx or .csv): ([(line, values, is_retired)], [Problem]) without
    writing."""
    rows = _read_rows(data, filename)
    header_line, positions, problems = _header_problems(rows)
    if problems:
        return [], problems
    data_rows = [(n, r) for n, r in rows if n > header_line and any(cell_text(v) for v in r)]
    if len(data_rows) > MAX_ROWS:
        return [], [Problem(header_line, "", _("At most 5000 lecturers in one file."))]
    if not data_rows:
        return [], [Problem(header_line, "", _("The file has no lecturers in it."))]
    known = Known.for_user(by)
    parsed, seen = [], {}
    for line, cells in data_rows:
        row = Row(line, cells, positions)
        values, is_retired = read_row(row, known)
        _check_not_seen(row, values, seen)
        problems.extend(row.problems)
        if not row.problems:
            parsed.append((line, values, is_retired))
    return parsed, problems


def import_roster(data: bytes | BinaryIO, *, by, filename: str = "roster.xlsx") -> ImportResult:
    """Import a roster workbook into the pools the user manages.

    Rules: bureau staff only; every row is checked before anything is written, and any bad
    row (missing column, unknown county, duplicate lecturer, a date that is not a date,
    unknown category, topic or weekday, a bad phone number, a county outside the user's
    region) rejects the whole file with every problem listed by line and column. A row
    matching a lecturer already in the pool by name and phone updates them.
    Raises: PermissionDenied; ImportRejected with `problems`.
    """
    if not can(by, "bureau.console"):
        raise PermissionDenied(_("Only education-bureau staff can import lecturers."))
    parsed, problems = parse_roster(data, by=by, filename=filename)
    if problems:
        raise ImportRejected(problems)
    result = ImportResult()
    with unit_of_work():
        for _line, values, is_retired in parsed:
            pool = ensure_pool(values.pool_region)
            lecturer = db.session.scalar(
                sa.select(Lecturer).where(
                    Lecturer.pool_id == pool.id,
                    Lecturer.name == values.name,
                    Lecturer.phone == values.phone,
                )
            )
            if lecturer is None:
                lecturer = Lecturer()
                db.session.add(lecturer)
                result.added += 1
            else:
                result.updated += 1
            apply_values(lecturer, values)
            lecturer.is_retired = is_retired
            result.lecturers.append(lecturer)
        db.session.flush()
    return result
