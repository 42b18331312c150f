"""Availability: the places left in sessions, general and green-channel, for many at once.

A session's green-channel quota is held for green-channel bookings until the venue's release
time (24 h before by default); after it the unused places open to everyone. Green-channel
bookings may take any free place, reserved or not. One query answers any number of sessions,
so a page listing sessions does not query once per session.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa

from models import BookingSettings, Session, Venue, VenueClosure, db
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
    *, capacity, green_quota, taken_general, taken_green, is_released: bool, session_id=0
) -> Availability:
    free = max(capacity - taken_general - taken_green, 0)
    reserved = 0 if is_released else max(green_quota - taken_green, 0)
    reserved = min(reserved, free)
    return Availability(
        session_id=session_id,
        capacity=capacity,
        general_left=free - reserved,
        green_left=free,
        green_reserved_left=reserved,
        is_green_released=is_released,
    )


def get_availability(session_ids, *, now: datetime) -> dict[int, Availability]:
    """Places left in each of the given sessions, by session id, in one query.

    Rules: a cancelled session has no places; the green quota is released once `now` is
    within the venue's green_release_hours of the start.
    """
    ids = list(session_ids)
    if not ids:
        return {}
    hours = sa.func.coalesce(BookingSettings.green_release_hours, DEFAULT_GREEN_RELEASE_HOURS)
    rows = db.session.execute(
        sa.select(
            Session.id,
            Session.starts_at,
            Session.capacity,
            Session.green_quota,
            Session.taken_general,
            Session.taken_green,
            Session.is_cancelled,
            hours,
        )
        .outerjoin(BookingSettings, BookingSettings.venue_id == Session.venue_id)
        .where(Session.id.in_(ids))
    ).all()
    result = {}
    for sid, starts_at, capacity, quota, general, green, is_cancelled, release_hours in rows:
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
        )
    return result


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
        Session.taken_general + Session.taken_green < Session.capacity,
        ~sa.exists().where(VenueClosure.venue_id == venue_id_column, VenueClosure.closed_on == day),
    )
