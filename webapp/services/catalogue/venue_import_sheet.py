"""The venue import's spreadsheet: its columns, the blank template, and reading one cell.

The columns carry the headings of the resource directory list where the two share a meaning
(名称, 类别, 级别, 市, 县（市、区）, 地址, 联系电话, 适合学段, 课程, 开放时间, 无障碍), so an
exported list can be corrected and imported back; columns the importer does not know (序号,
门票政策, a bureau's own 备注) are passed over. Values are written as the list writes them:
labels in Chinese, several in one cell separated by 、, hours as '周二至周日 09:00–17:00'.
"""

import re
from dataclasses import dataclass
from datetime import time
from io import BytesIO

from flask_babel import force_locale

from models import AdmissionKind, Stage, VenueCategory, VenueLevel, VisitorGroup
from webapp.labels import (
    ADMISSION_LABELS,
    CATEGORY_LABELS,
    LEVEL_LABELS,
    STAGE_LABELS,
    VISITOR_GROUP_LABELS,
)
from webapp.services import text as text_rules
from webapp.services.errors import ServiceError

TITLE = "社会实践教育基地批量导入模板"
SPLIT = re.compile(r"[、,，;；/\n]+")


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    required: bool = False
    width: int = 14


#: the visitor groups as the sheet names them (the sheet is Chinese, whatever the page)
_GROUP_HEADERS = {
    VisitorGroup.PRESCHOOL: "学前儿童",
    VisitorGroup.PRIMARY: "小学生",
    VisitorGroup.JUNIOR: "初中生",
    VisitorGroup.SENIOR: "高中生",
    VisitorGroup.ADULT: "陪同成人",
    VisitorGroup.TEACHER: "带队教师",
}


COLUMNS = (
    Column("name", "名称", True, 24),
    Column("categories", "类别", True, 18),
    Column("level", "级别", True, 10),
    Column("city", "市", False, 9),
    Column("county", "县（市、区）", True, 11),
    Column("address", "地址", True, 28),
    Column("phone", "联系电话", False, 14),
    Column("stages", "适合学段", False, 16),
    *(
        Column(f"admission.{g.value}", f"门票：{name}", width=12)
        for g, name in _GROUP_HEADERS.items()
    ),
    Column("courses", "课程", False, 24),
    Column("hours", "开放时间", False, 24),
    Column("accessible", "无障碍", False, 8),
    Column("accessibility", "无障碍说明", False, 20),
    Column("lng", "经度", False, 10),
    Column("lat", "纬度", False, 10),
    Column("name_en", "英文名称", False, 20),
    Column("description", "简介", False, 30),
    Column("transport", "交通", False, 20),
)
#: the directory list's one admission column ('小学生：免费；陪同成人：全价 60元'): read, so an
#: exported list imports back, but not in the template, which has a column a group
POLICY_COLUMN = Column("admission", "门票政策", width=30)
READ_COLUMNS = (*COLUMNS, POLICY_COLUMN)
BY_KEY = {c.key: c for c in READ_COLUMNS}
HEADER_ROW = 3
#: a venue-admin field name (or its prefix before ".") → the column holding it
FIELD_COLUMNS = {
    **{c.key: c.key for c in COLUMNS},
    "hours": "hours",
    "courses": "courses",
    "admission": "admission",
    "closures": "name",
}

_WEEKDAYS = {
    **{f"周{d}": i for i, d in enumerate("一二三四五六日", start=1)},
    **{f"星期{d}": i for i, d in enumerate("一二三四五六日", start=1)},
    "周天": 7,
    "星期天": 7,
}
_YES = {"是", "有", "y", "yes", "true", "1", "✓", "√"}
_NO = {"否", "无", "没有", "n", "no", "false", "0", ""}
_TIME = r"(\d{1,2})[:：](\d{2})"
_SPAN = re.compile(rf"^{_TIME}\s*[–—\-~～至]\s*{_TIME}$")
_PRICE = re.compile(r"^(\d+(?:\.\d+)?)\s*元?$")


def _labels(labels: dict, extra: dict | None = None) -> dict:
    with force_locale("zh"):
        found = {str(label): member for member, label in labels.items()}
    found.update({member.value: member for member in labels})
    found.update(extra or {})
    return found


def category_words() -> dict[str, VenueCategory]:
    return _labels(CATEGORY_LABELS)


