"""Calling off: the one way a venue closes a day or cancels a session (an open day, say).

The timetable page's closed dates, the venue-edit form's closed dates and cancelling one
session all come here. Calling off marks the sessions cancelled first (their row locks make
a booking being made right now either finish before we look, or find the session called
off), then cancels every active booking on them through `states.transition` (so a
booker cancelling at the same moment gives the places back once between them), tells each
booker why, and tells the people waiting for those sessions that there is nothing to wait
for any more (their holds are given back and their entries removed).
"""

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from models import Booking, BookingStatus, Slot, User, Venue, VenueClosure, WaitlistEntry, db
from models.booking import ACTIVE_STATUSES
from webapp.services.booking import capacity, states
from webapp.services.booking.access import require_venue_staff
from webapp.services.booking.notices import tell_cancelled_by_venue, when
from webapp.services.clock import day_bounds, local_date
from webapp.services.errors import ServiceError
from webapp.services.outbox import absolute_url, send_message
from webapp.services.transactions import unit_of_work

CLOSURE_REASON_MAX = 120


@dataclass
class ClosureResult:
    closure: VenueClosure | None
    #: unbooked sessions on that day, removed
    removed: int = 0
    #: booked sessions on that day, called off (kept for the record)
    called_off: int = 0
    #: bookings cancelled, their bookers told
    cancelled: int = 0
    #: people waiting for those sessions, told
    waiting_told: int = 0


class ClosureNeedsConfirmation(ServiceError):
    """Closing the date would cancel bookings: staff must confirm first."""

    def __init__(self, bookings: int):
        super().__init__(
            _(
                "%(n)d booking(s) are made for that day. Tick “Cancel these bookings” to cancel "
                "them: each booker will be told, with your reason.",
                n=bookings,
            ),
            field="confirm",
        )
        self.bookings = bookings


def _check_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError(_("Give the reason: visitors and bookers will see it."), field="reason")
    if len(reason) > CLOSURE_REASON_MAX:
        raise ServiceError(
            _("Keep the reason under %(n)d characters.", n=CLOSURE_REASON_MAX), field="reason"
        )
    return reason


def day_clause(venue_id: int, day: date, *, now: datetime):
    """The venue's sessions on a local day that have not started yet."""
    start, end = day_bounds(day)
    return sa.and_(
        Slot.venue_id == venue_id,
        Slot.starts_at >= max(start, now),
        Slot.starts_at < end,
    )


def untouched_clause():
    """Nobody holds places in, has ever booked, or waits for this session."""
    return sa.and_(
        Slot.taken_general == 0,
        Slot.taken_green == 0,
        ~sa.exists().where(Booking.slot_id == Slot.id),
        ~sa.exists().where(WaitlistEntry.slot_id == Slot.id),
    )


# ---------------------------------------------------------------- the shared steps


