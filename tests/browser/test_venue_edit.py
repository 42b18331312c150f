"""Venue staff keep their venue's page true, on a phone: a mistake is shown under its field
with the typed values kept, the fix is saved and the public page shows it. Checked with axe."""

import uuid

import pytest

from models import Role, db
from tests.factories import PASSWORD, make_user, make_venue

harness = pytest.importorskip("tests.browser.conftest", reason="shared browser harness missing")
assert_accessible = harness.assert_accessible


@pytest.fixture
def staffed_venue(live_app):
    tag = uuid.uuid4().hex[:6]
    with live_app.app_context(), live_app.test_request_context("/"):
        venue = make_venue(name=f"编辑测试馆{tag}", slug=f"edit-test-{tag}")
        staff = make_user(
            role=Role.VENUE_STAFF, venue=venue, is_manager=True, email=f"staff-{tag}@example.cn"
        )
        db.session.commit()
        data = {"venue_id": venue.id, "login": staff.email, "name": venue.name}
        db.session.remove()
    return data


def _fits_the_screen(page) -> bool:
    return page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_venue_staff_correct_their_opening_hours_on_a_phone(phone_page, staffed_venue):
    page = phone_page
    page.goto("/auth/login")
    page.fill("#login", staffed_venue["login"])
    page.fill("#password", PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()

    page.goto(f"/venues/{staffed_venue['venue_id']}")
    page.get_by_role("link", name="编辑场馆页面").click()
    page.wait_for_load_state()
    assert page.url.endswith(f"/console/venues/{staffed_venue['venue_id']}/edit")
    assert _fits_the_screen(page)
    assert_accessible(page)

    # Monday opened, but closing before opening: refused, under Monday, input kept
    page.get_by_label("电话").fill("0351-7000000")
    page.locator("#hours-0-is_open").check()
    page.locator("#hours-0-opens").fill("18:00")
    page.locator("#hours-0-closes").fill("08:00")
    page.get_by_role("button", name="保存").click()
    page.wait_for_load_state()
    errors = page.locator("#hours-0-opens-errors")
    assert "关门时间必须晚于开门时间" in errors.inner_text()
    assert page.get_by_label("电话").input_value() == "0351-7000000"
    assert page.locator("#hours-0-opens").get_attribute("aria-invalid") == "true"
    assert _fits_the_screen(page)
    assert_accessible(page)

    page.locator("#hours-0-opens").fill("08:00")
    page.locator("#hours-0-closes").fill("12:00")
    page.get_by_role("button", name="保存").click()
    page.wait_for_load_state()
    assert page.url.endswith(f"/venues/{staffed_venue['venue_id']}")
    body = page.locator("main").inner_text()
    assert "已保存" in body and "0351-7000000" in body and "08:00–12:00" in body
