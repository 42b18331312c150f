"""A parent on a 375 px phone, in Chinese and in English: the date strip, the green channel,
the waiting list and cancelling, with an axe check on every page opened."""

import uuid
from datetime import time, timedelta

import pytest
from playwright.sync_api import expect

from models import Role, db
from models.user import utcnow
from tests.browser.conftest import assert_accessible
from tests.factories import PASSWORD, make_session, make_settings, make_user, make_venue
from webapp.services.clock import local_date, to_utc

#: what the parent reads, by language
WORDS = {
    "zh": {
        "see_price": "查看票价",
        "confirm": "确认预约",
        "green": "绿色通道",
        "left_behind": "留守儿童 1",
        "join": "加入候补",
        "leave": "退出候补名单",
        "wanted": "需要 4 个名额",
        "left_list": "您已退出候补名单",
        "cancel_yes": "确认取消预约",
        "deadline": "在线取消截止时间为",
        "cancelled": "已取消",
    },
    "en": {
        "see_price": "See the price",
        "confirm": "Confirm booking",
        "green": "Green channel",
        "left_behind": "Left-behind children 1",
        "join": "Join the waiting list",
        "leave": "Leave the waiting list",
        "wanted": "4 places wanted",
        "left_list": "You have left the waiting list.",
        "cancel_yes": "Yes, cancel the booking",
        "deadline": "You can cancel online until",
        "cancelled": "Cancelled",
    },
}


def _next_saturday():
    today = local_date(utcnow())
    return today + timedelta(days=(5 - today.weekday()) % 7 or 7)


@pytest.fixture
def parent(live_app):
    """A venue with sessions on the coming days (Saturday's nearly full) and a parent."""
    tag = uuid.uuid4().hex[:6]
    with live_app.app_context(), live_app.test_request_context("/"):
        saturday = _next_saturday()
        venue = make_venue(name=f"少年宫{tag}", slug=f"youth-palace-{tag}")
        make_settings(venue, open_days_ahead=14, cancel_cutoff_hours=2)
        first = make_session(
            venue, starts_at=to_utc(saturday - timedelta(days=2), time(9))
        )
        sat = make_session(
            venue,
            starts_at=to_utc(saturday, time(10)),
            capacity=6,
            green_quota=2,
            taken_general=3,
        )
        user = make_user(role=Role.FAMILY, email=f"parent-{tag}@example.cn", phone=None)
        db.session.commit()
        data = {
            "venue_id": venue.id,
            "first_id": first.id,
            "saturday_id": sat.id,
            "saturday": saturday.isoformat(),
            "login": user.email,
        }
        db.session.remove()
    return data


