"""What a console view is about, looked up and checked in one place
(`webapp.auth.decorators.require`: sign in first, 404 for nothing there, 403 for someone
else's)."""

from models import Booking, Slot, Venue, db
from webapp.auth.decorators import require
from webapp.services.booking import queries, slots
from webapp.views import current_actor

MANAGE = "venue.manage_sessions"


def venue_for_staff(venue_id: int) -> Venue:
    return require(MANAGE, db.session.get(Venue, venue_id))


def session_for_staff(slot_id: int) -> Slot:
    found = slots.get_session(slot_id)
    require(MANAGE, found.venue if found is not None else None)
    return found


def booking_for_staff(code: str) -> Booking:
    """Another venue's booking code is a 404, as an unknown one is."""
    booking = queries.get_staff_booking(code, user=current_actor())
    require(MANAGE, booking.slot.venue if booking is not None else None)
    return booking
