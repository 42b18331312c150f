"""Signing up: family and school-staff accounts, a school role asked for from an existing
account, and the bureau's approval or refusal of school staff."""

from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from models import Role, RoleGrant, School, User, db
from models.user import utcnow
from webapp.services import outbox, permissions
from webapp.services import text as text_rules
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


def new_user(name: str, login: str, password: str, *, now: datetime) -> User:
    """A new user with checked name, login and password. Flushes: it joins the caller's
    `new_account_work()`.

    Raises:
        ServiceError: naming the field that is wrong, or the login is taken.
    """
    name = _check_name(name)
    email, phone = parse_login(login)
    check_new_password(password, login=email or phone or "")
    if find_user_by_login(email or phone) is not None:
        raise ServiceError(_account_exists(), field="login")
    user = User(
        name=name, email=email, phone=phone, password_hash=hash_password(password), created_at=now
    )
    db.session.add(user)
    db.session.flush()
    return user


def register_family(name: str, login: str, password: str, *, now: datetime | None = None) -> User:
    """Create a family (parent or guardian) account: an adult's name and one contact only.

    Rules: the login is an 11-digit mainland mobile number or an e-mail address, not already
    used; the password has 8+ characters and is not a common one.

    Raises:
        ServiceError: naming the field that is wrong.
    """
    with new_account_work():
        user = new_user(name, login, password, now=now or utcnow())
        user.grants.append(RoleGrant(role=Role.FAMILY, created_at=user.created_at))
    return user


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
        school = get_school(school_id)
        user = new_user(name, login, password, now=now)
        _add_school_grant(user, school, now=now)
        _notify_bureau_of_request(school)
    return user


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
