"""Accounts: sign-up, school approval, passwords, reset links, invitations, personal data."""

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from models import AuditEntry, OneTimeLink, OutboxMessage, Role, RoleGrant, User, db
from models.user import utcnow
from tests.factories import PASSWORD
from webapp.services.accounts import credentials, invitations, signup, users
from webapp.services.errors import NotFound, PermissionDenied, ServiceError

GOOD = "Bright-Fen-River-22"


pytestmark = pytest.mark.usefixtures("ctx")


def link_in(message: OutboxMessage) -> str:
    return re.search(r"https?://\S+", message.body).group(0)


def token_in(message: OutboxMessage) -> str:
    return link_in(message).rstrip("/").rsplit("/", 1)[1]


def messages_to(address: str) -> list[OutboxMessage]:
    return list(
        db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.recipient == address))
    )


# ---------------------------------------------------------------- sign up


def test_a_family_signs_up_with_a_mobile_number(ctx, app):
    user = signup.register_family("王芳", "138 0013 8000", GOOD)
    assert user.phone == "13800138000" and user.email is None
    assert user.has_role(Role.FAMILY)
    assert credentials.authenticate("13800138000", GOOD) == user


def test_a_family_signs_up_with_an_e_mail_address_in_any_case(ctx, app):
    user = signup.register_family("李雷", "LiLei@Example.CN", GOOD)
    assert user.email == "lilei@example.cn"
    assert credentials.authenticate("lilei@example.cn", GOOD) == user


@pytest.mark.parametrize(
    "login", ["12345678901", "1380013800", "138001380001", "abc", "a@b", "", "23800138000"]
)
def test_a_login_that_is_neither_a_mobile_number_nor_an_e_mail_is_refused(ctx, app, login):
    with pytest.raises(ServiceError) as caught:
        signup.register_family("王芳", login, GOOD)
    assert caught.value.field == "login"
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == 0


@pytest.mark.parametrize(
    "password", ["short1", "password123", "12345678", "woaini1314", "Qwertyuiop"]
)
def test_short_or_common_passwords_are_refused(ctx, app, password):
    with pytest.raises(ServiceError) as caught:
        signup.register_family("王芳", "13800138000", password)
    assert caught.value.field == "password"


def test_the_password_may_not_be_the_login_itself(ctx, app):
    with pytest.raises(ServiceError):
        signup.register_family("王芳", "13800138000", "13800138000")


def test_a_duplicate_mobile_number_gets_a_clear_message(ctx, app):
    signup.register_family("王芳", "13800138000", GOOD)
    with pytest.raises(ServiceError) as caught:
        signup.register_family("王芳芳", "+86 138-0013-8000", GOOD)
    assert caught.value.field == "login"
    assert "已" in caught.value.message or "already" in caught.value.message
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == 1


def test_a_school_staff_sign_up_waits_for_approval_and_tells_the_county_bureau(world):
    user = signup.register_school_staff("张老师", "13900139000", GOOD, world.schools["x"].id)
    grant = user.grants[0]
    assert grant.role is Role.SCHOOL_STAFF and not grant.is_approved
    assert not user.has_role(Role.SCHOOL_STAFF)
    assert messages_to("county@example.cn") and messages_to("city@example.cn")
    assert not messages_to("admin@example.cn")


@pytest.mark.parametrize("school_id", [987654, "abc", None])
def test_signing_up_for_an_unknown_school_is_refused_and_creates_nobody(world, school_id):
    with pytest.raises(NotFound):
        signup.register_school_staff("张老师", "13900139000", GOOD, school_id)
    assert credentials.find_user_by_login("13900139000") is None


def test_a_family_member_may_also_ask_to_act_for_a_school(world):
    family = world.users["family"]
    signup.request_school_role(family, world.schools["y"].id)
    assert {g.role for g in family.grants} == {Role.FAMILY, Role.SCHOOL_STAFF}
    with pytest.raises(ServiceError):
        signup.request_school_role(family, world.schools["y"].id)


# ---------------------------------------------------------------- approvals


