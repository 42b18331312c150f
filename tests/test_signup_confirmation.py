"""Sign-up that reveals no existing account, and the one-time code that confirms a new
account's mobile number or e-mail before it can book."""

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from models import ConfirmationCode, MessageChannel, OutboxMessage, Role, User, db
from models.user import utcnow
from tests.factories import make_session, make_user, make_venue
from tests.world import login_as
from webapp.services.accounts import confirmation, signup
from webapp.services.accounts.confirmation import CodeError, TooManyAttempts
from webapp.services.booking.access import Unconfirmed, require_booker

GOOD = "Bright-Fen-River-22"
NEUTRAL_ZH = "如果该号码可以注册，我们已向其发送验证码"
NEUTRAL_EN = "If this number can be registered, we have sent a code to it"


def messages_to(address: str) -> list[OutboxMessage]:
    query = sa.select(OutboxMessage).where(OutboxMessage.recipient == address)
    return list(db.session.scalars(query.order_by(OutboxMessage.id)))


def code_sent_to(address: str) -> str:
    return re.search(r"\b(\d{6})\b", messages_to(address)[-1].body).group(1)


def other_code(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def code_row(ticket: str) -> ConfirmationCode:
    db.session.expire_all()
    return db.session.scalar(
        sa.select(ConfirmationCode).where(
            ConfirmationCode.ticket_hash == confirmation._ticket_hash(ticket)
        )
    )


# ---------------------------------------------------------------- services


@pytest.mark.usefixtures("ctx")
class TestServices:
    def test_a_new_mobile_number_gets_a_code_by_sms_and_an_unconfirmed_account(self, app):
        result = signup.sign_up_family("王芳", "138 0013 8000", GOOD)
        user = result.user
        assert user.phone == "13800138000" and not user.is_confirmed
        (message,) = messages_to("13800138000")
        assert message.channel is MessageChannel.SMS
        code = code_sent_to("13800138000")
        row = code_row(result.ticket)
        assert code not in row.code_hash and len(row.code_hash) == 64

    def test_an_e_mail_address_gets_its_code_by_e_mail(self, app):
        signup.sign_up_family("李雷", "LiLei@Example.CN", GOOD)
        (message,) = messages_to("lilei@example.cn")
        assert message.channel is MessageChannel.EMAIL
        assert re.search(r"\b\d{6}\b", message.body)

    def test_a_taken_login_makes_no_account_and_tells_the_owner_by_message(self, world):
        before = db.session.scalar(sa.select(sa.func.count(User.id)))
        result = signup.sign_up_family("陌生人", "family@example.cn", GOOD)
        assert result.user is None and result.ticket
        assert db.session.scalar(sa.select(sa.func.count(User.id))) == before
        (told,) = messages_to("family@example.cn")
        assert "已有账户" in told.body or "already has an account" in told.body
        assert not re.search(r"\b\d{6}\b", told.body)  # no code goes to the owner
        with pytest.raises(CodeError) as caught:
            confirmation.confirm_code("123456", ticket=result.ticket)
        assert caught.value.message.startswith(("验证码不正确", "Wrong code"))

    def test_the_right_code_confirms_the_account_once(self, app):
        result = signup.sign_up_family("王芳", "13800138000", GOOD)
        code = code_sent_to("13800138000")
        user = confirmation.confirm_code(code, ticket=result.ticket)
        assert user.id == result.user.id and user.is_confirmed
        with pytest.raises(CodeError, match="已经使用|already used"):
            confirmation.confirm_code(code, ticket=result.ticket)

    def test_full_width_digits_and_spaces_in_the_code_are_read_as_digits(self, app):
        result = signup.sign_up_family("王芳", "13800138000", GOOD)
        code = code_sent_to("13800138000")
        typed = " ".join(chr(ord("０") + int(d)) for d in code)
        assert confirmation.confirm_code(typed, ticket=result.ticket).is_confirmed

    def test_a_wrong_code_is_counted_and_after_five_even_the_right_one_is_refused(self, app):
        result = signup.sign_up_family("王芳", "13800138000", GOOD)
        code = code_sent_to("13800138000")
        for left in (4, 3, 2, 1):
            with pytest.raises(CodeError, match=str(left)):
                confirmation.confirm_code(other_code(code), ticket=result.ticket)
        with pytest.raises(TooManyAttempts):
            confirmation.confirm_code(other_code(code), ticket=result.ticket)
        with pytest.raises(TooManyAttempts):
            confirmation.confirm_code(code, ticket=result.ticket)
        assert code_row(result.ticket).attempts == 5
        assert not db.session.get(User, result.user.id).is_confirmed

    def test_an_expired_code_is_refused(self, app):
        result = signup.sign_up_family("王芳", "13800138000", GOOD)
        code = code_sent_to("13800138000")
        later = utcnow() + timedelta(minutes=11)
        with pytest.raises(CodeError, match="过期|expired"):
            confirmation.confirm_code(code, ticket=result.ticket, now=later)
        assert not db.session.get(User, result.user.id).is_confirmed

    @pytest.mark.parametrize("typed", ["abcdef", "12345", "1234567", "", "٣٤٥٦٧٨", "9" * 10_240])
    def test_a_code_that_is_not_six_digits_is_refused_without_counting(self, app, typed):
        result = signup.sign_up_family("王芳", "13800138000", GOOD)
        with pytest.raises(CodeError, match="6"):
            confirmation.confirm_code(typed, ticket=result.ticket)
        assert code_row(result.ticket).attempts == 0

    def test_a_new_code_waits_a_minute_replaces_the_old_and_is_limited(self, app):
        start = utcnow()
        result = signup.sign_up_family("王芳", "13800138000", GOOD, now=start)
        first = code_sent_to("13800138000")
        with pytest.raises(TooManyAttempts, match="秒|seconds"):
            confirmation.resend_code(ticket=result.ticket, now=start + timedelta(seconds=10))
        when = start
        for _n in range(4):
            when += timedelta(seconds=61)
            confirmation.resend_code(ticket=result.ticket, now=when)
        assert len(messages_to("13800138000")) == 5
        with pytest.raises(TooManyAttempts, match="太多|too many"):
            confirmation.resend_code(ticket=result.ticket, now=when + timedelta(minutes=5))
        latest = code_sent_to("13800138000")
        if latest != first:
            with pytest.raises(CodeError):
                confirmation.confirm_code(first, ticket=result.ticket, now=when)
        assert confirmation.confirm_code(latest, ticket=result.ticket, now=when).is_confirmed

    def test_a_decoy_ticket_counts_attempts_and_resends_as_a_real_one(self, world):
        decoy = signup.sign_up_family("陌生人", "family@example.cn", GOOD).ticket
        real = signup.sign_up_family("王芳", "13800138000", GOOD).ticket
        wrong = other_code(code_sent_to("13800138000"))
        answers = []
        for ticket in (decoy, real):
            with pytest.raises(CodeError) as caught:
                confirmation.confirm_code(wrong, ticket=ticket)
            answers.append((type(caught.value), caught.value.message, caught.value.status_code))
        assert answers[0] == answers[1]
        assert code_row(decoy).attempts == code_row(real).attempts == 1
        with pytest.raises(TooManyAttempts):
            confirmation.resend_code(ticket=decoy)

    def test_an_unconfirmed_account_may_not_book_and_is_told_where_to_confirm(self, app):
        user = make_user(role=Role.FAMILY, is_confirmed=False)
        with pytest.raises(Unconfirmed) as caught:
            require_booker(user)
        assert "/auth/confirm" in caught.value.message
        require_booker(make_user(role=Role.FAMILY))  # the factory's default: confirmed

    def test_a_signed_in_account_without_a_live_ticket_gets_a_fresh_one(self, app):
        user = make_user(role=Role.FAMILY, phone="13700137000", is_confirmed=False)
        db.session.commit()
        ticket = confirmation.resend_code(user=user)
        assert ticket and code_sent_to(user.email)
        assert confirmation.confirm_code(code_sent_to(user.email), user=user).is_confirmed


# ---------------------------------------------------------------- pages


def sign_up(client, login, lang="zh"):
    return client.post(
        f"/auth/signup?lang={lang}",
        data={"name": "王芳", "login": login, "password": GOOD, "confirm": GOOD, "agree": "y"},
    )


def _visible(client, response) -> tuple:
    """What a stranger sees of a sign-up: status, where it sends them, the session's keys and
    the page it lands on."""
    with client.session_transaction() as session:
        keys = sorted(session.keys())
        ticket_length = len(session.get("confirm_ticket", ""))
    landing = client.get(response.headers["Location"])
    return (
        response.status_code,
        response.headers["Location"],
        keys,
        ticket_length,
        landing.status_code,
        # the CSP nonce is fresh on every page, whoever asks
        re.sub(r'nonce="[^"]*"', 'nonce=""', landing.get_data(as_text=True)),
    )


@pytest.mark.parametrize(("lang", "neutral"), [("zh", NEUTRAL_ZH), ("en", NEUTRAL_EN)])
def test_sign_up_answers_the_same_for_a_taken_and_a_new_login(app, world, lang, neutral):
    taken_client, new_client = app.test_client(), app.test_client()
    taken = _visible(taken_client, sign_up(taken_client, "family@example.cn", lang))
    new = _visible(new_client, sign_up(new_client, "newparent@example.cn", lang))
    assert taken == new
    assert taken[0] == 302 and taken[1].endswith("/auth/confirm")
    assert neutral in taken[5]
    assert "已存在" not in taken[5] and "already exists" not in taken[5]


def test_school_sign_up_answers_the_same_for_a_taken_and_a_new_login(app, world):
    answers = []
    for login in ("family@example.cn", "newteacher@example.cn"):
        client = app.test_client()
        response = client.post(
            "/auth/signup/school",
            data={"county": world.regions["x"].id, "school": world.schools["x"].id,
                  "name": "张老师", "login": login, "password": GOOD, "confirm": GOOD,
                  "agree": "y"},
        )  # fmt: skip
        answers.append(_visible(client, response))
    assert answers[0] == answers[1] and NEUTRAL_ZH in answers[0][5]


def test_a_parent_confirms_the_code_is_signed_in_and_then_books(app, client):
    slot = make_session(make_venue(), starts_at=utcnow() + timedelta(days=2), capacity=6)
    db.session.commit()
    assert sign_up(client, "13800138000").status_code == 302
    assert "13800138000" not in client.get("/auth/account").get_data(as_text=True)  # not in yet
    response = client.post("/auth/confirm", data={"code": code_sent_to("13800138000")})
    assert response.status_code == 302 and response.headers["Location"].endswith("/auth/account")
    assert "13800138000" in client.get("/auth/account").get_data(as_text=True)
    booked = client.post(
        "/api/v1/bookings",
        json={"kind": "family", "session_id": slot.id, "primary_pupils": 1, "adults": 1,
              "contact_name": "王芳", "contact_phone": "13800138000",
              "idempotency_key": "confirmed-key-01"},
    )  # fmt: skip
    assert booked.status_code == 201


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_an_unconfirmed_account_signs_in_but_booking_is_refused_with_a_link(app, client, lang):
    user = make_user(role=Role.FAMILY, is_confirmed=False)
    slot = make_session(make_venue(), starts_at=utcnow() + timedelta(days=2), capacity=6)
    db.session.commit()
    login_as(client, user)
    api = client.post(
        f"/api/v1/bookings?lang={lang}",
        json={"kind": "family", "session_id": slot.id, "primary_pupils": 1, "adults": 1,
              "contact_name": "王芳", "contact_phone": "13800138000",
              "idempotency_key": "unconfirmed-01"},
    )  # fmt: skip
    assert api.status_code == 403
    assert "/auth/confirm" in api.json["message"]
    assert ("验证码" if lang == "zh" else "code") in api.json["message"]
    page = client.get(f"/booking/sessions/{slot.id}/family?lang={lang}")
    assert page.status_code == 200 and 'href="/auth/confirm"' in page.get_data(as_text=True)
    posted = client.post(
        f"/booking/sessions/{slot.id}/family?lang={lang}",
        data={"contact_name": "王芳", "contact_phone": "13800138000", "adults": 1,
              "primary_pupils": 1, "idempotency_key": "unconfirmed-02", "confirm": "1"},
    )  # fmt: skip
    assert posted.status_code == 200 and "/auth/confirm" in posted.get_data(as_text=True)
    assert not db.session.scalar(sa.select(sa.func.count()).select_from(sa.text("bookings")))


BAD_CODES = {
    "wrong code": (None, {"zh": "验证码不正确", "en": "Wrong code"}),
    "letters": ("abcdef", {"zh": "6 位数字", "en": "6 digits"}),
    "10 KB": ("1" * 10_240, {"zh": "6 位数字", "en": "6 digits"}),
}


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("case", BAD_CODES, ids=BAD_CODES.keys())
def test_a_bad_code_on_the_page_gets_a_clear_message_and_loses_nothing(app, client, lang, case):
    sign_up(client, "13800138000")
    typed, expected = BAD_CODES[case]
    typed = typed or other_code(code_sent_to("13800138000"))
    response = client.post(f"/auth/confirm?lang={lang}", data={"code": typed})
    assert response.status_code == 422
    assert expected[lang] in response.get_data(as_text=True)
    # nothing lost: the right code still confirms afterwards
    right = client.post("/auth/confirm", data={"code": code_sent_to("13800138000")})
    assert right.status_code == 302


@pytest.mark.parametrize(("lang", "text"), [("zh", "错误次数过多"), ("en", "Too many wrong codes")])
def test_too_many_wrong_codes_on_the_page(app, client, lang, text):
    sign_up(client, "13800138000")
    wrong = other_code(code_sent_to("13800138000"))
    for _n in range(5):
        client.post("/auth/confirm", data={"code": wrong})
    response = client.post(f"/auth/confirm?lang={lang}", data={"code": wrong})
    assert response.status_code == 429 and text in response.get_data(as_text=True)


@pytest.mark.parametrize(("lang", "text"), [("zh", "秒后再"), ("en", "seconds before")])
def test_asking_for_a_new_code_too_soon_is_refused_with_a_message(app, client, lang, text):
    sign_up(client, "13800138000")
    response = client.post(f"/auth/confirm/resend?lang={lang}", follow_redirects=True)
    assert response.status_code == 200 and text in response.get_data(as_text=True)
    assert len(messages_to("13800138000")) == 1


def test_an_expired_code_on_the_page_says_so(app, client):
    sign_up(client, "13800138000")
    db.session.execute(
        sa.update(ConfirmationCode).values(expires_at=utcnow() - timedelta(minutes=1))
    )
    db.session.commit()
    response = client.post("/auth/confirm?lang=en", data={"code": code_sent_to("13800138000")})
    assert response.status_code == 422 and "expired" in response.get_data(as_text=True)


def test_the_code_entry_is_rate_limited_like_login(database_url, app):
    from tests.world import dispose
    from webapp import create_app

    limited = create_app(
        {"TESTING": True, "WTF_CSRF_ENABLED": False, "SQLALCHEMY_DATABASE_URI": database_url,
         "RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": "memory://",
         "LOGIN_RATE_LIMIT": "3 per minute", "RESET_RATE_LIMIT": "1 per minute"}
    )  # fmt: skip
    try:
        client = limited.test_client()
        codes = [client.post("/auth/confirm", data={"code": "123456"}).status_code
                 for _n in range(4)]  # fmt: skip
        resends = [client.post("/auth/confirm/resend").status_code for _n in range(2)]
    finally:
        dispose(limited)
    assert codes[-1] == 429 and 429 not in codes[:3]
    assert resends[-1] == 429
