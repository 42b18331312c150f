"""The door: looking codes up, partial arrival, the check-in window, no-shows and their undo."""

from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from models import AuditEntry, Booking, BookingStatus, Role, db
from tests.factories import NOW, family_request, make_session, make_user, make_venue
from webapp.services.booking import bookings, door, requests
from webapp.services.booking.states import BookingError
from webapp.services.errors import NotFound, PermissionDenied


@pytest.fixture(autouse=True)
def in_request(app):
    with app.test_request_context("/"):
        yield


@pytest.fixture
def venue(app):
    return make_venue()


@pytest.fixture
def staff(venue):
    return make_user(role=Role.VENUE_STAFF, venue=venue)


@pytest.fixture
def family(app):
    return make_user(role=Role.FAMILY)


def _booked(venue, family, *, starts_at, hours=2, **counts):
    session = make_session(venue, starts_at=starts_at, hours=hours)
    db.session.commit()
    return requests.create_booking(
        session, family_request(**counts), by=family, now=starts_at - timedelta(days=1)
    )


def test_the_party_shows_its_counts_by_group_and_green_category(venue, staff, family):
    booking = _booked(
        venue,
        family,
        starts_at=NOW + timedelta(minutes=30),
        primary_pupils=2,
        adults=1,
        left_behind=1,
    )
    party = door.look_up(venue, booking.display_code.lower(), by=staff, now=NOW)
    assert dict(party.by_group)["primary_pupils"] == 2
    assert dict(party.by_group)["adults"] == 1
    assert dict(party.by_green_category)["left_behind"] == 1
    assert party.still_to_come == 3


def test_a_party_may_arrive_in_parts_and_the_rest_later_that_day(venue, staff, family):
    booking = _booked(
        venue, family, starts_at=NOW + timedelta(minutes=30), primary_pupils=2, adults=2
    )
    door.record_arrival(venue, booking.code, people=3, seen_arrived=0, by=staff, now=NOW)
    db.session.refresh(booking)
    assert (booking.status, booking.arrived) == (BookingStatus.CHECKED_IN, 3)
    assert door.look_up(venue, booking.code, by=staff, now=NOW).still_to_come == 1
    with pytest.raises(BookingError) as too_many:
        door.record_arrival(venue, booking.code, people=2, seen_arrived=3, by=staff, now=NOW)
    assert "1" in too_many.value.message
    later = NOW + timedelta(hours=1)
    door.record_arrival(venue, booking.code, people=1, seen_arrived=3, by=staff, now=later)
    db.session.refresh(booking)
    assert booking.arrived == 4
    with pytest.raises(BookingError) as again:
        door.look_up(venue, booking.code, by=staff, now=later)
    # the first arrival's time (10:00 local) and everyone in
    assert again.value.message == "已于 10:00 签到（4 人）。"


def test_a_second_scan_with_a_stale_count_records_nothing(venue, staff, family):
    booking = _booked(venue, family, starts_at=NOW + timedelta(minutes=30), adults=3)
    door.record_arrival(venue, booking.code, people=1, seen_arrived=0, by=staff, now=NOW)
    with pytest.raises(BookingError):
        door.record_arrival(venue, booking.code, people=1, seen_arrived=0, by=staff, now=NOW)
    db.session.refresh(booking)
    assert booking.arrived == 1


@pytest.mark.parametrize(
    "minutes_from_start, problem",
    [
        (-61, "太早"),  # the window opens 60 minutes before the start
        (-60, None),
        (120, None),  # until the session's end
        (121, "太晚"),
    ],
)
def test_the_check_in_window_runs_from_an_hour_before_to_the_end(
    venue, staff, family, minutes_from_start, problem
):
    booking = _booked(venue, family, starts_at=NOW, hours=2)
    now = NOW + timedelta(minutes=minutes_from_start)
    if problem is None:
        assert door.look_up(venue, booking.code, by=staff, now=now).booking == booking
    else:
        with pytest.raises(BookingError) as refused:
            door.look_up(venue, booking.code, by=staff, now=now)
        assert problem in refused.value.message


def test_the_window_is_a_setting(app, venue, staff, family):
    app.config["CHECK_IN_OPENS_MINUTES"] = 15
    booking = _booked(venue, family, starts_at=NOW)
    with pytest.raises(BookingError):
        door.look_up(venue, booking.code, by=staff, now=NOW - timedelta(minutes=20))
    assert door.look_up(venue, booking.code, by=staff, now=NOW - timedelta(minutes=10))


