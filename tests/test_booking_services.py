"""Service tests for the booking rules: sessions, availability, bookings, waitlist, limits."""

from datetime import date, time, timedelta

import pytest
import sqlalchemy as sa

from models import (
    AdmissionKind,
    Booking,
    BookingChannel,
    BookingKind,
    BookingStatus,
    OutboxMessage,
    Role,
    Slot,
    SlotKind,
    TimetableEntry,
    VenueClosure,
    VisitorGroup,
    WaitlistEntry,
    db,
)
from tests.factories import (
    NOW,
    family_request,
    make_region,
    make_school,
    make_session,
    make_settings,
    make_user,
    make_venue,
    school_request,
)
from webapp.services import clock
from webapp.services.booking import (
    availability,
    bookings,
    door,
    queries,
    reminders,
    requests,
    slots,
    states,
)
from webapp.services.booking import staff as staff_service
from webapp.services.errors import NotFound, PermissionDenied, ServiceError


@pytest.fixture(autouse=True)
def in_request(app):
    """Messages are translated for the person asking: services run inside a request."""
    with app.test_request_context("/"):
        yield


@pytest.fixture
def venue(app):
    return make_venue()


@pytest.fixture
def family(app):
    return make_user(role=Role.FAMILY)


@pytest.fixture
def staff(venue):
    return make_user(role=Role.VENUE_STAFF, venue=venue)


@pytest.fixture
def school(venue):
    return make_school(venue.county, stages_csv="primary,junior")


@pytest.fixture
def teacher(school):
    return make_user(role=Role.SCHOOL_STAFF, school=school)


def outbox_subjects():
    return [
        m.subject for m in db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id))
    ]


# ---------------------------------------------------------------- sessions


def test_generating_sessions_twice_adds_no_duplicates_and_skips_closed_days(venue):
    # Wednesday and Saturday, 09:00–11:00 local
    for weekday in (3, 6):
        db.session.add(
            TimetableEntry(
                venue_id=venue.id,
                weekday=weekday,
                start_time=time(9),
                end_time=time(11),
                capacity=30,
                green_quota=5,
            )
        )
    db.session.add(VenueClosure(venue_id=venue.id, closed_on=date(2025, 6, 7), reason="检修"))
    db.session.commit()
    added = slots.generate_sessions(now=NOW, days=14)
    again = slots.generate_sessions(now=NOW, days=14)
    starts = [clock.local_date(s) for s in db.session.scalars(sa.select(Slot.starts_at))]
    # window 4–17 June; 4 June 09:00 has passed at 10:00; 7 June is closed
    assert sorted(starts) == [date(2025, 6, 11), date(2025, 6, 14)]
    assert (added, again) == (2, 0)
    first = db.session.scalar(sa.select(Slot).order_by(Slot.starts_at))
    assert clock.to_local(first.starts_at).time() == time(9)
    assert (first.capacity, first.green_quota) == (30, 5)


def test_generate_sessions_command_reports_how_many(runner, venue):
    db.session.add(
        TimetableEntry(
            venue_id=venue.id, weekday=6, start_time=time(9), end_time=time(11), capacity=30
        )
    )
    db.session.commit()
    result = runner.invoke(args=["generate-sessions", "--days", "7"])
    assert result.exit_code == 0
    assert "1" in result.output


def test_open_day_needs_staff_and_a_future_time(venue, staff, family):
    kwargs = dict(on=date(2025, 6, 21), start=time(9), end=time(16), title="开放日", capacity=200)
    with pytest.raises(PermissionDenied):
        slots.create_open_day(venue, by=family, now=NOW, **kwargs)
    day = slots.create_open_day(venue, by=staff, now=NOW, programme="讲解", **kwargs)
    assert day.kind is SlotKind.OPEN_DAY and day.capacity == 200
    with pytest.raises(ServiceError) as clash:
        slots.create_open_day(venue, by=staff, now=NOW, **kwargs)
    assert clash.value.field == "start"
    with pytest.raises(ServiceError) as past:
        slots.create_open_day(venue, by=staff, now=NOW, **{**kwargs, "on": date(2025, 6, 1)})
    assert past.value.field == "on"


# ---------------------------------------------------------------- availability


