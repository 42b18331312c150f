"""Signing up: family and school-staff accounts, a school role asked for from an existing
account, and the bureau's approval or refusal of school staff.

The sign-up pages call `sign_up_family` / `sign_up_school_staff`, which never tell a stranger
whether an account exists: a new account gets a confirmation code (see `confirmation`), a
login already taken gets a decoy ticket and its owner a message, and both answers look the
same. New self-made accounts are unconfirmed until the code is entered.
"""

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from models import Role, RoleGrant, School, User, db
from models.user import utcnow
from webapp.services import outbox, permissions
from webapp.services import text as text_rules
from webapp.services.accounts import confirmation
from webapp.services.accounts.credentials import (
    check_new_password,
    find_user_by_login,
    hash_password,
    parse_login,
)
from webapp.services.accounts.schools import get_school
from webapp.services.audit import record_change
from webapp.services.errors import NotFound, ServiceError
from webapp.services.transactions import unit_of_work


def _account_exists() -> str:
    return _("An account with this mobile number or e-mail already exists. Log in instead.")


class LoginTaken(ServiceError):
    """The login belongs to an account already (never shown to a stranger by sign-up)."""


def new_account_work():
    """The unit of work that writes a new account: a login taken by someone else in the
    meantime (the unique constraint) gets the same message as one taken before."""
    return unit_of_work(conflict_message=_account_exists(), conflict_field="login")


def _check_name(name: str) -> str:
    name = text_rules.clean_line(name, field="name")
    if not name:
        raise ServiceError(_("Please enter your name."), field="name")
    if len(name) > 60:
        raise ServiceError(_("The name is too long."), field="name")
    return name


def check_sign_up(name: str, login: str, password: str) -> tuple[str, str]:
    """The checks that need no database, the same whoever holds the login: the clean name
    and the normalised login.

    Raises:
        ServiceError: naming the field that is wrong.
    """
    name = _check_name(name)
    email, phone = parse_login(login)
    check_new_password(password, login=email or phone or "")
    return name, email or phone


def new_user(
    name: str, login: str, password: str, *, now: datetime, is_confirmed: bool = True
) -> User:
    """A new user with checked name, login and password. Flushes: it joins the caller's
    `new_account_work()`.

    Raises:
        ServiceError: naming the field that is wrong.
        LoginTaken: the login is taken.
    """
    name, login = check_sign_up(name, login, password)
    email, phone = parse_login(login)
    if find_user_by_login(login) is not None:
        raise LoginTaken(_account_exists(), field="login")
    user = User(
        name=name,
        email=email,
        phone=phone,
        password_hash=hash_password(password),
        created_at=now,
        is_confirmed=is_confirmed,
    )
    db.session.add(user)
    db.session.flush()
    return user


def register_family(name: str, login: str, password: str, *, now: datetime | None = None) -> User:
    """Create a family (parent or guardian) account: an adult's name and one contact only.

    Rules: the login is an 11-digit mainland mobile number or an e-mail address, not already
    used; the password has 8+ characters and is not a common one. The account is unconfirmed
    until the code sent to it is entered (use `sign_up_family` from pages: it also sends it).

    Raises:
        ServiceError: naming the field that is wrong; LoginTaken.
    """
    with new_account_work():
        user = _new_family(name, login, password, now=now or utcnow())
    return user


def _new_family(name: str, login: str, password: str, *, now: datetime) -> User:
    user = new_user(name, login, password, now=now, is_confirmed=False)
    user.grants.append(RoleGrant(role=Role.FAMILY, created_at=user.created_at))
    return user


@dataclass
class SignUp:
    """What a sign-up produced. The page shows the same thing either way: it keeps `ticket`
    in the session and asks for the code; `user` is for tests and logs only."""

    ticket: str
    #: the new, unconfirmed account; None when the login was taken (its owner was told)
    user: User | None


def _sign_up(login: str, password: str, create, *, now: datetime) -> SignUp:
    """Create through `create()` and send a code, or, when the login is taken (before or by
    a concurrent sign-up), hash the password all the same and give a decoy ticket."""
    try:
        with unit_of_work():
            user = create()
            ticket = confirmation.start_confirmation(user, now=now)
        return SignUp(ticket, user)
    except (LoginTaken, IntegrityError):
        db.session.rollback()
    hash_password(password)  # as long as a real sign-up takes, so timing tells nothing
    owner = find_user_by_login(login)
    if owner is None:  # removed meanwhile: nothing to tell, and the page still looks the same
        return SignUp(confirmation.new_ticket(), None)
    return SignUp(confirmation.start_decoy(owner, now=now), None)


def sign_up_family(name: str, login: str, password: str, *, now: datetime | None = None) -> SignUp:
    """Sign-up page for families: the same answer whether or not the login is taken.

    Rules: as `register_family` for the fields (refusals name the field, and do not depend on
    the login being taken); a new account gets a confirmation code through the outbox (SMS to
    a mobile number, e-mail to an address); a login already taken gets nothing new, and its
    owner a message saying someone tried to register with it.

    Raises:
        ServiceError: naming the field that is wrong.
    """
    now = now or utcnow()
    check_sign_up(name, login, password)
    return _sign_up(
        login, password, lambda: _new_family(name, login, password, now=now), now=now
    )


def _add_school_grant(user: User, school: School, *, now: datetime) -> RoleGrant:
    if any(g.role is Role.SCHOOL_STAFF and g.school_id == school.id for g in user.grants):
        raise ServiceError(_("You have already asked to act for this school."), field="school")
    grant = RoleGrant(role=Role.SCHOOL_STAFF, school=school, is_approved=False, created_at=now)
    user.grants.append(grant)
    db.session.flush()
    return grant


