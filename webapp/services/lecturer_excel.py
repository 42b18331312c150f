"""The lecturer roster as an Excel workbook, in the layout bureaus keep it: export, a blank
template, and an import that checks every row first and writes nothing when any row is bad.

A row names its lecturer by pool, name and phone: a row matching a lecturer already in that
pool updates them (so an exported roster can be edited and imported back); the same lecturer
twice in one file is an error.
"""

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from io import BytesIO
from typing import BinaryIO

import sqlalchemy as sa
from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from models import Lecturer, LecturerCategory, LecturerPool, Region, RegionLevel, db
from webapp.lecturers.labels import CATEGORY_SHEET_NAMES, WEEKDAY_SHEET_NAMES
from webapp.services import lecturers as service
from webapp.services import spreadsheets
from webapp.services import text as text_rules
from webapp.services.errors import PermissionDenied, ServiceError

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000
#: the header is looked for among the first lines that hold anything
MAX_HEADER_LINE = 10
#: the roster's columns plus room for a bureau's own (备注 and the like)
MAX_COLUMNS = 40
TITLE = "家庭教育讲师团成员名单"


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    required: bool
    width: int = 14


COLUMNS = (
    Column("seq", "序号", False, 6),
    Column("name", "姓名", True, 10),
    Column("pool", "所属讲师团（市/县）", True, 18),
    Column("category", "类别", True, 16),
    Column("topics", "宣讲主题", True, 30),
    Column("bio", "个人简介", False, 40),
    Column("term_starts_on", "聘期开始", False, 12),
    Column("term_ends_on", "聘期结束", False, 12),
    Column("free_weekdays", "常规空闲日", False, 16),
    Column("phone", "联系电话", True, 14),
    Column("address", "地址", False, 24),
    Column("status", "状态", False, 8),
)
HEADER_ROW = 3
STATUS_ACTIVE, STATUS_RETIRED = "在聘", "已退出"
_RETIRED_WORDS = {"已退出", "退出", "离任", "已离任", "retired"}
_ACTIVE_WORDS = {"", "在聘", "在任", "active"}
_SPLIT = re.compile(r"[、,，;；/\s]+")
_WEEKDAY_WORDS = {
    **{name: day for day, name in WEEKDAY_SHEET_NAMES.items()},
    **{"星期" + "一二三四五六日"[i]: i + 1 for i in range(7)},
    "星期天": 7,
    "周天": 7,
    **{str(i): i for i in range(1, 8)},
}
_DATE_FORMATS = ("%Y-%m-%d", "%Y-%m-%d %H:%M:%S", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the file: Excel row number, column header and what is wrong."""

    line: int
    column: str
    message: str


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


# ---------------------------------------------------------------- writing


def _sheet_with_headers(workbook: Workbook, title: str):
    sheet = workbook.active
    sheet.title = "讲师名单"
    sheet.cell(row=1, column=1, value=title).font = Font(bold=True, size=14)
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(COLUMNS))
    sheet.cell(
        row=2,
        column=1,
        value="填表说明：带 * 的列必填；多个主题或空闲日用顿号“、”分隔；日期写作 2024-09-01；"
        "所属讲师团写市或县（区）名，如“太原市”或“太原市小店区”。",
    ).alignment = Alignment(wrap_text=True)
    sheet.merge_cells(start_row=2, start_column=1, end_row=2, end_column=len(COLUMNS))
    sheet.row_dimensions[2].height = 36
    fill = PatternFill("solid", fgColor="F2DCDB")
    for index, column in enumerate(COLUMNS, start=1):
        cell = sheet.cell(
            row=HEADER_ROW, column=index, value=column.header + (" *" if column.required else "")
        )
        cell.font = Font(bold=True)
        cell.fill = fill
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.freeze_panes = sheet.cell(row=HEADER_ROW + 1, column=1)
    return sheet


def _pool_label(pool: LecturerPool) -> str:
    region = pool.region
    if region.level is RegionLevel.COUNTY and region.parent is not None:
        return region.parent.name + region.name
    return region.name


def _to_bytes(workbook: Workbook) -> bytes:
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def export_workbook(lecturers: list[Lecturer], title: str = TITLE) -> bytes:
    """The roster as .xlsx bytes, phone numbers included: for bureau staff only."""
    workbook = Workbook()
    sheet = _sheet_with_headers(workbook, title)
    for seq, lecturer in enumerate(lecturers, start=1):
        values = [
            seq,
            lecturer.name,
            _pool_label(lecturer.pool),
            CATEGORY_SHEET_NAMES[lecturer.category],
            "、".join(t.name for t in lecturer.topics),
            lecturer.bio,
            lecturer.term_starts_on,
            lecturer.term_ends_on,
            "、".join(WEEKDAY_SHEET_NAMES[d] for d in lecturer.free_weekdays),
            lecturer.phone,
            lecturer.address,
            STATUS_RETIRED if lecturer.is_retired else STATUS_ACTIVE,
        ]
        for index, value in enumerate(values, start=1):
            cell = sheet.cell(row=HEADER_ROW + seq, column=index, value=value)
            if isinstance(value, date):
                cell.number_format = "yyyy-mm-dd"
    return _to_bytes(workbook)


def template_workbook(topic_names: list[str]) -> bytes:
    """A blank roster with the headers, plus a sheet of the allowed categories, topics and a
    filled-in example."""
    workbook = Workbook()
    _sheet_with_headers(workbook, TITLE)
    guide = workbook.create_sheet("填写说明")
    guide.append(["类别（可填）", "宣讲主题（可填）", "常规空闲日（可填）", "状态（可填）"])
    rows = max(len(CATEGORY_SHEET_NAMES), len(topic_names), 7, 2)
    categories = list(CATEGORY_SHEET_NAMES.values())
    weekdays = list(WEEKDAY_SHEET_NAMES.values())
    statuses = [STATUS_ACTIVE, STATUS_RETIRED]
    for i in range(rows):
        guide.append(
            [
                categories[i] if i < len(categories) else None,
                topic_names[i] if i < len(topic_names) else None,
                weekdays[i] if i < len(weekdays) else None,
                statuses[i] if i < len(statuses) else None,
            ]
        )
    example = workbook.create_sheet("填写示例")
    example.append([c.header for c in COLUMNS])
    example.append(
        [
            1,
            "王建国",
            "太原市小店区",
            "老教师",
            "、".join(topic_names[:2]) or "亲子沟通",
            "退休小学高级教师，从事家庭教育指导二十年。",
            "2024-09-01",
            "2027-08-31",
            "周二、周四",
            "13800000000",
            "",
            STATUS_ACTIVE,
        ]
    )
    for sheet in (guide, example):
        for index in range(1, len(COLUMNS) + 1):
            sheet.column_dimensions[get_column_letter(index)].width = 16
    return _to_bytes(workbook)


# ---------------------------------------------------------------- reading


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return text_rules.normalise(str(value))


def _parse_date(value) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value)
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()  # noqa: DTZ007 - a calendar date
        except ValueError:
            continue
    raise ValueError(text)


class _RegionLookup:
    """Finds a pool's region by the names bureaus write: 太原市, 太原, 太原市小店区, 小店区."""

    def __init__(self):
        regions = db.session.scalars(
            sa.select(Region).where(Region.level.in_([RegionLevel.CITY, RegionLevel.COUNTY]))
        ).all()
        self.names: dict[str, list[Region]] = {}
        for region in regions:
            for name in self._names(region):
                self.names.setdefault(name, []).append(region)

    @staticmethod
    def _short(name: str) -> list[str]:
        names = [name]
        for suffix in ("自治县", "区", "县", "市"):
            if name.endswith(suffix) and len(name) > len(suffix) + 1:
                names.append(name[: -len(suffix)])
                break
        return names

    def _names(self, region: Region) -> set[str]:
        own = self._short(region.name)
        names = set(own)
        if region.level is RegionLevel.COUNTY and region.parent is not None:
            for city in self._short(region.parent.name):
                names.update(city + n for n in own)
        return names

    def find(self, text: str) -> list[Region]:
        return self.names.get(text.replace(" ", ""), [])


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
        headers = [_text(v).rstrip("*").strip() for v in row]
        if "姓名" in headers:
            found = {}
            for column in COLUMNS:
                # cells are NFKC-normalised, so （市/县） in a header reads as (市/县)
                header = text_rules.normalise(column.header)
                if header in headers:
                    found[column.key] = headers.index(header)
            return number, found
    return None


def _cell_name(column: Column, index: int | None) -> str:
    if index is None:
        return column.header
    return f"{get_column_letter(index + 1)}（{column.header}）"


def parse_roster(
    data: bytes | BinaryIO, *, by, filename: str = "roster.xlsx"
) -> tuple[list[tuple[int, service.LecturerValues, bool]], list]:
    """Check a roster file (.xlsx or .csv): ([(line, values, is_retired)], [Problem]) without
    writing."""
    rows = _read_rows(data, filename)
    header = _find_header(rows)
    if header is None:
        return [], [Problem(1, "姓名", _("No header row with a “姓名” (name) column was found."))]
    header_line, positions = header
    problems = [
        Problem(header_line, column.header, _("The column is missing."))
        for column in COLUMNS
        if column.required and column.key not in positions
    ]
    if problems:
        return [], problems
    data_rows = [(n, r) for n, r in rows if n > header_line and any(_text(v) for v in r)]
    if len(data_rows) > MAX_ROWS:
        return [], [Problem(header_line, "", _("At most 5000 lecturers in one file."))]

    lookup = _RegionLookup()
    allowed = {r.id for r in service.manageable_regions(by)}
    topics = service.topics_by_name()
    categories = {name: c for c, name in CATEGORY_SHEET_NAMES.items()}
    categories.update({c.value: c for c in LecturerCategory})
    parsed, seen = [], {}
    columns = {c.key: c for c in COLUMNS}

    for line, row in data_rows:
        row_problems: list[Problem] = []

        def cell(key, row=row):
            index = positions.get(key)
            return row[index] if index is not None and index < len(row) else None

        def problem(key, message, line=line, row_problems=row_problems):
            row_problems.append(
                Problem(line, _cell_name(columns[key], positions.get(key)), message)
            )

        name = _text(cell("name"))
        if not name:
            problem("name", _("The name is empty."))
        elif len(name) > 60:
            problem("name", _("The name is longer than 60 characters."))

        region = None
        pool_text = _text(cell("pool"))
        if not pool_text:
            problem("pool", _("Say which city or county pool the lecturer belongs to."))
        else:
            found = lookup.find(pool_text)
            if not found:
                problem("pool", _("Unknown city or county: “%(name)s”.", name=pool_text))
            elif len(found) > 1:
                problem(
                    "pool",
                    _(
                        "“%(name)s” is the name of several counties: write the city too.",
                        name=pool_text,
                    ),
                )
            elif found[0].id not in allowed:
                problem(
                    "pool",
                    _("“%(name)s” is outside the region you manage.", name=pool_text),
                )
            else:
                region = found[0]

        category = None
        category_text = _text(cell("category"))
        if not category_text:
            problem("category", _("The category is empty."))
        else:
            category = categories.get(category_text)
            if category is None:
                problem("category", _("Unknown category: “%(name)s”.", name=category_text))

        chosen_topics = []
        topic_text = _text(cell("topics"))
        for word in (w for w in _SPLIT.split(topic_text) if w):
            if word in topics:
                if topics[word] not in chosen_topics:
                    chosen_topics.append(topics[word])
            else:
                problem("topics", _("Unknown topic: “%(name)s”.", name=word))
        if not topic_text:
            problem("topics", _("Give at least one topic."))

        term = {}
        for key in ("term_starts_on", "term_ends_on"):
            try:
                term[key] = _parse_date(cell(key))
            except ValueError as error:
                term[key] = None
                problem(key, _("“%(text)s” is not a date (write 2024-09-01).", text=str(error)))
        if term["term_starts_on"] and term["term_ends_on"]:
            if term["term_ends_on"] < term["term_starts_on"]:
                problem("term_ends_on", _("The term cannot end before it starts."))

        weekdays = []
        for word in (w for w in _SPLIT.split(_text(cell("free_weekdays"))) if w):
            if word in _WEEKDAY_WORDS:
                weekdays.append(_WEEKDAY_WORDS[word])
            else:
                problem("free_weekdays", _("Unknown weekday: “%(name)s”.", name=word))

        phone = _text(cell("phone")).replace(" ", "")
        if not phone:
            problem("phone", _("The phone number is empty."))
        else:
            try:
                phone = text_rules.clean_phone(phone)
            except text_rules.TextError:
                problem("phone", _("“%(text)s” is not a phone number.", text=phone))

        status = _text(cell("status"))
        is_retired = False
        if status in _RETIRED_WORDS:
            is_retired = True
        elif status not in _ACTIVE_WORDS:
            problem("status", _("Write 在聘 (active) or 已退出 (retired)."))

        bio, address = _text(cell("bio")), _text(cell("address"))
        if len(address) > 200:
            problem("address", _("The address is longer than 200 characters."))
        for key, value in (("name", name), ("address", address)):
            char = text_rules.refused_character(value)
            if char is not None:
                problem(key, text_rules.refusal_message(char))

        if region is not None and name and phone:
            key = (region.id, name, phone)
            if key in seen:
                problem(
                    "name",
                    _("Duplicate lecturer: the same as line %(line)s.", line=seen[key]),
                )
            else:
                seen[key] = line

        if row_problems:
            problems.extend(row_problems)
            continue
        parsed.append(
            (
                line,
                service.LecturerValues(
                    name=name,
                    pool_region=region,
                    category=category,
                    phone=phone,
                    topics=chosen_topics,
                    bio=bio,
                    term_starts_on=term["term_starts_on"],
                    term_ends_on=term["term_ends_on"],
                    free_weekdays=weekdays,
                    address=address,
                ),
                is_retired,
            )
        )
    if not data_rows and not problems:
        problems.append(Problem(header_line, "", _("The file has no lecturers in it.")))
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
    if not service.is_bureau(by):
        raise PermissionDenied(_("Only education-bureau staff can import lecturers."))
    parsed, problems = parse_roster(data, by=by, filename=filename)
    if problems:
        raise ImportRejected(problems)
    result = ImportResult()
    with service._unit_of_work():
        for _line, values, is_retired in parsed:
            pool = service._ensure_pool(values.pool_region)
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
            service._apply_values(lecturer, values)
            lecturer.is_retired = is_retired
            result.lecturers.append(lecturer)
        db.session.flush()
    return result
