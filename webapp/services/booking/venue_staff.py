"""Which venues a person runs: the venue-staff console's list."""

import sqlalchemy as sa

from models import Role, Venue, db
from webapp.services.permissions import can


def console_venues(user, *, limit: int = 200) -> list[Venue]:
    """The venues the user staffs; administrators see every venue (first `limit` by name)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    if can(user, "admin.access"):
        return db.session.scalars(sa.select(Venue).order_by(Venue.name_pinyin).limit(limit)).all()
    return [g.venue for g in user.active_grants(Role.VENUE_STAFF) if g.venue is not None]
