"""Reminders: everyone with a confirmed booking for tomorrow hears about it, once."""

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from models import Booking, BookingStatus, db
from webapp.services.booking.notices import when
from webapp.services.clock import local_date
from webapp.services.outbox import booking_link, send_message
from webapp.services.transactions import unit_of_work


def send_reminders(*, now: datetime) -> int:
    """Remind everyone with a confirmed booking for tomorrow (local date), once each.

    Safe when two hosts run it at the same minute: each booking is claimed by a conditional
    UPDATE (`reminded_at IS NULL`, row count checked) before its reminder is stored, and on
    PostgreSQL rows another run is claiming are skipped (FOR UPDATE SKIP LOCKED) rather than
    waited for. Returns how many reminders this run stored in the outbox. Commits.
    """
    tomorrow = local_date(now) + timedelta(days=1)
    due = (
        sa.select(Booking.id)
        .where(
            Booking.visit_on == tomorrow,
            Booking.status == BookingStatus.CONFIRMED,
            Booking.reminded_at.is_(None),
        )
        .order_by(Booking.id)
        .with_for_update(skip_locked=True)
    )
    sent = 0
    with unit_of_work():
        for booking_id in db.session.scalars(due).all():
            claimed = db.session.execute(
                sa.update(Booking)
                .where(
                    Booking.id == booking_id,
                    Booking.status == BookingStatus.CONFIRMED,
                    Booking.reminded_at.is_(None),
                )
                .values(reminded_at=now)
                .execution_options(synchronize_session=False)
            ).rowcount
            if claimed != 1:
                continue  # another run reminded it, or it was cancelled meanwhile
            booking = db.session.get(Booking, booking_id)
            send_message(
                booking.booker,
                _l("Reminder: your visit tomorrow (%(code)s)", code=booking.display_code),
                _l(
                    "%(venue)s, %(when)s, %(places)d people. Show the code %(code)s at the door. "
                    "Cannot come? Please cancel so others can go.",
                    venue=booking.slot.venue.name,
                    when=when(booking.slot),
                    places=booking.places,
                    code=booking.display_code,
                ),
                now=now,
                link=booking_link(booking),
            )
            sent += 1
    return sent
