"""Open days: publishing with an audience and sign-up note, editing, calling off, and the
public list of open days this week and next."""

from datetime import date, datetime, time

import pytest
import sqlalchemy as sa

from models import Booking, BookingStatus, OutboxMessage, Role, Stage, db
from tests.factories import NOW, family_request, make_region, make_user, make_venue
from webapp.services.booking import open_days, requests
from webapp.services.booking.open_days import OpenDayDetails
from webapp.services.errors import PermissionDenied, ServiceError


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


def _details(**overrides):
    values = dict(
        on=date(2025, 6, 7),
        start=time(9, 0),
        end=time(11, 0),
        title="科普开放日",
        capacity=10,
        green_quota=2,
        programme="讲解、实验",
        audience=[Stage.PRIMARY],
        signup_note="请带学生证",
    )
    values.update(overrides)
    return OpenDayDetails(**values)


def test_an_open_day_carries_its_title_programme_capacity_audience_and_note(venue, staff):
    day = open_days.create_open_day(venue, _details(), by=staff, now=NOW)
    assert day.is_open_day and day.title == "科普开放日"
    assert (day.capacity, day.green_quota) == (10, 2)
    assert day.audience_stages == ["primary"] and day.signup_note == "请带学生证"
    with pytest.raises(PermissionDenied):
        open_days.create_open_day(venue, _details(), by=make_user(), now=NOW)


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"end": time(8, 0)}, "end"),
        ({"title": "  "}, "title"),
        ({"capacity": 0}, "capacity"),
        ({"green_quota": 11}, "green_quota"),
        ({"on": date(2025, 6, 1)}, "on"),
    ],
)
def test_a_bad_open_day_is_refused_with_the_field_at_fault(venue, staff, overrides, field):
    with pytest.raises(ServiceError) as refused:
        open_days.create_open_day(venue, _details(**overrides), by=staff, now=NOW)
    assert refused.value.field == field


def test_editing_keeps_bookings_and_refuses_a_capacity_below_what_is_booked(venue, staff):
    day = open_days.create_open_day(venue, _details(), by=staff, now=NOW)
    family = make_user()
    db.session.commit()
    requests.create_booking(day, family_request(primary_pupils=2, adults=2), by=family, now=NOW)
    with pytest.raises(ServiceError) as refused:
        open_days.update_open_day(day, _details(capacity=3), by=staff, now=NOW)
    assert refused.value.field == "capacity"
    assert "4" in refused.value.message
    db.session.refresh(day)
    assert day.capacity == 10
    changed = open_days.update_open_day(
        day,
        _details(
            capacity=4,
            green_quota=0,
            title="改期开放日",
            start=time(10, 0),
            end=time(12, 0),
            audience=[],
        ),
        by=staff,
        now=NOW,
    )
    assert (changed.capacity, changed.title, changed.audience) == (4, "改期开放日", "")
    assert changed.starts_at == datetime(2025, 6, 7, 2, 0)
    assert db.session.scalar(sa.select(Booking.status)) is BookingStatus.CONFIRMED


def test_calling_an_open_day_off_cancels_and_tells_everyone_booked(venue, staff):
    day = open_days.create_open_day(venue, _details(), by=staff, now=NOW)
    family = make_user()
    db.session.commit()
    booking = requests.create_booking(day, family_request(), by=family, now=NOW)
    with pytest.raises(ServiceError):
        open_days.cancel_open_day(day, reason=" ", by=staff, now=NOW)
    assert open_days.cancel_open_day(day, reason="暴雨预警", by=staff, now=NOW) == 1
    db.session.refresh(booking)
    db.session.refresh(day)
    assert booking.status is BookingStatus.CANCELLED and booking.reason == "暴雨预警"
    assert day.is_cancelled and day.taken == 0
    told = db.session.scalars(
        sa.select(OutboxMessage).where(OutboxMessage.user_id == family.id)
    ).all()
    assert any("暴雨预警" in m.body for m in told)
    with pytest.raises(ServiceError):
        open_days.cancel_open_day(day, reason="再取消", by=staff, now=NOW)


def test_the_public_list_runs_to_the_end_of_next_week_and_filters_by_county(venue, staff):
    # NOW is Wednesday 4 June: this week and next run to Sunday 15 June
    other = make_venue(county=make_region(parent=venue.city))
    other_staff = make_user(role=Role.VENUE_STAFF, venue=other)
    inside = open_days.create_open_day(venue, _details(on=date(2025, 6, 15)), by=staff, now=NOW)
    open_days.create_open_day(venue, _details(on=date(2025, 6, 16)), by=staff, now=NOW)
    elsewhere = open_days.create_open_day(other, _details(), by=other_staff, now=NOW)
    called_off = open_days.create_open_day(venue, _details(on=date(2025, 6, 8)), by=staff, now=NOW)
    open_days.cancel_open_day(called_off, reason="闭馆", by=staff, now=NOW)
    assert [s.id for s in open_days.list_public_open_days(now=NOW)] == [elsewhere.id, inside.id]
    in_county = open_days.list_public_open_days(now=NOW, county=venue.county)
    assert [s.id for s in in_county] == [inside.id]


def test_the_window_follows_beijing_when_the_server_clock_is_still_on_the_day_before(app):
    # Sunday 8 June 19:30 UTC is Monday 9 June in Beijing: the list runs to Sunday 22 June
    assert open_days.public_window(date(2025, 6, 9)) == (date(2025, 6, 9), date(2025, 6, 22))
    from webapp.services.clock import local_date

    assert local_date(datetime(2025, 6, 8, 19, 30)) == date(2025, 6, 9)


def test_the_seed_adds_demo_open_days_and_closed_dates_once(app, seed_dir):
    from models.user import utcnow
    from seed.loader import DATA_DIR, load_seed
    from webapp.services.clock import local_date

    first = load_seed(db.session, DATA_DIR)
    assert first.counts["open days"] >= 4 and first.counts["closed dates"] >= 2
    again = load_seed(db.session, DATA_DIR)
    assert again.counts["open days"] == 0 and again.counts["closed dates"] == 0
    listed = open_days.list_public_open_days(now=utcnow())
    assert len({s.venue_id for s in listed}) >= 4
    assert all(local_date(s.starts_at) >= local_date(utcnow()) for s in listed)
