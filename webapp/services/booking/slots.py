"""Sessions: turning a venue's weekly timetable into bookable sessions, when a session can be
booked, and open days.

Times of day are the venue's local time (the app's BABEL_DEFAULT_TIMEZONE, Asia/Shanghai);
sessions store naive UTC. Generation covers a rolling window (BOOKING_WINDOW_DAYS, 30 by
default), skips closed dates, and is idempotent: the (venue, starts_at) unique constraint
backs the check, so generating twice adds nothing. `planned_sessions` is the one place a
timetable becomes sessions: generating, saving a timetable and reopening a closed date use it.
"""

from datetime import date, datetime, time, timedelta
from typing import NamedTuple

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from models import BookingSettings, Slot, SlotKind, TimetableEntry, Venue, VenueClosure, db
from webapp.services.booking import open_days
from webapp.services.booking.settings import setting
from webapp.services.clock import day_bounds, local_date, to_local, to_utc
from webapp.services.transactions import unit_of_work


def booking_opens_at(session: Slot, settings: BookingSettings) -> datetime:
    """When a session becomes bookable: `open_days_ahead` days before, at the release time."""
    day = local_date(session.starts_at) - timedelta(days=settings.open_days_ahead)
    return to_utc(day, settings.release_time)


def is_closed_on(venue_id: int, day: date) -> bool:
    return (
        db.session.scalar(
            sa.select(VenueClosure.id).where(
                VenueClosure.venue_id == venue_id, VenueClosure.closed_on == day
            )
        )
        is not None
    )


def session_problem(
    session: Slot, settings: BookingSettings, *, now: datetime, is_closed: bool | None = None
) -> str | None:
    """Why a session cannot be booked now, or None when it can. `is_closed`: whether the
    venue is closed that day, when the caller has read it already."""
    if session.is_cancelled:
        return _("This session has been called off.")
    if session.starts_at <= now:
        return _("This session has already started or is over.")
    if is_closed is None:
        is_closed = is_closed_on(session.venue_id, local_date(session.starts_at))
    if is_closed:
        return _("The venue is closed on that day.")
    opens = booking_opens_at(session, settings)
    if now < opens:
        return _(
            "Booking for this session opens on %(when)s.",
            when=to_local(opens).strftime("%Y-%m-%d %H:%M"),
        )
    return None


# ---------------------------------------------------------------- from the timetable


class Planned(NamedTuple):
    """A session the timetable asks for, beside its start."""

    ends_at: datetime
    capacity: int
    green_quota: int


def planned_sessions(
    venue_id: int, entries: list[TimetableEntry], first: date, last: date, *, now: datetime
) -> dict[datetime, Planned]:
    """starts_at → the session the timetable asks for, over the local days [first, last).

    Rules: closed dates get none; starts at or before `now` are left out.
    """
    closed = set(
        db.session.scalars(
            sa.select(VenueClosure.closed_on).where(
                VenueClosure.venue_id == venue_id,
                VenueClosure.closed_on >= first,
                VenueClosure.closed_on < last,
            )
        )
    )
    planned = {}
    day = first
    while day < last:
        if day not in closed:
            for entry in entries:
                if entry.weekday == day.isoweekday():
                    starts_at = to_utc(day, entry.start_time)
                    if starts_at > now:
                        planned[starts_at] = Planned(
                            to_utc(day, entry.end_time), entry.capacity, entry.green_quota
                        )
        day += timedelta(days=1)
    return planned


def add_planned(venue_id: int, planned: dict[datetime, Planned], *, skip) -> int:
    """Add the planned sessions whose start is not in `skip`, soonest first (flushes).
    Returns how many were added."""
    added = 0
    for starts_at, plan in sorted(planned.items()):
        if starts_at in skip:
            continue
        db.session.add(
            Slot(
                venue_id=venue_id,
                kind=SlotKind.REGULAR,
                starts_at=starts_at,
                ends_at=plan.ends_at,
                capacity=plan.capacity,
                green_quota=plan.green_quota,
                taken_general=0,
                taken_green=0,
            )
        )
        added += 1
    db.session.flush()
    return added


def window(now: datetime) -> tuple[date, date]:
    """The rolling window of local days sessions are generated for: [today, today + N)."""
    first = local_date(now)
    return first, first + timedelta(days=setting("BOOKING_WINDOW_DAYS"))


def generate_sessions(venue: Venue | None = None, *, now: datetime, days: int | None = None) -> int:
    """Create the sessions of the coming `days` from each venue's weekly timetable.

    Rules: the window starts on today's local date; closed dates are skipped; a session that
    already exists (same venue and start) is left alone, so running twice adds nothing.
    Returns the number of sessions added. One unit of work per venue.
    Raises: nothing for a venue without a timetable (it simply gets no sessions); Busy.
    """
    first, last = window(now)
    if days is not None:
        last = first + timedelta(days=days)
    stmt = sa.select(TimetableEntry).order_by(TimetableEntry.venue_id, TimetableEntry.weekday)
    if venue is not None:
        stmt = stmt.where(TimetableEntry.venue_id == venue.id)
    by_venue: dict[int, list[TimetableEntry]] = {}
    for entry in db.session.scalars(stmt).all():
        by_venue.setdefault(entry.venue_id, []).append(entry)
    added = 0
    for venue_id, venue_entries in by_venue.items():
        try:
            with unit_of_work():
                existing = set(
                    db.session.scalars(
                        sa.select(Slot.starts_at).where(
                            Slot.venue_id == venue_id,
                            Slot.starts_at >= day_bounds(first)[0],
                            Slot.starts_at < day_bounds(last)[0],
                        )
                    )
                )
                planned = planned_sessions(venue_id, venue_entries, first, last, now=now)
                n = add_planned(venue_id, planned, skip=existing)
        except IntegrityError:
            continue  # another run added the same sessions in the meantime: theirs stand
        added += n
    return added


# ---------------------------------------------------------------- open days and reading


def create_open_day(
    venue: Venue,
    *,
    on: date,
    start: time,
    end: time,
    title: str,
    programme: str = "",
    capacity: int,
    green_quota: int = 0,
    by,
    now: datetime,
) -> Slot:
    """Publish an open day (开放日); the rules are `open_days.create_open_day`'s.

    Raises: PermissionDenied, ServiceError (with the field at fault).
    """
    details = open_days.OpenDayDetails(
        on=on,
        start=start,
        end=end,
        title=title,
        programme=programme,
        capacity=capacity,
        green_quota=green_quota,
    )
    return open_days.create_open_day(venue, details, by=by, now=now)


def get_session(slot_id: int) -> Slot | None:
    return db.session.get(Slot, slot_id)


def list_venue_sessions(venue: Venue, *, start: datetime, end: datetime) -> list[Slot]:
    return db.session.scalars(
        sa.select(Slot)
        .where(Slot.venue_id == venue.id, Slot.starts_at >= start, Slot.starts_at < end)
        .order_by(Slot.starts_at)
    ).all()