def test_the_county_bureau_approves_a_school_account_and_it_is_audited(world):
    grant = world.grants["x"]
    signup.approve_school_staff(grant.id, by=world.users["county"])
    assert grant.is_approved and grant.user.has_role(Role.SCHOOL_STAFF)
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "staff.approve"))
    assert entry.actor_id == world.users["county"].id
    assert entry.before["approved"] is False and entry.after["approved"] is True
    assert entry.region_id == world.regions["x"].id
    assert messages_to(grant.user.email)


def test_a_county_bureau_cannot_approve_another_countys_school_account(world):
    grant = world.grants["y"]
    with pytest.raises(PermissionDenied):
        signup.approve_school_staff(grant.id, by=world.users["county"])
    db.session.expire_all()
    assert not grant.is_approved
    assert db.session.scalar(sa.select(sa.func.count(AuditEntry.id))) == 0


def test_pending_requests_are_listed_only_within_the_bureau_scope(world):
    county = signup.list_pending_school_staff(by=world.users["county"])
    city = signup.list_pending_school_staff(by=world.users["city"])
    assert county == [world.grants["x"]]
    assert set(city) == {world.grants["x"], world.grants["y"]}


def test_refusing_a_request_removes_it_but_keeps_the_account(world):
    grant = world.grants["x"]
    user = grant.user
    signup.reject_school_staff(grant.id, by=world.users["county"])
    assert db.session.get(RoleGrant, grant.id) is None
    assert db.session.get(User, user.id) is not None
    assert db.session.scalar(sa.select(AuditEntry.action)) == "staff.reject"


def test_deciding_twice_gets_a_clear_message(world):
    signup.approve_school_staff(world.grants["x"].id, by=world.users["county"])
    with pytest.raises(NotFound):
        signup.approve_school_staff(world.grants["x"].id, by=world.users["county"])


# ---------------------------------------------------------------- passwords and reset links


def _make_link(token):
    return f"http://localhost/auth/reset/{token}"


def test_a_reset_link_is_sent_through_the_outbox_and_works_once(world):
    user = world.users["family"]
    version = user.session_version
    credentials.request_password_reset("FAMILY@example.cn", make_link=_make_link)
    (message,) = messages_to("family@example.cn")
    token = token_in(message)
    credentials.reset_password(token, GOOD)
    assert credentials.authenticate("family@example.cn", GOOD) == user
    assert credentials.authenticate("family@example.cn", PASSWORD) is None
    assert user.session_version == version + 1
    with pytest.raises(ServiceError):
        credentials.reset_password(token, "Another-Good-One-9")


def test_an_expired_reset_link_is_refused(world):
    credentials.request_password_reset("family@example.cn", make_link=_make_link)
    token = token_in(messages_to("family@example.cn")[0])
    with pytest.raises(ServiceError):
        credentials.reset_password(token, GOOD, now=utcnow() + timedelta(hours=3))
    assert credentials.authenticate("family@example.cn", PASSWORD) is not None


def test_a_reset_for_an_unknown_login_sends_nothing_and_says_nothing(world):
    before = db.session.scalar(sa.select(sa.func.count(OutboxMessage.id)))
    assert credentials.request_password_reset("nobody@example.cn", make_link=_make_link) is None
    assert db.session.scalar(sa.select(sa.func.count(OutboxMessage.id))) == before
    assert db.session.scalar(sa.select(sa.func.count(OneTimeLink.id))) == 0


def test_a_made_up_token_is_refused(world):
    with pytest.raises(ServiceError):
        credentials.reset_password("not-a-token", GOOD)


def test_changing_the_password_needs_the_current_one_and_ends_other_sessions(world):
    user = world.users["family"]
    with pytest.raises(ServiceError) as caught:
        credentials.change_password(user, "wrong password", GOOD)
    assert caught.value.field == "current"
    old_key = user.get_id()
    credentials.change_password(user, PASSWORD, GOOD)
    assert credentials.load_user(old_key) is None
    assert credentials.load_user(user.get_id()) == user


# ---------------------------------------------------------------- invitations