def level_words() -> dict[str, VenueLevel]:
    short = {"国家级": VenueLevel.NATIONAL, "省级": VenueLevel.PROVINCIAL}
    short.update({"市级": VenueLevel.CITY, "县级": VenueLevel.COUNTY})
    return _labels(LEVEL_LABELS, short)


def stage_words() -> dict[str, Stage]:
    extra = {"幼儿园": Stage.PRESCHOOL, "学前教育": Stage.PRESCHOOL}
    extra.update({"小学生": Stage.PRIMARY, "初中生": Stage.JUNIOR, "高中生": Stage.SENIOR})
    return _labels(STAGE_LABELS, extra)


def cell_text(value) -> str:
    return text_rules.normalise(value)


def words(value: str) -> list[str]:
    return [w.strip() for w in SPLIT.split(value) if w.strip()]


def parse_choices(value: str, known: dict, message: str) -> tuple[list, list[str]]:
    """(members, problems): each word of the cell looked up in `known`."""
    found, problems = [], []
    for word in words(value):
        member = known.get(word) or known.get(word.lower())
        if member is None:
            problems.append(message % {"name": word})
        elif member not in found:
            found.append(member)
    return found, problems


def parse_yes_no(value: str) -> tuple[bool, str]:
    """'是' → (True, ''); '是（设无障碍坡道）' → (True, '设无障碍坡道'). Raises ValueError."""
    head, _sep, rest = value.partition("(")
    head = head.strip().lower()
    if head in _YES:
        return True, rest.rstrip(")").strip()
    if head in _NO:
        return False, rest.rstrip(")").strip()
    raise ValueError(value)


def parse_admission(value: str) -> tuple[AdmissionKind, int | float | None] | None:
    """'免费', '优惠 10元', '全价 60' or '60' (full price). Raises ValueError."""
    text = value.replace(" ", "")
    if not text:
        return None
    with force_locale("zh"):
        names = {str(label): kind for kind, label in ADMISSION_LABELS.items()}
    names.update({"半价": AdmissionKind.DISCOUNT, "优惠票": AdmissionKind.DISCOUNT})
    names.update({"全票": AdmissionKind.FULL, "全价票": AdmissionKind.FULL})
    for name, kind in sorted(names.items(), key=lambda item: -len(item[0])):
        if text.startswith(name):
            rest = text[len(name) :]
            if kind is AdmissionKind.FREE:
                if rest:
                    raise ValueError(value)
                return kind, None
            match = _PRICE.match(rest)
            if match is None:
                raise ValueError(value)
            return kind, float(match.group(1))
    match = _PRICE.match(text)
    if match is None:
        raise ValueError(value)
    return AdmissionKind.FULL, float(match.group(1))


#: what the list writes for a venue without any admission rule
NO_POLICY = "请咨询场馆"


def parse_admission_policy(value: str) -> dict[VisitorGroup, tuple] | None:
    """The directory list's admission cell as {visitor group: (kind, price)}.

    '小学生：免费；陪同成人：全价 60元' → two rules; '请咨询场馆' → no rule at all; an empty cell
    → None (keep what the venue has). Raises ValueError (an unknown group, a group twice, or
    a price not written as the list writes it).
    """
    text = cell_text(value)
    if not text:
        return None
    if text == cell_text(NO_POLICY):
        return {}
    with force_locale("zh"):
        groups = {cell_text(str(label)): group for group, label in VISITOR_GROUP_LABELS.items()}
    groups.update({cell_text(name): group for group, name in _GROUP_HEADERS.items()})
    rules: dict[VisitorGroup, tuple] = {}
    for part in (p.strip() for p in re.split(r"[;\n]+", text)):
        if not part:
            continue
        name, sep, rule = part.partition(":")
        group = groups.get(name.strip())
        if not sep or group is None or group in rules:
            raise ValueError(value)
        parsed = parse_admission(rule)
        if parsed is None:
            raise ValueError(value)
        rules[group] = parsed
    return rules


def _days(text: str) -> list[int]:
    days: list[int] = []
    for part in re.split(r"[、,，]", text):
        ends = re.split(r"[至\-–~～]", part.strip())
        if len(ends) == 1 and ends[0] in ("每天", "每日", "全周"):
            days.extend(range(1, 8))
            continue
        if len(ends) not in (1, 2) or any(e.strip() not in _WEEKDAYS for e in ends):
            raise ValueError(text)
        first, last = _WEEKDAYS[ends[0].strip()], _WEEKDAYS[ends[-1].strip()]
        if last < first:
            raise ValueError(text)
        days.extend(range(first, last + 1))
    return days


