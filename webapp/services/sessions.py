"""Sessions: turning a venue's weekly timetable into bookable sessions, and open days.

Times of day are the venue's local time (the app's BABEL_DEFAULT_TIMEZONE, Asia/Shanghai);
sessions store naive UTC. Generation covers a rolling window (BOOKING_WINDOW_DAYS, 30 by
default), skips closed dates, and is idempotent: the (venue, starts_at) unique constraint
backs the check, so generating twice adds nothing.
"""

from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from models import BookingSettings, Session, SessionKind, TimetableEntry, Venue, VenueClosure, db
from webapp.services.clock import day_bounds, local_date, to_local, to_utc

DEFAULTS = {
    "BOOKING_WINDOW_DAYS": 30,
    "BOOKING_MAX_ACTIVE_PER_DAY": 1,
    "BOOKING_NO_SHOW_LIMIT": 3,
    "BOOKING_NO_SHOW_WINDOW_DAYS": 90,
    "BOOKING_NO_SHOW_BLOCK_DAYS": 30,
    "BOOKING_MAX_FAMILY_PARTY": 10,
    #: places offered to a waiting-list entry are held for it this long (never past the start)
    "BOOKING_WAITLIST_HOLD_HOURS": 12,
}


def setting(name: str) -> int:
    """A booking setting from the app config, else its default."""
    return int(current_app.config.get(name, DEFAULTS[name]))


# ---------------------------------------------------------------- settings


def get_settings(venue_id: int) -> BookingSettings:
    """The venue's booking settings; a venue without a row gets the defaults (not saved)."""
    found = db.session.get(BookingSettings, venue_id)
    if found is not None:
        return found
    defaults = {
        c.name: c.default.arg
        for c in BookingSettings.__table__.columns
        if c.default is not None and not callable(c.default.arg)
    }
    return BookingSettings(venue_id=venue_id, **defaults)


def booking_opens_at(session: Session, settings: BookingSettings) -> datetime:
    """When a session becomes bookable: `open_days_ahead` days before, at the release time."""
    day = local_date(session.starts_at) - timedelta(days=settings.open_days_ahead)
    return to_utc(day, settings.release_time)


def green_released_at(session: Session, settings: BookingSettings) -> datetime:
    """When unused green-channel places open to everyone (worked out in `capacity`)."""
    from webapp.services.capacity import green_released_at as released_at

    return released_at(session, settings)


def is_closed_on(venue_id: int, day: date) -> bool:
    return (
        db.session.scalar(
            sa.select(VenueClosure.id).where(
                VenueClosure.venue_id == venue_id, VenueClosure.closed_on == day
            )
        )
        is not None
    )


def session_problem(session: Session, settings: BookingSettings, *, now: datetime) -> str | None:
    """Why a session cannot be booked now, or None when it can."""
    if session.is_cancelled:
        return _("This session has been called off.")
    if session.starts_at <= now:
        return _("This session has already started or is over.")
    if is_closed_on(session.venue_id, local_date(session.starts_at)):
        return _("The venue is closed on that day.")
    opens = booking_opens_at(session, settings)
    if now < opens:
        return _(
            "Booking for this session opens on %(when)s.",
            when=to_local(opens).strftime("%Y-%m-%d %H:%M"),
        )
    return None


# ---------------------------------------------------------------- generation


def generate_sessions(venue: Venue | None = None, *, now: datetime, days: int | None = None) -> int:
    """Create the sessions of the coming `days` from each venue's weekly timetable.

    Rules: the window starts on today's local date; closed dates are skipped; a session that
    already exists (same venue and start) is left alone, so running twice adds nothing.
    Returns the number of sessions added.
    Raises: nothing for a venue without a timetable (it simply gets no sessions).
    """
    days = days if days is not None else setting("BOOKING_WINDOW_DAYS")
    first = local_date(now)
    last = first + timedelta(days=days)
    stmt = sa.select(TimetableEntry).order_by(TimetableEntry.venue_id, TimetableEntry.weekday)
    if venue is not None:
        stmt = stmt.where(TimetableEntry.venue_id == venue.id)
    entries = db.session.scalars(stmt).all()
    by_venue: dict[int, list[TimetableEntry]] = {}
    for entry in entries:
        by_venue.setdefault(entry.venue_id, []).append(entry)
    added = 0
    for venue_id, venue_entries in by_venue.items():
        try:
            added += _generate_for_venue(venue_id, venue_entries, first, last, now)
            db.session.commit()
        except IntegrityError:
            # Another run added the same sessions in the meantime: theirs stand.
            db.session.rollback()
    return added


def _generate_for_venue(venue_id, entries, first: date, last: date, now: datetime) -> int:
    start_utc, _end = day_bounds(first)
    end_utc, _end = day_bounds(last)
    existing = set(
        db.session.scalars(
            sa.select(Session.starts_at).where(
                Session.venue_id == venue_id,
                Session.starts_at >= start_utc,
                Session.starts_at < end_utc,
            )
        )
    )
    closed = set(
        db.session.scalars(
            sa.select(VenueClosure.closed_on).where(
                VenueClosure.venue_id == venue_id,
                VenueClosure.closed_on >= first,
                VenueClosure.closed_on < last,
            )
        )
    )
    added = 0
    day = first
    while day < last:
        if day not in closed:
            for entry in entries:
                if entry.weekday != day.isoweekday():
                    continue
                starts_at = to_utc(day, entry.start_time)
                if starts_at in existing or starts_at <= now:
                    continue
                db.session.add(
                    Session(
                        venue_id=venue_id,
                        kind=SessionKind.REGULAR,
                        starts_at=starts_at,
                        ends_at=to_utc(day, entry.end_time),
                        capacity=entry.capacity,
                        green_quota=entry.green_quota,
                        taken_general=0,
                        taken_green=0,
                    )
                )
                existing.add(starts_at)
                added += 1
        day += timedelta(days=1)
    db.session.flush()
    return added


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
) -> Session:
    """Publish an open day (开放日); the rules are `open_days.create_open_day`'s.

    Raises: PermissionDenied, ServiceError (with the field at fault).
    """
    from webapp.services import open_days

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


def get_session(session_id: int) -> Session | None:
    return db.session.get(Session, session_id)


def list_venue_sessions(venue: Venue, *, start: datetime, end: datetime) -> list[Session]:
    return db.session.scalars(
        sa.select(Session)
        .where(Session.venue_id == venue.id, Session.starts_at >= start, Session.starts_at < end)
        .order_by(Session.starts_at)
    ).all()
