"""Account pages: wiring, sessions and cookies, the same answer for unknown accounts, no 500s."""

import json
import re

import pytest
import sqlalchemy as sa

from models import OutboxMessage, Role, User, db
from tests.factories import PASSWORD
from tests.world import dispose, login_as
from webapp import create_app

GOOD = "Bright-Fen-River-22"


def login(client, login_name, password=PASSWORD, **extra):
    return client.post("/auth/login", data={"login": login_name, "password": password, **extra})


def page(response) -> str:
    return response.get_data(as_text=True)


def test_signing_up_then_entering_the_code_logs_the_family_in(client):
    response = client.post(
        "/auth/signup",
        data={
            "name": "王芳",
            "login": "13800138000",
            "password": GOOD,
            "confirm": GOOD,
            "agree": "y",
        },
    )
    assert response.status_code == 302 and response.headers["Location"].endswith("/auth/confirm")
    sent = db.session.scalar(
        sa.select(OutboxMessage).where(OutboxMessage.recipient == "13800138000")
    )
    code = re.search(r"\b\d{6}\b", sent.body).group(0)
    response = client.post("/auth/confirm", data={"code": code})
    assert response.status_code == 302 and response.headers["Location"].endswith("/auth/account")
    assert "13800138000" in page(client.get("/auth/account"))


def test_sign_up_without_accepting_the_privacy_notice_is_refused(client):
    response = client.post(
        "/auth/signup",
        data={"name": "王芳", "login": "13800138000", "password": GOOD, "confirm": GOOD},
    )
    assert response.status_code == 200
    assert "隐私声明" in page(response)
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == 0


def test_a_duplicate_sign_up_gets_the_neutral_answer_not_account_exists(client, world):
    response = client.post(
        "/auth/signup",
        data={
            "name": "x",
            "login": "family@example.cn",
            "password": GOOD,
            "confirm": GOOD,
            "agree": "y",
        },
    )
    assert response.status_code == 302 and response.headers["Location"].endswith("/auth/confirm")
    landing = page(client.get("/auth/confirm"))
    assert "如果该号码可以注册，我们已向其发送验证码" in landing and "已存在" not in landing


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"name": "x" * 500, "login": "y" * 500, "password": "z", "confirm": "q", "agree": "y"},
        {
            "name": "\x00",
            "login": "\x00@\x00",
            "password": "\x00" * 9,
            "confirm": "\x00" * 9,
            "agree": "y",
        },
        {
            "name": "王",
            "login": "13800138000",
            "password": "12345678",
            "confirm": "12345678",
            "agree": "y",
        },
    ],
)
def test_bad_sign_up_input_gets_a_message_never_a_500(client, data):
    response = client.post("/auth/signup", data=data)
    if "\x00" in data.get("name", ""):
        # refused app-wide before any form sees it
        assert response.status_code == 400
        assert "不允许的字符" in response.get_data(as_text=True)
        return
    assert response.status_code == 200


def test_a_wrong_password_gets_one_message_for_every_failure(client, world):
    wrong = page(login(client, "family@example.cn", "not the password"))
    unknown = page(login(client, "nobody@example.cn", "not the password"))
    assert "手机号、电子邮箱或密码不正确" in wrong
    assert "手机号、电子邮箱或密码不正确" in unknown


def test_login_starts_a_fresh_session(client, world):
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    assert login(client, "family@example.cn").status_code == 302
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["_user_id"] == world.users["family"].get_id()


def test_remember_me_sets_a_long_lived_cookie_only_when_asked(app, world):
    plain, remembered = app.test_client(), app.test_client()
    login(plain, "family@example.cn")
    login(remembered, "family@example.cn", remember="y")
    assert plain.get_cookie("remember_token") is None
    assert remembered.get_cookie("remember_token") is not None


def test_a_session_cookie_copied_before_logout_no_longer_works(app, world):
    client = app.test_client()
    login(client, "family@example.cn", remember="y")
    stolen = app.test_client()
    for name in ("session", "remember_token"):
        stolen.set_cookie(name, client.get_cookie(name).value)
    assert stolen.get("/auth/account").status_code == 200
    client.post("/auth/logout")
    assert stolen.get("/auth/account").status_code == 302


