"""Availability: the places left in sessions, general and green-channel, for many at once.

A session's green-channel quota is held for green-channel bookings until the venue's release
time (24 h before by default); after it the unused places open to everyone. Green-channel
bookings may take any free place, reserved or not. One query answers any number of sessions,
so a page listing sessions does not query once per session.
"""

from datetime import date, datetime, timedelta

import sqlalchemy as sa

from models import BookingChannel, BookingSettings, Slot, Venue, VenueClosure, WaitlistEntry, db
from webapp.services.booking import capacity, waitlist
from webapp.services.clock import day_bounds, local_date

Availability = capacity.Availability
compute = capacity.compute


def get_availability(
    slot_ids, *, now: datetime, release: bool = True
) -> dict[int, Availability]:
    """Places left in each of the given sessions, by session id, in one query.

    Rules: a cancelled session has no places; the green quota is released once `now` is
    within the venue's green_release_hours of the start; places held for waiting-list
    entries are not left. Lapsed holds are released first (and committed) unless `release`
    is False (inside another unit of work).
    """
    ids = list(slot_ids)
    if not ids:
        return {}
    rows = _rows(ids, now=now)
    if release and any(row.has_lapsed for row in rows):
        if waitlist.apply_expiry([row.id for row in rows if row.has_lapsed], now=now):
            rows = _rows(ids, now=now)
    result = {}
    for row in rows:
        sid, starts_at, capacity, quota, general, green, held_general, held_green = row[:8]
        is_cancelled, release_hours = row[8:10]
        if is_cancelled:
            result[sid] = Availability(sid, capacity, 0, 0, 0, True)
            continue
        released = now >= starts_at - timedelta(hours=release_hours)
        result[sid] = compute(
            capacity=capacity,
            green_quota=quota,
            taken_general=general,
            taken_green=green,
            is_released=released,
            slot_id=sid,
            held_general=held_general,
            held_green=held_green,
        )
    return result


def _rows(ids, *, now: datetime):
    """One query: each session's counts, its green release hours, and whether a waiting-list
    hold in it has lapsed (to be released)."""
    hours = capacity.release_hours_sql()
    lapsed = (
        sa.exists()
        .where(
            WaitlistEntry.slot_id == Slot.id,
            WaitlistEntry.held_places > 0,
            WaitlistEntry.held_until <= now,
        )
        .label("has_lapsed")
    )
    return db.session.execute(
        sa.select(
            Slot.id,
            Slot.starts_at,
            Slot.capacity,
            Slot.green_quota,
            Slot.taken_general,
            Slot.taken_green,
            Slot.held_general,
            Slot.held_green,
            Slot.is_cancelled,
            hours,
            lapsed,
        )
        .outerjoin(BookingSettings, BookingSettings.venue_id == Slot.venue_id)
        .where(Slot.id.in_(ids))
    ).all()


def list_coming_sessions(venue: Venue, *, now: datetime, days: int = 14):
    """(session, availability) for the venue's sessions from now over `days`, soonest first.

    Sessions on a closed date and called-off sessions are left out.
    """
    end = now + timedelta(days=days)
    sessions = db.session.scalars(
        sa.select(Slot)
        .where(
            Slot.venue_id == venue.id,
            Slot.starts_at > now,
            Slot.starts_at < end,
            Slot.is_cancelled.is_(False),
        )
        .order_by(Slot.starts_at)
    ).all()
    closed = set(
        db.session.scalars(
            sa.select(VenueClosure.closed_on).where(VenueClosure.venue_id == venue.id)
        )
    )
    sessions = [s for s in sessions if local_date(s.starts_at) not in closed]
    places = get_availability([s.id for s in sessions], now=now)
    return [(s, places[s.id]) for s in sessions]


def has_places_on_clause(day: date, venue_id_column=Venue.id):
    """An EXISTS clause: the venue has a session on the local `day` with a place anyone can
    book (the green quota kept for the green channel, as until its release)."""
    start, end = day_bounds(day)
    return sa.exists().where(
        Slot.venue_id == venue_id_column,
        Slot.starts_at >= start,
        Slot.starts_at < end,
        Slot.is_cancelled.is_(False),
        capacity.fits_clause(Slot.__table__.c, 1, BookingChannel.GENERAL, is_released=False),
        ~sa.exists().where(VenueClosure.venue_id == venue_id_column, VenueClosure.closed_on == day),
    )
