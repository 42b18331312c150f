"""Booking messages: each in its recipient's language, each linking to what it is about."""

import sqlalchemy as sa

from models import BookingChannel, OutboxMessage, Role, db
from tests.factories import NOW, family_request, make_session, make_user, make_venue
from webapp.services.booking import bookings, requests


def _messages_to(user):
    return db.session.scalars(
        sa.select(OutboxMessage)
        .where(OutboxMessage.recipient == user.email)
        .order_by(OutboxMessage.id)
    ).all()


def test_a_confirmation_links_to_the_booking_in_the_bookers_language(app):
    app.config["BASE_URL"] = "https://bases.example.cn"
    parent = make_user(role=Role.FAMILY, locale="en")
    session = make_session(make_venue(), capacity=4)
    db.session.commit()
    with app.test_request_context("/?lang=zh"):
        booking = requests.create_booking(
            session, family_request(primary_pupils=1, adults=1), by=parent, now=NOW
        )
    [message] = _messages_to(parent)
    assert message.subject == f"Booking {booking.display_code} confirmed"
    assert message.link == f"https://bases.example.cn/booking/b/{booking.code}"


def test_an_offer_links_to_booking_the_held_places_in_the_waiters_language(app):
    first = make_user(role=Role.FAMILY, locale="en")
    waiter = make_user(role=Role.FAMILY)  # no language chosen: Chinese
    session = make_session(make_venue(), capacity=2)
    db.session.commit()
    with app.test_request_context("/?lang=en"):
        booking = requests.create_booking(
            session, family_request(primary_pupils=1, adults=1), by=first, now=NOW
        )
        bookings.join_waitlist(
            session, by=waiter, places=2, channel=BookingChannel.GENERAL, now=NOW
        )
        bookings.cancel_booking(booking, by=first, now=NOW)
    offer = _messages_to(waiter)[-1]
    assert offer.locale == "zh" and "名额" in offer.body
    assert offer.link == f"http://localhost:5000/booking/sessions/{session.id}/family"
