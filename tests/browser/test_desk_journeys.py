"""The venue desk in a real phone-sized browser, with an axe check on every page: landing on
Today, approving a school trip, checking a family in by scanning its QR code and by typing
its code, and calling an open day off so that the booker sees it cancelled."""

import re
import uuid
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from models import Role, SlotKind, db
from models.user import utcnow
from tests.browser.conftest import assert_accessible
from tests.factories import (
    PASSWORD,
    family_request,
    make_school,
    make_session,
    make_user,
    make_venue,
    school_request,
)
from webapp.booking.routes import booking_qr
from webapp.services.booking import requests

PHONE_WIDTH = 375


@pytest.fixture
def desk(live_app):
    """A venue with a session starting soon, an open day in three days, its staff, a family
    with a booking for each, and a school group waiting for approval."""
    tag = uuid.uuid4().hex[:6]
    with live_app.app_context(), live_app.test_request_context("/"):
        venue = make_venue(name=f"门口测试馆{tag}", slug=f"desk-{tag}")
        soon = make_session(venue, starts_at=utcnow() + timedelta(minutes=10), capacity=60)
        open_day = make_session(
            venue,
            starts_at=utcnow() + timedelta(days=3),
            capacity=30,
            kind=SlotKind.OPEN_DAY,
            title=f"科普开放日{tag}",
        )
        later = make_session(venue, starts_at=utcnow() + timedelta(days=4), capacity=200)
        staff = make_user(role=Role.VENUE_STAFF, venue=venue, email=f"desk-{tag}@example.cn")
        family = make_user(role=Role.FAMILY, email=f"door-family-{tag}@example.cn")
        other_family = make_user(role=Role.FAMILY, email=f"door-family2-{tag}@example.cn")
        school = make_school(venue.county, name=f"门口小学{tag}", stages_csv="primary")
        teacher = make_user(role=Role.SCHOOL_STAFF, school=school, email=f"t-{tag}@example.cn")
        db.session.commit()
        booked_at = utcnow() - timedelta(hours=1)
        scanned = requests.create_booking(
            soon, family_request(primary_pupils=2, adults=1), by=family, now=booked_at
        )
        typed = requests.create_booking(soon, family_request(), by=other_family, now=booked_at)
        on_open_day = requests.create_booking(open_day, family_request(), by=family, now=booked_at)
        trip = requests.create_booking(
            later, school_request(school, primary_pupils=40, teachers=2), by=teacher, now=booked_at
        )
        data = {
            "venue_id": venue.id,
            "open_day_id": open_day.id,
            "staff": staff.email,
            "family": family.email,
            "scanned": scanned.display_code,
            "typed": typed.display_code,
            "on_open_day": on_open_day.code,
            "trip": trip.display_code,
        }
        db.session.remove()
    return data


