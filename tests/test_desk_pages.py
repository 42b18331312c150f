"""Route tests for the venue desk: Today, the visitor list, the door, exports, open days and
the desk API; each wired to its service, limited to the staff's venues, never a 500."""

import csv
import io
from datetime import timedelta

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from models import Booking, BookingStatus, Role, SlotKind, db
from models.user import utcnow
from tests.factories import (
    family_request,
    make_region,
    make_school,
    make_session,
    make_user,
    make_venue,
    school_request,
)
from webapp.services import clock
from webapp.services.booking import requests


@pytest.fixture
def venue(app):
    found = make_venue()
    db.session.commit()
    return found


@pytest.fixture
def staff(venue):
    user = make_user(role=Role.VENUE_STAFF, venue=venue)
    db.session.commit()
    return user


@pytest.fixture
def today_session(venue):
    found = make_session(
        venue, starts_at=utcnow() + timedelta(minutes=10), capacity=60, green_quota=5
    )
    db.session.commit()
    return found


def _book(session, request, by):
    with db.session.no_autoflush:
        return requests.create_booking(session, request, by=by, now=utcnow() - timedelta(hours=1))


def test_staff_land_on_today_after_signing_in(client, auth, staff):
    response = auth.login(staff.email)
    assert response.headers["Location"].endswith("/console/today")
    family = make_user()
    db.session.commit()
    auth.logout()
    assert not auth.login(family.email).headers["Location"].endswith("/console/today")


def test_today_shows_the_day_the_waiting_groups_and_nothing_of_other_venues(
    client, auth, venue, staff, today_session
):
    family = make_user()
    school = make_school(venue.county, stages_csv="primary")
    teacher = make_user(role=Role.SCHOOL_STAFF, school=school)
    other = make_venue(county=make_region(parent=venue.city), name="别家纪念馆")
    make_session(other, starts_at=utcnow() + timedelta(minutes=20))
    later = make_session(venue, starts_at=utcnow() + timedelta(days=5), capacity=200)
    db.session.commit()
    first = _book(today_session, family_request(primary_pupils=1, adults=2), family)
    _book(later, school_request(school, primary_pupils=40, teachers=2), teacher)
    client.post(
        f"/console/venues/{venue.id}/door",
        data={"code": first.code, "people": "2", "seen_arrived": "0"},
    )
    auth.login(staff.email)
    page = client.get("/console/today").get_data(as_text=True)
    assert 'data-figure="booked">3<' in page and 'data-figure="checked_in">0<' in page
    assert "三年级二班" in page and "20.0" in page and "上限 20" in page
    assert "别家纪念馆" not in page
    figures = client.get("/api/v1/desk/today").get_json()
    assert figures["waiting"] == 1
    assert [s["session_id"] for s in figures["sessions"]] == [today_session.id]
    assert figures["sessions"][0]["booked"] == 3


def test_the_visitor_list_masks_phones_but_their_last_four_digits(
    client, auth, venue, staff, today_session
):
    family = make_user()
    db.session.commit()
    booking = _book(today_session, family_request(), family)
    auth.login(staff.email)
    page = client.get(f"/console/venues/{venue.id}/visitors").get_data(as_text=True)
    assert booking.display_code in page and "*******8000" in page
    assert "13800138000" not in page
    api = client.get(f"/api/v1/desk/venues/{venue.id}/visitors").get_json()
    assert api["visitors"][0]["contact_phone"] == "*******8000"
    assert client.get(f"/console/venues/{venue.id}/visitors?day=nope").status_code == 400