@pytest.mark.parametrize(
    "capacity, quota, general, green, released, general_left, green_left",
    [
        (50, 10, 0, 0, False, 40, 50),
        (50, 10, 0, 0, True, 50, 50),
        (50, 10, 40, 0, False, 0, 10),
        (50, 10, 30, 15, False, 5, 5),  # green spilled past its quota
        (50, 10, 35, 5, False, 5, 10),
        (50, 10, 35, 5, True, 10, 10),
        (50, 0, 50, 0, False, 0, 0),
    ],
)
def test_places_left_by_channel(
    capacity, quota, general, green, released, general_left, green_left
):
    found = availability.compute(
        capacity=capacity,
        green_quota=quota,
        taken_general=general,
        taken_green=green,
        is_released=released,
    )
    assert (found.general_left, found.green_left) == (general_left, green_left)


def test_availability_for_many_sessions_takes_one_query(venue, app):
    made = [make_session(venue, capacity=20, green_quota=5) for _ in range(30)]
    db.session.commit()
    ids = [s.id for s in made]
    statements = []

    @sa.event.listens_for(db.engine, "before_cursor_execute")
    def count(*args):
        statements.append(args[2])

    try:
        found = availability.get_availability(ids, now=NOW)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
    assert len(statements) == 1
    assert {a.general_left for a in found.values()} == {15}


def test_green_quota_opens_to_everyone_after_the_release_time(venue, family):
    make_settings(venue, green_release_hours=24)
    session = make_session(venue, capacity=3, green_quota=2, starts_at=NOW + timedelta(hours=30))
    db.session.commit()
    with pytest.raises(requests.SessionFull):
        requests.create_booking(
            session, family_request(primary_pupils=1, adults=1), by=family, now=NOW
        )
    later = NOW + timedelta(hours=7)
    booking = requests.create_booking(
        session, family_request(primary_pupils=1, adults=1), by=family, now=later
    )
    assert booking.status is BookingStatus.CONFIRMED


# ---------------------------------------------------------------- creating bookings


def test_family_booking_is_confirmed_priced_and_messaged(family):
    venue = make_venue(
        admission={
            VisitorGroup.PRIMARY: (AdmissionKind.DISCOUNT, 10),
            VisitorGroup.ADULT: (AdmissionKind.FULL, 40),
        }
    )
    session = make_session(venue, capacity=10)
    db.session.commit()
    booking = requests.create_booking(
        session, family_request(primary_pupils=2, adults=1), by=family, now=NOW
    )
    assert booking.status is BookingStatus.CONFIRMED
    assert booking.price_yuan == 2 * 10 + 40
    assert db.session.get(Slot, session.id).taken_general == 3
    assert len(booking.code) == 8 and not set(booking.code) & set("0O1IL")
    assert outbox_subjects() == [f"预约 {booking.display_code} 已确认"]


def test_green_channel_family_booking_is_free_and_uses_the_quota(family):
    venue = make_venue(admission={VisitorGroup.PRIMARY: (AdmissionKind.FULL, 30)})
    session = make_session(venue, capacity=4, green_quota=2, taken_general=2)
    db.session.commit()
    booking = requests.create_booking(
        session,
        family_request(primary_pupils=1, adults=1, left_behind=1),
        by=family,
        now=NOW,
    )
    assert booking.price_yuan == 0
    assert (booking.left_behind, booking.channel) == (1, BookingChannel.GREEN)
    assert db.session.get(Slot, session.id).taken_green == 2


@pytest.mark.parametrize(
    "counts, field",
    [
        ({"primary_pupils": 0, "adults": 0}, "places"),
        ({"primary_pupils": -1, "adults": 2}, "primary_pupils"),
        ({"primary_pupils": 0, "adults": 2}, "children"),
        ({"primary_pupils": 6, "adults": 6}, "places"),
        ({"primary_pupils": 1, "teachers": 1}, "teachers"),
        ({"primary_pupils": 1, "left_behind": 1, "orphaned": 1}, "left_behind"),
        ({"primary_pupils": 60}, "places"),
    ],
)
def test_bad_family_requests_are_refused_with_the_field_named(family, venue, counts, field):
    session = make_session(venue, capacity=50)
    db.session.commit()
    with pytest.raises(states.BookingError) as refused:
        requests.create_booking(session, family_request(**counts), by=family, now=NOW)
    assert refused.value.field == field
    assert refused.value.message
    assert db.session.scalar(sa.select(sa.func.count(Booking.id))) == 0
    assert db.session.get(Slot, session.id).taken_general == 0


