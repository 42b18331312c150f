"""Route tests for the booking pages and the venue-staff console: each page is wired to its
service, gives a clear message for bad input, and never a server error."""

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from models import Booking, BookingStatus, OutboxMessage, Role, Slot, db
from models.user import utcnow
from tests.factories import make_school, make_session, make_settings, make_user, make_venue


@pytest.fixture
def venue(app):
    found = make_venue()
    db.session.commit()
    return found


@pytest.fixture
def session(venue):
    found = make_session(venue, starts_at=utcnow() + timedelta(days=2), capacity=20, green_quota=5)
    db.session.commit()
    return found


@pytest.fixture
def family(app):
    user = make_user(role=Role.FAMILY)
    db.session.commit()
    return user


FAMILY_FORM = {
    "preschool": "0",
    "primary_pupils": "1",
    "junior": "0",
    "senior": "0",
    "adults": "1",
    "left_behind": "0",
    "disabled": "0",
    "orphaned": "0",
    "special_family": "0",
    "contact_name": "王女士",
    "contact_phone": "13800138000",
    "idempotency_key": "abcdef0123456789",
}


def test_venue_page_shows_coming_sessions_with_places_left(client, venue, session):
    page = client.get(f"/venues/{venue.id}").get_data(as_text=True)
    assert "预约参观" in page
    assert "余 20 个名额，其中 5 个为绿色通道保留" in page
    assert f"/booking/sessions/{session.id}/family" in page


def test_family_sees_the_price_then_books_and_gets_a_code_and_qr(client, auth, family, session):
    auth.login(family.email)
    form_page = client.get(f"/booking/sessions/{session.id}/family")
    assert form_page.status_code == 200
    preview = client.post(f"/booking/sessions/{session.id}/family", data=FAMILY_FORM)
    preview_page = preview.get_data(as_text=True)
    assert "确认预约" in preview_page
    assert re.search(r'name="confirm" type="hidden" value="1"', preview_page)
    assert db.session.scalar(sa.select(sa.func.count(Booking.id))) == 0
    done = client.post(
        f"/booking/sessions/{session.id}/family", data={**FAMILY_FORM, "confirm": "1"}
    )
    assert done.status_code == 302
    again = client.post(
        f"/booking/sessions/{session.id}/family", data={**FAMILY_FORM, "confirm": "1"}
    )
    assert again.headers["Location"] == done.headers["Location"]
    page = client.get(done.headers["Location"]).get_data(as_text=True)
    booking = db.session.scalar(sa.select(Booking))
    assert booking.display_code in page
    assert 'src="data:image/svg+xml' in page
    assert db.session.get(Slot, session.id).taken_general == 2


@pytest.mark.parametrize(
    "change, message",
    [
        ({"primary_pupils": "-1"}, "0 到 999"),
        ({"primary_pupils": "abc"}, "0 到 999"),
        ({"primary_pupils": "0", "adults": "0"}, "至少为一人预约"),
        ({"primary_pupils": "30"}, "只能容纳"),
        ({"contact_phone": "123"}, "11 位手机号"),
    ],
)
def test_bad_family_input_gets_a_clear_message_and_books_nothing(
    client, auth, family, session, change, message
):
    auth.login(family.email)
    response = client.post(
        f"/booking/sessions/{session.id}/family", data={**FAMILY_FORM, **change, "confirm": "1"}
    )
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Booking.id))) == 0


def test_a_full_session_says_so(client, auth, family, venue):
    full = make_session(venue, starts_at=utcnow() + timedelta(days=2), capacity=2, taken_general=2)
    db.session.commit()
    auth.login(family.email)
    response = client.post(
        f"/booking/sessions/{full.id}/family", data={**FAMILY_FORM, "confirm": "1"}
    )
    assert "名额不足" in response.get_data(as_text=True)


