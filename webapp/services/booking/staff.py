"""What a venue's staff do with bookings: approve or refuse a school group waiting for
approval, mark a finished session's no-shows, and put back a no-show marked by mistake
(the door's `door.undo_no_show` also checks the party in, with a reason).

Each is a compare-and-set through `states.transition`, so of two decisions that meet on one
booking one stands and the other is told what happened.
"""

from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from models import Booking, BookingStatus, Slot, User, db
from webapp.services.booking import states, waitlist
from webapp.services.booking.access import require_venue_staff
from webapp.services.booking.notices import tell_booker, when
from webapp.services.booking.states import BookingError, StateConflict
from webapp.services.transactions import unit_of_work


def approve_booking(booking: Booking, *, by: User, now: datetime) -> Booking:
    """Approve a school group waiting for approval; the school is told.

    Rules: venue staff only; a compare-and-set from pending, so a second click, or a cancel
    or refusal at the same moment, leaves one decision standing.
    Raises: PermissionDenied, StateConflict.
    """
    require_venue_staff(booking.slot.venue, by)
    states.require_move(booking, BookingStatus.CONFIRMED)
    with unit_of_work():
        states.transition(booking, BookingStatus.CONFIRMED, now=now, decided_at=now)
        tell_booker(
            booking,
            _l("Booking %(code)s approved", code=booking.display_code),
            _l(
                "%(venue)s has approved your group visit on %(when)s.",
                venue=booking.slot.venue.name,
                when=when(booking.slot),
            ),
            now=now,
        )
    return booking


def refuse_booking(booking: Booking, *, by: User, reason: str, now: datetime) -> Booking:
    """Refuse a school group waiting for approval, with a reason; its places are freed.

    Raises: PermissionDenied, StateConflict, BookingError.
    """
    require_venue_staff(booking.slot.venue, by)
    states.require_move(booking, BookingStatus.REFUSED)
    reason = (reason or "").strip()
    if not reason:
        raise BookingError(_("Give the reason: the school will see it."), field="reason")
    with unit_of_work():
        # lapsed holds first: entries before the session row, as a booking locks them
        waitlist.release_expired([booking.slot_id], now=now)
        states.transition(
            booking, BookingStatus.REFUSED, now=now, reason=reason[:300], decided_at=now
        )
        tell_booker(
            booking,
            _l("Booking %(code)s not approved", code=booking.display_code),
            _l(
                "%(venue)s could not accept your group visit on %(when)s. Reason: %(reason)s",
                venue=booking.slot.venue.name,
                when=when(booking.slot),
                reason=booking.reason,
            ),
            now=now,
        )
        waitlist.offer_places(booking.slot, now=now)
    return booking


def mark_no_shows(session: Slot, *, by: User, now: datetime) -> int:
    """Mark every confirmed booking of a finished session that nobody checked in as a no-show.

    Rules: venue staff only, once the session is over; each booking moves by compare-and-set,
    so one checked in at the same moment stays checked in. The places go back (nobody can
    book a past session, so nobody gets them). Returns how many were marked.
    Raises: PermissionDenied, BookingError (session not over yet).
    """
    require_venue_staff(session.venue, by)
    if now < session.ends_at:
        raise BookingError(_("The session is not over yet."))
    marked = 0
    with unit_of_work():
        waiting = db.session.scalars(
            sa.select(Booking)
            .where(Booking.slot_id == session.id, Booking.status == BookingStatus.CONFIRMED)
            .order_by(Booking.id)
        ).all()
        for booking in waiting:
            try:
                states.transition(booking, BookingStatus.NO_SHOW, now=now)
            except StateConflict:
                continue  # checked in (or cancelled) meanwhile: that move stands
            marked += 1
    return marked


def undo_no_show(booking: Booking, *, by: User, now: datetime) -> Booking:
    """Staff put back a booking marked as a no-show by mistake: it is confirmed again.

    Rules: venue staff only; a compare-and-set from no-show; the places are taken again.
    Raises: PermissionDenied, StateConflict.
    """
    require_venue_staff(booking.slot.venue, by)
    states.require_move(booking, BookingStatus.CONFIRMED)
    with unit_of_work():
        states.transition(booking, BookingStatus.CONFIRMED, now=now)
    return booking
