"""Waiting-list holds: offered places are kept for the entry for a while, then passed on."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from models import BookingChannel, BookingStatus, OutboxMessage, Role, Slot, WaitlistEntry, db
from tests.factories import NOW, family_request, make_session, make_settings, make_user, make_venue
from webapp.services.booking import availability, bookings, requests, waitlist
from webapp.services.errors import NotFound


@pytest.fixture(autouse=True)
def in_request(app):
    with app.test_request_context("/"):
        yield


def pair():
    """A party of two: one pupil and one adult."""
    return family_request(primary_pupils=1, adults=1)


@pytest.fixture
def full(app):
    """A session of 4 places booked full by two families, with two people waiting for 2 each."""
    venue = make_venue()
    session = make_session(venue, capacity=4)
    first, second = make_user(role=Role.FAMILY), make_user(role=Role.FAMILY)
    waiter, next_waiter = make_user(role=Role.FAMILY), make_user(role=Role.FAMILY)
    db.session.commit()
    booking = requests.create_booking(session, pair(), by=first, now=NOW)
    requests.create_booking(session, pair(), by=second, now=NOW)
    for minute, who in enumerate((waiter, next_waiter)):
        bookings.join_waitlist(
            session,
            by=who,
            places=2,
            channel=BookingChannel.GENERAL,
            now=NOW + timedelta(minutes=minute),
        )
    return session, booking, first, waiter, next_waiter


def left(session, now):
    return availability.get_availability([session.id], now=now)[session.id]


def entry_of(user):
    return db.session.scalar(sa.select(WaitlistEntry).where(WaitlistEntry.user_id == user.id))


def last_message_to(user):
    return db.session.scalars(
        sa.select(OutboxMessage)
        .where(OutboxMessage.recipient == user.email)
        .order_by(OutboxMessage.id.desc())
    ).first()


def test_a_cancellation_holds_the_places_for_the_first_entry_and_says_until_when(full):
    session, booking, first, waiter, next_waiter = full
    bookings.cancel_booking(booking, by=first, now=NOW)
    entry = entry_of(waiter)
    assert entry.held_places == 2
    assert entry.held_until == NOW + timedelta(hours=12)
    assert entry_of(next_waiter).offered_at is None
    assert db.session.get(Slot, session.id).held_general == 2
    places = left(session, NOW)
    assert (places.general_left, places.green_left, places.is_full) == (0, 0, True)
    body = last_message_to(waiter).body
    assert "2025-06-04 22:00" in body  # 12 h after the offer, local time


def test_someone_else_is_refused_while_the_places_are_held(full):
    session, booking, first, _waiter, _next = full
    bookings.cancel_booking(booking, by=first, now=NOW)
    stranger = make_user(role=Role.FAMILY)
    db.session.commit()
    with pytest.raises(requests.SessionFull):
        requests.preview_booking(session, pair(), by=stranger, now=NOW)
    with pytest.raises(requests.SessionFull):
        requests.create_booking(session, pair(), by=stranger, now=NOW)
    assert db.session.get(Slot, session.id).taken_general == 2


def test_the_offered_person_books_into_the_hold(full):
    session, booking, first, waiter, _next = full
    bookings.cancel_booking(booking, by=first, now=NOW)
    requests.preview_booking(session, pair(), by=waiter, now=NOW + timedelta(hours=1))
    mine = requests.create_booking(session, pair(), by=waiter, now=NOW + timedelta(hours=1))
    assert mine.status is BookingStatus.CONFIRMED
    row = db.session.get(Slot, session.id)
    db.session.refresh(row)
    assert (row.taken_general, row.held_general) == (4, 0)
    assert entry_of(waiter).held_places == 0


def test_booking_fewer_than_held_keeps_the_rest_held_until_it_lapses(full):
    session, booking, first, waiter, next_waiter = full
    bookings.cancel_booking(booking, by=first, now=NOW)
    # one place of the two held: a senior-secondary pupil alone, as this venue allows
    make_settings(session.venue, is_senior_alone_allowed=True)
    db.session.commit()
    requests.create_booking(
        session, family_request(primary_pupils=0, senior=1, adults=0), by=waiter, now=NOW
    )
    row = db.session.get(Slot, session.id)
    db.session.refresh(row)
    assert (row.taken_general, row.held_general) == (3, 1)
    assert left(session, NOW).general_left == 0
    # lapsed: the place goes back; the next entry wants 2, so only 1 place is free for all
    assert left(session, NOW + timedelta(hours=12)).general_left == 1
    assert entry_of(next_waiter).offered_at is None


def test_an_unused_hold_lapses_and_goes_to_the_next_entry_once(full):
    session, booking, first, waiter, next_waiter = full
    bookings.cancel_booking(booking, by=first, now=NOW)
    later = NOW + timedelta(hours=13)
    assert left(session, later).general_left == 0  # released, then held for the next entry
    assert entry_of(waiter).held_places == 0
    entry = entry_of(next_waiter)
    assert (entry.held_places, entry.held_until) == (2, later + timedelta(hours=12))
    assert "2025-06-05" in last_message_to(next_waiter).body
    # releasing again changes nothing: no double release
    assert waitlist.release_expired_holds(now=later) == 0
    left(session, later)
    row = db.session.get(Slot, session.id)
    db.session.refresh(row)
    assert (row.taken_general, row.held_general) == (2, 2)
    # the first person's hold is gone: they are refused now
    with pytest.raises(requests.SessionFull):
        requests.create_booking(session, pair(), by=waiter, now=later)


def test_a_booking_attempt_releases_a_lapsed_hold_in_its_own_transaction(full):
    session, booking, first, waiter, next_waiter = full
    bookings.cancel_booking(booking, by=first, now=NOW)
    db.session.execute(sa.delete(WaitlistEntry).where(WaitlistEntry.user_id == next_waiter.id))
    db.session.commit()
    stranger = make_user(role=Role.FAMILY)
    db.session.commit()
    done = requests.create_booking(session, pair(), by=stranger, now=NOW + timedelta(hours=12))
    assert done.status is BookingStatus.CONFIRMED
    row = db.session.get(Slot, session.id)
    db.session.refresh(row)
    assert (row.taken_general, row.held_general) == (4, 0)


def test_the_hold_never_outlasts_the_session_start(app):
    venue = make_venue()
    session = make_session(venue, capacity=2, starts_at=NOW + timedelta(hours=5))
    first, waiter = make_user(role=Role.FAMILY), make_user(role=Role.FAMILY)
    db.session.commit()
    booking = requests.create_booking(session, pair(), by=first, now=NOW)
    bookings.join_waitlist(session, by=waiter, places=2, channel=BookingChannel.GENERAL, now=NOW)
    bookings.cancel_booking(booking, by=first, now=NOW)
    assert entry_of(waiter).held_until == session.starts_at


def test_leaving_the_waitlist_releases_the_hold_for_the_next_entry(full):
    session, booking, first, waiter, next_waiter = full
    bookings.cancel_booking(booking, by=first, now=NOW)
    bookings.leave_waitlist(session, by=waiter, now=NOW + timedelta(hours=1))
    assert entry_of(waiter) is None
    assert entry_of(next_waiter).held_places == 2
    assert db.session.get(Slot, session.id).held_general == 2
    with pytest.raises(NotFound):
        bookings.leave_waitlist(session, by=waiter, now=NOW)


def test_a_green_channel_hold_is_not_open_to_general_bookings(app):
    venue = make_venue()
    session = make_session(venue, capacity=4, green_quota=0)
    first, second = make_user(role=Role.FAMILY), make_user(role=Role.FAMILY)
    waiter, stranger = make_user(role=Role.FAMILY), make_user(role=Role.FAMILY)
    db.session.commit()
    booking = requests.create_booking(session, pair(), by=first, now=NOW)
    requests.create_booking(session, pair(), by=second, now=NOW)
    bookings.join_waitlist(session, by=waiter, places=2, channel=BookingChannel.GREEN, now=NOW)
    bookings.cancel_booking(booking, by=first, now=NOW)
    assert db.session.get(Slot, session.id).held_green == 2
    with pytest.raises(requests.SessionFull):
        requests.create_booking(session, pair(), by=stranger, now=NOW)
    green = family_request(primary_pupils=1, adults=1, left_behind=1)
    assert requests.create_booking(session, green, by=waiter, now=NOW).places == 2


def test_release_holds_command_releases_lapsed_holds(full, runner):
    session, booking, first, _waiter, _next = full
    bookings.cancel_booking(booking, by=first, now=NOW)
    result = runner.invoke(args=["release-holds"])  # the real clock: long after NOW
    assert result.exit_code == 0 and "holds released: 1" in result.output
    row = db.session.get(Slot, session.id)
    db.session.refresh(row)
    assert row.held_general == 0