def test_unknown_and_someone_elses_codes_are_not_found(client, auth, family, session):
    auth.login(family.email)
    code = (
        client.post(f"/booking/sessions/{session.id}/family", data={**FAMILY_FORM, "confirm": "1"})
        .headers["Location"]
        .rsplit("/", 1)[1]
    )
    assert client.get("/booking/b/ZZZZZZZZ").status_code == 404
    assert client.get(f"/booking/b/{code}/calendar.ics").mimetype == "text/calendar"
    assert client.get(f"/booking/b/{code}/print").status_code == 200
    stranger = make_user(role=Role.FAMILY)
    db.session.commit()
    auth.logout()
    auth.login(stranger.email)
    assert client.get(f"/booking/b/{code}").status_code == 404
    assert client.post(f"/booking/b/{code}/cancel").status_code == 404


def test_booker_cancels_from_the_confirmation_page(client, auth, family, session):
    auth.login(family.email)
    location = client.post(
        f"/booking/sessions/{session.id}/family", data={**FAMILY_FORM, "confirm": "1"}
    ).headers["Location"]
    client.post(location + "/cancel")
    assert db.session.scalar(sa.select(Booking.status)) is BookingStatus.CANCELLED
    assert "已取消" in client.get("/booking/mine").get_data(as_text=True)


def test_teacher_books_a_big_class_trip_that_waits_for_approval(client, auth, venue, session):
    school = make_school(venue.county)
    teacher = make_user(role=Role.SCHOOL_STAFF, school=school)
    staff = make_user(role=Role.VENUE_STAFF, venue=venue)
    db.session.commit()
    auth.login(teacher.email)
    form = {
        "school": str(school.id),
        "group_name": "三年级二班",
        "preschool": "0",
        "primary_pupils": "16",
        "junior": "0",
        "senior": "0",
        "teachers": "1",
        "lead_teacher": "李老师",
        "contact_name": "李老师",
        "contact_phone": "13900139000",
        "idempotency_key": "school-key-123456",
        "confirm": "1",
    }
    make_settings(venue, approval_above=10)
    db.session.commit()
    done = client.post(
        f"/booking/sessions/{session.id}/school", data={**form, "idempotency_key": "k" * 16}
    )
    page = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "等待场馆审核" in page
    assert "三年级二班" in client.get("/booking/trips").get_data(as_text=True)
    auth.logout()
    auth.login(staff.email)
    console = client.get(f"/console/venues/{venue.id}").get_data(as_text=True)
    assert "三年级二班" in console
    booking = db.session.scalar(sa.select(Booking).where(Booking.idempotency_key == "k" * 16))
    client.post(f"/console/bookings/{booking.code}/refuse", data={"reason": "人数超过讲解员安排"})
    db.session.refresh(booking)
    assert booking.status is BookingStatus.REFUSED


def test_family_cannot_use_the_school_form(client, auth, family, session):
    auth.login(family.email)
    response = client.get(f"/booking/sessions/{session.id}/school")
    assert response.status_code == 302


def test_staff_check_in_by_code_and_others_are_kept_out(client, auth, family, venue):
    today = make_session(venue, starts_at=utcnow() + timedelta(minutes=30))
    staff = make_user(role=Role.VENUE_STAFF, venue=venue)
    db.session.commit()
    auth.login(family.email)
    code = (
        client.post(f"/booking/sessions/{today.id}/family", data={**FAMILY_FORM, "confirm": "1"})
        .headers["Location"]
        .rsplit("/", 1)[1]
    )
    assert client.get(f"/console/venues/{venue.id}").status_code == 403
    auth.logout()
    auth.login(staff.email)
    # (redirects followed by hand: each request runs in its own app context)
    response = client.post(f"/console/venues/{venue.id}/check-in", data={"code": code.lower()})
    assert "已签到" in client.get(response.headers["Location"]).get_data(as_text=True)
    wrong = client.post(f"/console/venues/{venue.id}/check-in", data={"code": "NOPE"})
    assert "本场馆没有这个预约码" in client.get(wrong.headers["Location"]).get_data(as_text=True)