def test_a_code_at_0307_for_a_0900_session_is_refused(venue, staff, family):
    # 09:00 local is 01:00 UTC; 03:07 local the same day is 19:07 UTC the day before
    starts = datetime(2025, 6, 5, 1, 0)
    booking = _booked(venue, family, starts_at=starts)
    with pytest.raises(BookingError) as refused:
        door.look_up(venue, booking.code, by=staff, now=datetime(2025, 6, 4, 19, 7))
    assert "09:00" in refused.value.message and "08:00" in refused.value.message


def test_another_day_is_named_even_when_the_server_clock_is_still_on_the_day_before(
    venue, staff, family
):
    # 19:30 UTC on 4 June is 03:30 on 5 June in Beijing: a booking for 4 June is yesterday's
    booking = _booked(venue, family, starts_at=datetime(2025, 6, 4, 6, 0))
    with pytest.raises(BookingError) as refused:
        door.look_up(venue, booking.code, by=staff, now=datetime(2025, 6, 4, 19, 30))
    assert "2025-06-04" in refused.value.message


def test_unknown_foreign_cancelled_and_pending_codes_say_what_is_wrong(venue, staff, family):
    other = make_venue()
    foreign = _booked(other, family, starts_at=NOW + timedelta(minutes=30))
    with pytest.raises(NotFound) as unknown:
        door.look_up(venue, "ZZZZ-ZZZZ", by=staff, now=NOW)
    assert "没有" in unknown.value.message
    with pytest.raises(NotFound) as elsewhere:
        door.look_up(venue, foreign.code, by=staff, now=NOW)
    assert "其他场馆" in elsewhere.value.message
    mine = _booked(venue, make_user(), starts_at=NOW + timedelta(minutes=40))
    bookings.cancel_booking(mine, by=mine.booker, now=NOW - timedelta(days=1))
    with pytest.raises(BookingError) as cancelled:
        door.look_up(venue, mine.code, by=staff, now=NOW)
    assert "取消" in cancelled.value.message
    with pytest.raises(PermissionDenied):
        door.look_up(venue, mine.code, by=make_user(role=Role.VENUE_STAFF, venue=other), now=NOW)


def test_the_cron_marks_no_shows_after_the_grace_period_and_staff_can_undo_one(
    venue, staff, family
):
    booking = _booked(venue, family, starts_at=NOW, hours=2)
    came = _booked(venue, make_user(), starts_at=NOW + timedelta(minutes=1), hours=2)
    door.record_arrival(venue, came.code, people=came.places, seen_arrived=0, by=staff, now=NOW)
    ended = NOW + timedelta(hours=2)
    assert door.mark_due_no_shows(now=ended + timedelta(minutes=59)) == 0
    assert door.mark_due_no_shows(now=ended + timedelta(minutes=61)) == 1
    db.session.refresh(booking)
    assert booking.status is BookingStatus.NO_SHOW
    assert db.session.get(Booking, came.id).status is BookingStatus.CHECKED_IN
    with pytest.raises(BookingError):
        door.undo_no_show(booking, reason=" ", by=staff, now=ended)
    door.undo_no_show(booking, reason="到馆未扫码", by=staff, now=ended)
    db.session.refresh(booking)
    assert booking.status is BookingStatus.CHECKED_IN
    entry = db.session.scalar(
        sa.select(AuditEntry).where(AuditEntry.action == "booking.undo_no_show")
    )
    assert entry.after["reason"] == "到馆未扫码" and entry.object_id == booking.id
    # run again: the undone one stays undone
    assert door.mark_due_no_shows(now=ended + timedelta(hours=5)) == 0


def test_the_no_show_limit_counts_only_what_is_left_after_an_undo(app, venue, staff, family):
    app.config["BOOKING_NO_SHOW_LIMIT"] = 2
    first = _booked(venue, family, starts_at=NOW - timedelta(days=3))
    second = _booked(venue, family, starts_at=NOW - timedelta(days=2))
    assert door.mark_due_no_shows(now=NOW) == 2
    assert requests.get_booking_block(family, now=NOW) is not None
    door.undo_no_show(db.session.get(Booking, second.id), reason="提前电话告知", by=staff, now=NOW)
    assert requests.get_booking_block(family, now=NOW) is None
    assert db.session.get(Booking, first.id).status is BookingStatus.NO_SHOW


def test_the_cron_command_marks_due_no_shows(app, runner, venue, family):
    from models.user import utcnow

    booking = _booked(venue, family, starts_at=utcnow() - timedelta(hours=5), hours=2)
    result = runner.invoke(args=["mark-no-shows"])
    assert result.exit_code == 0 and "no-shows marked: 1" in result.output
    assert db.session.get(Booking, booking.id).status is BookingStatus.NO_SHOW
