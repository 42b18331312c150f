"""Exports of a venue's bookings and attendance for a day, a month or a chosen range, as
Excel (a title row, headers, column widths, a totals row, and a sheet of totals) or CSV.

Totals are given by visitor group, by channel and by green-channel category, booked against
arrived. A party counts as arrived by group when it was checked in; people arrived counts
what staff recorded at the door, so a partial arrival shows there. Cancelled and refused
bookings are left out. Text a spreadsheet would run as a formula is written as text.
"""

import csv
import io
from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from sqlalchemy.orm import joinedload

from models import Booking, BookingChannel, BookingStatus, Slot, User, Venue, db
from webapp.booking_labels import CHANNEL_LABELS, STATUS_LABELS
from webapp.count_labels import COUNT_LABELS
from webapp.services.booking.access import require_venue_staff
from webapp.services.booking.desk_today import mask_phone
from webapp.services.booking.party import GREEN_FIELDS
from webapp.services.catalogue.export import safe_cell
from webapp.services.clock import day_bounds, to_local
from webapp.services.errors import ServiceError

MAX_DAYS = 366
EXPORTED_STATUSES = (
    BookingStatus.PENDING,
    BookingStatus.CONFIRMED,
    BookingStatus.CHECKED_IN,
    BookingStatus.NO_SHOW,
)
GROUP_FIELDS = ("preschool", "primary_pupils", "junior", "senior", "adults", "teachers")


class ExportError(ServiceError):
    status_code = 422


def check_range(first: date | None, last: date | None) -> tuple[date, date]:
    """The range, if it is one: both dates, the end not before the start, at most a year.

    Raises: ExportError naming the field at fault.
    """
    if first is None:
        raise ExportError(_("Give the first day."), field="first")
    if last is None:
        raise ExportError(_("Give the last day."), field="last")
    if last < first:
        raise ExportError(_("The last day is before the first."), field="last")
    if (last - first).days + 1 > MAX_DAYS:
        raise ExportError(_("At most a year (%(n)d days) at a time.", n=MAX_DAYS), field="last")
    return first, last


def month_range(day: date) -> tuple[date, date]:
    first = day.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return first, following - timedelta(days=1)


@dataclass
class Totals:
    booked: dict = field(default_factory=dict)
    arrived: dict = field(default_factory=dict)

    def add(self, key: str, booked: int, arrived: int) -> None:
        self.booked[key] = self.booked.get(key, 0) + booked
        self.arrived[key] = self.arrived.get(key, 0) + arrived


@dataclass
class Export:
    venue: Venue
    first: date
    last: date
    bookings: list[Booking]
    by_group: Totals
    by_channel: Totals
    by_green: Totals
    people_booked: int
    people_arrived: int


def collect(venue: Venue, first: date, last: date, *, by: User) -> Export:
    """The venue's bookings with a session in [first, last] (local dates) and their totals.

    Raises: PermissionDenied (not the venue's staff), ExportError (a bad range).
    """
    require_venue_staff(venue, by, "venue.view_bookings")
    first, last = check_range(first, last)
    start, _ignored = day_bounds(first)
    _ignored, end = day_bounds(last)
    found = db.session.scalars(
        sa.select(Booking)
        .options(joinedload(Booking.slot), joinedload(Booking.school))
        .join(Slot, Slot.id == Booking.slot_id)
        .where(
            Slot.venue_id == venue.id,
            Slot.starts_at >= start,
            Slot.starts_at < end,
            Booking.status.in_(EXPORTED_STATUSES),
        )
        .order_by(Slot.starts_at, Booking.code)
    ).all()
    by_group, by_channel, by_green = Totals(), Totals(), Totals()
    for b in found:
        came = b.status is BookingStatus.CHECKED_IN
        for name in GROUP_FIELDS:
            n = getattr(b, name)
            by_group.add(name, n, n if came else 0)
        for name in GREEN_FIELDS:
            n = getattr(b, name)
            by_green.add(name, n, n if came else 0)
        by_channel.add(b.channel.value, b.places, b.arrived)
    return Export(
        venue=venue,
        first=first,
        last=last,
        bookings=found,
        by_group=by_group,
        by_channel=by_channel,
        by_green=by_green,
        people_booked=sum(b.places for b in found),
        people_arrived=sum(b.arrived for b in found),
    )


# ---------------------------------------------------------------- the table


