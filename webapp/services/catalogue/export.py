"""The resource directory list (资源目录清单): the practice bases of a bureau's region as a table.

Item 3 of the notice asks for a directory list of the practice bases; bureau staff print it or
export it for a region of their scope (the province, a city or a county) and a period: as a
spreadsheet formatted for printing (a title with the region and date, the headings repeated on
every printed page, landscape A4), as CSV, or as a printable page. The columns and their
values are Chinese, the language the list is filed in, whatever the page's language. Cells
that a spreadsheet would run as a formula are written as text.
"""

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask_babel import force_locale
from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from sqlalchemy.orm import aliased, joinedload, selectinload

from models import Region, RegionLevel, Slot, SlotKind, TimetableEntry, User, Venue, db
from webapp.labels import (
    ADMISSION_LABELS,
    CATEGORY_LABELS,
    LEVEL_LABELS,
    STAGE_LABELS,
    VISITOR_GROUP_LABELS,
    WEEKDAY_LABELS,
)
from webapp.services import clock, permissions
from webapp.services.errors import PermissionDenied
from webapp.services.supervision.dashboard import check_period, region_filter

HEADERS = [
    "序号",
    "名称",
    "类别",
    "级别",
    "市",
    "县（市、区）",
    "地址",
    "联系电话",
    "门票政策",
    "适合学段",
    "课程",
    "开放时间",
    "期内开放日（场）",
    "绿色通道名额（每周）",
    "无障碍",
]
#: column widths in the workbook, in characters
WIDTHS = (5, 24, 18, 11, 9, 11, 28, 14, 30, 16, 26, 24, 9, 9, 7)
SHEET_TITLE = "资源目录清单"

#: a cell starting with one of these is a formula to Excel and LibreOffice
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class DirectoryList:
    """Which list: the region, the period its open days are counted over, and the day made."""

    region: Region
    start: date
    end: date
    made_on: date

    @property
    def region_name(self) -> str:
        region = self.region
        if region.level is RegionLevel.COUNTY and region.parent is not None:
            return region.parent.name + region.name
        return region.name

    @property
    def title(self) -> str:
        return f"{self.region_name}社会实践教育基地资源目录清单"

    @property
    def subtitle(self) -> str:
        return (
            f"统计期间：{self.start.isoformat()} 至 {self.end.isoformat()}"
            f"　　制表日期：{self.made_on.isoformat()}"
        )


def get_directory_list(
    region: Region, start: date, end: date, *, by: User, now=None
) -> DirectoryList:
    """The directory list of `region` over [start, end], as `by` may see it.

    Rules: bureau staff whose scope covers the region (administrators anywhere); the period
    ends on or after its start and spans at most 5 years.
    Raises: PermissionDenied (not bureau staff, or the region outside the scope);
    ServiceError for a bad period.
    """
    permissions.require(by, "bureau.console")
    if not permissions.can(by, "region.manage", region):
        raise PermissionDenied(_("This region is outside your scope."), field="region")
    check_period(start, end)
    return DirectoryList(region, start, end, clock.today(now))


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


def admission_text(venue: Venue) -> str:
    """The admission policy by visitor group: '小学生：免费；陪同成人：全价 60元'."""
    parts = []
    for group in VISITOR_GROUP_LABELS:
        rule = venue.admission_for(group)
        if rule is None:
            continue
        price = "" if rule.is_free or rule.price_yuan is None else f" {rule.price_yuan}元"
        parts.append(f"{VISITOR_GROUP_LABELS[group]}：{ADMISSION_LABELS[rule.kind]}{price}")
    return "；".join(parts) or "请咨询场馆"


def _region_name(region: Region | None) -> str:
    return region.name if region is not None else ""


def _row(seq: int, venue: Venue, open_days: int, green_quota: int) -> list:
    return [
        seq,
        venue.name,
        "、".join(str(CATEGORY_LABELS[c]) for c in venue.categories),
        str(LEVEL_LABELS[venue.level]),
        _region_name(venue.city),
        _region_name(venue.county),
        venue.address,
        venue.phone,
        admission_text(venue),
        "、".join(str(STAGE_LABELS[s]) for s in venue.stages),
        "、".join(c.title for c in venue.courses),
        opening_text(venue),
        open_days,
        green_quota,
        _yes_no(venue.is_accessible)
        + (f"（{venue.accessibility}）" if venue.accessibility else ""),
    ]


def safe_cell(cell):
    """CSV has no cell types: text a spreadsheet would run as a formula gets a leading '."""
    if isinstance(cell, str) and cell.startswith(_FORMULA_START):
        return "'" + cell
    return cell