def test_the_door_shows_the_party_records_part_of_it_and_refuses_the_rest_clearly(
    client, auth, venue, staff, today_session
):
    family = make_user()
    db.session.commit()
    booking = _book(today_session, family_request(primary_pupils=2, adults=1), family)
    auth.login(staff.email)
    door = client.get(f"/console/venues/{venue.id}/door?code={booking.display_code}")
    page = door.get_data(as_text=True)
    assert door.status_code == 200 and "camera=(self)" in door.headers["Permissions-Policy"]
    assert "小学生" in page and "已到 0 人，共 3 人" in page
    saved = client.post(
        f"/console/venues/{venue.id}/door",
        data={"code": booking.code, "people": "2", "seen_arrived": "0"},
    )
    assert "3 人中已到 2 人" in client.get(saved.headers["Location"]).get_data(as_text=True)
    # the same screen submitted twice (a second scan): nothing more recorded
    client.post(
        f"/console/venues/{venue.id}/door",
        data={"code": booking.code, "people": "1", "seen_arrived": "0"},
    )
    assert db.session.get(Booking, booking.id).arrived == 2
    client.post(
        f"/console/venues/{venue.id}/door",
        data={"code": booking.code, "people": "1", "seen_arrived": "2"},
    )
    again = client.get(f"/console/venues/{venue.id}/door?code={booking.code}")
    assert again.status_code == 422 and "签到（3 人）" in again.get_data(as_text=True)
    unknown = client.get(f"/console/venues/{venue.id}/door?code=<script>")
    assert unknown.status_code == 422 and "<script>" not in unknown.get_data(as_text=True)


def test_the_desk_api_checks_in_once_and_says_when_a_code_was_used(
    client, auth, venue, staff, today_session
):
    family = make_user()
    db.session.commit()
    booking = _book(today_session, family_request(), family)
    auth.login(staff.email)
    url = f"/api/v1/desk/venues/{venue.id}/check-in"
    first = client.post(url, json={"code": booking.display_code})
    assert first.status_code == 200 and first.get_json()["arrived"] == 2
    second = client.post(url, json={"code": booking.display_code})
    assert second.status_code == 409 and "已于" in second.get_json()["message"]
    assert client.post(url, json={"code": 5}).status_code == 400
    assert client.post(url, data="x", content_type="application/json").status_code == 400
    spec = client.get("/api/v1/openapi.json").get_json()
    assert {
        "/desk/today",
        "/desk/venues/{venue_id}/check-in",
        "/desk/venues/{venue_id}/visitors",
    } <= set(spec["paths"])


def test_staff_undo_a_no_show_with_a_reason(client, auth, venue, staff):
    past = make_session(venue, starts_at=utcnow() - timedelta(hours=6), hours=2)
    family = make_user()
    db.session.commit()
    booking = Booking(
        code="NOSHOW22",
        slot_id=past.id,
        visit_on=clock.local_date(past.starts_at),
        channel=family_request().channel,
        kind=family_request().kind,
        status=BookingStatus.NO_SHOW,
        booker_id=family.id,
        idempotency_key="k" * 16,
        primary_pupils=1,
        adults=1,
        places=2,
        contact_name="王女士",
        contact_phone="13800138000",
    )
    db.session.add(booking)
    db.session.commit()
    auth.login(staff.email)
    empty = client.post("/console/bookings/NOSHOW22/undo-no-show", data={"reason": ""})
    assert db.session.get(Booking, booking.id).status is BookingStatus.NO_SHOW
    assert "原因" in client.get(empty.headers["Location"]).get_data(as_text=True)
    client.post("/console/bookings/NOSHOW22/undo-no-show", data={"reason": "到馆未扫码"})
    assert db.session.get(Booking, booking.id).status is BookingStatus.CHECKED_IN


def test_exports_give_a_workbook_with_title_headers_and_totals_and_a_csv(
    client, auth, venue, staff, today_session
):
    family = make_user()
    db.session.commit()
    booking = _book(today_session, family_request(primary_pupils=2, adults=1), family)
    booking.contact_name = "=HYPERLINK()"
    db.session.commit()
    auth.login(staff.email)
    day = clock.local_date(utcnow()).isoformat()
    url = f"/console/venues/{venue.id}/exports?span=range&first={day}&last={day}"
    xlsx = client.get(url + "&format=xlsx")
    assert xlsx.status_code == 200 and "attachment" in xlsx.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(xlsx.data)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert "预约与到场情况" in rows[0][0]
    assert rows[1][2] == "预约码" and rows[2][2] == booking.display_code
    assert rows[-1][0] == "合计" and rows[-1][16] == 3
    assert sheet.cell(row=3, column=19).data_type == "s"  # a formula stays text
    assert sheet.column_dimensions["F"].width == 24
    text = client.get(url + "&format=csv").data.decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(text)))
    assert lines[2][18] == "'=HYPERLINK()"
    assert lines[-1][1:] == ["3", "0"]  # people booked, arrived


