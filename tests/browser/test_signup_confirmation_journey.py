"""A parent signs up on a phone, reads the code from the outbox (standing in for the SMS),
enters a wrong one and then the right one, and books a visit. Every page is checked with axe
and must fit a 375 px screen."""

import uuid
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from models import db
from models.user import utcnow
from tests.browser.conftest import assert_accessible
from tests.browser.test_accounts import _code_sent_to, _in_app
from tests.browser.test_phone_journeys import _fits_the_phone
from tests.factories import make_session, make_venue

GOOD = "Bright-Fen-River-22"

WORDS = {
    "zh": {
        "name": "您的姓名",
        "login": "手机号或电子邮箱",
        "password": "密码",
        "repeat": "再次输入密码",
        "agree": "我已阅读隐私声明",
        "sign_up": "注册",
        "neutral": "如果该号码可以注册，我们已向其发送验证码",
        "code": "验证码",
        "confirm": "确认",
        "wrong": "验证码不正确",
        "confirmed": "您的账户已确认",
        "must_confirm": "预约前请先确认",
        "see_price": "查看票价",
        "book": "确认预约",
    },
    "en": {
        "name": "Your name",
        "login": "Mobile number or e-mail",
        "password": "Password",
        "repeat": "Repeat the password",
        "agree": "I have read the privacy notice",
        "sign_up": "Sign up",
        "neutral": "If this number can be registered, we have sent a code to it",
        "code": "Confirmation code",
        "confirm": "Confirm the code",
        "wrong": "Wrong code",
        "confirmed": "your account is confirmed",
        "must_confirm": "Confirm your mobile number or e-mail before booking",
        "see_price": "See the price",
        "book": "Confirm booking",
    },
}


def _session(live_app) -> int:
    def make():
        tag = uuid.uuid4().hex[:6]
        venue = make_venue(name=f"科技馆{tag}", slug=f"science-{tag}")
        slot = make_session(venue, starts_at=utcnow() + timedelta(days=3), capacity=20)
        db.session.commit()
        return slot.id

    return _in_app(live_app, make)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_parent_signs_up_confirms_the_code_from_the_outbox_and_books(
    phone_page, live_server, live_app, lang
):
    page, words = phone_page, WORDS[lang]
    phone = "139" + f"{uuid.uuid4().int % 10**8:08d}"
    slot_id = _session(live_app)
    if lang == "en":
        page.context.add_cookies([{"name": "lang", "value": "en", "url": live_server}])
    page.goto("/auth/signup")
    page.get_by_label(words["name"]).fill("王芳")
    page.get_by_label(words["login"]).fill(phone)
    page.get_by_label(words["password"], exact=True).fill(GOOD)
    page.get_by_label(words["repeat"]).fill(GOOD)
    page.get_by_label(words["agree"]).check()
    page.get_by_role("button", name=words["sign_up"], exact=True).click()
    page.wait_for_url("**/auth/confirm")
    expect(page.locator("main")).to_contain_text(words["neutral"])
    assert_accessible(page)
    _fits_the_phone(page)

    code = _code_sent_to(live_app, phone)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    page.get_by_label(words["code"]).fill(wrong)
    page.get_by_role("button", name=words["confirm"], exact=True).click()
    expect(page.locator("main")).to_contain_text(words["wrong"])
    assert_accessible(page)

    page.get_by_label(words["code"]).fill(code)
    page.get_by_role("button", name=words["confirm"], exact=True).click()
    page.wait_for_url("**/auth/account")
    expect(page.locator("body")).to_contain_text(words["confirmed"])
    expect(page.locator("main")).not_to_contain_text(words["must_confirm"])
    assert_accessible(page)

    page.goto(f"/booking/sessions/{slot_id}/family")
    expect(page.locator("main")).not_to_contain_text(words["must_confirm"])
    page.fill("#primary_pupils", "1")
    page.fill("#adults", "1")
    page.fill("#contact_phone", phone)
    page.get_by_role("button", name=words["see_price"]).click()
    page.get_by_role("button", name=words["book"]).click()
    page.wait_for_url("**/booking/b/*")
    assert_accessible(page)
    _fits_the_phone(page)
    assert not page.csp_errors
