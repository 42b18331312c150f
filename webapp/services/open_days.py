"""Open days (开放日): publishing, editing and calling off a venue's open day, and the public
list of open days this week and next across all venues.

An open day is a `Session` of kind open_day with its own capacity, an audience (school
stages) and a sign-up note. Editing never loses a booking: the capacity can only go down to
what is already booked (a conditional UPDATE, backed by the sessions' CHECK constraints).
Calling one off tells everyone booked and everyone waiting, and gives the places back.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from models import (
    Booking,
    Region,
    Session,
    SessionKind,
    Stage,
    User,
    Venue,
    WaitlistEntry,
    db,
)
from models.booking import HOLDING_STATUSES, BookingStatus
from webapp.services.errors import PermissionDenied, ServiceError
from webapp.services.outbox import send_message
from webapp.services.permissions import can
from webapp.services.sessions import day_bounds, local_date, to_local, to_utc
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


def _require_staff(venue: Venue, by: User) -> None:
    if not can(by, "venue.manage_sessions", venue):
        raise PermissionDenied(_("Only the venue's staff can do that."))


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


def create_open_day(venue: Venue, details: OpenDayDetails, *, by: User, now: datetime) -> Session:
    """Publish an open day.

    Rules: venue staff only; a title; in the future; ends after it starts; capacity above
    zero and the green quota within it; not at the start of another session of the venue.
    Raises: PermissionDenied, ServiceError (with the field at fault).
    """
    _require_staff(venue, by)
    values = _checked(details, now=now)
    session = Session(
        venue_id=venue.id,
        kind=SessionKind.OPEN_DAY,
        taken_general=0,
        taken_green=0,
        **values,
    )
    db.session.add(session)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise ServiceError(_clash_message(), field="start") from None
    return session


def update_open_day(
    session: Session, details: OpenDayDetails, *, by: User, now: datetime
) -> Session:
    """Change an open day's time, title, programme, capacity, audience or sign-up note.

    Rules: as `create_open_day`; only an open day that is not called off and has not begun;
    the capacity may not go below the places already booked or held for the waiting list
    (one conditional UPDATE checks it against the row as it is when written).
    Raises: PermissionDenied, ServiceError.
    """
    _require_staff(session.venue, by)
    if not session.is_open_day:
        raise ServiceError(_("This is not an open day."))
    if session.is_cancelled:
        raise ServiceError(_("This open day has been called off."))
    if session.starts_at <= now:
        raise ServiceError(_("This open day has already begun."))
    values = _checked(details, now=now)
    c = Session.__table__.c
    in_use = c.taken_general + c.taken_green + c.held_general + c.held_green
    with unit_of_work(conflict_message=_clash_message()):
        changed = db.session.execute(
            Session.__table__.update()
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


def cancel_open_day(session: Session, *, reason: str, by: User, now: datetime) -> int:
    """Call an open day off with a reason: every booking holding places is cancelled and its
    booker told, the places come back, and everyone waiting is told too.

    Rules: venue staff only; a reason; not already called off; not begun. The session is
    flagged with a compare-and-set, so calling it off twice at once tells people once.
    Returns how many bookings were cancelled.
    Raises: PermissionDenied, ServiceError.
    """
    _require_staff(session.venue, by)
    reason = (reason or "").strip()[:300]
    if not reason:
        raise ServiceError(_("Give the reason: everyone booked will be told."), field="reason")
    if session.starts_at <= now:
        raise ServiceError(_("This open day has already begun."))
    c = Session.__table__.c
    b = Booking.__table__.c
    when = to_local(session.starts_at).strftime("%Y-%m-%d %H:%M")
    venue_name = session.venue.name
    with unit_of_work():
        flagged = db.session.execute(
            Session.__table__.update()
            .where(c.id == session.id, c.is_cancelled.is_(False))
            .values(
                is_cancelled=True,
                cancel_reason=reason,
                taken_general=0,
                taken_green=0,
                held_general=0,
                held_green=0,
            )
        ).rowcount
        if flagged != 1:
            raise ServiceError(_("This open day has already been called off."))
        holding = db.session.scalars(
            sa.select(Booking)
            .options(joinedload(Booking.booker))
            .where(Booking.session_id == session.id, Booking.status.in_(HOLDING_STATUSES))
        ).all()
        cancelled = 0
        for booking in holding:
            cancelled += db.session.execute(
                Booking.__table__.update()
                .where(b.id == booking.id, b.status == booking.status)
                .values(status=BookingStatus.CANCELLED, cancelled_at=now, reason=reason)
            ).rowcount
            send_message(
                booking.booker,
                _("Open day called off: %(title)s", title=session.title),
                _(
                    "%(venue)s has called off the open day on %(when)s (booking %(code)s). "
                    "Reason: %(reason)s",
                    venue=venue_name,
                    when=when,
                    code=booking.display_code,
                    reason=reason,
                ),
                now=now,
            )
        waiting = db.session.scalars(
            sa.select(WaitlistEntry)
            .options(joinedload(WaitlistEntry.user))
            .where(WaitlistEntry.session_id == session.id)
        ).all()
        for entry in waiting:
            send_message(
                entry.user,
                _("Open day called off: %(title)s", title=session.title),
                _(
                    "%(venue)s has called off the open day on %(when)s you were waiting for. "
                    "Reason: %(reason)s",
                    venue=venue_name,
                    when=when,
                    reason=reason,
                ),
                now=now,
            )
            db.session.delete(entry)
    db.session.expire_all()
    return cancelled


# ---------------------------------------------------------------- the public list


def public_window(today: date) -> tuple[date, date]:
    """This week and next: from today to the Sunday of next week (local dates)."""
    return today, today + timedelta(days=(6 - today.weekday()) + 7)


def list_public_open_days(
    *, now: datetime, city: Region | None = None, county: Region | None = None
) -> list[Session]:
    """Open days at every venue from today to the end of next week, soonest first; called-off
    ones left out; optionally in one city or county."""
    first, last = public_window(local_date(now))
    start, _ignored = day_bounds(first)
    _ignored, end = day_bounds(last)
    stmt = (
        sa.select(Session)
        .join(Venue, Venue.id == Session.venue_id)
        .options(joinedload(Session.venue))
        .where(
            Session.kind == SessionKind.OPEN_DAY,
            Session.is_cancelled.is_(False),
            Session.starts_at >= max(start, now - timedelta(hours=12)),
            Session.starts_at < end,
        )
        .order_by(Session.starts_at, Venue.name_pinyin)
        .limit(500)
    )
    if county is not None:
        stmt = stmt.where(Venue.county_id == county.id)
    elif city is not None:
        stmt = stmt.where(Venue.city_id == city.id)
    return db.session.scalars(stmt).all()


def channel_places_left(session: Session) -> int:
    """Places an open day still has for anyone (both channels, nothing held)."""
    return max(
        session.capacity
        - session.taken_general
        - session.taken_green
        - session.held_general
        - session.held_green,
        0,
    )
