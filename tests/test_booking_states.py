"""The booking state machine, the capacity ledger's recount, and calling off days and sessions."""

from datetime import time, timedelta

import pytest
import sqlalchemy as sa

from models import (
    Booking,
    BookingChannel,
    BookingStatus,
    OutboxMessage,
    Role,
    Slot,
    WaitlistEntry,
    db,
)
from models.user import utcnow
from tests.factories import NOW, family_request, make_session, make_user, make_venue
from tests.test_venue_pages import client_for, form_data
from webapp.services.booking import bookings, capacity, closures, requests
from webapp.services.booking import staff as staff_service
from webapp.services.booking import states as booking_states
from webapp.services.clock import local_date, to_utc
from webapp.services.errors import PermissionDenied, ServiceError

S = BookingStatus


@pytest.fixture
def in_request(app):
    with app.test_request_context("/"):
        yield


@pytest.fixture
def venue(app):
    return make_venue()


@pytest.fixture
def staff(venue):
    return make_user(role=Role.VENUE_STAFF, venue=venue)


def _book(session, user=None, **counts):
    return requests.create_booking(
        session, family_request(**counts), by=user or make_user(role=Role.FAMILY), now=NOW
    )


def _subjects_to(user):
    return list(
        db.session.scalars(
            sa.select(OutboxMessage.subject)
            .where(OutboxMessage.user_id == user.id)
            .order_by(OutboxMessage.id)
        )
    )


# ---------------------------------------------------------------- the table


def test_the_table_allows_exactly_the_moves_of_the_issue():
    assert set(booking_states.TRANSITIONS) == {
        (S.PENDING, S.CONFIRMED),
        (S.PENDING, S.REFUSED),
        (S.PENDING, S.CANCELLED),
        (S.CONFIRMED, S.CANCELLED),
        (S.CONFIRMED, S.CHECKED_IN),
        (S.CONFIRMED, S.NO_SHOW),
        (S.NO_SHOW, S.CONFIRMED),
    }


def test_a_second_cancel_is_refused_and_gives_nothing_back_twice(in_request, venue):
    session = make_session(venue, capacity=10)
    kept = _book(session)
    booking = _book(session)
    stale = db.session.get(Booking, booking.id)
    bookings.cancel_booking(booking, by=booking.booker, now=NOW)
    with pytest.raises(booking_states.StateConflict) as again:
        bookings.cancel_booking(stale, by=stale.booker, now=NOW)
    assert again.value.message == "这条预约已经取消。"
    assert db.session.get(Slot, session.id).taken == kept.places
    assert capacity.recount() == []


def test_a_transition_that_lost_the_row_says_what_happened(in_request, venue, staff):
    """The compare-and-set itself: the booking moved after the caller read it."""
    session = make_session(venue, starts_at=NOW + timedelta(hours=3))
    booking = _book(session)
    db.session.execute(
        sa.update(Booking)
        .where(Booking.id == booking.id)
        .values(status=S.CHECKED_IN, checked_in_at=NOW + timedelta(minutes=2))
    )
    with pytest.raises(booking_states.StateConflict) as lost:
        booking_states.transition(booking, S.CANCELLED, now=NOW)
    assert lost.value.message == "已于 10:02 签到。"
    db.session.rollback()


def test_no_show_gives_the_places_back_and_staff_can_undo_it(in_request, venue, staff):
    session = make_session(venue, starts_at=NOW + timedelta(hours=1))
    booking = _book(session)
    family = make_user(role=Role.FAMILY)
    later = NOW + timedelta(hours=4)
    assert staff_service.mark_no_shows(session, by=staff, now=later) == 1
    assert db.session.get(Slot, session.id).taken == 0
    with pytest.raises(PermissionDenied):
        staff_service.undo_no_show(booking, by=family, now=later)
    staff_service.undo_no_show(booking, by=staff, now=later)
    assert booking.status is S.CONFIRMED
    assert db.session.get(Slot, session.id).taken == booking.places
    with pytest.raises(booking_states.StateConflict):
        staff_service.undo_no_show(booking, by=staff, now=later)
    assert capacity.recount() == []


def test_deleting_an_account_gives_its_coming_places_back_once(in_request, venue):
    session = make_session(venue, capacity=10)
    booking = _book(session)
    user = booking.booker
    assert bookings.forget_bookings_of(user, now=NOW) == 1
    db.session.commit()
    assert db.session.get(Slot, session.id).taken == 0
    assert capacity.recount() == []


