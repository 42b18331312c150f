"""Availability: the places left in sessions, general and green-channel, for many at once.

A session's green-channel quota is held for green-channel bookings until the venue's release
time (24 h before by default); after it the unused places open to everyone. Green-channel
bookings may take any free place, reserved or not. One query answers any number of sessions,
so a page listing sessions does not query once per session.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa

from models import BookingSettings, Session, Venue, VenueClosure, WaitlistEntry, db
from webapp.services.sessions import day_bounds, local_date

DEFAULT_GREEN_RELEASE_HOURS = 24


@dataclass(frozen=True)
class Availability:
    session_id: int
    capacity: int
    #: places a general-channel booking can take now
    general_left: int
    #: places a green-channel booking can take now (every free place)
    green_left: int
    #: of the free places, how many are still held for the green channel
    green_reserved_left: int
    is_green_released: bool

    @property
    def is_full(self) -> bool:
        return self.green_left <= 0


def compute(
    *,
    capacity,
    green_quota,
    taken_general,
    taken_green,
    is_released: bool,
    session_id=0,
    held_general=0,
    held_green=0,
) -> Availability:
    """Places left; places held for waiting-list entries count as taken in their channel."""
    general = taken_general + held_general
    green = taken_green + held_green
    free = max(capacity - general - green, 0)
    reserved = 0 if is_released else max(green_quota - green, 0)
    reserved = min(reserved, free)
    return Availability(
        session_id=session_id,
        capacity=capacity,
        general_left=free - reserved,
        green_left=free,
        green_reserved_left=reserved,
        is_green_released=is_released,
    )


def get_availability(
    session_ids, *, now: datetime, release: bool = True
) -> dict[int, Availability]:
    """Places left in each of the given sessions, by session id, in one query.

    Rules: a cancelled session has no places; the green quota is released once `now` is
    within the venue's green_release_hours of the start; places held for waiting-list
    entries are not left. Lapsed holds are released first (and committed) unless `release`
    is False (inside another unit of work).
    """
    ids = list(session_ids)
    if not ids:
        return {}
    rows = _rows(ids, now=now)
    if release and any(row.has_lapsed for row in rows):
        from webapp.services import holds

        if holds.apply_expiry([row.id for row in rows if row.has_lapsed], now=now):
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
            session_id=sid,
            held_general=held_general,
            held_green=held_green,
        )
    return result


def _rows(ids, *, now: datetime):
    """One query: each session's counts, its green release hours, and whether a waiting-list
    hold in it has lapsed (to be released)."""
    hours = sa.func.coalesce(BookingSettings.green_release_hours, DEFAULT_GREEN_RELEASE_HOURS)
    lapsed = (
        sa.exists()
        .where(
            WaitlistEntry.session_id == Session.id,
            WaitlistEntry.held_places > 0,
            WaitlistEntry.held_until <= now,
        )
        .label("has_lapsed")
    )
    return db.session.execute(
        sa.select(
            Session.id,
            Session.starts_at,
            Session.capacity,
            Session.green_quota,
            Session.taken_general,
            Session.taken_green,
            Session.held_general,
            Session.held_green,
            Session.is_cancelled,
            hours,
            lapsed,
        )
        .outerjoin(BookingSettings, BookingSettings.venue_id == Session.venue_id)
        .where(Session.id.in_(ids))
    ).all()


def list_coming_sessions(venue: Venue, *, now: datetime, days: int = 14):
    """(session, availability) for the venue's sessions from now over `days`, soonest first.

    Sessions on a closed date and called-off sessions are left out.
    """
    end = now + timedelta(days=days)
    sessions = db.session.scalars(
        sa.select(Session)
        .where(
            Session.venue_id == venue.id,
            Session.starts_at > now,
            Session.starts_at < end,
            Session.is_cancelled.is_(False),
        )
        .order_by(Session.starts_at)
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
    """An EXISTS clause: the venue has a session on the local `day` with a free place."""
    start, end = day_bounds(day)
    return sa.exists().where(
        Session.venue_id == venue_id_column,
        Session.starts_at >= start,
        Session.starts_at < end,
        Session.is_cancelled.is_(False),
        Session.taken_general + Session.taken_green + Session.held_general + Session.held_green
        < Session.capacity,
        ~sa.exists().where(VenueClosure.venue_id == venue_id_column, VenueClosure.closed_on == day),
    )