@pytest.mark.parametrize(
    "phone, ok",
    [
        ("13800138000", True),
        ("0351-1234567", True),
        ("12345", False),
        ("", False),
        ("1380013800a", False),
    ],
)
def test_contact_phone_must_be_a_mobile_or_landline(family, venue, phone, ok):
    session = make_session(venue)
    db.session.commit()
    request = family_request()
    request.contact_phone = phone
    if ok:
        assert requests.create_booking(session, request, by=family, now=NOW).code
    else:
        with pytest.raises(states.BookingError) as refused:
            requests.create_booking(session, request, by=family, now=NOW)
        assert refused.value.field == "contact_phone"


@pytest.mark.parametrize(
    "case, message_part",
    [
        ("past", "已经开始"),
        ("cancelled", "已取消"),
        ("closed", "闭馆"),
        ("not_open_yet", "开放预约"),
    ],
)
def test_sessions_that_cannot_be_booked_say_why(family, venue, case, message_part):
    starts = NOW + timedelta(days=2)
    if case == "past":
        starts = NOW - timedelta(hours=1)
    if case == "not_open_yet":
        starts = NOW + timedelta(days=20)
    session = make_session(venue, starts_at=starts, is_cancelled=case == "cancelled")
    if case == "closed":
        db.session.add(VenueClosure(venue_id=venue.id, closed_on=clock.local_date(starts)))
    db.session.commit()
    with pytest.raises(states.BookingError) as refused:
        requests.create_booking(session, family_request(), by=family, now=NOW)
    assert message_part in refused.value.message
    assert refused.value.field == "session"


def test_a_full_session_refuses_and_the_count_stays(family, venue):
    session = make_session(venue, capacity=5, taken_general=4)
    db.session.commit()
    with pytest.raises(requests.SessionFull) as full:
        requests.create_booking(
            session, family_request(primary_pupils=1, adults=1), by=family, now=NOW
        )
    assert "1" in full.value.message
    assert db.session.get(Slot, session.id).taken_general == 4


def test_a_double_submit_books_once(family, venue):
    session = make_session(venue)
    db.session.commit()
    first = requests.create_booking(session, family_request(key="k" * 20), by=family, now=NOW)
    second = requests.create_booking(session, family_request(key="k" * 20), by=family, now=NOW)
    assert first.id == second.id
    assert db.session.get(Slot, session.id).taken_general == 2


def test_one_active_family_booking_per_venue_per_day(family, venue):
    morning = make_session(venue, starts_at=NOW + timedelta(days=2))
    afternoon = make_session(venue, starts_at=NOW + timedelta(days=2, hours=4))
    db.session.commit()
    requests.create_booking(morning, family_request(), by=family, now=NOW)
    with pytest.raises(states.BookingError) as refused:
        requests.create_booking(afternoon, family_request(), by=family, now=NOW)
    assert refused.value.field == "account"
    assert db.session.get(Slot, afternoon.id).taken_general == 0


@pytest.mark.parametrize(
    "no_show_days_ago, blocked_until",
    [
        ((10, 20, 30), date(2025, 6, 24)),  # three within 90 days: 30 days after the latest
        ((10, 20), None),  # only two
        ((10, 50, 120), None),  # three, but spread over more than 90 days
        ((40, 50, 60), None),  # the block ended 10 days ago
    ],
)
def test_no_shows_block_booking_until_a_date(family, venue, no_show_days_ago, blocked_until):
    for days in no_show_days_ago:
        past = make_session(venue, starts_at=NOW - timedelta(days=days))
        db.session.add(
            Booking(
                code=requests.new_code(),
                slot_id=past.id,
                visit_on=clock.local_date(past.starts_at),
                channel=BookingChannel.GENERAL,
                kind=BookingKind.FAMILY,
                status=BookingStatus.NO_SHOW,
                booker_id=family.id,
                idempotency_key=f"old-no-show-{days}",
                primary_pupils=1,
                places=1,
                contact_name="王",
                contact_phone="13800138000",
            )
        )
    session = make_session(venue)
    db.session.commit()
    assert requests.get_booking_block(family, now=NOW) == blocked_until
    if blocked_until:
        with pytest.raises(states.BookingError) as refused:
            requests.create_booking(session, family_request(), by=family, now=NOW)
        assert blocked_until.isoformat() in refused.value.message
    else:
        assert requests.create_booking(session, family_request(), by=family, now=NOW).code


