"""The lecturer roster written as an Excel workbook: the bureau's export (phone numbers
included) and a blank template with the allowed values and a filled-in example."""

from datetime import date
from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from models import Lecturer, LecturerPool, RegionLevel
from webapp.services.lecturers.roster_layout import (
    CATEGORY_SHEET_NAMES,
    COLUMNS,
    HEADER_ROW,
    STATUS_ACTIVE,
    STATUS_RETIRED,
    TITLE,
    WEEKDAY_SHEET_NAMES,
)


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
