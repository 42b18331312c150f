"""Notices to a venue's staff: a school group's booking waits for their approval.

The message joins the booking's own unit of work (outbox rows are flushed, not committed), so
staff are told exactly when the booking exists. Today shows the count of groups waiting.
"""

from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from models import Booking, Role, RoleGrant, User, Venue, db
from webapp.services.clock import to_local
from webapp.services.outbox import absolute_url, send_message


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
    when = to_local(booking.session.starts_at).strftime("%Y-%m-%d %H:%M")
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
                when=when,
                n=booking.places,
                teachers=booking.teachers,
            ),
            now=now,
            link=absolute_url("console.today"),
        )
    return len(staff)
