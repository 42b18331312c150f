"""我的预约: a person's bookings, waiting-list entries and held places, as they read them.

Coming bookings (still active, session ahead) run soonest first; cancelled, refused and past
ones are kept apart, newest first. Waiting-list entries show any places held and until when.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from models import Booking, Slot, User, WaitlistEntry, db
from webapp.services.booking.queries import list_user_bookings
from webapp.services.booking.settings import get_settings


@dataclass
class MyBookings:
    coming: list[Booking] = field(default_factory=list)
    finished: list[Booking] = field(default_factory=list)
    waiting: list[WaitlistEntry] = field(default_factory=list)


def get_my_bookings(user: User, *, now: datetime) -> MyBookings:
    """The person's bookings split into coming and finished, and their waiting-list entries
    for sessions still ahead (two queries)."""
    mine = MyBookings()
    for booking in list_user_bookings(user):
        if booking.is_active and booking.slot.starts_at >= now:
            mine.coming.append(booking)
        else:
            mine.finished.append(booking)
    mine.coming.sort(key=lambda b: b.slot.starts_at)
    mine.waiting = list(
        db.session.scalars(
            sa.select(WaitlistEntry)
            .options(joinedload(WaitlistEntry.slot).joinedload(Slot.venue))
            .join(Slot, Slot.id == WaitlistEntry.slot_id)
            .where(WaitlistEntry.user_id == user.id, Slot.starts_at > now)
            .order_by(Slot.starts_at)
        )
    )
    return mine


def cancel_deadline(booking: Booking) -> datetime:
    """The last moment (naive UTC) the booker may cancel online."""
    hours = get_settings(booking.slot.venue_id).cancel_cutoff_hours
    return booking.slot.starts_at - timedelta(hours=hours)
