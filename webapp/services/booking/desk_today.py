"""The venue desk's day: today's sessions with their figures, approvals waiting, open days
coming, and the visitor list printed for the door.

Read functions only. Everything is limited to the venues passed in, which the caller takes
from `venue_staff.console_venues(user)`, so staff never see another venue's visitors.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from models import Booking, BookingKind, BookingStatus, Slot, SlotKind, Stage, Venue, db
from webapp.services.booking.settings import get_settings
from webapp.services.clock import day_bounds, local_date

#: the statuses a visitor list shows: everyone who holds or held a place that day
LISTED_STATUSES = (
    BookingStatus.PENDING,
    BookingStatus.CONFIRMED,
    BookingStatus.CHECKED_IN,
    BookingStatus.NO_SHOW,
)
OPEN_DAYS_AHEAD = 14


@dataclass(frozen=True)
class SessionFigures:
    slot: Slot
    #: places taken by bookings (both channels)
    booked: int
    green_used: int
    #: people recorded at the door so far
    checked_in: int
    parties: int
    parties_in: int

    def as_dict(self) -> dict:
        return {
            "session_id": self.slot.id,
            "booked": self.booked,
            "capacity": self.slot.capacity,
            "green_used": self.green_used,
            "green_quota": self.slot.green_quota,
            "checked_in": self.checked_in,
            "parties": self.parties,
            "parties_in": self.parties_in,
        }


def mask_phone(phone: str) -> str:
    """A phone number with every digit but the last four hidden (138****8000 → *******8000)."""
    digits = [ch for ch in (phone or "") if ch.isdigit()]
    if len(digits) <= 4:
        return "*" * len(digits)
    return "*" * (len(digits) - 4) + "".join(digits[-4:])


def _venue_ids(venues) -> list[int]:
    return [v.id for v in venues]


def list_day_sessions(venues, day: date) -> list[SessionFigures]:
    """The venues' sessions on a local day, soonest first, with booked, green-channel places
    used and people checked in, in one query."""
    start, end = day_bounds(day)
    arrived = (
        sa.select(
            Booking.slot_id,
            sa.func.coalesce(sa.func.sum(Booking.arrived), 0).label("arrived"),
            sa.func.count(Booking.id).label("parties"),
            sa.func.count(Booking.checked_in_at).label("parties_in"),
        )
        .where(Booking.status.in_(LISTED_STATUSES[:3]))
        .group_by(Booking.slot_id)
        .subquery()
    )
    rows = db.session.execute(
        sa.select(Slot, arrived.c.arrived, arrived.c.parties, arrived.c.parties_in)
        .options(joinedload(Slot.venue))
        .outerjoin(arrived, arrived.c.slot_id == Slot.id)
        .where(
            Slot.venue_id.in_(_venue_ids(venues)),
            Slot.starts_at >= start,
            Slot.starts_at < end,
        )
        .order_by(Slot.starts_at, Slot.venue_id)
    ).all()
    return [
        SessionFigures(
            slot=s,
            booked=s.taken,
            green_used=s.taken_green,
            checked_in=int(n or 0),
            parties=int(parties or 0),
            parties_in=int(parties_in or 0),
        )
        for s, n, parties, parties_in in rows
    ]


@dataclass(frozen=True)
class PendingGroup:
    booking: Booking
    pupils: int
    #: pupils per accompanying teacher, rounded to one place (None without teachers)
    ratio: float | None
    #: the venue's limit for the group's strictest stage
    ratio_limit: int | None

    @property
    def stages(self) -> list[Stage]:
        b = self.booking
        pairs = (
            (Stage.PRESCHOOL, b.preschool),
            (Stage.PRIMARY, b.primary_pupils),
            (Stage.JUNIOR, b.junior),
            (Stage.SENIOR, b.senior),
        )
        return [stage for stage, n in pairs if n]


_LIMIT_OF_STAGE = {
    Stage.PRESCHOOL: "preschool_per_teacher",
    Stage.PRIMARY: "primary_per_teacher",
    Stage.JUNIOR: "junior_per_teacher",
    Stage.SENIOR: "senior_per_teacher",
}


def list_waiting_groups(venues) -> list[PendingGroup]:
    """Group bookings waiting for approval at the venues, soonest visit first, with the
    pupil-to-teacher ratio and the venue's limit for it."""
    found = db.session.scalars(
        sa.select(Booking)
        .options(joinedload(Booking.slot).joinedload(Slot.venue), joinedload(Booking.school))
        .join(Slot, Slot.id == Booking.slot_id)
        .where(
            Slot.venue_id.in_(_venue_ids(venues)),
            Booking.status == BookingStatus.PENDING,
        )
        .order_by(Slot.starts_at, Booking.created_at)
    ).all()
    result = []
    for booking in found:
        pupils = booking.children
        settings = get_settings(booking.slot.venue_id)
        group = PendingGroup(booking, pupils, None, None)
        limits = [getattr(settings, _LIMIT_OF_STAGE[s]) for s in group.stages]
        ratio = round(pupils / booking.teachers, 1) if booking.teachers else None
        result.append(PendingGroup(booking, pupils, ratio, min(limits) if limits else None))
    return result


def count_waiting_groups(venues) -> int:
    return db.session.scalar(
        sa.select(sa.func.count(Booking.id))
        .join(Slot, Slot.id == Booking.slot_id)
        .where(
            Slot.venue_id.in_(_venue_ids(venues)),
            Booking.status == BookingStatus.PENDING,
            Booking.kind == BookingKind.SCHOOL_GROUP,
        )
    )


def list_open_days_ahead(venues, *, now: datetime, days: int = OPEN_DAYS_AHEAD) -> list[Slot]:
    """The venues' open days from today (local) over the next `days` days, called-off ones
    included so staff see them."""
    start, _end = day_bounds(local_date(now))
    end = start + timedelta(days=days + 1)
    return db.session.scalars(
        sa.select(Slot)
        .options(joinedload(Slot.venue))
        .where(
            Slot.venue_id.in_(_venue_ids(venues)),
            Slot.kind == SlotKind.OPEN_DAY,
            Slot.starts_at >= start,
            Slot.starts_at < end,
        )
        .order_by(Slot.starts_at)
    ).all()


def list_visitors(venue: Venue, *, day: date, session: Slot | None = None) -> list[Booking]:
    """Who is coming to a venue on a day (or to one session), for the printed door list:
    everyone holding or having held a place, by session then code."""
    stmt = (
        sa.select(Booking)
        .options(joinedload(Booking.slot), joinedload(Booking.school))
        .join(Slot, Slot.id == Booking.slot_id)
        .where(Slot.venue_id == venue.id, Booking.status.in_(LISTED_STATUSES))
        .order_by(Slot.starts_at, Booking.code)
    )
    if session is not None:
        stmt = stmt.where(Booking.slot_id == session.id)
    else:
        start, end = day_bounds(day)
        stmt = stmt.where(Slot.starts_at >= start, Slot.starts_at < end)
    return db.session.scalars(stmt).all()
