"""How many SQL statements one family booking with the full rules sends (issue 12).

The full rules: the per-day limit on (the person already has bookings at the venue on other
days), the no-show ban checked (they have no-shows, fewer than the limit), the green channel
(a left-behind child, so the reserved quota is in play), a paid admission policy for
everyone else. Counted: every statement sent through the app's engine while the block runs
(`before_cursor_execute`): for a request, Flask-Login's user load included, and nothing left
to the response (the test reads the JSON or the redirect inside the block). Not counted:
the driver's own BEGIN and the COMMIT (counted apart: one per booking) and the pool's
liveness ping at checkout.
"""

import uuid
from datetime import timedelta

import pytest
import sqlalchemy as sa

from models import (
    AdmissionKind,
    Booking,
    BookingChannel,
    BookingKind,
    BookingStatus,
    Role,
    Slot,
    VisitorGroup,
    db,
)
from models.user import utcnow
from tests.factories import make_session, make_settings, make_user, make_venue
from tests.query_counts import counted_statements
from webapp.services.booking import requests
from webapp.services.booking.party import COUNT_FIELDS, BookingRequest, Party
from webapp.services.clock import local_date

MOST = 10


@pytest.fixture
def session(app):
    """A session at a venue that charges 20 yuan a head and has its own booking settings."""
    venue = make_venue(admission={g: (AdmissionKind.FULL, 20) for g in VisitorGroup})
    make_settings(venue, open_days_ahead=30, green_release_hours=24)
    found = make_session(venue, starts_at=utcnow() + timedelta(days=3), capacity=40, green_quota=8)
    db.session.commit()
    return found


@pytest.fixture
def venue(session):
    return session.venue


@pytest.fixture
def family(venue):
    """A family with a history: two no-shows (one short of a ban) and bookings at this venue
    on other days, active and cancelled."""
    user = make_user(role=Role.FAMILY)
    now = utcnow()
    for n, status in enumerate(
        [
            BookingStatus.NO_SHOW,
            BookingStatus.NO_SHOW,
            BookingStatus.CONFIRMED,
            BookingStatus.CANCELLED,
        ]
    ):
        past = status is BookingStatus.NO_SHOW
        other = make_session(
            venue,
            starts_at=now + timedelta(days=-10 - n if past else 6 + n),
            capacity=10,
        )
        db.session.add(
            Booking(
                code=requests.new_code(),
                slot_id=other.id,
                visit_on=local_date(other.starts_at),
                channel=BookingChannel.GENERAL,
                kind=BookingKind.FAMILY,
                status=status,
                booker_id=user.id,
                idempotency_key=uuid.uuid4().hex,
                primary_pupils=1,
                adults=1,
                places=2,
                contact_name="王女士",
                contact_phone="13800138000",
                created_at=now,
            )
        )
        if status is BookingStatus.CONFIRMED:
            other.taken_general = 2
    db.session.commit()
    return user


def _counted(block):
    commits = []

    def count_commit(_conn):
        commits.append(1)

    sa.event.listen(db.engine, "commit", count_commit)
    try:
        with counted_statements() as seen:
            result = block()
    finally:
        sa.event.remove(db.engine, "commit", count_commit)
    return result, seen, len(commits)


def _report(where, seen):
    print(f"\n{where}: {len(seen)} statements")
    for n, statement in enumerate(seen, 1):
        print(f"  {n:2} {' '.join(statement.split())[:160]}")


def _taken(session_id):
    return db.session.execute(
        sa.select(Slot.taken_general, Slot.taken_green).where(Slot.id == session_id)
    ).one()


def test_the_service_books_a_green_family_in_at_most_ten_statements(app, family, session):
    request = BookingRequest(
        kind=BookingKind.FAMILY,
        party=Party(primary_pupils=2, adults=1, left_behind=1),
        contact_name="王女士",
        contact_phone="13800138000",
        idempotency_key=uuid.uuid4().hex,
    )
    session_id = session.id
    with app.test_request_context("/"):
        db.session.refresh(family)  # the caller has the session and the person loaded
        db.session.refresh(session)
        booking, seen, commits = _counted(
            lambda: requests.create_booking(session, request, by=family, now=utcnow())
        )
        _report("service", seen)
        assert booking.status is BookingStatus.CONFIRMED
        assert booking.channel is BookingChannel.GREEN
        assert len(seen) <= MOST
        assert commits == 1
    assert tuple(_taken(session_id)) == (0, 3)


def test_the_api_books_a_green_family_in_at_most_ten_statements(client, auth, family, session):
    auth.login(family.email)
    body = {
        "session_id": session.id,
        "kind": "family",
        "primary_pupils": 2,
        "adults": 1,
        "left_behind": 1,
        "contact_name": "王女士",
        "contact_phone": "13800138000",
        "idempotency_key": uuid.uuid4().hex,
    }
    answer, seen, commits = _counted(
        lambda: (lambda r: (r.status_code, r.get_json()))(
            client.post("/api/v1/bookings", json=body)
        )
    )
    _report("API", seen)
    status, data = answer
    assert status == 201, data
    assert data["channel"] == "green" and data["price_yuan"] == 0
    assert data["venue"] == session.venue.name
    assert len(seen) <= MOST
    assert commits == 1
    assert tuple(_taken(session.id)) == (0, 3)


def test_the_page_books_a_paying_family_in_at_most_ten_statements(client, auth, family, session):
    auth.login(family.email)
    counts = {"primary_pupils": "2", "adults": "1"}
    form = {name: counts.get(name, "0") for name in COUNT_FIELDS if name != "teachers"}
    form.update(
        contact_name="王女士",
        contact_phone="13800138000",
        idempotency_key=uuid.uuid4().hex,
        confirm="1",
    )
    url = f"/booking/sessions/{session.id}/family"
    answer, seen, commits = _counted(
        lambda: client.post(url, data=form).headers.get("Location", "")
    )
    _report("page", seen)
    assert "/booking/b/" in answer
    booking = db.session.scalar(
        sa.select(Booking).where(Booking.slot_id == session.id, Booking.booker_id == family.id)
    )
    assert booking.price_yuan == 60  # three paying visitors at 20 yuan
    assert len(seen) <= MOST
    assert commits == 1
    assert tuple(_taken(session.id)) == (3, 0)


def test_the_counted_path_still_applies_the_daily_limit(client, auth, family, session, venue):
    """The same rules run on the lean path: a second booking that day at the venue is refused."""
    auth.login(family.email)
    later = make_session(venue, starts_at=session.starts_at + timedelta(hours=3), capacity=10)
    db.session.commit()
    body = {
        "kind": "family",
        "primary_pupils": 1,
        "adults": 1,
        "contact_name": "王女士",
        "contact_phone": "13800138000",
    }
    first = client.post(
        "/api/v1/bookings",
        json={**body, "session_id": session.id, "idempotency_key": uuid.uuid4().hex},
    )
    assert first.status_code == 201
    second = client.post(
        "/api/v1/bookings",
        json={**body, "session_id": later.id, "idempotency_key": uuid.uuid4().hex},
    )
    assert second.status_code == 400
    assert "account" in second.get_json()["errors"]
    assert tuple(_taken(later.id)) == (0, 0)
