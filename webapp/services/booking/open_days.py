"""Open days (开放日): publishing, editing and calling off a venue's open day, and the public
list of open days this week and next across all venues.

An open day is a `Session` of kind open_day with its own capacity, an audience (school
stages) and a sign-up note. Editing never loses a booking: the capacity can only go down to
what is already booked (a conditional UPDATE, backed by the sessions' CHECK constraints).
Calling one off goes through `closures`: everyone booked and everyone waiting is told, and
the places come back.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload

from models import (
    Region,
    Slot,
    SlotKind,
    Stage,
    User,
    Venue,
    db,
)
from webapp.services.booking import closures
from webapp.services.booking.access import require_venue_staff
from webapp.services.clock import day_bounds, local_date, to_utc
from webapp.services.errors import ServiceError
from webapp.services.transactions import unit_of_work


@dataclass
class OpenDayDetails:
    """What staff type for an open day."""

    on: date
    start: time
    end: time
    title: str
    capacity: int
    green_quota: int = 0
    programme: str = ""
    audience: list[Stage] | None = None
    signup_note: str = ""


def _checked(details: OpenDayDetails, *, now: datetime) -> dict:
    """The session columns for the details, after the rules every open day keeps."""
    title = (details.title or "").strip()
    if not title:
        raise ServiceError(_("Give the open day a title."), field="title")
    if details.end <= details.start:
        raise ServiceError(_("The end must be after the start."), field="end")
    if details.capacity is None or details.capacity <= 0:
        raise ServiceError(_("Capacity must be at least 1."), field="capacity")
    quota = details.green_quota or 0
    if quota < 0 or quota > details.capacity:
        raise ServiceError(
            _("The green-channel quota must be between 0 and the capacity."), field="green_quota"
        )
    starts_at = to_utc(details.on, details.start)
    if starts_at <= now:
        raise ServiceError(_("An open day must be in the future."), field="on")
    stages = sorted({s.value for s in details.audience or []})
    return {
        "starts_at": starts_at,
        "ends_at": to_utc(details.on, details.end),
        "title": title[:120],
        "programme": (details.programme or "")[:4000],
        "capacity": details.capacity,
        "green_quota": quota,
        "audience": ",".join(stages),
        "signup_note": (details.signup_note or "").strip()[:300],
    }


def _clash_message() -> str:
    return _("Another session of this venue starts at that time.")


def create_open_day(venue: Venue, details: OpenDayDetails, *, by: User, now: datetime) -> Slot:
    """Publish an open day.

    Rules: venue staff only; a title; in the future; ends after it starts; capacity above
    zero and the green quota within it; not at the start of another session of the venue.
    Raises: PermissionDenied, ServiceError (with the field at fault).
    """
    require_venue_staff(venue, by)
    values = _checked(details, now=now)
    session = Slot(
        venue_id=venue.id,
        kind=SlotKind.OPEN_DAY,
        taken_general=0,
        taken_green=0,
        **values,
    )
    with unit_of_work(conflict_message=_clash_message(), conflict_field="start"):
        db.session.add(session)
    return session


def update_open_day(
    session: Slot, details: OpenDayDetails, *, by: User, now: datetime
) -> Slot:
    """Change an open day's time, title, programme, capacity, audience or sign-up note.

    Rules: as `create_open_day`; only an open day that is not called off and has not begun;
    the capacity may not go below the places already booked or held for the waiting list
    (one conditional UPDATE checks it against the row as it is when written).
    Raises: PermissionDenied, ServiceError.
    """
    require_venue_staff(session.venue, by)
    if not session.is_open_day:
        raise ServiceError(_("This is not an open day."))
    if session.is_cancelled:
        raise ServiceError(_("This open day has been called off."))
    if session.starts_at <= now:
        raise ServiceError(_("This open day has already begun."))
    values = _checked(details, now=now)
    c = Slot.__table__.c
    in_use = c.taken_general + c.taken_green + c.held_general + c.held_green
    with unit_of_work(conflict_message=_clash_message()):
        changed = db.session.execute(
            Slot.__table__.update()
            .where(c.id == session.id, c.is_cancelled.is_(False), in_use <= values["capacity"])
            .values(values)
        ).rowcount
        if changed != 1:
            booked = db.session.scalar(sa.select(in_use).where(c.id == session.id))
            raise ServiceError(
                _(
                    "%(n)d places are already booked: the capacity cannot be less.",
                    n=booked or 0,
                ),
                field="capacity",
            )
    db.session.refresh(session)
    return session


def cancel_open_day(session: Slot, *, reason: str, by: User, now: datetime) -> int:
    """Call an open day off with a reason: every booking is cancelled and its booker told, the
    places come back, and everyone waiting is told too (`closures.call_off_session`).

    Rules: venue staff only; an open day; a reason; not begun; not already called off.
    Returns how many bookings were cancelled.
    Raises: PermissionDenied, ServiceError, Busy.
    """
    require_venue_staff(session.venue, by)
    if not session.is_open_day:
        raise ServiceError(_("This is not an open day."))
    return closures.call_off_session(session, reason=reason, by=by, now=now).cancelled


# ---------------------------------------------------------------- the public list


def public_window(today: date) -> tuple[date, date]:
    """This week and next: from today to the Sunday of next week (local dates)."""
    return today, today + timedelta(days=(6 - today.weekday()) + 7)


def list_public_open_days(
    *, now: datetime, city: Region | None = None, county: Region | None = None
) -> list[Slot]:
    """Open days at every venue from today to the end of next week, soonest first; called-off
    ones left out; optionally in one city or county."""
    first, last = public_window(local_date(now))
    start, _ignored = day_bounds(first)
    _ignored, end = day_bounds(last)
    stmt = (
        sa.select(Slot)
        .join(Venue, Venue.id == Slot.venue_id)
        .options(joinedload(Slot.venue))
        .where(
            Slot.kind == SlotKind.OPEN_DAY,
            Slot.is_cancelled.is_(False),
            Slot.starts_at >= max(start, now - timedelta(hours=12)),
            Slot.starts_at < end,
        )
        .order_by(Slot.starts_at, Venue.name_pinyin)
        .limit(500)
    )
    if county is not None:
        stmt = stmt.where(Venue.county_id == county.id)
    elif city is not None:
        stmt = stmt.where(Venue.city_id == city.id)
    return db.session.scalars(stmt).all()


def channel_places_left(session: Slot) -> int:
    """Places an open day still has for anyone (both channels, nothing held)."""
    return max(
        session.capacity
        - session.taken_general
        - session.taken_green
        - session.held_general
        - session.held_green,
        0,
    )
