"""The capacity ledger: the one place that takes and gives back a session's places and holds.

A session keeps four counters: places taken by general and by green-channel bookings, and
places held for waiting-list entries offered them, by channel. Every change to them is one
guarded UPDATE of the session row (`… WHERE id = :id AND <fits>`), its row count checked, so
the counters can never pass the capacity whatever the concurrency; CHECK constraints back
them. The green quota stays reserved for the green channel until its release time, worked
out here once (from the venue's settings, with one default) for a session in Python and for
many sessions in SQL. `recount` proves the counters against the bookings and holds
(`flask check-bookings`).
"""

import time as time_module
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from models import Booking, BookingChannel, BookingSettings, Slot, WaitlistEntry, db
from models.booking import TAKING_STATUSES
from webapp.services.booking.settings import get_settings

#: hours before a session when unused green places open to everyone, for a venue without
#: settings: the model's own default, so Python and SQL agree
GREEN_RELEASE_HOURS = BookingSettings.__table__.c.green_release_hours.default.arg

#: Only the race tests' control runs turn this off, to show the harness can see a race.
_guard = True


def taken_column(channel: BookingChannel) -> str:
    return "taken_green" if channel is BookingChannel.GREEN else "taken_general"


def held_column(channel: BookingChannel) -> str:
    return "held_green" if channel is BookingChannel.GREEN else "held_general"


# ---------------------------------------------------------------- the green quota's release


def green_released_at(session: Slot, settings: BookingSettings) -> datetime:
    """When the session's unused green-channel places open to everyone."""
    hours = settings.green_release_hours
    return session.starts_at - timedelta(hours=GREEN_RELEASE_HOURS if hours is None else hours)


def is_released(session: Slot, *, now: datetime, settings: BookingSettings | None = None) -> bool:
    settings = settings if settings is not None else get_settings(session.venue_id)
    return now >= green_released_at(session, settings)


def release_hours_sql():
    """SQL: the venue's green release hours (join BookingSettings on the session's venue)."""
    return sa.func.coalesce(BookingSettings.green_release_hours, GREEN_RELEASE_HOURS)


# ---------------------------------------------------------------- what fits


def fits_clause(c, places, channel: BookingChannel, *, is_released):
    """SQL: `places` more for `channel` fit in the session, counting holds as taken.

    General bookings leave the unreleased green quota alone; green ones take any free place.
    `is_released` is a Python bool for one session, or an SQL condition for many.
    """
    general = c.taken_general + c.held_general
    green = c.taken_green + c.held_green
    anywhere = general + green + places <= c.capacity
    if channel is BookingChannel.GREEN or is_released is True:
        return anywhere
    reserved = sa.case((c.green_quota > green, c.green_quota), else_=green)
    outside_quota = general + reserved + places <= c.capacity
    if is_released is False:
        return outside_quota
    return sa.or_(sa.and_(is_released, anywhere), outside_quota)


@dataclass(frozen=True)
class Availability:
    slot_id: int
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
    slot_id=0,
    held_general=0,
    held_green=0,
) -> Availability:
    """Places left, by the same rule as `fits_clause`; held places count as taken."""
    general = taken_general + held_general
    green = taken_green + held_green
    free = max(capacity - general - green, 0)
    reserved = 0 if is_released else max(green_quota - green, 0)
    reserved = min(reserved, free)
    return Availability(
        slot_id=slot_id,
        capacity=capacity,
        general_left=free - reserved,
        green_left=free,
        green_reserved_left=reserved,
        is_green_released=is_released,
    )


# ---------------------------------------------------------------- taking and giving back


def lock_session(slot_id: int) -> None:
    """Lock the session row before a booking's (PostgreSQL; SQLite's writer lock already
    serialises): every writer takes the session first, so two never wait on each other."""
    db.session.execute(sa.select(Slot.id).where(Slot.id == slot_id).with_for_update())


def take_places(
    session: Slot,
    places: int,
    channel: BookingChannel,
    *,
    now,
    from_hold: int = 0,
    settings: BookingSettings | None = None,
) -> bool:
    """Take places with one conditional UPDATE; False when they are not there (flushes).

    `from_hold` of them come out of the booker's waiting-list hold (already taken off the
    entry by `consume_hold`): they move from held_* to taken_*, and only the rest must fit.
    `settings`, the venue's booking settings when the caller has them (else read here).
    """
    if not _guard:
        return _take_places_unguarded(session, places, channel)
    c = Slot.__table__.c
    taken, held = taken_column(channel), held_column(channel)
    values = {taken: getattr(c, taken) + places}
    stmt = Slot.__table__.update().where(c.id == session.id, c.is_cancelled.is_(False))
    if from_hold:
        values[held] = getattr(c, held) - from_hold
        stmt = stmt.where(getattr(c, held) >= from_hold)
    released = is_released(session, now=now, settings=settings)
    fits = fits_clause(c, places - from_hold, channel, is_released=released)
    return db.session.execute(stmt.where(fits).values(values)).rowcount == 1