def _counts(ids: list[int], listing: DirectoryList) -> tuple[dict[int, int], dict[int, int]]:
    """Open days held or planned in the period, and weekly green-channel places, by venue."""
    since, _ = clock.day_bounds(listing.start)
    _, until = clock.day_bounds(listing.end)
    open_days = dict(
        db.session.execute(
            sa.select(Slot.venue_id, sa.func.count(Slot.id))
            .where(
                Slot.venue_id.in_(ids),
                Slot.kind == SlotKind.OPEN_DAY,
                Slot.is_cancelled.is_(False),
                Slot.starts_at >= since,
                Slot.starts_at < until,
            )
            .group_by(Slot.venue_id)
        ).all()
    )
    quotas = dict(
        db.session.execute(
            sa.select(TimetableEntry.venue_id, sa.func.sum(TimetableEntry.green_quota))
            .where(TimetableEntry.venue_id.in_(ids))
            .group_by(TimetableEntry.venue_id)
        ).all()
    )
    return open_days, quotas


def load_venues(ids: list[int]) -> list[Venue]:
    """The venues of `ids`, in that order, with what the list and the open data show."""
    venues = db.session.scalars(
        sa.select(Venue)
        .where(Venue.id.in_(ids))
        .options(
            joinedload(Venue.city),
            joinedload(Venue.county),
            selectinload(Venue.opening_hours),
            selectinload(Venue.admission_rules),
            selectinload(Venue.courses),
        )
    ).all()
    order = {vid: i for i, vid in enumerate(ids)}
    return sorted(venues, key=lambda v: order[v.id])


def release(venues: list[Venue]) -> None:
    """Let a batch go: the session would otherwise keep every venue read so far."""
    for venue in venues:
        db.session.expunge(venue)


def iter_directory_rows(listing: DirectoryList, *, batch: int = 500) -> Iterator[list]:
    """The rows of the list, by city, county and name, read `batch` venues at a time."""
    city, county = aliased(Region), aliased(Region)
    ids = db.session.scalars(
        sa.select(Venue.id)
        .join(county, Venue.county_id == county.id)
        .join(city, Venue.city_id == city.id)
        .where(region_filter(listing.region, Venue.county_id, Venue.city_id))
        .order_by(city.adcode, county.adcode, Venue.name_pinyin, Venue.id)
    ).all()
    seq = 0
    # Labels are the list's own language, whatever the page's.
    with force_locale("zh"):
        for start in range(0, len(ids), batch):
            chunk = ids[start : start + batch]
            open_days, quotas = _counts(chunk, listing)
            venues = load_venues(chunk)
            for venue in venues:
                seq += 1
                yield _row(seq, venue, open_days.get(venue.id, 0), int(quotas.get(venue.id, 0)))
            release(venues)


def export_directory_csv(listing: DirectoryList) -> bytes:
    """The list as UTF-8 CSV with a byte-order mark, so Excel reads the Chinese.

    The first line is the headings (no title line: a CSV is read by programs).
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADERS)
    writer.writerows([safe_cell(cell) for cell in row] for row in iter_directory_rows(listing))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def export_directory_xlsx(listing: DirectoryList) -> bytes:
    """The list as an Excel workbook formatted for printing.

    Row 1 is the title, row 2 the period and the day made, row 3 the headings (frozen,
    filtered, and repeated at the top of every printed page); landscape A4, one page wide.
    """
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(SHEET_TITLE)
    last = get_column_letter(len(HEADERS))
    for index, width in enumerate(WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A4"
    sheet.print_title_rows = "3:3"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = "9"  # A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.horizontalCentered = True
    sheet.oddFooter.center.text = "第 &P 页，共 &N 页"
    sheet.merged_cells.add(f"A1:{last}1")
    sheet.merged_cells.add(f"A2:{last}2")

    def cell(value, **style):
        made = WriteOnlyCell(sheet, value=value)
        if isinstance(value, str):
            # text stays text: never read back as a formula or a number
            made.data_type = "s"
        for name, setting in style.items():
            setattr(made, name, setting)
        return made

    centred = Alignment(horizontal="center", vertical="center")
    sheet.row_dimensions[1].height = 28
    sheet.append([cell(listing.title, font=Font(bold=True, size=16), alignment=centred)])
    sheet.append([cell(listing.subtitle, alignment=centred)])
    thin = Side(style="thin")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    wrap = Alignment(wrap_text=True, vertical="top")
    heading = Alignment(wrap_text=True, horizontal="center", vertical="center")
    sheet.append([cell(h, font=Font(bold=True), border=box, alignment=heading) for h in HEADERS])
    count = 0
    for row in iter_directory_rows(listing):
        count += 1
        sheet.append([cell(value, border=box, alignment=wrap) for value in row])
    sheet.auto_filter.ref = f"A3:{last}{3 + max(count, 1)}"
    sheet.print_area = f"A1:{last}{3 + max(count, 1)}"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
