"""Notices about bookings: a venue's staff hear that a school group waits for their approval;
a booker hears what the venue decided (approved, refused, cancelled).

Each message joins the caller's unit of work (outbox rows are flushed, not committed), so
people are told exactly when the change is saved. Today shows the count of groups waiting.
"""

from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from models import Booking, Role, RoleGrant, Slot, User, Venue, db
from webapp.services.clock import to_local
from webapp.services.outbox import absolute_url, booking_link, send_message


def at(moment: datetime) -> str:
    """A moment as messages show it: local date and time."""
    return to_local(moment).strftime("%Y-%m-%d %H:%M")


def when(session: Slot) -> str:
    """A session's start as messages show it."""
    return at(session.starts_at)


def tell_booker(booking: Booking, subject, body, *, now: datetime) -> None:
    """The booker hears what the venue decided about the booking, with its link (flushes)."""
    send_message(booking.booker, subject, body, now=now, link=booking_link(booking))


def tell_cancelled_by_venue(booking: Booking, *, now: datetime) -> None:
    """The booker hears that the venue cancelled the booking, and why (flushes)."""
    tell_booker(
        booking,
        _l("Booking %(code)s cancelled by the venue", code=booking.display_code),
        _l(
            "%(venue)s has cancelled your booking for %(when)s. Reason: %(reason)s",
            venue=booking.slot.venue.name,
            when=when(booking.slot),
            reason=booking.reason,
        ),
        now=now,
    )


def venue_staff_of(venue: Venue) -> list[User]:
    """The people holding an approved venue-staff grant for the venue (active accounts)."""
    return db.session.scalars(
        sa.select(User)
        .join(RoleGrant, RoleGrant.user_id == User.id)
        .where(
            RoleGrant.role == Role.VENUE_STAFF,
            RoleGrant.venue_id == venue.id,
            RoleGrant.is_approved.is_(True),
            User.is_enabled.is_(True),
        )
        .order_by(User.id)
        .distinct()
    ).all()


def tell_staff_approval_waiting(booking: Booking, venue: Venue, *, now: datetime) -> int:
    """Queue a message to each of the venue's staff about a group waiting for approval
    (flushes). Returns how many were told."""
    school = booking.school.name if booking.school is not None else ""
    staff = venue_staff_of(venue)
    for person in staff:
        send_message(
            person,
            _l("A school group waits for your approval: %(code)s", code=booking.display_code),
            _l(
                "%(school)s %(group)s, %(when)s, %(n)d people (%(teachers)d teachers). "
                "Approve or refuse it on the Today page.",
                school=school,
                group=booking.group_name,
                when=when(booking.slot),
                n=booking.places,
                teachers=booking.teachers,
            ),
            now=now,
            link=absolute_url("console.today"),
        )
    return len(staff)