# ---------------------------------------------------------------- school groups


@pytest.mark.parametrize(
    "counts, status",
    [
        ({"primary_pupils": 30, "teachers": 2}, BookingStatus.CONFIRMED),  # 32 ≤ 40
        ({"primary_pupils": 40, "teachers": 2}, BookingStatus.PENDING),  # 42 > 40
    ],
)
def test_school_groups_above_the_approval_size_wait(venue, school, teacher, counts, status):
    session = make_session(venue, capacity=100, green_quota=10)
    db.session.commit()
    booking = requests.create_booking(
        session, school_request(school, **counts), by=teacher, now=NOW
    )
    assert booking.status is status
    assert booking.channel is BookingChannel.GREEN and booking.price_yuan == 0
    assert db.session.get(Slot, session.id).taken_green == booking.places


@pytest.mark.parametrize(
    "counts, needed",
    [
        ({"primary_pupils": 41, "teachers": 2}, 3),
        ({"preschool": 11, "primary_pupils": 0, "teachers": 1}, 2),
        ({"primary_pupils": 20, "junior": 1, "teachers": 1}, 2),
    ],
)
def test_school_groups_need_enough_teachers(venue, school, teacher, counts, needed):
    session = make_session(venue, capacity=100)
    db.session.commit()
    with pytest.raises(states.BookingError) as refused:
        requests.create_booking(session, school_request(school, **counts), by=teacher, now=NOW)
    assert refused.value.field == "teachers"
    assert str(needed) in refused.value.message


def test_only_the_schools_staff_book_its_trips(venue, school, family):
    other_teacher = make_user(role=Role.SCHOOL_STAFF, school=make_school(venue.county))
    session = make_session(venue, capacity=100)
    db.session.commit()
    for person in (family, other_teacher):
        with pytest.raises(PermissionDenied):
            requests.create_booking(session, school_request(school), by=person, now=NOW)


def test_approval_and_refusal_tell_the_school_and_refusal_frees_places(
    venue, school, teacher, staff
):
    session = make_session(venue, capacity=100)
    db.session.commit()
    one = requests.create_booking(
        session, school_request(school, primary_pupils=45, teachers=3), by=teacher, now=NOW
    )
    two = requests.create_booking(
        session, school_request(school, primary_pupils=45, teachers=3), by=teacher, now=NOW
    )
    with pytest.raises(PermissionDenied):
        staff_service.approve_booking(one, by=teacher, now=NOW)
    staff_service.approve_booking(one, by=staff, now=NOW)
    with pytest.raises(states.BookingError):
        staff_service.refuse_booking(two, by=staff, reason="  ", now=NOW)
    staff_service.refuse_booking(two, by=staff, reason="当天场馆有大型活动", now=NOW)
    assert (one.status, two.status) == (BookingStatus.CONFIRMED, BookingStatus.REFUSED)
    assert two.reason == "当天场馆有大型活动"
    assert db.session.get(Slot, session.id).taken_green == 48
    subjects = outbox_subjects()
    assert any("已通过" in s for s in subjects) and any("未通过" in s for s in subjects)


# ---------------------------------------------------------------- cancel, waitlist


def test_booker_cancels_until_the_cut_off(venue, family):
    make_settings(venue, cancel_cutoff_hours=2)
    session = make_session(venue, starts_at=NOW + timedelta(hours=5))
    db.session.commit()
    booking = requests.create_booking(session, family_request(), by=family, now=NOW)
    with pytest.raises(states.BookingError):
        bookings.cancel_booking(booking, by=family, now=NOW + timedelta(hours=4))
    bookings.cancel_booking(booking, by=family, now=NOW + timedelta(hours=2))
    assert booking.status is BookingStatus.CANCELLED
    assert db.session.get(Slot, session.id).taken_general == 0