def _mark_called_off(where) -> int:
    called_off = db.session.execute(
        sa.update(Slot)
        .where(where, Slot.is_cancelled.is_(False))
        .values(is_cancelled=True)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.expire_all()
    return called_off


def _active_bookings(where) -> list[Booking]:
    return db.session.scalars(
        sa.select(Booking)
        .join(Slot, Booking.slot_id == Slot.id)
        .where(where, Booking.status.in_(ACTIVE_STATUSES))
        .order_by(Booking.id)
    ).all()


def _cancel_all(bookings: list[Booking], reason: str, *, now: datetime) -> int:
    """Cancel each booking and tell its booker; one cancelled meanwhile is left (flushes)."""
    cancelled = 0
    for booking in bookings:
        try:
            states.transition(
                booking, BookingStatus.CANCELLED, now=now, cancelled_at=now, reason=reason[:300]
            )
        except states.StateConflict:
            continue
        tell_cancelled_by_venue(booking, now=now)
        cancelled += 1
    return cancelled


def _tell_waiting(where, reason: str, *, now: datetime) -> int:
    """Everyone waiting for these sessions is told; their holds go back, entries go."""
    entries = db.session.scalars(
        sa.select(WaitlistEntry)
        .join(Slot, WaitlistEntry.slot_id == Slot.id)
        .where(where)
        .order_by(WaitlistEntry.id)
    ).all()
    for entry in entries:
        if entry.held_places > 0:
            capacity.release_hold(
                entry.id, entry.slot_id, entry.channel, entry.held_places, where=sa.true()
            )
        session = entry.slot
        send_message(
            entry.user,
            _l("%(venue)s: session called off", venue=session.venue.name),
            _l(
                "The session you were waiting for, %(when)s, has been called off. "
                "Reason: %(reason)s. You are no longer on its waiting list.",
                when=when(session),
                reason=reason,
            ),
            now=now,
            link=absolute_url("directory.venue", venue_id=session.venue_id),
        )
        db.session.delete(entry)
    db.session.flush()
    return len(entries)


def _call_off(where, reason: str, *, now: datetime, confirm: bool, once: bool = False):
    if not _mark_called_off(where) and once:
        raise ServiceError(_("This session is already called off."), field="session")
    active = _active_bookings(where)
    if active and not confirm:
        raise ClosureNeedsConfirmation(len(active))
    result = ClosureResult(None)
    result.cancelled = _cancel_all(active, reason, now=now)
    result.waiting_told = _tell_waiting(where, reason, now=now)
    return result


# ---------------------------------------------------------------- the ways in


def close_day(
    venue: Venue, on: date, reason: str, *, by, now: datetime, confirm: bool = False
) -> ClosureResult:
    """Close the venue on a date (a holiday, maintenance): nothing can be booked that day.

    Rules: venue staff only; today or later; a reason (up to 120 characters: bookers read it);
    a date is closed once. The day's coming sessions that nobody booked are removed. When
    bookings are made for that day, staff must `confirm`: then those bookings are cancelled
    with the reason, their places given back, each booker told through the outbox, and the
    booked sessions called off (kept for the record); people waiting are told too. Sessions
    that have started are left.
    Raises: PermissionDenied, ServiceError (field "on" or "reason"), ClosureNeedsConfirmation,
    Busy.
    """
    require_venue_staff(venue, by)
    if on is None:
        raise ServiceError(_("Choose the date."), field="on")
    if on < local_date(now):
        raise ServiceError(_("That date has passed."), field="on")
    reason = _check_reason(reason)
    with unit_of_work(
        conflict_message=_("The venue is already closed on that date."), conflict_field="on"
    ):
        closure = VenueClosure(venue_id=venue.id, closed_on=on, reason=reason)
        db.session.add(closure)
        db.session.flush()
        result = call_off_day(venue, on, reason, now=now, confirm=confirm)
        result.closure = closure
    return result


def call_off_day(
    venue: Venue, on: date, reason: str, *, now: datetime, confirm: bool = True
) -> ClosureResult:
    """The steps of closing a day whose closed date is already written (the venue-edit
    form writes it): call the sessions off, cancel and tell, remove the unbooked ones.
    Flushes, no commit: part of the caller's unit of work.
    Raises: ClosureNeedsConfirmation (when bookings exist and not `confirm`).
    """
    where = day_clause(venue.id, on, now=now)
    result = _call_off(where, reason, now=now, confirm=confirm)
    result.removed = db.session.execute(
        sa.delete(Slot)
        .where(where, untouched_clause())
        .execution_options(synchronize_session=False)
    ).rowcount
    result.called_off = db.session.scalar(sa.select(sa.func.count(Slot.id)).where(where))
    return result


def call_off_session(session: Slot, *, reason: str, by: User, now: datetime) -> ClosureResult:
    """Cancel one session (an open day, a regular session): nothing more can be booked in it.

    Rules: venue staff only; the session has not started; a reason (bookers read it). Its
    bookings are cancelled and their places given back, each booker and each person waiting
    told; the session is kept, called off, for the record. Calling it off twice is refused.
    Raises: PermissionDenied, ServiceError, Busy.
    """
    require_venue_staff(session.venue, by)
    if session.starts_at <= now:
        raise ServiceError(_("The session has already started."), field="session")
    if session.is_cancelled:
        raise ServiceError(_("This session is already called off."), field="session")
    reason = _check_reason(reason)
    with unit_of_work():
        result = _call_off(Slot.id == session.id, reason, now=now, confirm=True, once=True)
        result.called_off = 1
    return result


def call_off_new_closures(venue: Venue, days, *, now: datetime) -> int:
    """Closed dates just added on the venue-edit form: call each day off (no confirmation:
    the form says so) with the date's reason. Flushes. Returns bookings cancelled."""
    reasons = {c.closed_on: c.reason for c in venue.closures}
    cancelled = 0
    for day in sorted(days):
        if day < local_date(now):
            continue
        reason = reasons.get(day) or _("The venue is closed that day.")
        cancelled += call_off_day(venue, day, reason, now=now).cancelled
    return cancelled