def test_disabling_an_account_logs_it_out_everywhere(app, world):
    family, admin = app.test_client(), app.test_client()
    login(family, "family@example.cn")
    login_as(admin, world.users["admin"])
    user_id = world.users["family"].id
    assert admin.post(f"/admin/users/{user_id}/disable").status_code == 302
    assert family.get("/auth/account").status_code == 302


def test_changing_the_password_keeps_this_session_and_ends_the_others(app, world):
    here, there = app.test_client(), app.test_client()
    login(here, "family@example.cn")
    login(there, "family@example.cn")
    response = here.post(
        "/auth/password", data={"current": PASSWORD, "password": GOOD, "confirm": GOOD}
    )
    assert response.status_code == 302
    assert here.get("/auth/account").status_code == 200
    assert there.get("/auth/account").status_code == 302


def test_the_reset_page_answers_the_same_whether_or_not_the_account_exists(client, world):
    known = client.post("/auth/reset", data={"login": "family@example.cn"}, follow_redirects=True)
    unknown = client.post("/auth/reset", data={"login": "nobody@example.cn"}, follow_redirects=True)
    assert known.status_code == unknown.status_code == 200
    flash = "如果有账户使用这个手机号或电子邮箱"
    assert flash in page(known) and flash in page(unknown)


def test_a_reset_link_from_the_outbox_sets_a_new_password(client, world):
    client.post("/auth/reset", data={"login": "family@example.cn"})
    message = db.session.scalar(
        sa.select(OutboxMessage).where(OutboxMessage.recipient == "family@example.cn")
    )
    link = re.search(r"https?://\S+", message.body).group(0)
    path = link.split("localhost", 1)[1]
    assert client.get(path).status_code == 200
    response = client.post(path, data={"password": GOOD, "confirm": GOOD})
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    assert login(client, "family@example.cn", GOOD).status_code == 302
    reused = client.get(path, follow_redirects=True)
    assert "已失效或已被使用" in page(reused)


def test_school_sign_up_lists_the_schools_of_the_chosen_county(client, world):
    response = client.get(f"/auth/signup/school?county={world.regions['x'].id}")
    assert world.schools["x"].name in page(response)
    assert world.schools["y"].name not in page(response)


@pytest.mark.parametrize("county", ["abc", "987654", "-1"])
def test_school_sign_up_with_an_unknown_county_says_so(client, world, county):
    response = client.get(f"/auth/signup/school?county={county}")
    assert response.status_code == 200


def test_school_sign_up_for_an_unknown_school_says_so(client, world):
    response = client.post(
        "/auth/signup/school",
        data={
            "county": world.regions["x"].id,
            "school": 987654,
            "name": "张老师",
            "login": "13900139000",
            "password": GOOD,
            "confirm": GOOD,
            "agree": "y",
        },
    )
    assert response.status_code == 200
    assert "不在我们的列表中" in page(response)


def test_a_school_account_signs_up_and_waits_for_approval(client, world):
    response = client.post(
        "/auth/signup/school",
        data={
            "county": world.regions["x"].id,
            "school": world.schools["x"].id,
            "name": "张老师",
            "login": "13900139000",
            "password": GOOD,
            "confirm": GOOD,
            "agree": "y",
        },
    )
    assert response.status_code == 302
    sent = db.session.scalars(
        sa.select(OutboxMessage).where(OutboxMessage.recipient == "13900139000")
    ).all()[-1]
    code = re.search(r"\b\d{6}\b", sent.body).group(0)
    response = client.post("/auth/confirm", data={"code": code}, follow_redirects=True)
    assert "等待教育部门审核" in page(response)
    assert client.get(f"/auth/schools/{world.schools['x'].id}").status_code == 403


