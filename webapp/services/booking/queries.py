"""Reading bookings: by code (for the booker, the school or the venue's staff), a person's and
a school's bookings, venues suited to a school, and a venue's bookings waiting for approval.
"""

import re

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload

from models import Booking, BookingStatus, School, Slot, User, Venue, db
from models.venue import venue_stages
from webapp.services.booking.access import can_see_booking
from webapp.services.errors import NotFound
from webapp.services.geo import distance_km
from webapp.services.permissions import can


def normalise_code(text: str) -> str:
    """What a person typed or read aloud, as stored: upper case, no spaces or dashes."""
    return re.sub(r"[\s\-]", "", (text or "")).upper()[:12]


def get_booking_by_code(code: str) -> Booking | None:
    return db.session.scalar(
        sa.select(Booking)
        .options(joinedload(Booking.slot).joinedload(Slot.venue))
        .where(Booking.code == normalise_code(code))
    )


def get_booking_for(code: str, *, user) -> Booking:
    """The booking with this code, if the user booked it, acts for its school or staffs its
    venue.

    Raises: NotFound, the same for an unknown code and for someone else's.
    """
    booking = get_booking_by_code(code)
    if booking is None or not can_see_booking(user, booking):
        raise NotFound(_("No booking with that code."))
    return booking


def _bookings_newest_first(which) -> list[Booking]:
    """The bookings matching `which`, with their session and venue, newest visit first."""
    return db.session.scalars(
        sa.select(Booking)
        .options(joinedload(Booking.slot).joinedload(Slot.venue))
        .join(Slot, Slot.id == Booking.slot_id)
        .where(which)
        .order_by(Slot.starts_at.desc())
    ).all()


def list_user_bookings(user: User) -> list[Booking]:
    """The person's own bookings, newest visit first (history included)."""
    return _bookings_newest_first(Booking.booker_id == user.id)


def list_school_trips(school: School) -> list[Booking]:
    """A school's group bookings, newest visit first (history included)."""
    return _bookings_newest_first(Booking.school_id == school.id)


def list_venues_for_school(school: School, *, limit: int = 20) -> list[tuple[Venue, float]]:
    """Venues suited to the school's stages, nearest to the school first, with distance in km."""
    stages = school.stages
    stmt = sa.select(Venue)
    if stages:
        stmt = stmt.where(
            sa.exists().where(venue_stages.c.venue_id == Venue.id, venue_stages.c.stage.in_(stages))
        )
    venues = db.session.scalars(stmt).all()
    ranked = sorted(
        ((v, round(distance_km((school.lat, school.lng), (v.lat, v.lng)), 1)) for v in venues),
        key=lambda pair: pair[1],
    )
    return ranked[:limit]


def list_pending_approvals(venue: Venue) -> list[Booking]:
    return db.session.scalars(
        sa.select(Booking)
        .options(joinedload(Booking.slot))
        .join(Slot, Slot.id == Booking.slot_id)
        .where(Slot.venue_id == venue.id, Booking.status == BookingStatus.PENDING)
        .order_by(Slot.starts_at)
    ).all()


def list_session_bookings(session: Slot) -> list[Booking]:
    return db.session.scalars(
        sa.select(Booking).where(Booking.slot_id == session.id).order_by(Booking.created_at)
    ).all()


def get_staff_booking(code: str, *, user) -> Booking | None:
    """The booking with this code if the user runs its venue's sessions, else None (the same
    for an unknown code and another venue's, so staff cannot probe other venues' codes)."""
    booking = get_booking_by_code(code)
    if booking is None or not can(user, "venue.manage_sessions", booking.slot.venue):
        return None
    return booking
