"""A booker's changes to their booking and their place in a queue: cancelling (by the booker
or, with a reason, by the venue's staff), joining and leaving a session's waiting list, and
forgetting a person's bookings when their account is deleted.

Every move of a booking's state is a compare-and-set through `states.transition`; places a
cancellation frees are offered to the waiting list in the same unit of work.
"""

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from models import Booking, BookingChannel, BookingStatus, Slot, User, WaitlistEntry, db
from webapp.services.booking import availability, capacity, states, waitlist
from webapp.services.booking.access import can_see_booking, is_booker_of, require_booker
from webapp.services.booking.notices import tell_cancelled_by_venue
from webapp.services.booking.settings import get_settings
from webapp.services.booking.states import BookingError
from webapp.services.errors import NotFound, PermissionDenied
from webapp.services.permissions import can
from webapp.services.transactions import unit_of_work


def cancel_booking(booking: Booking, *, by: User, now: datetime, reason: str = "") -> Booking:
    """Cancel a booking and give its places back.

    Rules: the booker (or someone acting for the booking's school) may cancel a pending or
    confirmed booking up to the venue's cut-off before the session; the venue's staff may
    cancel one at any time before the session with a reason, and the booker is told. The
    freed places are offered to the first waiting-list entry that fits. The move is a
    compare-and-set (`states.transition`): of simultaneous cancels one wins.
    Raises: NotFound for someone who may not see it; PermissionDenied for someone who may
    see it but not cancel it (bureau staff); StateConflict (already cancelled, checked in
    …); BookingError, Busy.
    """
    is_booker = is_booker_of(by, booking)
    is_staff = can(by, "venue.manage_sessions", booking.slot.venue)
    if not (is_booker or is_staff):
        if can_see_booking(by, booking):  # the bureau over the venue may look, not cancel
            raise PermissionDenied(_("You may look at this booking but not cancel it."))
        raise NotFound(_("No booking with that code."))
    states.require_move(booking, BookingStatus.CANCELLED)
    session = booking.slot
    if session.starts_at <= now:
        raise BookingError(_("The session has already started."), field="status")
    reason = (reason or "").strip()
    by_staff = is_staff and not is_booker
    if by_staff:
        if not reason:
            raise BookingError(_("Give the reason: the booker will be told."), field="reason")
    else:
        cutoff = get_settings(session.venue_id).cancel_cutoff_hours
        if now > session.starts_at - timedelta(hours=cutoff):
            raise BookingError(
                _(
                    "Bookings can be cancelled online until %(hours)d hours before the "
                    "session. Please call the venue.",
                    hours=cutoff,
                ),
                field="status",
            )
    with unit_of_work():
        # lapsed holds first: entries before the session row, as a booking locks them
        waitlist.release_expired([booking.slot_id], now=now)
        states.transition(
            booking, BookingStatus.CANCELLED, now=now, cancelled_at=now, reason=reason[:300]
        )
        if by_staff:
            tell_cancelled_by_venue(booking, now=now)
        waitlist.offer_places(session, now=now)
    return booking


# ---------------------------------------------------------------- the waiting list


def join_waitlist(
    session: Slot, *, by: User, places: int, channel: BookingChannel, now: datetime
) -> WaitlistEntry:
    """Wait for `places` in a full session; you are told when a cancellation frees them.

    Rules: only those who may book (``booking.create``); at least one place and no more than
    the session holds; the session must still be ahead; when the places are free now, book
    instead; one entry per person and session.
    Raises: PermissionDenied, BookingError.
    """
    require_booker(by)
    if not isinstance(places, int) or places <= 0:
        raise BookingError(_("Wait for at least one place."), field="places")
    if places > session.capacity:
        raise BookingError(_("More places than this session holds."), field="places")
    if session.is_cancelled or session.starts_at <= now:
        raise BookingError(_("This session has already started or is over."), field="session")
    left = availability.get_availability([session.id], now=now)[session.id]
    free = left.green_left if channel is BookingChannel.GREEN else left.general_left
    if free >= places:
        raise BookingError(_("There are places left: book them now."), field="places")
    entry = WaitlistEntry(
        slot_id=session.id, user_id=by.id, channel=channel, places=places, created_at=now
    )
    try:
        with unit_of_work():
            db.session.add(entry)
    except IntegrityError:
        raise BookingError(_("You are already on the waiting list."), field="places") from None
    return entry


def leave_waitlist(session: Slot, *, by: User, now: datetime) -> None:
    """Leave a session's waiting list; places held for you go to the next person waiting.

    One unit of work. Raises: NotFound, Busy.
    """
    entry = db.session.scalar(
        sa.select(WaitlistEntry).where(
            WaitlistEntry.slot_id == session.id, WaitlistEntry.user_id == by.id
        )
    )
    if entry is None:
        raise NotFound(_("You are not on this waiting list."))
    with unit_of_work():
        db.session.flush()
        had_hold = entry.held_places > 0 and capacity.release_hold(
            entry.id, session.id, entry.channel, entry.held_places, where=sa.true()
        )
        db.session.execute(sa.delete(WaitlistEntry).where(WaitlistEntry.id == entry.id))
        db.session.expire_all()
        if had_hold:
            waitlist.offer_places(db.session.get(Slot, session.id), now=now)


# ---------------------------------------------------------------- account deletion


def forget_bookings_of(user: User, *, now: datetime) -> int:
    """Remove a person's bookings and waiting-list entries, for the deletion of their account.

    Rules: places taken by their bookings for sessions still to come go back and are offered
    to the waiting list; every booking (with the adult's name and phone) and waiting-list
    entry of theirs is deleted, past ones included. Flushes; the caller commits.
    Returns how many bookings were removed.
    """
    booked = db.session.scalars(
        sa.select(Booking).options(joinedload(Booking.slot)).where(Booking.booker_id == user.id)
    ).all()
    freed_sessions = []
    for booking in booked:
        if states.remove(booking, now=now):
            freed_sessions.append(booking.slot)
    db.session.execute(sa.delete(WaitlistEntry).where(WaitlistEntry.user_id == user.id))
    db.session.flush()
    for session in {s.id: s for s in freed_sessions}.values():
        waitlist.offer_places(session, now=now)
    return len(booked)
