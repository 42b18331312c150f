"""Retention: personal data of finished visits is removed once its period has passed.

A booking's contact name, phone and lead teacher are blanked PERSONAL_DATA_RETENTION_DAYS
(180 by default) after the visit day; real-name entries of adult visitors go sooner, after
REAL_NAME_RETENTION_DAYS. The booking itself stays, with its counts, for the figures. Messages
older than the retention period that have been sent or given up are deleted too: they carry
phone numbers and e-mail addresses. Days are Beijing days. `flask purge-personal-data`, run
daily by cron, applies it; the privacy notice states the periods.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from models import Booking, BookingVisitor, OutboxMessage, db
from webapp.services.clock import local_date
from webapp.services.transactions import unit_of_work


@dataclass
class Purged:
    bookings: int
    visitors: int
    messages: int


def purge_personal_data(*, now: datetime) -> Purged:
    """Remove the personal data whose retention period has ended; returns what was removed.

    Rules: a booking's contact data goes once its visit day is more than
    PERSONAL_DATA_RETENTION_DAYS in the past (local dates), each booking once; real-name
    entries once it is more than REAL_NAME_RETENTION_DAYS past; sent or given-up messages
    once they are older than PERSONAL_DATA_RETENTION_DAYS. Counts and statuses stay.
    """
    config = current_app.config
    today = local_date(now)
    contact_cutoff = today - timedelta(days=config["PERSONAL_DATA_RETENTION_DAYS"])
    real_name_cutoff = today - timedelta(days=config["REAL_NAME_RETENTION_DAYS"])
    with unit_of_work():
        bookings = db.session.execute(
            sa.update(Booking)
            .where(Booking.visit_on < contact_cutoff, Booking.personal_data_purged_at.is_(None))
            .values(contact_name="", contact_phone="", lead_teacher="", personal_data_purged_at=now)
            .execution_options(synchronize_session=False)
        ).rowcount
        finished = sa.select(Booking.id).where(Booking.visit_on < real_name_cutoff)
        visitors = db.session.execute(
            sa.delete(BookingVisitor)
            .where(BookingVisitor.booking_id.in_(finished))
            .execution_options(synchronize_session=False)
        ).rowcount
        messages = db.session.execute(
            sa.delete(OutboxMessage)
            .where(
                OutboxMessage.created_at
                < now - timedelta(days=config["PERSONAL_DATA_RETENTION_DAYS"]),
                sa.or_(OutboxMessage.sent_at.is_not(None), OutboxMessage.gave_up_at.is_not(None)),
            )
            .execution_options(synchronize_session=False)
        ).rowcount
    db.session.expire_all()
    return Purged(bookings=bookings, visitors=visitors, messages=messages)