def _invite(world, by="venue_a", venue="a", to="new@example.cn", **kwargs):
    return invitations.invite_venue_staff(
        world.venues[venue],
        to,
        by=world.users[by],
        make_link=lambda t: f"http://localhost/auth/invitations/{t}",
        **kwargs,
    )


def test_a_venue_manager_invites_a_colleague_who_joins_once(world):
    _invite(world)
    token = token_in(messages_to("new@example.cn")[0])
    user = invitations.accept_invitation(token, name="赵六", login="new@example.cn", password=GOOD)
    grant = user.active_grants(Role.VENUE_STAFF)[0]
    assert grant.venue_id == world.venues["a"].id and not grant.is_manager
    with pytest.raises(ServiceError):
        invitations.accept_invitation(token, name="x", login="other@example.cn", password=GOOD)
    assert db.session.scalar(sa.select(AuditEntry.action)) == "venue.invite_staff"


def test_an_invitation_may_be_accepted_by_an_existing_account(world):
    _invite(world, by="county", to="family@example.cn", is_manager=True)
    token = token_in(messages_to("family@example.cn")[0])
    family = world.users["family"]
    invitations.accept_invitation(token, user=family)
    assert family.active_grants(Role.VENUE_STAFF)[0].is_manager


def test_an_expired_invitation_is_refused(world):
    _invite(world)
    token = token_in(messages_to("new@example.cn")[0])
    with pytest.raises(ServiceError):
        invitations.accept_invitation(
            token,
            name="赵六",
            login="new@example.cn",
            password=GOOD,
            now=utcnow() + timedelta(days=8),
        )
    assert credentials.find_user_by_login("new@example.cn") is None


@pytest.mark.parametrize(
    "by, venue", [("venue_b", "b"), ("venue_a", "b"), ("county", "b"), ("family", "a")]
)
def test_only_managers_and_bureau_staff_in_scope_may_invite(world, by, venue):
    with pytest.raises(PermissionDenied):
        _invite(world, by=by, venue=venue)
    assert db.session.scalar(sa.select(sa.func.count(OneTimeLink.id))) == 0


def test_an_invitation_to_something_not_a_login_is_refused(world):
    with pytest.raises(ServiceError) as caught:
        _invite(world, to="not an address")
    assert caught.value.field == "login"


# ---------------------------------------------------------------- administration and data


def test_disabling_an_account_ends_its_sessions(world):
    user = world.users["family"]
    key = user.get_id()
    users.set_user_enabled(user, False, by=world.users["admin"])
    assert credentials.load_user(key) is None
    assert credentials.authenticate("family@example.cn", PASSWORD) is None
    assert db.session.scalar(sa.select(AuditEntry.action)) == "user.disable"


def test_only_administrators_disable_accounts(world):
    with pytest.raises(PermissionDenied):
        users.set_user_enabled(world.users["family"], False, by=world.users["city"])


def test_my_data_holds_my_account_and_roles_and_nothing_of_others(world):
    data = users.export_user_data(world.users["school"])
    assert data["account"]["email"] == "school@example.cn"
    assert data["roles"][0]["school"] == world.schools["x"].name
    assert "family@example.cn" not in str(data)


def test_deleting_my_account_needs_my_password_and_removes_my_messages(world):
    user = world.users["family"]
    credentials.request_password_reset("family@example.cn", make_link=_make_link)
    with pytest.raises(ServiceError):
        users.delete_account(user, "wrong")
    users.delete_account(user, PASSWORD)
    assert credentials.find_user_by_login("family@example.cn") is None
    assert messages_to("family@example.cn") == []


def test_the_last_administrator_cannot_delete_their_account(world):
    with pytest.raises(ServiceError):
        users.delete_account(world.users["admin"], PASSWORD)


def test_create_user_gives_an_existing_user_another_role(world, regions):
    user, created = users.create_user(
        "family@example.cn", None, role=Role.BUREAU_STAFF, region=regions["140106"]
    )
    assert not created and user.has_role(Role.FAMILY) and user.has_role(Role.BUREAU_STAFF)


def test_create_user_refuses_a_bureau_role_without_a_region(world):
    with pytest.raises(ServiceError):
        users.create_user("x@example.cn", GOOD, role=Role.BUREAU_STAFF)