def test_an_invitation_link_creates_a_venue_staff_account(client, world):
    manager = client.application.test_client()
    login_as(manager, world.users["venue_a"])
    venue_id = world.venues["a"].id
    manager.post(f"/auth/venues/{venue_id}/staff", data={"recipient": "13700137000"})
    message = db.session.scalar(
        sa.select(OutboxMessage).where(OutboxMessage.recipient == "13700137000")
    )
    path = re.search(r"https?://\S+", message.body).group(0).split("localhost", 1)[1]
    response = client.post(
        path, data={"name": "赵六", "login": "13700137000", "password": GOOD, "confirm": GOOD}
    )
    assert response.status_code == 302
    user = db.session.scalar(sa.select(User).where(User.phone == "13700137000"))
    assert user.active_grants(Role.VENUE_STAFF)[0].venue_id == venue_id
    assert "已失效或已被使用" in page(client.get(path, follow_redirects=True))


def test_the_privacy_notice_is_in_chinese_and_says_children_are_counts(client):
    text = page(client.get("/auth/privacy"))
    assert "个人信息保护法" in text and "只有数字" in text


def test_my_data_downloads_as_json(client, world):
    login_as(client, world.users["family"])
    response = client.get("/auth/account/data")
    assert response.mimetype == "application/json"
    assert "attachment" in response.headers["Content-Disposition"]
    assert json.loads(response.data)["account"]["email"] == "family@example.cn"


def test_deleting_my_account_logs_me_out_and_removes_me(client, world):
    login_as(client, world.users["family"])
    assert client.post("/auth/account/delete", data={"password": "wrong"}).status_code == 200
    response = client.post("/auth/account/delete", data={"password": PASSWORD})
    assert response.status_code == 302
    assert db.session.scalar(sa.select(User).where(User.email == "family@example.cn")) is None
    assert client.get("/auth/account").status_code == 302


def test_pages_carry_security_headers_and_personal_pages_are_not_cached(client, world):
    response = client.get("/auth/login")
    headers = response.headers
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'self'" in headers["Content-Security-Policy"]
    assert headers["Cache-Control"] == "no-store"


def test_session_cookies_are_httponly_and_samesite_lax(client, world):
    response = login(client, "family@example.cn")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_cookies_are_secure_in_production(monkeypatch, database_url):
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    monkeypatch.delenv("SESSION_COOKIE_SECURE", raising=False)
    app = create_app({"SECRET_KEY": "a-real-secret", "SQLALCHEMY_DATABASE_URI": database_url})
    dispose(app)
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["REMEMBER_COOKIE_SECURE"]


def test_every_form_needs_its_csrf_token(database_url, app):
    strict = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "t",
            "SQLALCHEMY_DATABASE_URI": database_url,
            "RATELIMIT_ENABLED": False,
        }
    )
    client = strict.test_client()
    response = client.post(
        "/auth/signup",
        data={
            "name": "王芳",
            "login": "13800138000",
            "password": GOOD,
            "confirm": GOOD,
            "agree": "y",
        },
    )
    dispose(strict)
    assert response.status_code == 400
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == 0


def test_the_nav_shows_the_consoles_to_those_who_may_use_them(client, world):
    login_as(client, world.users["county"])
    text = page(client.get("/auth/account"))
    assert "/bureau/" in text and "/admin/" not in text


def test_a_venue_staff_without_a_venue_manager_role_cannot_invite(client, world):
    login_as(client, world.users["venue_b"])
    response = client.post(
        f"/auth/venues/{world.venues['b'].id}/staff", data={"recipient": "x@example.cn"}
    )
    assert response.status_code == 403
    sent = sa.select(OutboxMessage).where(OutboxMessage.recipient == "x@example.cn")
    assert db.session.scalar(sent) is None


def test_a_family_member_asks_to_act_for_a_school_from_their_account(client, world):
    login_as(client, world.users["family"])
    response = client.post(
        "/auth/signup/school",
        data={"county": world.regions["y"].id, "school": world.schools["y"].id},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert {g.role for g in world.users["family"].grants} == {Role.FAMILY, Role.SCHOOL_STAFF}


def test_world_users_log_in_through_the_form_with_the_factories_password(client, world):
    assert login(client, "county@example.cn").status_code == 302