def test_staff_publish_an_open_day_and_cancel_with_a_reason(client, auth, family, venue, session):
    staff = make_user(role=Role.VENUE_STAFF, venue=venue)
    db.session.commit()
    auth.login(family.email)
    code = (
        client.post(f"/booking/sessions/{session.id}/family", data={**FAMILY_FORM, "confirm": "1"})
        .headers["Location"]
        .rsplit("/", 1)[1]
    )
    auth.logout()
    auth.login(staff.email)
    day = (utcnow() + timedelta(days=9)).date().isoformat()
    client.post(
        f"/console/venues/{venue.id}/open-days",
        data={
            "on": day,
            "start": "09:00",
            "end": "16:00",
            "title": "科技开放日",
            "capacity": "300",
            "green_quota": "50",
        },
    )
    assert "科技开放日" in client.get(f"/console/venues/{venue.id}").get_data(as_text=True)
    client.post(f"/console/bookings/{code}/cancel", data={"reason": "", "back": "session"})
    assert db.session.scalar(sa.select(Booking.status)) is BookingStatus.CONFIRMED
    client.post(f"/console/bookings/{code}/cancel", data={"reason": "设备检修"})
    assert db.session.scalar(sa.select(Booking.status)) is BookingStatus.CANCELLED
    last = db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id.desc())).first()
    assert "设备检修" in last.body


def test_send_reminders_command_runs(runner, app):
    result = runner.invoke(args=["send-reminders"])
    assert result.exit_code == 0 and re.search(r"reminders: \d+", result.output)


# The catalogue's filter form (not this area's) still passes SelectField choices as tuples.
@pytest.mark.filterwarnings("ignore:Passing SelectField choices:DeprecationWarning")
def test_places_on_filter_keeps_venues_with_a_free_place_that_day(client, app):
    from webapp.services.clock import to_utc

    day = (utcnow() + timedelta(days=3)).date()
    starts = to_utc(day, __import__("datetime").time(10))
    free = make_venue(name="有空位馆")
    full = make_venue(name="已满馆")
    none = make_venue(name="无场次馆")
    make_session(free, starts_at=starts, capacity=10, taken_general=9)
    make_session(full, starts_at=starts, capacity=10, taken_general=10)
    db.session.commit()
    everything = client.get("/").get_data(as_text=True)  # (a cached list must not leak in)
    assert "有空位馆" in everything and "已满馆" in everything
    page = client.get(f"/?places_on={day.isoformat()}").get_data(as_text=True)
    assert "有空位馆" in page and "已满馆" not in page and none.name not in page
    assert client.get("/api/v1/venues").get_json()["total"] == 3
    api = client.get(f"/api/v1/venues?places_on={day.isoformat()}").get_json()
    assert [f["properties"]["name"] for f in api["features"]] == ["有空位馆"]
    assert client.get("/?places_on=not-a-date").status_code == 200


# The catalogue's filter form (not this area's) still passes SelectField choices as tuples.
@pytest.mark.filterwarnings("ignore:Passing SelectField choices:DeprecationWarning")
def test_list_page_offers_the_coming_saturday_and_sunday_in_date_order(client, app):
    from webapp.booking.routes import weekend_dates

    with app.test_request_context("/"):
        saturday, sunday = weekend_dates()
    page = client.get("/").get_data(as_text=True)
    assert "周六" in page and "周日" in page
    first, second = sorted([saturday, sunday])
    assert page.index(f"places_on={first.isoformat()}") < page.index(
        f"places_on={second.isoformat()}"
    )


def test_school_form_page_lists_the_teachers_school(client, auth, venue, session):
    school = make_school(venue.county, name="迎泽小学")
    teacher = make_user(role=Role.SCHOOL_STAFF, school=school)
    db.session.commit()
    auth.login(teacher.email)
    page = client.get(f"/booking/sessions/{session.id}/school").get_data(as_text=True)
    assert "迎泽小学" in page and "带队教师" in page
