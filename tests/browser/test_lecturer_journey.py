"""A school asks for a family-education talk, the county bureau assigns the suggested lecturer,
and the school records the talk as delivered. Uses the shared browser fixtures
(tests/browser/conftest.py: live_server on the real seed, page, assert_accessible)."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible


def _beijing_today():
    # the page's own clock is Shanghai's; the test runs outside the app
    return datetime.now(ZoneInfo("Asia/Shanghai")).date()


pytestmark = pytest.mark.browser

TEACHER, BUREAU, PASSWORD = "teacher.xd@example.cn", "bureau.xd@example.cn", "correct horse battery"


@pytest.fixture(scope="module")
def people(live_app):
    """A teacher of a seeded Xiaodian school and a Xiaodian bureau officer (made once)."""
    from models import Region, Role, School, User, db
    from tests.factories import make_user

    with live_app.app_context():
        xiaodian = db.session.scalar(sa.select(Region).where(Region.adcode == "140105"))
        school = db.session.scalar(
            sa.select(School).where(School.county_id == xiaodian.id).order_by(School.id)
        )
        if db.session.scalar(sa.select(User).where(User.email == TEACHER)) is None:
            make_user(role=Role.SCHOOL_STAFF, school=school, email=TEACHER, password=PASSWORD)
            make_user(role=Role.BUREAU_STAFF, region=xiaodian, email=BUREAU, password=PASSWORD)
            db.session.commit()
        name = school.name
        db.session.remove()
    return name


def _log_in(page, login):
    page.context.clear_cookies()
    page.goto("/auth/login?next=/lecturers/requests")
    page.fill("#login", login)
    page.fill("#password", PASSWORD)
    page.locator("form.narrow-form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/lecturers/requests$"))


def test_school_requests_bureau_assigns_school_records_delivery(page, people):
    school_name = people
    wanted = _beijing_today() + timedelta(days=7)

    _log_in(page, TEACHER)
    assert_accessible(page)
    page.get_by_role("link", name="申请送教").click()
    assert_accessible(page)
    page.select_option("#host", label=school_name)
    page.select_option("#topic", label="亲子沟通")
    page.fill("#wanted_on", wanted.isoformat())
    page.fill("#expected_audience", "120")
    page.fill("#audience_note", "三年级家长")
    page.get_by_role("button", name="提交申请").click()
    expect(page.locator(".flash-success")).to_contain_text("已提交教育局")
    expect(page.locator("h1")).to_contain_text(school_name)
    request_url = page.url
    assert_accessible(page)

    _log_in(page, BUREAU)
    page.get_by_role("link", name=school_name).first.click()
    suggested = page.locator(".candidate").first
    expect(suggested.locator(".tag-free").first).to_have_text("推荐")
    lecturer = suggested.locator("h3").inner_text().replace("推荐", "").strip()
    assert_accessible(page)
    suggested.get_by_role("button", name=re.compile("指派")).click()
    expect(page.locator(".flash-success")).to_contain_text(lecturer)
    expect(page.locator(".assigned-lecturer")).to_contain_text(lecturer)
    assert_accessible(page)

    _log_in(page, TEACHER)
    page.goto(request_url)
    expect(page.locator(".assigned-lecturer")).to_contain_text(lecturer)
    assert not re.search(r"1[3-9]\d{9}", page.locator("main").inner_text())
    page.fill("#delivered_on", _beijing_today().isoformat())
    page.fill("#audience_reached", "110")
    page.select_option("#feedback_score", "5")
    page.fill("#feedback_comment", "家长反响很好")
    page.get_by_role("button", name="登记为已完成").click()
    expect(page.locator(".flash-success")).to_contain_text("已登记宣讲完成")
    expect(page.locator(".status-delivered")).to_have_text("已完成")
    assert_accessible(page)
    assert page.csp_errors == []


def test_directory_and_a_lecturer_page_fit_a_phone_and_show_no_phone_number(phone_page):
    phone_page.goto("/lecturers/?city=140100")
    expect(phone_page.locator(".lecturer-card").first).to_be_visible()
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 375
    assert_accessible(phone_page)
    phone_page.locator(".lecturer-card h2 a").first.click()
    expect(phone_page.locator(".facts")).to_be_visible()
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 375
    assert not re.search(r"1[3-9]\d{9}", phone_page.locator("body").inner_text())
    assert_accessible(phone_page)
