"""Typed text: NFKC, hidden and control characters refused in one-line values, phone numbers
in ASCII digits; the same rules on the pages, the API and the services."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from models import Booking, Role, User, db
from models.user import utcnow
from tests.factories import make_session, make_user, make_venue
from webapp.services.text import TextError, clean_line, clean_phone

HOSTILE_NAMES = {
    "zero-width only": "\u200b\u200b\u200b",
    "right-to-left override": "王\u202e女士",
    "ANSI escape": "\x1b[31m王女士",
    "line break": "王女士\r\nBcc: x",
    "BOM": "\ufeff王女士",
}


@pytest.fixture(autouse=True)
def _request_context(app):
    with app.test_request_context("/?lang=en"):
        yield


@pytest.mark.parametrize("value", HOSTILE_NAMES.values(), ids=HOSTILE_NAMES.keys())
def test_hidden_and_control_characters_are_refused_in_a_name(value):
    with pytest.raises(TextError) as caught:
        clean_line(value, field="contact_name")
    assert caught.value.field == "contact_name" and "U+" in caught.value.message


def test_full_width_text_is_normalised():
    assert clean_line("  ＷＡＮＧ　丽  ", field="name") == "WANG 丽"


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("１３８００１３８０００", "13800138000"),
        ("+86 138 0013 8000", "13800138000"),
        ("138-0013-8000", "13800138000"),
        ("0351-1234567", "0351-1234567"),
        ("(0351) 12345678", "035112345678"),
    ],
)
def test_phone_numbers_are_stored_in_ascii_digits(typed, stored):
    assert clean_phone(typed) == stored


@pytest.mark.parametrize(
    "typed",
    ["١٣٨٠٠١٣٨٠٠٠", "१३८००१३८०००", "12345678901", "1380013800", "351-1234567", ""],
    ids=["arabic-indic", "devanagari", "not-a-mobile", "too-short", "no-area-code", "empty"],
)
def test_other_digits_and_malformed_numbers_are_refused(typed):
    with pytest.raises(TextError, match="11-digit"):
        clean_phone(typed)


@pytest.fixture
def session(app):
    found = make_session(make_venue(), starts_at=utcnow() + timedelta(days=2), capacity=6)
    db.session.commit()
    return found


@pytest.fixture
def family_client(app, client):
    user = make_user(role=Role.FAMILY)
    db.session.commit()
    client.post("/auth/login", data={"login": user.email, "password": "correct horse battery"})
    return client


BODY = {"kind": "family", "primary_pupils": 1, "adults": 1, "idempotency_key": "text-key-0001"}


def bookings() -> list[Booking]:
    return db.session.scalars(sa.select(Booking)).all()


@pytest.mark.parametrize("name", HOSTILE_NAMES.values(), ids=HOSTILE_NAMES.keys())
def test_the_api_refuses_a_hostile_contact_name_and_stores_nothing(family_client, session, name):
    body = {**BODY, "session_id": session.id, "contact_name": name, "contact_phone": "13800138000"}
    response = family_client.post("/api/v1/bookings?lang=en", json=body)
    assert response.status_code in (400, 422)
    assert "contact_name" in response.json["errors"]
    assert bookings() == []


def test_the_api_stores_a_full_width_phone_in_ascii(family_client, session):
    body = {**BODY, "session_id": session.id, "contact_name": "王女士",
            "contact_phone": "１３８００１３８０００"}  # fmt: skip
    assert family_client.post("/api/v1/bookings", json=body).status_code == 201
    assert [b.contact_phone for b in bookings()] == ["13800138000"]


def test_the_api_refuses_arabic_indic_digits_in_the_phone(family_client, session):
    body = {**BODY, "session_id": session.id, "contact_name": "王女士",
            "contact_phone": "١٣٨٠٠١٣٨٠٠٠"}  # fmt: skip
    response = family_client.post("/api/v1/bookings", json=body)
    assert response.status_code in (400, 422) and "contact_phone" in response.json["errors"]
    assert bookings() == []


def test_the_booking_page_refuses_a_name_of_zero_width_spaces(family_client, session):
    response = family_client.post(
        f"/booking/sessions/{session.id}/family?lang=en",
        data={"contact_name": "\u200b\u200b", "contact_phone": "13800138000", "adults": 1,
              "primary_pupils": 1, "idempotency_key": "page-key-0001", "confirm": "1"},
    )  # fmt: skip
    assert response.status_code == 200
    assert "U+200B" in response.get_data(as_text=True)
    assert bookings() == []


def test_sign_up_refuses_a_direction_override_in_the_name(client, app):
    response = client.post(
        "/auth/signup?lang=en",
        data={"name": "王\u202e丽", "login": "13900139000", "password": "a long passphrase 9",
              "confirm": "a long passphrase 9", "agree": "y"},
    )  # fmt: skip
    assert response.status_code == 200
    assert "U+202E" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == 0
