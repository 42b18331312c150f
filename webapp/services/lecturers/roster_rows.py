"""Checking one line of a roster workbook, column by column: each cell's words against the
places, topics and categories the app knows, every problem noted by line and column."""

import re
from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from openpyxl.utils import get_column_letter

from models import LecturerCategory, Region, RegionLevel, Topic, db
from webapp.services import text as text_rules
from webapp.services.lecturers.editing import LecturerValues
from webapp.services.lecturers.pools import topics_by_name
from webapp.services.lecturers.roster_layout import (
    CATEGORY_SHEET_NAMES,
    COLUMNS,
    WEEKDAY_SHEET_NAMES,
    Column,
)
from webapp.services.permissions import manageable_regions

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
_COLUMNS_BY_KEY = {c.key: c for c in COLUMNS}


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the file: Excel row number, column header and what is wrong."""

    line: int
    column: str
    message: str


def cell_text(value) -> str:
    """A cell's value as normalised text; a whole number Excel stored as a float loses ".0"."""
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
    text = cell_text(value)
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


def _cell_name(column: Column, index: int | None) -> str:
    if index is None:
        return column.header
    return f"{get_column_letter(index + 1)}（{column.header}）"


@dataclass
class Row:
    """A data line being checked: its cells, where each column is, and what is wrong."""

    line: int
    cells: list
    positions: dict[str, int]
    problems: list[Problem] = field(default_factory=list)

    def text(self, key: str) -> str:
        return cell_text(self.raw(key))

    def raw(self, key: str):
        index = self.positions.get(key)
        return self.cells[index] if index is not None and index < len(self.cells) else None

    def problem(self, key: str, message: str) -> None:
        where = _cell_name(_COLUMNS_BY_KEY[key], self.positions.get(key))
        self.problems.append(Problem(self.line, where, message))


@dataclass
class Known:
    """What a row's words are checked against: places, the user's regions, topics, categories."""

    regions: _RegionLookup
    allowed_region_ids: set[int]
    topics: dict[str, Topic]
    categories: dict[str, LecturerCategory]

    @classmethod
    def for_user(cls, user) -> "Known":
        categories = {name: c for c, name in CATEGORY_SHEET_NAMES.items()}
        categories.update({c.value: c for c in LecturerCategory})
        return cls(
            regions=_RegionLookup(),
            allowed_region_ids={r.id for r in manageable_regions(user)},
            topics=topics_by_name(),
            categories=categories,
        )


def _read_name(row: Row) -> str:
    name = row.text("name")
    if not name:
        row.problem("name", _("The name is empty."))
    elif len(name) > 60:
        row.problem("name", _("The name is longer than 60 characters."))
    return name


def _read_pool(row: Row, known: Known) -> Region | None:
    pool_text = row.text("pool")
    if not pool_text:
        row.problem("pool", _("Say which city or county pool the lecturer belongs to."))
        return None
    found = known.regions.find(pool_text)
    if not found:
        row.problem("pool", _("Unknown city or county: “%(name)s”.", name=pool_text))
    elif len(found) > 1:
        row.problem(
            "pool",
            _("“%(name)s” is the name of several counties: write the city too.", name=pool_text),
        )
    elif found[0].id not in known.allowed_region_ids:
        row.problem("pool", _("“%(name)s” is outside the region you manage.", name=pool_text))
    else:
        return found[0]
    return None


def _read_category(row: Row, known: Known) -> LecturerCategory | None:
    category_text = row.text("category")
    if not category_text:
        row.problem("category", _("The category is empty."))
        return None
    category = known.categories.get(category_text)
    if category is None:
        row.problem("category", _("Unknown category: “%(name)s”.", name=category_text))
    return category


def _read_topics(row: Row, known: Known) -> list[Topic]:
    chosen: list[Topic] = []
    topic_text = row.text("topics")
    for word in (w for w in _SPLIT.split(topic_text) if w):
        if word in known.topics:
            if known.topics[word] not in chosen:
                chosen.append(known.topics[word])
        else:
            row.problem("topics", _("Unknown topic: “%(name)s”.", name=word))
    if not topic_text:
        row.problem("topics", _("Give at least one topic."))
    return chosen


def _read_term(row: Row) -> tuple[date | None, date | None]:
    term = {}
    for key in ("term_starts_on", "term_ends_on"):
        try:
            term[key] = _parse_date(row.raw(key))
        except ValueError as error:
            term[key] = None
            row.problem(key, _("“%(text)s” is not a date (write 2024-09-01).", text=str(error)))
    starts, ends = term["term_starts_on"], term["term_ends_on"]
    if starts and ends and ends < starts:
        row.problem("term_ends_on", _("The term cannot end before it starts."))
    return starts, ends


def _read_weekdays(row: Row) -> list[int]:
    weekdays = []
    for word in (w for w in _SPLIT.split(row.text("free_weekdays")) if w):
        if word in _WEEKDAY_WORDS:
            weekdays.append(_WEEKDAY_WORDS[word])
        else:
            row.problem("free_weekdays", _("Unknown weekday: “%(name)s”.", name=word))
    return weekdays


def _read_phone(row: Row) -> str:
    phone = row.text("phone").replace(" ", "")
    if not phone:
        row.problem("phone", _("The phone number is empty."))
        return phone
    try:
        return text_rules.clean_phone(phone)
    except text_rules.TextError:
        row.problem("phone", _("“%(text)s” is not a phone number.", text=phone))
        return phone


def _read_is_retired(row: Row) -> bool:
    status = row.text("status")
    if status not in _RETIRED_WORDS | _ACTIVE_WORDS:
        row.problem("status", _("Write 在聘 (active) or 已退出 (retired)."))
    return status in _RETIRED_WORDS


def read_row(row: Row, known: Known) -> tuple[LecturerValues, bool]:
    """The row's values and whether the lecturer has retired; what is wrong goes to
    `row.problems`, in the order of the columns."""
    name = _read_name(row)
    region = _read_pool(row, known)
    category = _read_category(row, known)
    topics = _read_topics(row, known)
    term_starts_on, term_ends_on = _read_term(row)
    weekdays = _read_weekdays(row)
    phone = _read_phone(row)
    is_retired = _read_is_retired(row)
    bio, address = row.text("bio"), row.text("address")
    if len(address) > 200:
        row.problem("address", _("The address is longer than 200 characters."))
    for key, value in (("name", name), ("address", address)):
        char = text_rules.refused_character(value)
        if char is not None:
            row.problem(key, text_rules.refusal_message(char))
    values = LecturerValues(
        name=name,
        pool_region=region,
        category=category,
        phone=phone,
        topics=topics,
        bio=bio,
        term_starts_on=term_starts_on,
        term_ends_on=term_ends_on,
        free_weekdays=weekdays,
        address=address,
    )
    return values, is_retired