def _log_in(page, login):
    page.goto("/auth/login")
    assert_accessible(page)
    page.fill("#login", login)
    page.fill("#password", PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()


def _fits_the_phone(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_WIDTH


def test_staff_sign_in_and_land_on_today(phone_page, desk):
    page = phone_page
    _log_in(page, desk["staff"])
    expect(page).to_have_url(re.compile(r"/console/today$"))
    expect(page.get_by_role("heading", name="今日场次")).to_be_visible()
    expect(page.locator("[data-figure=booked]").first).to_have_text("5")
    assert_accessible(page)
    _fits_the_phone(page)


def test_staff_approve_a_pending_school_trip(phone_page, desk):
    page = phone_page
    _log_in(page, desk["staff"])
    card = page.locator("article", has_text=desk["trip"])
    expect(card.get_by_text("三年级二班").first).to_be_visible()
    expect(card.get_by_text("上限 20")).to_be_visible()
    card.get_by_role("button", name="通过").click()
    expect(page.get_by_text("已通过").first).to_be_visible()
    expect(page.locator("article", has_text=desk["trip"])).to_have_count(0)
    assert_accessible(page)


def test_staff_check_a_family_in_by_scanning_its_qr_code(phone_page, desk, tmp_path):
    page = phone_page
    _log_in(page, desk["staff"])
    page.goto(f"/console/venues/{desk['venue_id']}/door")
    assert_accessible(page)
    _fits_the_phone(page)
    picture = tmp_path / "code.png"
    booking_qr(desk["scanned"]).save(str(picture), scale=8, border=4)  # as the booking shows it
    # the photo path of the scanner: the same decoding as the camera's frames
    page.set_input_files("#scan-file", str(picture))
    expect(page.get_by_role("heading", name=desk["scanned"])).to_be_visible()
    expect(page.get_by_text("已到 0 人，共 3 人")).to_be_visible()
    assert_accessible(page)
    page.fill("#people", "2")
    page.get_by_role("button", name="登记到场").click()
    expect(page.get_by_text("3 人中已到 2 人")).to_be_visible()
    assert page.csp_errors == []


def test_staff_check_a_family_in_by_typing_its_code_then_try_it_again(phone_page, desk):
    page = phone_page
    _log_in(page, desk["staff"])
    page.goto(f"/console/venues/{desk['venue_id']}/door")
    page.fill("#code", desk["typed"].lower().replace("-", ""))
    page.get_by_role("button", name="查询").click()
    expect(page.get_by_text("已到 0 人，共 2 人")).to_be_visible()
    page.get_by_role("button", name="登记到场").click()
    expect(page.get_by_text("2 人中已到 2 人")).to_be_visible()
    page.fill("#code", desk["typed"])
    page.get_by_role("button", name="查询").click()
    expect(page.get_by_role("alert")).to_contain_text("签到（2 人）")
    assert_accessible(page)
    _fits_the_phone(page)


def test_staff_cancel_an_open_day_and_the_booker_sees_it_cancelled(phone_page, desk):
    page = phone_page
    _log_in(page, desk["staff"])
    page.goto(f"/console/open-days/{desk['open_day_id']}")
    assert_accessible(page)
    _fits_the_phone(page)
    page.fill("#reason", "暴雨预警，场馆临时闭馆")
    page.get_by_role("button", name="取消并通知所有已预约的人").click()
    expect(page.get_by_text("1 个预约已取消并已通知")).to_be_visible()
    page.context.clear_cookies()
    _log_in(page, desk["family"])
    page.goto(f"/booking/b/{desk['on_open_day']}")
    expect(page.get_by_text("已取消").first).to_be_visible()
    expect(page.get_by_text("暴雨预警").first).to_be_visible()
    assert_accessible(page)


def test_staff_drag_the_marker_and_the_position_becomes_exact(phone_page, live_app):
    from models import Venue

    tag = uuid.uuid4().hex[:6]
    with live_app.app_context(), live_app.test_request_context("/"):
        venue = make_venue(
            name=f"拖动测试馆{tag}", slug=f"drag-{tag}", is_location_approximate=True
        )
        staff = make_user(role=Role.VENUE_STAFF, venue=venue, email=f"drag-{tag}@example.cn")
        db.session.commit()
        venue_id, login, before = venue.id, staff.email, (venue.lat, venue.lng)
        db.session.remove()
    page = phone_page
    _log_in(page, login)
    page.goto(f"/console/venues/{venue_id}/edit")
    marker = page.locator(".leaflet-marker-icon")
    expect(marker).to_be_visible()
    assert_accessible(page)
    _fits_the_phone(page)
    marker.scroll_into_view_if_needed()
    box = marker.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] - 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 30, y - 20, steps=8)
    page.mouse.up()
    expect(page.locator("#lat")).not_to_have_value("")
    lat, lng = float(page.locator("#lat").input_value()), float(page.locator("#lng").input_value())
    assert lat > before[0] and lng > before[1]
    page.get_by_role("button", name="保存").click()
    expect(page).to_have_url(re.compile(rf"/venues/{venue_id}$"))
    with live_app.app_context():
        saved = db.session.get(Venue, venue_id)
        assert not saved.is_location_approximate
        assert abs(saved.lat - lat) < 1e-5 and abs(saved.lng - lng) < 1e-5
        db.session.remove()
