"""The booking API: wired to the same services, CSRF on POSTs, JSON errors naming the field."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from models import Booking, Role, db
from models.user import utcnow
from tests.factories import make_session, make_user, make_venue
from webapp import create_app
from webapp.services.clock import local_date

BODY = {
    "kind": "family",
    "primary_pupils": 1,
    "adults": 1,
    "contact_name": "王女士",
    "contact_phone": "13800138000",
    "idempotency_key": "api-key-0001",
}


@pytest.fixture
def venue(app):
    found = make_venue()
    db.session.commit()
    return found


@pytest.fixture
def session(venue):
    found = make_session(venue, starts_at=utcnow() + timedelta(days=2), capacity=6, green_quota=2)
    db.session.commit()
    return found


@pytest.fixture
def family(app):
    user = make_user(role=Role.FAMILY)
    db.session.commit()
    return user


def test_sessions_list_places_left_general_and_green(client, venue, session):
    day = local_date(session.starts_at).isoformat()
    data = client.get(f"/api/v1/venues/{venue.id}/sessions?from={day}&to={day}").get_json()
    assert [(s["id"], s["places_left"], s["green_places_left"]) for s in data["sessions"]] == [
        (session.id, 4, 6)
    ]


@pytest.mark.parametrize(
    "query, field",
    [("from=2025-13-01", "from"), ("to=nope", "to"), ("from=2025-06-10&to=2025-06-01", "to")],
)
def test_bad_session_dates_get_400_naming_the_field(client, venue, query, field):
    response = client.get(f"/api/v1/venues/{venue.id}/sessions?{query}")
    assert response.status_code == 400
    assert field in response.get_json()["errors"]


def test_book_read_and_cancel_through_the_api(client, auth, family, session):
    auth.login(family.email)
    created = client.post("/api/v1/bookings", json={**BODY, "session_id": session.id})
    assert created.status_code == 201
    code = created.get_json()["code"]
    again = client.post("/api/v1/bookings", json={**BODY, "session_id": session.id})
    assert again.get_json()["code"] == code
    assert client.get(f"/api/v1/bookings/{code}").get_json()["status"] == "confirmed"
    cancelled = client.post(f"/api/v1/bookings/{code}/cancel", json={})
    assert cancelled.get_json()["status"] == "cancelled"


@pytest.mark.parametrize(
    "change, status, field",
    [
        ({"primary_pupils": -2}, 400, "primary_pupils"),
        ({"primary_pupils": "2"}, 400, "primary_pupils"),
        ({"adults": 0, "primary_pupils": 0}, 400, "places"),
        ({"contact_phone": "1"}, 400, "contact_phone"),
        ({"session_id": "x"}, 400, "session_id"),
        ({"session_id": 999999}, 404, "session_id"),
        ({"kind": "party"}, 400, "kind"),
        ({"primary_pupils": 5, "adults": 2}, 400, "places"),
    ],
)
def test_bad_bookings_get_a_json_error_naming_the_field(
    client, auth, family, session, change, status, field
):
    auth.login(family.email)
    response = client.post("/api/v1/bookings", json={**BODY, "session_id": session.id, **change})
    assert response.status_code == status
    assert field in response.get_json()["errors"]
    assert db.session.scalar(sa.select(sa.func.count(Booking.id))) == 0


def test_anonymous_and_strangers_see_nothing(client, auth, family, session):
    assert (
        client.post("/api/v1/bookings", json={**BODY, "session_id": session.id}).status_code == 401
    )
    auth.login(family.email)
    code = client.post("/api/v1/bookings", json={**BODY, "session_id": session.id}).get_json()[
        "code"
    ]
    stranger = make_user(role=Role.FAMILY)
    db.session.commit()
    auth.logout()
    auth.login(stranger.email)
    assert client.get(f"/api/v1/bookings/{code}").status_code == 404
    assert client.post(f"/api/v1/bookings/{code}/cancel", json={}).status_code == 404
    assert client.get("/api/v1/bookings/NOPE-NOPE").status_code == 404


def test_api_posts_need_the_csrf_token_in_a_header(database_url, app, family, session):
    strict = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test",
            "SQLALCHEMY_DATABASE_URI": database_url,
            "RATELIMIT_ENABLED": False,
        }
    )
    client = strict.test_client()
    login_page = client.get("/auth/login").get_data(as_text=True)
    token = login_page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    client.post(
        "/auth/login",
        data={"login": family.email, "password": "correct horse battery", "csrf_token": token},
    )
    body = {**BODY, "session_id": session.id}
    refused = client.post("/api/v1/bookings", json=body)
    assert refused.status_code == 400
    token = client.get("/api/v1/csrf-token").get_json()["csrf_token"]
    accepted = client.post("/api/v1/bookings", json=body, headers={"X-CSRFToken": token})
    assert accepted.status_code == 201
    with strict.app_context():
        db.session.remove()
        for engine in db.engines.values():
            engine.dispose()


def test_openapi_describes_the_booking_endpoints(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert {"/bookings", "/bookings/{code}", "/bookings/{code}/cancel"} <= set(paths)
    assert "/venues/{venue_id}/sessions" in paths