def test_staff_cancel_needs_a_reason_and_tells_the_booker(venue, family, staff):
    session = make_session(venue)
    db.session.commit()
    booking = requests.create_booking(session, family_request(), by=family, now=NOW)
    with pytest.raises(states.BookingError) as refused:
        bookings.cancel_booking(booking, by=staff, now=NOW)
    assert refused.value.field == "reason"
    bookings.cancel_booking(booking, by=staff, now=NOW, reason="暴雨闭馆")
    message = db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id.desc())).first()
    assert "暴雨闭馆" in message.body and message.recipient == family.email


def test_someone_elses_booking_is_not_found(venue, family):
    session = make_session(venue)
    db.session.commit()
    booking = requests.create_booking(session, family_request(), by=family, now=NOW)
    stranger = make_user(role=Role.FAMILY)
    with pytest.raises(NotFound):
        queries.get_booking_for(booking.code, user=stranger)
    with pytest.raises(NotFound):
        bookings.cancel_booking(booking, by=stranger, now=NOW)
    with pytest.raises(NotFound):
        queries.get_booking_for("ZZZZ-ZZZZ", user=family)
    assert queries.get_booking_for(booking.display_code.lower(), user=family).id == booking.id


def test_a_cancellation_offers_the_places_to_the_first_waiting_entry_that_fits(venue, family):
    session = make_session(venue, capacity=4)
    db.session.commit()
    booking = requests.create_booking(
        session, family_request(primary_pupils=2, adults=2), by=family, now=NOW
    )
    big = make_user(role=Role.FAMILY)
    small = make_user(role=Role.FAMILY)
    with pytest.raises(states.BookingError):
        bookings.join_waitlist(session, by=big, places=0, channel=BookingChannel.GENERAL, now=NOW)
    bookings.join_waitlist(session, by=big, places=4, channel=BookingChannel.GENERAL, now=NOW)
    bookings.join_waitlist(
        session, by=small, places=2, channel=BookingChannel.GENERAL, now=NOW + timedelta(minutes=1)
    )
    with pytest.raises(states.BookingError):
        bookings.join_waitlist(session, by=small, places=2, channel=BookingChannel.GENERAL, now=NOW)
    bookings.cancel_booking(booking, by=family, now=NOW)
    offered = db.session.scalars(
        sa.select(WaitlistEntry).where(WaitlistEntry.offered_at.is_not(None))
    ).all()
    assert [e.user_id for e in offered] == [big.id]
    assert outbox_subjects()[-1].startswith("有空余名额")


def test_joining_the_waitlist_when_places_are_free_says_book_instead(venue, family):
    session = make_session(venue, capacity=4)
    db.session.commit()
    with pytest.raises(states.BookingError) as refused:
        bookings.join_waitlist(
            session, by=family, places=2, channel=BookingChannel.GENERAL, now=NOW
        )
    assert refused.value.field == "places"


# ---------------------------------------------------------------- at the door


def _check_in(venue, code, *, by, now):
    """What the door does: look the code up, then record everyone still to come."""
    party = door.look_up(venue, code, by=by, now=now)
    return door.record_arrival(
        venue,
        code,
        people=party.still_to_come,
        seen_arrived=party.booking.arrived,
        by=by,
        now=now,
    )


def test_check_in_by_code_on_the_day_only_once(venue, family, staff):
    # within the door's check-in window (it opens an hour before the start)
    session = make_session(venue, starts_at=NOW + timedelta(minutes=30))
    other_venue_staff = make_user(role=Role.VENUE_STAFF, venue=make_venue())
    db.session.commit()
    booking = requests.create_booking(session, family_request(), by=family, now=NOW)
    with pytest.raises(PermissionDenied):
        _check_in(venue, booking.code, by=other_venue_staff, now=NOW)
    with pytest.raises(NotFound):
        _check_in(venue, "ABCD-EFGH", by=staff, now=NOW)
    with pytest.raises(states.BookingError):
        _check_in(venue, booking.code, by=staff, now=NOW - timedelta(days=1))
    done = _check_in(venue, booking.display_code, by=staff, now=NOW)
    assert done.status is BookingStatus.CHECKED_IN
    with pytest.raises(states.BookingError) as again:
        _check_in(venue, booking.code, by=staff, now=NOW)
    assert again.value.field == "code"


