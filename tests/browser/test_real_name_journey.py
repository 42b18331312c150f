"""A parent books at a venue requiring real names, on a phone: a mistyped ID number gets a
clear message with everything kept; the corrected booking shows the number masked. At the
door (390 px), staff see the adult's name and masked ID and type the ID shown: a wrong one is
refused with nothing recorded, the right last four digits let the party in."""

import uuid
from datetime import time, timedelta

import pytest
from playwright.sync_api import expect

from models import IdentityDocument, Role, db
from models.user import utcnow
from tests.factories import (
    PASSWORD,
    family_request,
    make_session,
    make_settings,
    make_user,
    make_venue,
)
from webapp.services.booking import requests
from webapp.services.booking.real_names import VisitorEntry
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


def _log_in(page, login):
    page.goto("/auth/login")
    page.fill("#login", login)
    page.fill("#password", PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()


def test_a_parent_corrects_a_mistyped_id_number_and_sees_it_masked(phone_page, strict_venue):
    page = phone_page
    _log_in(page, strict_venue["family"])
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


@pytest.fixture
def door_party(live_app):
    """A real-name venue's staff, and a party of 1 child and 1 named adult due in 10 minutes."""
    tag = uuid.uuid4().hex[:6]
    with live_app.app_context(), live_app.test_request_context("/"):
        venue = make_venue(name=f"实名门口馆{tag}", slug=f"real-door-{tag}")
        make_settings(venue, requires_real_name=True)
        session = make_session(venue, starts_at=utcnow() + timedelta(minutes=10), capacity=40)
        staff = make_user(role=Role.VENUE_STAFF, venue=venue, email=f"rn-staff-{tag}@example.cn")
        family = make_user(role=Role.FAMILY, email=f"rn-door-{tag}@example.cn")
        db.session.commit()
        request = family_request(primary_pupils=1, adults=1)
        wang = VisitorEntry("王芳", IdentityDocument.RESIDENT_ID, "140105199003071234")
        request.visitors = [wang]
        booking = requests.create_booking(
            session, request, by=family, now=utcnow() - timedelta(hours=1)
        )
        data = {"venue_id": venue.id, "staff": staff.email, "code": booking.display_code}
        db.session.remove()
    return data


@pytest.fixture
def phone_390(browser, live_server):
    context, page = harness._new_page(
        browser,
        live_server,
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
    )
    yield page
    context.close()


def test_staff_check_the_id_shown_at_the_door_of_a_real_name_venue(phone_390, door_party):
    page = phone_390
    _log_in(page, door_party["staff"])
    page.goto(f"/console/venues/{door_party['venue_id']}/door")
    page.fill("#code", door_party["code"])
    page.get_by_role("button", name="查询").click()
    ids = page.get_by_role("group", name="成人实名：核对所出示的证件")
    expect(ids).to_contain_text("王芳")
    expect(ids).to_contain_text("1401**********1234")
    assert_accessible(page)
    page.get_by_label("王芳 所出示证件的号码").fill("140105199003071235")
    page.get_by_role("button", name="登记到场").click()
    expect(page.get_by_role("alert")).to_contain_text("所出示的证件与预约时登记的不一致")
    expect(page.get_by_text("已到 0 人，共 2 人")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert_accessible(page)
    page.get_by_label("王芳 所出示证件的号码").fill("1234")
    page.get_by_role("button", name="登记到场").click()
    expect(page.get_by_text("2 人中已到 2 人")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert_accessible(page)