def _notify_bureau_of_request(school: School) -> None:
    grants = db.session.scalars(
        sa.select(RoleGrant).where(RoleGrant.role == Role.BUREAU_STAFF, RoleGrant.is_approved)
    )
    for grant in grants:
        if grant.region is not None and permissions.covers(grant.region, school.county):
            outbox.send_message(
                grant.user,
                _l("A school account awaits your approval"),
                _l(
                    "Someone asked to act for %(school)s. Open the bureau console to approve "
                    "or refuse.",
                    school=school.name,
                ),
            )


def register_school_staff(
    name: str, login: str, password: str, school_id, *, now: datetime | None = None
) -> User:
    """Create an account for a member of a school's staff, waiting for the bureau's approval.

    Rules: as for families; the school must exist; the grant is not approved until bureau
    staff whose scope covers the school's county approve it. The bureau is told by message.

    Raises:
        NotFound: the school does not exist.
        ServiceError: naming the field that is wrong.
    """
    now = now or utcnow()
    with new_account_work():
        user = _new_school_staff(name, login, password, get_school(school_id), now=now)
    return user


def _new_school_staff(name, login, password, school: School, *, now: datetime) -> User:
    user = new_user(name, login, password, now=now, is_confirmed=False)
    _add_school_grant(user, school, now=now)
    _notify_bureau_of_request(school)
    return user


def sign_up_school_staff(
    name: str, login: str, password: str, school_id, *, now: datetime | None = None
) -> SignUp:
    """Sign-up page for school staff: as `sign_up_family`, the school's bureau told of the
    request only when an account was made.

    Raises:
        NotFound: the school does not exist (whoever holds the login).
        ServiceError: naming the field that is wrong.
    """
    now = now or utcnow()
    check_sign_up(name, login, password)
    school = get_school(school_id)
    return _sign_up(
        login,
        password,
        lambda: _new_school_staff(name, login, password, school, now=now),
        now=now,
    )


def request_school_role(user: User, school_id, *, now: datetime | None = None) -> RoleGrant:
    """Ask, from an existing account, to act for a school (one person, several roles).

    Raises:
        NotFound: the school does not exist.
        ServiceError: the user already asked for this school.
    """
    now = now or utcnow()
    with unit_of_work():
        school = get_school(school_id)
        grant = _add_school_grant(user, school, now=now)
        _notify_bureau_of_request(school)
    return grant


# ---------------------------------------------------------------- approvals


def list_pending_school_staff(*, by: User) -> list[RoleGrant]:
    """School-staff requests waiting for approval, in the schools of `by`'s scope, oldest first.

    Raises:
        PermissionDenied: `by` is not bureau staff or an administrator.
    """
    permissions.require(by, "bureau.console")
    query = (
        sa.select(RoleGrant)
        .join(School, RoleGrant.school_id == School.id)
        .where(RoleGrant.role == Role.SCHOOL_STAFF, RoleGrant.is_approved.is_(False))
        .where(permissions.scope_clause(by, School.county_id))
        .order_by(RoleGrant.created_at, RoleGrant.id)
    )
    return list(db.session.scalars(query))


def _grant_in_scope(grant_id, by: User, *, pending: bool) -> RoleGrant:
    try:
        grant = db.session.get(RoleGrant, int(grant_id))
    except (TypeError, ValueError):
        grant = None
    if grant is None or grant.role is not Role.SCHOOL_STAFF:
        raise NotFound(_("This request no longer exists or was already decided."))
    # permission first, so someone outside the scope learns nothing about the request's state
    permissions.require(by, "school.approve_staff", grant)
    if grant.is_approved is not pending:
        raise NotFound(_("This request no longer exists or was already decided."))
    return grant


def _grant_values(grant: RoleGrant) -> dict:
    return {
        "user": grant.user.login_name,
        "role": grant.role.value,
        "school": grant.school.name if grant.school else None,
        "approved": grant.is_approved,
    }


def approve_school_staff(grant_id, *, by: User, now: datetime | None = None) -> RoleGrant:
    """Let a school-staff account act for its school; audited; the person is told.

    Raises:
        NotFound: no pending request with this id.
        PermissionDenied: the school's county lies outside `by`'s scope.
    """
    with unit_of_work():
        grant = _grant_in_scope(grant_id, by, pending=False)
        before = _grant_values(grant)
        grant.is_approved = True
        record_change(
            by, "staff.approve", grant, before=before, after=_grant_values(grant), now=now
        )
        outbox.send_message(
            grant.user,
            _l("Your school account was approved"),
            _l("You can now act for %(school)s.", school=grant.school.name),
            now=now,
        )
    return grant


def reject_school_staff(grant_id, *, by: User, now: datetime | None = None) -> None:
    """Refuse a school-staff request: the request is removed (the account stays); audited.

    Raises:
        NotFound: no pending request with this id.
        PermissionDenied: the school's county lies outside `by`'s scope.
    """
    with unit_of_work():
        grant = _grant_in_scope(grant_id, by, pending=False)
        user, school = grant.user, grant.school
        record_change(by, "staff.reject", grant, before=_grant_values(grant), now=now)
        user.grants.remove(grant)
        outbox.send_message(
            user,
            _l("Your school account request was not approved"),
            _l(
                "Your request to act for %(school)s was not approved. Contact your county "
                "education bureau if you think this is a mistake.",
                school=school.name,
            ),
            now=now,
        )