def test_unchecked_bookings_become_no_shows_after_the_session(venue, family, staff):
    session = make_session(venue, starts_at=NOW + timedelta(hours=1), hours=2)
    db.session.commit()
    booking = requests.create_booking(session, family_request(), by=family, now=NOW)
    with pytest.raises(states.BookingError):
        staff_service.mark_no_shows(session, by=staff, now=NOW + timedelta(hours=2))
    assert staff_service.mark_no_shows(session, by=staff, now=NOW + timedelta(hours=4)) == 1
    db.session.refresh(booking)
    assert booking.status is BookingStatus.NO_SHOW


def test_reminders_go_once_the_day_before(venue, family, runner):
    session = make_session(venue, starts_at=NOW + timedelta(days=1))
    db.session.commit()
    requests.create_booking(session, family_request(), by=family, now=NOW)
    assert reminders.send_reminders(now=NOW) == 1
    assert reminders.send_reminders(now=NOW) == 0
    assert outbox_subjects()[-1].startswith("提醒")


# ---------------------------------------------------------------- who may book (booking.create)


def test_only_families_and_school_staff_book_or_wait(venue, family, staff, teacher):
    bureau = make_user(role=Role.BUREAU_STAFF, region=venue.county)
    waiting_teacher = make_user(role=Role.SCHOOL_STAFF, school=teacher.grants[0].school,
                                is_approved=False)  # fmt: skip
    session = make_session(venue, capacity=4)
    db.session.commit()
    for outsider in (staff, bureau, waiting_teacher):
        with pytest.raises(PermissionDenied):
            requests.preview_booking(session, family_request(), by=outsider, now=NOW)
        with pytest.raises(PermissionDenied):
            requests.create_booking(session, family_request(), by=outsider, now=NOW)
        with pytest.raises(PermissionDenied):
            bookings.join_waitlist(
                session, by=outsider, places=1, channel=BookingChannel.GENERAL, now=NOW
            )
    assert db.session.scalar(sa.select(sa.func.count(Booking.id))) == 0
    for booker in (family, teacher):
        made = requests.create_booking(session, family_request(), by=booker, now=NOW)
        assert made.status is BookingStatus.CONFIRMED


def test_the_bureau_over_a_venue_may_look_at_a_booking_but_not_cancel_it(venue, family):
    bureau = make_user(role=Role.BUREAU_STAFF, region=venue.county)
    elsewhere = make_user(role=Role.BUREAU_STAFF, region=make_region())
    session = make_session(venue)
    db.session.commit()
    booking = requests.create_booking(session, family_request(), by=family, now=NOW)
    assert queries.get_booking_for(booking.code, user=bureau) is booking
    with pytest.raises(PermissionDenied):
        bookings.cancel_booking(booking, by=bureau, now=NOW, reason="检查")
    with pytest.raises(NotFound):
        bookings.cancel_booking(booking, by=elsewhere, now=NOW, reason="检查")
    assert booking.status is BookingStatus.CONFIRMED


# ---------------------------------------------------------------- account deletion


def test_deleting_an_account_gives_back_the_places_of_its_coming_bookings(venue, family):
    from webapp.services.accounts.users import delete_account

    coming = make_session(venue, capacity=10)
    past = make_session(venue, capacity=10, starts_at=NOW - timedelta(days=2))
    db.session.commit()
    requests.create_booking(coming, family_request(primary_pupils=2, adults=1), by=family, now=NOW)
    db.session.execute(sa.update(Slot).where(Slot.id == past.id).values(taken_general=3))
    old = Booking(
        code="PASTVISIT",
        slot_id=past.id,
        visit_on=past.starts_at.date(),
        channel=BookingChannel.GENERAL,
        kind=BookingKind.FAMILY,
        status=BookingStatus.CHECKED_IN,
        booker_id=family.id,
        places=3,
        contact_name="王女士",
        contact_phone="13800138000",
        price_yuan=0,
        idempotency_key="past",
        adults=1,
        primary_pupils=2,
    )
    db.session.add(old)
    db.session.commit()
    family_id = family.id

    delete_account(family, "correct horse battery", now=NOW)

    assert db.session.get(Slot, coming.id).taken_general == 0
    assert db.session.get(Slot, past.id).taken_general == 3  # history is not rewritten
    left = db.session.scalar(
        sa.select(sa.func.count(Booking.id)).where(Booking.booker_id == family_id)
    )
    assert left == 0