# ---------------------------------------------------------------- check-bookings


def test_check_bookings_is_quiet_when_counts_match_and_names_a_difference(app, runner, venue):
    with app.test_request_context("/"):
        session = make_session(venue, capacity=10)
        _book(session)
    clean = runner.invoke(args=["check-bookings"])
    assert clean.exit_code == 0, clean.output
    db.session.execute(sa.update(Slot).where(Slot.id == session.id).values(taken_general=5))
    db.session.commit()
    broken = runner.invoke(args=["check-bookings"])
    assert broken.exit_code == 1
    assert f"session {session.id}: taken_general is 5, its bookings and holds make 2" in (
        broken.output
    )


def test_check_bookings_counts_waiting_list_holds(in_request, venue):
    session = make_session(venue, capacity=10, held_general=2)
    user = make_user(role=Role.FAMILY)
    db.session.add(
        WaitlistEntry(
            slot_id=session.id,
            user_id=user.id,
            channel=BookingChannel.GENERAL,
            places=2,
            created_at=NOW,
            offered_at=NOW,
            held_places=2,
            held_until=NOW + timedelta(hours=1),
        )
    )
    db.session.flush()
    assert capacity.recount() == []


# ---------------------------------------------------------------- calling off


def test_calling_off_a_session_cancels_tells_bookers_and_people_waiting(in_request, venue, staff):
    session = make_session(venue, capacity=2)
    booking = _book(session)
    waiting = make_user(role=Role.FAMILY)
    bookings.join_waitlist(session, by=waiting, places=1, channel=BookingChannel.GENERAL, now=NOW)
    with pytest.raises(ServiceError):
        closures.call_off_session(session, reason="", by=staff, now=NOW)
    result = closures.call_off_session(session, reason="暴雨预警", by=staff, now=NOW)
    assert (result.cancelled, result.waiting_told) == (1, 1)
    assert db.session.get(Booking, booking.id).status is S.CANCELLED
    assert db.session.get(Slot, session.id).is_cancelled
    assert _subjects_to(booking.booker)[-1].endswith("已被场馆取消")
    assert _subjects_to(waiting) == [f"{venue.name}：场次已取消"]
    assert capacity.recount() == []
    with pytest.raises(ServiceError) as twice:
        closures.call_off_session(
            db.session.get(Slot, session.id), reason="暴雨预警", by=staff, now=NOW
        )
    assert twice.value.message == "该场次已经取消。"


def test_a_closed_date_added_on_the_venue_edit_form_cancels_and_tells(app, world):  # noqa: F811
    venue = world.venues["a"]
    now = utcnow()
    day = local_date(now) + timedelta(days=5)
    with app.test_request_context("/"):
        session = make_session(venue, starts_at=to_utc(day, time(10)), capacity=20)
        family = make_user(role=Role.FAMILY)
        booking = requests.create_booking(session, family_request(), by=family, now=now)
        family_id, booking_id, slot_id = family.id, booking.id, session.id
    client = client_for(app, world, "venue_a")
    posted = form_data(
        world, **{"closures-0-closed_on": day.isoformat(), "closures-0-reason": "布展"}
    )
    response = client.post(f"/console/venues/{venue.id}/edit", data=posted)
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Booking, booking_id).status is S.CANCELLED
    assert db.session.get(Booking, booking_id).reason == "布展"
    assert db.session.get(Slot, slot_id).is_cancelled
    body = db.session.scalars(
        sa.select(OutboxMessage.body).where(OutboxMessage.user_id == family_id)
    ).all()[-1]
    assert "布展" in body
    assert capacity.recount() == []


# ---------------------------------------------------------------- stale forms


def test_a_double_click_on_cancel_gets_a_clear_message_not_an_error(app, client, venue):
    with app.test_request_context("/"):
        session = make_session(venue, starts_at=utcnow() + timedelta(days=3), capacity=10)
        family = make_user(role=Role.FAMILY)
        booking = requests.create_booking(session, family_request(), by=family, now=utcnow())
        code = booking.code
        db.session.commit()
    from tests.world import login_as

    login_as(client, family)
    first = client.post(f"/booking/b/{code}/cancel", follow_redirects=True)
    assert first.status_code == 200
    second = client.post(f"/booking/b/{code}/cancel", follow_redirects=True)
    assert second.status_code in (200, 409)
    assert "这条预约已经取消。" in second.get_data(as_text=True)
    assert capacity.recount() == []
