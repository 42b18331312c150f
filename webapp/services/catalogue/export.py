"""The resource directory list (资源目录清单): the catalogue of a bureau's region as a table.

Item 3 of the notice asks for a directory list of the practice bases; bureau staff export the
venues of their scope as a spreadsheet (xlsx) or CSV, with the Chinese column headings the
list is filed under. Cells that a spreadsheet would run as a formula are written as text.
"""

import csv
import io
from collections.abc import Iterator

import sqlalchemy as sa
from flask_babel import force_locale
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from sqlalchemy.orm import aliased, joinedload, selectinload

from models import Region, User, Venue, db
from webapp.labels import CATEGORY_LABELS, LEVEL_LABELS, STAGE_LABELS, WEEKDAY_LABELS
from webapp.services import permissions

HEADERS = [
    "名称",
    "类别",
    "级别",
    "市",
    "县（市、区）",
    "地址",
    "经度",
    "纬度",
    "坐标是否近似",
    "电话",
    "适合学段",
    "儿童是否免费",
    "无障碍",
    "开放时间",
]

#: a cell starting with one of these is a formula to Excel and LibreOffice
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _yes_no(value: bool) -> str:
    return "是" if value else "否"


def opening_text(venue: Venue) -> str:
    """Weekly hours in words: '周二至周日 09:00–17:00' (days with the same hours grouped)."""
    by_day: dict[int, str] = {}
    for h in venue.opening_hours:
        span = f"{h.opens_at:%H:%M}–{h.closes_at:%H:%M}"
        by_day[h.weekday] = f"{by_day[h.weekday]}, {span}" if h.weekday in by_day else span
    if not by_day:
        return ""
    groups: dict[str, list[int]] = {}
    for day in sorted(by_day):
        groups.setdefault(by_day[day], []).append(day)
    parts = []
    for spans, days in groups.items():
        runs: list[list[int]] = []
        for day in days:
            if runs and day == runs[-1][1] + 1:
                runs[-1][1] = day
            else:
                runs.append([day, day])
        names = "、".join(
            str(WEEKDAY_LABELS[a]) if a == b else f"{WEEKDAY_LABELS[a]}至{WEEKDAY_LABELS[b]}"
            for a, b in runs
        )
        parts.append(f"{names} {spans}")
    return "；".join(parts)


def _region_name(region: Region | None) -> str:
    return region.name if region is not None else ""


def _row(venue: Venue) -> list:
    return [
        venue.name,
        "、".join(str(CATEGORY_LABELS[c]) for c in venue.categories),
        str(LEVEL_LABELS[venue.level]),
        _region_name(venue.city),
        _region_name(venue.county),
        venue.address,
        round(venue.lng, 6),
        round(venue.lat, 6),
        _yes_no(venue.is_location_approximate),
        venue.phone,
        "、".join(str(STAGE_LABELS[s]) for s in venue.stages),
        _yes_no(venue.is_free_for_children),
        _yes_no(venue.is_accessible),
        opening_text(venue),
    ]


def safe_cell(cell):
    """CSV has no cell types: text a spreadsheet would run as a formula gets a leading '."""
    if isinstance(cell, str) and cell.startswith(_FORMULA_START):
        return "'" + cell
    return cell


def iter_directory_rows(*, by: User, batch: int = 500) -> Iterator[list]:
    """The rows of the directory list for `by`'s scope, by city, county and name.

    Raises:
        PermissionDenied: `by` is not bureau staff or an administrator.
    """
    permissions.require(by, "bureau.console")
    city, county = aliased(Region), aliased(Region)
    ids = db.session.scalars(
        sa.select(Venue.id)
        .join(county, Venue.county_id == county.id)
        .join(city, Venue.city_id == city.id)
        .where(permissions.scope_clause(by, Venue.county_id))
        .order_by(city.adcode, county.adcode, Venue.name_pinyin, Venue.id)
    ).all()
    # Labels are the list's own language, whatever the page's.
    with force_locale("zh"):
        for start in range(0, len(ids), batch):
            chunk = ids[start : start + batch]
            venues = db.session.scalars(
                sa.select(Venue)
                .where(Venue.id.in_(chunk))
                .options(
                    joinedload(Venue.city),
                    joinedload(Venue.county),
                    selectinload(Venue.opening_hours),
                )
            ).all()
            order = {vid: i for i, vid in enumerate(chunk)}
            for venue in sorted(venues, key=lambda v: order[v.id]):
                yield _row(venue)


def export_directory_csv(*, by: User) -> bytes:
    """The directory list as UTF-8 CSV with a byte-order mark, so Excel reads the Chinese.

    Raises:
        PermissionDenied: `by` is not bureau staff or an administrator.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADERS)
    writer.writerows([safe_cell(cell) for cell in row] for row in iter_directory_rows(by=by))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def export_directory_xlsx(*, by: User) -> bytes:
    """The directory list as an Excel workbook (one sheet, headings frozen).

    Raises:
        PermissionDenied: `by` is not bureau staff or an administrator.
    """
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("资源目录清单")
    sheet.freeze_panes = "A2"
    widths = (28, 24, 14, 10, 14, 40, 12, 12, 8, 16, 24, 8, 8, 36)
    for column, width in zip("ABCDEFGHIJKLMN", widths, strict=True):
        sheet.column_dimensions[column].width = width
    bold = Font(bold=True)
    heading = []
    for text in HEADERS:
        cell = WriteOnlyCell(sheet, value=text)
        cell.font = bold
        heading.append(cell)
    sheet.append(heading)
    for row in iter_directory_rows(by=by):
        cells = []
        for value in row:
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, str):
                # text stays text: never read back as a formula or a number
                cell.data_type = "s"
            cells.append(cell)
        sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
