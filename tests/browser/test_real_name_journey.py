"""A parent books at a venue requiring real names, on a phone: a mistyped ID number gets a
clear message with everything kept; the corrected booking shows the number masked."""

import uuid
from datetime import time, timedelta

import pytest
from playwright.sync_api import expect

from models import Role, db
from models.user import utcnow
from tests.factories import PASSWORD, make_session, make_settings, make_user, make_venue
from webapp.services.clock import to_utc

harness = pytest.importorskip("tests.browser.conftest", reason="shared browser harness missing")
assert_accessible = harness.assert_accessible


@pytest.fixture
def strict_venue(live_app):
    tag = uuid.uuid4().hex[:6]
    with live_app.app_context(), live_app.test_request_context("/"):
        venue = make_venue(name=f"实名博物馆{tag}", slug=f"real-name-{tag}")
        make_settings(venue, requires_real_name=True, open_days_ahead=14)
        day = (utcnow() + timedelta(hours=8)).date() + timedelta(days=3)
        session = make_session(venue, starts_at=to_utc(day, time(10)), capacity=40)
        family = make_user(role=Role.FAMILY, email=f"real-{tag}@example.cn")
        db.session.commit()
        data = {"session_id": session.id, "family": family.email}
        db.session.remove()
    return data


def test_a_parent_corrects_a_mistyped_id_number_and_sees_it_masked(phone_page, strict_venue):
    page = phone_page
    page.goto("/auth/login")
    page.fill("#login", strict_venue["family"])
    page.fill("#password", PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    page.goto(f"/booking/sessions/{strict_venue['session_id']}/family")
    expect(page.get_by_role("group", name="成人实名信息")).to_be_visible()
    assert_accessible(page)
    page.fill("#primary_pupils", "1")
    page.fill("#adults", "1")
    page.fill("#contact_name", "王女士")
    page.fill("#contact_phone", "13800138000")
    page.fill("#visitor-0-name", "王芳")
    page.select_option("#visitor-0-document", "resident_id")
    page.fill("#visitor-0-number", "140105199003071235")
    page.get_by_role("button", name="查看票价").click()
    expect(page.get_by_text("身份证号码无效")).to_be_visible()
    expect(page.locator("#visitor-0-number")).to_have_value("140105199003071235")
    expect(page.locator("#contact_name")).to_have_value("王女士")
    assert_accessible(page)
    page.fill("#visitor-0-number", "140105199003071234")
    page.get_by_role("button", name="查看票价").click()
    expect(page.get_by_text("1401**********1234")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="确认预约").click()
    page.wait_for_url("**/booking/b/*")
    expect(page.get_by_text("王芳 · 1401**********1234")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
    assert_accessible(page)
