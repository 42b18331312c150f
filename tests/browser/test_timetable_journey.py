"""Venue staff keep their timetable, closed dates and booking settings on a phone.

Uses the shared browser harness (tests/browser/conftest.py: live_server, live_app, phone_page,
assert_accessible).
"""

import uuid
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from models import Role, db
from models.user import utcnow
from tests.factories import PASSWORD, make_user, make_venue

harness = pytest.importorskip("tests.browser.conftest", reason="shared browser harness missing")
assert_accessible = harness.assert_accessible


@pytest.fixture
def staff_data(live_app):
    tag = uuid.uuid4().hex[:6]
    with live_app.app_context(), live_app.test_request_context("/"):
        venue = make_venue(name=f"时间表科技馆{tag}", slug=f"timetable-{tag}")
        staff = make_user(role=Role.VENUE_STAFF, venue=venue, email=f"staff-{tag}@example.cn")
        db.session.commit()
        data = {"venue_id": venue.id, "staff": staff.email}
        db.session.remove()
    return data


def _fits_the_phone(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= 375


def test_venue_staff_set_a_timetable_a_closed_date_and_settings_on_a_phone(phone_page, staff_data):
    page = phone_page
    page.goto("/auth/login")
    page.fill("#login", staff_data["staff"])
    page.fill("#password", PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    page.goto(f"/console/venues/{staff_data['venue_id']}")
    page.get_by_role("link", name="时间表与闭馆日期").click()
    page.wait_for_url("**/timetable")
    assert_accessible(page)
    assert _fits_the_phone(page)

    page.select_option("#rows-0-weekday", "6")
    page.fill("#rows-0-start_time", "09:00")
    page.fill("#rows-0-end_time", "11:00")
    page.fill("#rows-0-capacity", "40")
    page.fill("#rows-0-green_quota", "50")
    page.get_by_role("button", name="保存时间表").click()
    page.wait_for_load_state()
    expect(page.get_by_text("没有保存")).to_be_visible()
    assert page.locator("#rows-0-capacity").input_value() == "40"
    assert_accessible(page)
    page.fill("#rows-0-green_quota", "5")
    page.get_by_role("button", name="保存时间表").click()
    page.wait_for_load_state()
    expect(page.get_by_text("时间表已保存")).to_be_visible()

    day = (utcnow() + timedelta(days=40)).date().isoformat()
    page.fill("#on", day)
    page.fill("#reason", "设备检修")
    page.get_by_role("button", name="设为闭馆").click()
    page.wait_for_load_state()
    expect(page.get_by_role("cell", name="设备检修")).to_be_visible()
    assert_accessible(page)
    assert _fits_the_phone(page)

    page.goto(f"/console/venues/{staff_data['venue_id']}/settings")
    assert_accessible(page)
    assert _fits_the_phone(page)
    page.fill("#open_days_ahead", "10")
    page.get_by_role("button", name="保存设置").click()
    page.wait_for_load_state()
    expect(page.get_by_text("预约设置已保存")).to_be_visible()
    assert page.locator("#open_days_ahead").input_value() == "10"
    assert not page.csp_errors
