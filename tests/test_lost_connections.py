"""PostgreSQL drops every connection (a restart, a failover, an idle timeout) between two
requests: the next requests still succeed, and a booking already made stays made."""

import os
from datetime import timedelta

import pytest
import sqlalchemy as sa

from models import Booking, Role, db
from models.user import utcnow
from tests.factories import make_session, make_user, make_venue
from webapp import create_app

pytestmark = pytest.mark.skipif(
    not os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql"),
    reason="terminates PostgreSQL backends",
)

BODY = {"kind": "family", "primary_pupils": 1, "adults": 1, "contact_name": "王女士",
        "contact_phone": "13800138000"}  # fmt: skip


def terminate_backends(url: str) -> int:
    """Kill every other connection to the test database, as a server restart would."""
    killer = sa.create_engine(url, poolclass=sa.pool.NullPool)
    with killer.connect() as conn:
        killed = conn.execute(
            sa.text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        ).scalar()
    killer.dispose()
    return killed


@pytest.fixture
def booked(app, client):
    venue = make_venue()
    # two days: one account books one visit per venue and day
    sessions = [
        make_session(venue, starts_at=utcnow() + timedelta(days=days), capacity=20)
        for days in (2, 3)
    ]
    user = make_user(role=Role.FAMILY)
    db.session.commit()
    client.post("/auth/login", data={"login": user.email, "password": "correct horse battery"})
    return venue.id, [s.id for s in sessions]


def _book(client, slot_id, key):
    return client.post(
        "/api/v1/bookings", json={**BODY, "session_id": slot_id, "idempotency_key": key}
    )


def test_requests_after_the_server_dropped_every_connection_succeed(
    app, client, booked, database_url
):
    venue_id, (first, second) = booked
    assert _book(client, first, "before-drop-01").status_code == 201
    db.session.close()  # the test's own connection goes back to the pool too
    assert terminate_backends(database_url) >= 1

    assert client.get(f"/venues/{venue_id}").status_code == 200
    assert _book(client, second, "after-drop-001").status_code == 201
    assert client.get("/booking/mine").status_code == 200
    codes = db.session.scalars(sa.select(Booking.idempotency_key)).all()
    assert sorted(codes) == ["after-drop-001", "before-drop-01"]


def test_control_without_pre_ping_the_first_request_after_the_drop_fails(database_url, booked):
    """Shows the harness really breaks pooled connections: the guard is what saves them."""
    bare = create_app(
        {"TESTING": True, "SECRET_KEY": "test", "SQLALCHEMY_DATABASE_URI": database_url,
         "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": False}, "RATELIMIT_ENABLED": False},
    )  # fmt: skip
    venue_id, _sessions = booked
    db.session.close()
    with bare.app_context():
        bare_client = bare.test_client()
        assert bare_client.get(f"/venues/{venue_id}").status_code == 200
        terminate_backends(database_url)
        statuses = [bare_client.get(f"/venues/{venue_id}").status_code for _ in range(2)]
        db.engine.dispose()
    assert statuses[0] in (500, 503) and statuses[1] == 200
