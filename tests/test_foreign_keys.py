"""SQLite enforces foreign keys as PostgreSQL does: on every connection of the app, and again
after the migrations (which turn them off around their table rebuilds)."""

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from models import Booking, BookingStatus, Slot, db


def _booking_like(booking: Booking, **changes) -> dict:
    table = Booking.__table__
    row = {c.name: getattr(booking, c.key) for c in table.columns if c.name != "id"}
    row.update(code="FKTEST01", idempotency_key="fk-test", **changes)
    return row


def test_a_booking_for_a_missing_slot_is_refused(app, world):
    row = _booking_like(world.bookings["family_a"], slot_id=987654)
    with pytest.raises(sa.exc.IntegrityError):
        db.session.execute(Booking.__table__.insert(), row)
        db.session.flush()
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Booking)) == 6


def test_deleting_a_slot_deletes_its_bookings_as_its_cascade_says(app, world):
    slot = world.sessions["a"]
    db.session.execute(sa.delete(Slot).where(Slot.id == slot.id))
    db.session.commit()
    left = db.session.scalars(sa.select(Booking.slot_id)).all()
    assert slot.id not in left and len(left) == 3


def test_a_booking_of_a_real_slot_is_still_stored(app, world):
    row = _booking_like(world.bookings["family_a"], status=BookingStatus.CANCELLED)
    db.session.execute(Booking.__table__.insert(), row)
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Booking)) == 7


def test_sqlite_connections_enforce_foreign_keys_after_migrations_too(app):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL always enforces them")
    db.drop_all()
    with db.engine.begin() as conn:
        conn.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
    upgrade()
    downgrade(revision="0010_booking_rules")
    upgrade()
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA foreign_key_check").all() == []