@pytest.mark.parametrize(
    "query, message",
    [
        ("span=range&first=2025-06-10&last=2025-06-01", "截止日期早于起始日期"),
        ("span=range&first=2024-01-01&last=2025-06-01", "最多导出一年"),
        ("span=range&first=2025-06-01", "请填写截止日期"),
        ("span=range&first=junk&last=2025-06-01", "起始日期"),
    ],
)
def test_a_bad_export_range_is_refused_with_a_clear_message(
    client, auth, venue, staff, query, message
):
    auth.login(staff.email)
    response = client.get(f"/console/venues/{venue.id}/exports?{query}&format=csv")
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)


def test_open_day_edit_refuses_a_capacity_below_booked_and_an_end_before_its_start(
    client, auth, venue, staff
):

    start = clock.to_local(utcnow() + timedelta(days=3))
    day = make_session(
        venue,
        starts_at=utcnow() + timedelta(days=3),
        capacity=10,
        kind=SlotKind.OPEN_DAY,
        title="开放日",
    )
    family = make_user()
    db.session.commit()
    _book(day, family_request(primary_pupils=2, adults=2), family)
    auth.login(staff.email)
    form = {
        "title": "开放日",
        "on": start.date().isoformat(),
        "start": "09:00",
        "end": "11:00",
        "capacity": "3",
        "green_quota": "0",
        "programme": "",
        "signup_note": "",
    }
    low = client.post(f"/console/open-days/{day.id}", data=form)
    assert low.status_code == 422 and "已预约 4 个名额" in low.get_data(as_text=True)
    backwards = client.post(
        f"/console/open-days/{day.id}", data={**form, "capacity": "10", "end": "08:00"}
    )
    assert backwards.status_code == 422
    assert "结束时间必须晚于开始时间" in backwards.get_data(as_text=True)
    assert db.session.get(type(day), day.id).capacity == 10
    saved = client.post(
        f"/console/open-days/{day.id}", data={**form, "capacity": "12", "audience": ["primary"]}
    )
    assert saved.status_code == 302
    assert db.session.get(type(day), day.id).audience == "primary"


def test_the_public_open_days_page_lists_and_filters_and_the_home_page_links_it(
    client, venue, staff
):

    make_session(
        venue,
        starts_at=utcnow() + timedelta(hours=30),
        kind=SlotKind.OPEN_DAY,
        title="非遗体验开放日",
    )
    db.session.commit()
    assert "/open-days" in client.get("/").get_data(as_text=True)
    page = client.get("/open-days").get_data(as_text=True)
    assert "本周开放日" in page and "非遗体验开放日" in page
    elsewhere = make_region(parent=venue.city)
    db.session.commit()
    assert "非遗体验开放日" not in client.get(f"/open-days?county={elsewhere.adcode}").get_data(
        as_text=True
    )
    assert client.get("/open-days?county=999999x").status_code == 400


def test_staff_are_told_when_a_group_waits_for_approval(client, auth, venue, staff):
    from models import OutboxMessage

    colleague = make_user(role=Role.VENUE_STAFF, venue=venue)
    make_user(role=Role.VENUE_STAFF, venue=make_venue(county=make_region(parent=venue.city)))
    school = make_school(venue.county, stages_csv="primary")
    teacher = make_user(role=Role.SCHOOL_STAFF, school=school)
    later = make_session(venue, starts_at=utcnow() + timedelta(days=5), capacity=200)
    db.session.commit()
    booking = _book(later, school_request(school, primary_pupils=40, teachers=2), teacher)
    assert booking.status is BookingStatus.PENDING
    told = db.session.scalars(
        sa.select(OutboxMessage.user_id).where(OutboxMessage.subject.contains(booking.display_code))
    ).all()
    assert set(told) == {teacher.id, staff.id, colleague.id}
    auth.login(staff.email)
    assert "data-waiting-count>1<" in client.get("/console/today").get_data(as_text=True)