def _start(page, live_server, lang, login):
    if lang == "en":
        page.context.add_cookies([{"name": "lang", "value": "en", "url": live_server}])
    page.goto("/auth/login")
    assert_accessible(page)
    page.fill("#login", login)
    page.fill("#password", PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()


def _book_a_child_and_an_adult(page, slot_id, words):
    """Book one primary pupil and one adult in the session; ends on the booking's page."""
    page.goto(f"/booking/sessions/{slot_id}/family")
    page.fill("#primary_pupils", "1")
    page.fill("#adults", "1")
    page.fill("#contact_phone", "13800138000")
    page.get_by_role("button", name=words["see_price"]).click()
    page.get_by_role("button", name=words["confirm"]).click()
    page.wait_for_url("**/booking/b/*")


def _fits_the_phone(page):
    width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"{page.url} scrolls sideways: {width}"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_saturday_on_the_strip_then_a_left_behind_child_and_an_adult_free(
    phone_page, live_server, parent, lang
):
    page, words = phone_page, WORDS[lang]
    _start(page, live_server, lang, parent["login"])
    page.goto(f"/venues/{parent['venue_id']}")
    assert_accessible(page)
    page.locator(f"a.day[href*='day={parent['saturday']}']").click()
    expect(page.locator(f"a.day[href*='day={parent['saturday']}']")).to_have_attribute(
        "aria-current", "date"
    )
    _fits_the_phone(page)
    page.locator(f"a[href='/booking/sessions/{parent['saturday_id']}/family']").click()
    assert_accessible(page)
    page.fill("#primary_pupils", "1")
    page.fill("#adults", "1")
    page.fill("#left_behind", "1")
    page.fill("#contact_phone", "13800138000")
    page.get_by_role("button", name=words["see_price"]).click()
    expect(page.get_by_role("button", name=words["confirm"])).to_be_visible()
    expect(page.locator("dl.summary")).to_contain_text(words["green"])
    expect(page.locator("dl.summary")).to_contain_text(words["left_behind"])
    assert_accessible(page)
    page.get_by_role("button", name=words["confirm"]).click()
    page.wait_for_url("**/booking/b/*")
    expect(page.locator("dl.summary")).to_contain_text(words["left_behind"])
    expect(page.locator("dl.summary")).to_contain_text(words["green"])
    _fits_the_phone(page)
    assert_accessible(page)
    assert not page.csp_errors


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_asking_more_than_left_joins_the_waiting_list_then_leaves_it(
    phone_page, live_server, parent, lang
):
    page, words = phone_page, WORDS[lang]
    _start(page, live_server, lang, parent["login"])
    page.goto(f"/booking/sessions/{parent['saturday_id']}/family")
    assert_accessible(page)
    page.fill("#primary_pupils", "2")
    page.fill("#adults", "2")
    page.fill("#contact_phone", "13800138000")
    page.get_by_role("button", name=words["see_price"]).click()
    join = page.get_by_role("button", name=words["join"])
    expect(join).to_be_visible()
    expect(page.locator(".waitlist-form input[name=places]")).to_have_value("4")
    assert_accessible(page)
    join.click()
    page.wait_for_url("**/booking/mine")
    expect(page.locator(".waiting-list")).to_contain_text(words["wanted"])
    assert_accessible(page)
    _fits_the_phone(page)
    page.get_by_role("button", name=words["leave"]).click()
    expect(page.get_by_text(words["left_list"])).to_be_visible()
    expect(page.locator(".waiting-list")).to_have_count(0)
    assert_accessible(page)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_parent_cancels_through_the_confirmation_step(phone_page, live_server, parent, lang):
    page, words = phone_page, WORDS[lang]
    _start(page, live_server, lang, parent["login"])
    _book_a_child_and_an_adult(page, parent["first_id"], words)
    page.locator("a[href$='/cancel']").click()
    page.wait_for_url("**/cancel")
    expect(page.get_by_text(words["deadline"])).to_be_visible()
    assert_accessible(page)
    _fits_the_phone(page)
    page.get_by_role("button", name=words["cancel_yes"]).click()
    expect(page.locator("dd.status")).to_have_text(words["cancelled"])
    assert_accessible(page)


def test_the_ticket_opens_with_the_network_switched_off(phone_page, live_server, parent):
    page, words = phone_page, WORDS["zh"]
    _start(page, live_server, "zh", parent["login"])
    _book_a_child_and_an_adult(page, parent["first_id"], words)
    ticket = page.url
    code = page.locator(".code").inner_text()
    page.goto("/booking/mine")
    assert_accessible(page)
    page.wait_for_function(
        """async (path) => {
             const cache = await caches.open("tickets-v1");
             return !!(await cache.match(new URL(path, location.origin).href));
           }""",
        arg=ticket,
    )
    page.context.set_offline(True)
    try:
        page.goto(ticket)
        expect(page.locator(".code")).to_have_text(code)
        expect(page.locator("img.qr")).to_be_visible()
        expect(page.locator("dl.summary")).to_contain_text("09:00")
        assert_accessible(page)
        # nothing but tickets is kept: the venue page, with its places, is not there offline
        with pytest.raises(Exception):  # noqa: B017, PT011 - the browser's own network error
            page.goto(f"/venues/{parent['venue_id']}")
    finally:
        page.context.set_offline(False)
