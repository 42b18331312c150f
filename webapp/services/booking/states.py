"""Booking states: the one table of states and allowed transitions, and the one way to move.

A booking is pending (a large school group waiting for the venue), confirmed, refused,
cancelled, checked in or a no-show. `TRANSITIONS` lists every allowed move. `transition`
performs one as a compare-and-set: `UPDATE bookings SET status = :new … WHERE id = :id AND
status = :expected`, its row count checked, and in the same unit of work moves the session's
counters through `capacity` when the move starts or stops taking places. Of two requests
that meet on one booking (a double click, the booker and staff at once) exactly one wins;
the other gets `StateConflict` saying what happened ("already checked in at 10:02") and
changes no counter.

Waiting-list holds have their own two moves (an offered hold is taken by its holder's booking,
or lapses); both are compare-and-sets on the entry's `held_places`, in `capacity`.
"""

from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm.attributes import set_committed_value

from models import Booking, BookingStatus, db
from models.booking import TAKING_STATUSES
from webapp.services.booking import capacity
from webapp.services.clock import to_local
from webapp.services.compare_and_set import compare_and_set
from webapp.services.errors import ServiceError

S = BookingStatus

#: (from, to) → the action's name, as the console and the tests speak of it
TRANSITIONS: dict[tuple[BookingStatus, BookingStatus], str] = {
    (S.PENDING, S.CONFIRMED): "approve",
    (S.PENDING, S.REFUSED): "refuse",
    (S.PENDING, S.CANCELLED): "cancel",
    (S.CONFIRMED, S.CANCELLED): "cancel",
    (S.CONFIRMED, S.CHECKED_IN): "check_in",
    (S.CONFIRMED, S.NO_SHOW): "no_show",
    (S.NO_SHOW, S.CONFIRMED): "undo_no_show",
}

#: Only the race tests' control runs turn this off, to show the harness can see a race.
_guard = True


class BookingError(ServiceError):
    """A booking rule said no."""


class StateConflict(BookingError):
    """The booking is not (or no longer) in a state that allows this move."""

    status_code = 409


def can_move(booking: Booking, to: BookingStatus) -> bool:
    return (booking.status, to) in TRANSITIONS


def refusal(booking: Booking, to: BookingStatus) -> str:
    """Why the booking cannot move to `to` now, in the user's language."""
    status = booking.status
    if status is S.CANCELLED:
        return _("This booking was already cancelled.")
    if status is S.CHECKED_IN:
        when = booking.checked_in_at
        return _(
            "Already checked in at %(when)s.",
            when=to_local(when).strftime("%H:%M") if when else "?",
        )
    if status is S.REFUSED:
        return _("This booking was already refused.")
    if status is S.NO_SHOW:
        return _("This booking is marked as a no-show.")
    if status is S.CONFIRMED and to is S.CONFIRMED:
        return _("This booking is confirmed already.")
    if status is S.CONFIRMED:  # it was pending when the caller read it
        return _("This booking was already approved.")
    if status is S.PENDING:
        return _("This booking is still waiting for approval.")
    return _("This booking cannot be changed that way.")


def require_move(booking: Booking, to: BookingStatus, *, field: str = "status") -> None:
    """Raises StateConflict unless the table allows the move from the booking's state."""
    if not can_move(booking, to):
        raise StateConflict(refusal(booking, to), field=field)


def transition(
    booking: Booking, to: BookingStatus, *, now: datetime, field: str = "status", **values
) -> None:
    """Move the booking to `to` with one compare-and-set, and its counters with it.

    Rules: the move must be in `TRANSITIONS` from the state the caller read; the UPDATE
    matches only while the booking is still in that state; leaving a place-taking state
    gives the places back, entering one takes them again (when they are still there).
    `values` are further columns to set in the same UPDATE. Flushes, no commit: the caller's
    unit of work commits or rolls back the move and the counters together.
    Raises: StateConflict (not allowed, or lost to a simultaneous change: it says which).
    """
    expected = booking.status
    require_move(booking, to, field=field)
    db.session.flush()
    capacity.lock_session(booking.slot_id)
    moved = compare_and_set(
        Booking,
        booking.id,
        seen={"status": expected},
        values={"status": to, **values},
        guarded=_guard,
    )
    if not moved:
        db.session.refresh(booking)
        raise StateConflict(refusal(booking, to), field=field)
    was_taking, takes_now = expected in TAKING_STATUSES, to in TAKING_STATUSES
    if was_taking and not takes_now:
        capacity.give_back_places(booking)
    elif takes_now and not was_taking and not capacity.take_back_places(booking):
        raise StateConflict(_("The session has no places left for this booking."))
    set_committed_value(booking, "status", to)
    for name, value in values.items():
        set_committed_value(booking, name, value)


def remove(booking: Booking, *, now: datetime) -> bool:
    """Delete a booking (its account is being deleted), once, whatever else moves it.

    A compare-and-set on the state it was read in, retried on the state it moved to, so a
    simultaneous cancel and this deletion give the places back once between them. Places go
    back only for a session still to come. Flushes. Returns whether places went back.
    """
    db.session.flush()
    capacity.lock_session(booking.slot_id)
    session = booking.slot
    for _attempt in range(len(BookingStatus)):
        expected = booking.status
        deleted = db.session.execute(
            sa.delete(Booking)
            .where(Booking.id == booking.id, Booking.status == expected)
            .execution_options(synchronize_session=False)
        ).rowcount
        if deleted == 1:
            db.session.expunge(booking)
            if expected in TAKING_STATUSES and session.starts_at > now:
                capacity.give_back_places(booking)
                return True
            return False
        db.session.refresh(booking)
    raise StateConflict(_("This booking cannot be changed that way."))
