"""Waiting-list holds on the pages and the API: numbers net of holds; the holder can book."""

from datetime import timedelta

import pytest

from models import Booking, BookingChannel, Role, Slot, WaitlistEntry, db
from models.user import utcnow
from tests.factories import make_session, make_user, make_venue
from tests.test_booking_pages import FAMILY_FORM


@pytest.fixture
def held(app):
    """A session of 4: 2 booked, 2 held for a family offered them from the waiting list."""
    venue = make_venue()
    session = make_session(
        venue, starts_at=utcnow() + timedelta(days=2), capacity=4, taken_general=2, held_general=2
    )
    holder = make_user(role=Role.FAMILY)
    db.session.add(
        WaitlistEntry(
            slot_id=session.id,
            user_id=holder.id,
            channel=BookingChannel.GENERAL,
            places=2,
            offered_at=utcnow(),
            held_places=2,
            held_until=utcnow() + timedelta(hours=3),
        )
    )
    db.session.commit()
    return venue, session, holder


def test_held_places_are_not_shown_as_free_on_the_venue_page_or_the_api(client, held):
    venue, session, _holder = held
    page = client.get(f"/venues/{venue.id}").get_data(as_text=True)
    assert "已约满" in page and "余 2 个名额" not in page
    found = client.get(f"/api/v1/venues/{venue.id}/sessions").get_json()["sessions"]
    row = next(s for s in found if s["id"] == session.id)
    assert (row["places_left"], row["green_places_left"]) == (0, 0)


def test_the_holder_sees_the_hold_and_books_it_through_the_form(client, auth, held):
    venue, session, holder = held
    auth.login(holder.email)
    page = client.get(f"/venues/{venue.id}").get_data(as_text=True)
    assert "已为您保留 2 个名额" in page
    assert f"/booking/sessions/{session.id}/family" in page
    response = client.post(
        f"/booking/sessions/{session.id}/family", data={**FAMILY_FORM, "confirm": "1"}
    )
    assert response.status_code == 302
    assert db.session.query(Booking).filter_by(booker_id=holder.id).count() == 1
    row = db.session.get(Slot, session.id)
    db.session.refresh(row)
    assert (row.taken_general, row.held_general) == (4, 0)


def test_someone_else_is_told_the_session_is_full(client, auth, held):
    _venue, session, _holder = held
    other = make_user(role=Role.FAMILY)
    db.session.commit()
    auth.login(other.email)
    response = client.post(
        f"/booking/sessions/{session.id}/family", data={**FAMILY_FORM, "confirm": "1"}
    )
    assert "名额不足" in response.get_data(as_text=True)