def parse_hours(value: str) -> list[tuple[int, time, time]]:
    """'周二至周日 09:00–17:00；周六 08:00-18:00' → [(weekday, opens, closes)].

    Raises: ValueError.
    """
    hours = []
    for group in (g.strip() for g in re.split(r"[;；\n]+", value)):
        if not group:
            continue
        days, _sep, spans = group.partition(" ")
        if not spans.strip():
            raise ValueError(value)
        days_found = _days(days.strip())
        for span in (s.strip() for s in re.split(r"[,，、]", spans)):
            match = _SPAN.match(span)
            if match is None:
                raise ValueError(value)
            h1, m1, h2, m2 = (int(g) for g in match.groups())
            if h1 > 23 or h2 > 24 or m1 > 59 or m2 > 59:
                raise ValueError(value)
            closes = time(23, 59) if h2 == 24 else time(h2, m2)
            hours.extend((day, time(h1, m1), closes) for day in days_found)
    return hours


def parse_number(value: str) -> float:
    """A decimal number (coordinates). Raises ValueError."""
    return float(value.replace("°", ""))


def template_workbook() -> bytes:
    """A blank import sheet with the headings (required ones starred), a line on how to fill
    it in, an example row and a sheet listing the allowed words."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "场馆"
    sheet.cell(row=1, column=1, value=TITLE).font = Font(bold=True, size=14)
    sheet.cell(
        row=2,
        column=1,
        value="填表说明：带 * 的列必填；多个类别、学段或课程用顿号“、”分隔；门票写“免费”“优惠 10”或"
        "“全价 60”（单位：元），不填即“请咨询场馆”；开放时间写作“周二至周日 09:00-17:00”；"
        "县（市、区）写区县名，重名时在“市”列写所属市；经纬度（WGS-84）可不填，不填时按所在县定位。"
        "名称与县（市、区）相同的场馆会被更新，不会重复添加。",
    ).alignment = Alignment(wrap_text=True, vertical="top")
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(COLUMNS))
    sheet.merge_cells(start_row=2, start_column=1, end_row=2, end_column=len(COLUMNS))
    sheet.row_dimensions[2].height = 48
    fill = PatternFill("solid", fgColor="F2DCDB")
    for index, column in enumerate(COLUMNS, start=1):
        cell = sheet.cell(
            row=HEADER_ROW, column=index, value=column.header + (" *" if column.required else "")
        )
        cell.font = Font(bold=True)
        if column.required:
            cell.fill = fill
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    example = {
        "name": "示例科技馆（请删除本行）",
        "categories": "科技馆、科普教育基地",
        "level": "省级基地",
        "city": "太原市",
        "county": "小店区",
        "address": "太原市小店区示例路1号",
        "phone": "0351-1234567",
        "stages": "小学、初中",
        "admission.primary": "免费",
        "admission.adult": "全价 30",
        "courses": "机器人入门、天文观测",
        "hours": "周二至周日 09:00-17:00",
        "accessible": "是",
    }
    for index, column in enumerate(COLUMNS, start=1):
        sheet.cell(row=HEADER_ROW + 1, column=index, value=example.get(column.key))
    sheet.freeze_panes = sheet.cell(row=HEADER_ROW + 1, column=1)
    guide = workbook.create_sheet("可填写的值")
    guide.append(["类别", "级别", "适合学段", "门票"])
    lists = [list(category_words())[: len(VenueCategory)], list(level_words())[: len(VenueLevel)]]
    lists += [list(stage_words())[: len(Stage)], ["免费", "优惠 10", "全价 60"]]
    for i in range(max(len(values) for values in lists)):
        guide.append([values[i] if i < len(values) else None for values in lists])
    for letter in "ABCD":
        guide.column_dimensions[letter].width = 22
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def field_column(error: ServiceError) -> str:
    """The column a venue-admin refusal is about, by the field it names."""
    field = error.field or "name"
    if field in FIELD_COLUMNS:
        return FIELD_COLUMNS[field]
    return FIELD_COLUMNS.get(field.split(".")[0], "name")