def _group_labels() -> dict:
    return {name: str(label) for name, label in COUNT_LABELS.items()}


def _channel_label(value: str) -> str:
    return str(CHANNEL_LABELS[BookingChannel(value)])


def headers() -> list[str]:
    labels = _group_labels()
    return [
        _("Date"),
        _("Time"),
        _("Code"),
        _("Status"),
        _("Channel"),
        _("School / class"),
        *(labels[name] for name in GROUP_FIELDS),
        *(labels[name] for name in GREEN_FIELDS),
        _("People booked"),
        _("People arrived"),
        _("Contact"),
        _("Phone"),
    ]


def _row(b: Booking) -> list:
    start = to_local(b.slot.starts_at)
    school = f"{b.school.name if b.school else ''} {b.group_name}".strip()
    return [
        start.date().isoformat(),
        start.strftime("%H:%M"),
        b.display_code,
        str(STATUS_LABELS[b.status]),
        _channel_label(b.channel.value),
        school,
        *(getattr(b, name) for name in GROUP_FIELDS),
        *(getattr(b, name) for name in GREEN_FIELDS),
        b.places,
        b.arrived,
        b.contact_name,
        mask_phone(b.contact_phone),
    ]


def _totals_row(export: Export) -> list:
    return [
        _("Total"),
        "",
        "",
        "",
        "",
        "",
        *(export.by_group.booked.get(name, 0) for name in GROUP_FIELDS),
        *(export.by_green.booked.get(name, 0) for name in GREEN_FIELDS),
        export.people_booked,
        export.people_arrived,
        "",
        "",
    ]


def summary_rows(export: Export) -> list[list]:
    """(what, booked, arrived) by visitor group, by channel and by green-channel category."""
    labels = _group_labels()
    rows = [[_("Totals"), _("Booked"), _("Arrived")]]
    rows += [
        [labels[name], export.by_group.booked.get(name, 0), export.by_group.arrived.get(name, 0)]
        for name in GROUP_FIELDS
    ]
    rows += [
        [
            _channel_label(c.value),
            export.by_channel.booked.get(c.value, 0),
            export.by_channel.arrived.get(c.value, 0),
        ]
        for c in BookingChannel
    ]
    rows += [
        [labels[name], export.by_green.booked.get(name, 0), export.by_green.arrived.get(name, 0)]
        for name in GREEN_FIELDS
    ]
    rows.append([_("People"), export.people_booked, export.people_arrived])
    return rows


def title(export: Export) -> str:
    return _(
        "%(venue)s: bookings and attendance, %(first)s to %(last)s",
        venue=export.venue.name,
        first=export.first.isoformat(),
        last=export.last.isoformat(),
    )


def file_name(export: Export, extension: str) -> str:
    return f"bookings-{export.venue.id}-{export.first:%Y%m%d}-{export.last:%Y%m%d}.{extension}"


def to_csv(export: Export) -> bytes:
    """UTF-8 CSV with a byte-order mark (so Excel reads the Chinese): a title line, the
    headers, a row per booking, the totals row, then the totals by group and channel."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([title(export)])
    writer.writerow(headers())
    for b in export.bookings:
        writer.writerow([safe_cell(cell) for cell in _row(b)])
    writer.writerow(_totals_row(export))
    writer.writerow([])
    writer.writerows(summary_rows(export))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


WIDTHS = (12, 8, 12, 12, 14, 24, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 10, 10, 12, 14)


def to_xlsx(export: Export) -> bytes:
    """An Excel workbook: the bookings sheet (title row, bold frozen headers, widths, a bold
    totals row) and a totals sheet (booked against arrived)."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Bookings")[:31]
    bold = Font(bold=True)
    names = headers()
    sheet.append([title(export)])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(names))
    sheet.cell(row=1, column=1).font = Font(bold=True, size=13)
    sheet.append(names)
    for column, width in enumerate(WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
        sheet.cell(row=2, column=column).font = bold
    sheet.freeze_panes = "A3"
    for b in export.bookings:
        sheet.append(_row(b))
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # text stays text: never read back as a formula
    sheet.append(_totals_row(export))
    for cell in sheet[sheet.max_row]:
        cell.font = bold
    totals = workbook.create_sheet(_("Totals")[:31])
    for row in summary_rows(export):
        totals.append(row)
    totals.column_dimensions["A"].width = 30
    for cell in totals[1]:
        cell.font = bold
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