def _take_places_unguarded(session: Slot, places: int, channel: BookingChannel) -> bool:
    """Read, check in Python, write: the classic lost update the real rule avoids."""
    c = Slot.__table__.c
    capacity, general, green = db.session.execute(
        sa.select(c.capacity, c.taken_general, c.taken_green).where(c.id == session.id)
    ).one()
    if general + green + places > capacity:
        return False
    time_module.sleep(0.05)  # widen the window between the check and the write
    column = taken_column(channel)
    value = (green if channel is BookingChannel.GREEN else general) + places
    db.session.execute(Slot.__table__.update().where(c.id == session.id).values({column: value}))
    return True


def take_back_places(booking: Booking) -> bool:
    """A booking holds its places again (a no-show undone): guarded like a new booking,
    but the green quota does not matter to a party already admitted. False when full."""
    c = Slot.__table__.c
    column = taken_column(booking.channel)
    return (
        db.session.execute(
            Slot.__table__.update()
            .where(c.id == booking.slot_id)
            .where(fits_clause(c, booking.places, BookingChannel.GREEN, is_released=True))
            .values({column: getattr(c, column) + booking.places})
        ).rowcount
        == 1
    )


def give_back_places(booking: Booking) -> None:
    """The booking's places go back to its session. Called only by the transition that won
    the compare-and-set on the booking, so it runs once per booking."""
    c = Slot.__table__.c
    column = taken_column(booking.channel)
    db.session.execute(
        Slot.__table__.update()
        .where(c.id == booking.slot_id)
        .values({column: getattr(c, column) - booking.places})
    )


# ---------------------------------------------------------------- waiting-list holds


def hold_places(session: Slot, entry: WaitlistEntry, *, now: datetime) -> bool:
    """Hold the entry's places with one conditional UPDATE; False when they are not there."""
    c = Slot.__table__.c
    column = held_column(entry.channel)
    fits = fits_clause(c, entry.places, entry.channel, is_released=is_released(session, now=now))
    result = db.session.execute(
        Slot.__table__.update()
        .where(c.id == session.id, c.is_cancelled.is_(False), fits)
        .values({column: getattr(c, column) + entry.places})
    )
    return result.rowcount == 1


def release_hold(
    entry_id: int, slot_id: int, channel: BookingChannel, places: int, *, where
) -> bool:
    """An offered hold lapses (or its holder leaves): compare-and-set on the entry, then the
    session's counter. False when someone else released or used the hold first."""
    e = WaitlistEntry.__table__.c
    done = db.session.execute(
        WaitlistEntry.__table__.update()
        .where(e.id == entry_id, e.held_places == places, where)
        .values(held_places=0)
    ).rowcount
    if done != 1 or places <= 0:
        return False
    c = Slot.__table__.c
    column = held_column(channel)
    db.session.execute(
        Slot.__table__.update().where(c.id == slot_id).values({column: getattr(c, column) - places})
    )
    return True


def consume_hold(entry_filter, use: int, *, now: datetime) -> bool:
    """An offered hold is taken (by its holder's booking): compare-and-set on the entry.
    The caller moves the places from held_* to taken_* with `take_places(from_hold=use)`."""
    e = WaitlistEntry.__table__.c
    done = db.session.execute(
        WaitlistEntry.__table__.update()
        .where(entry_filter, e.held_places >= use, e.held_until > now)
        .values(held_places=e.held_places - use)
    ).rowcount
    return done == 1


# ---------------------------------------------------------------- proving the counters


@dataclass(frozen=True)
class Difference:
    slot_id: int
    column: str
    stored: int
    counted: int

    def __str__(self) -> str:
        return (
            f"session {self.slot_id}: {self.column} is {self.stored}, "
            f"its bookings and holds make {self.counted}"
        )


def recount(slot_ids=None) -> list[Difference]:
    """Every session's taken_* and held_* recounted from its bookings and holds; the
    differences, if any (a read: no writes)."""
    places = sa.func.coalesce(sa.func.sum(Booking.places), 0)
    booked = (
        sa.select(Booking.slot_id, Booking.channel, places.label("n"))
        .where(Booking.status.in_(TAKING_STATUSES))
        .group_by(Booking.slot_id, Booking.channel)
    )
    held = (
        sa.select(
            WaitlistEntry.slot_id,
            WaitlistEntry.channel,
            sa.func.coalesce(sa.func.sum(WaitlistEntry.held_places), 0).label("n"),
        )
        .where(WaitlistEntry.held_places > 0)
        .group_by(WaitlistEntry.slot_id, WaitlistEntry.channel)
    )
    if slot_ids is not None:
        ids = list(slot_ids)
        booked = booked.where(Booking.slot_id.in_(ids))
        held = held.where(WaitlistEntry.slot_id.in_(ids))
    counted = {}
    for sid, channel, n in db.session.execute(booked):
        counted[(sid, taken_column(channel))] = int(n)
    for sid, channel, n in db.session.execute(held):
        counted[(sid, held_column(channel))] = int(n)
    stmt = sa.select(
        Slot.id,
        Slot.taken_general,
        Slot.taken_green,
        Slot.held_general,
        Slot.held_green,
    ).order_by(Slot.id)
    if slot_ids is not None:
        stmt = stmt.where(Slot.id.in_(ids))
    names = ("taken_general", "taken_green", "held_general", "held_green")
    differences = []
    for row in db.session.execute(stmt):
        for name, stored in zip(names, row[1:], strict=True):
            expected = counted.get((row[0], name), 0)
            if stored != expected:
                differences.append(Difference(row[0], name, stored, expected))
    return differences
