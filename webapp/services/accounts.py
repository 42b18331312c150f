"""Accounts: signing up, logging in, passwords, one-time links, roles and personal data."""

import hashlib
import re
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from models import (
    LinkPurpose,
    OneTimeLink,
    OutboxMessage,
    Region,
    Role,
    RoleGrant,
    School,
    User,
    Venue,
    db,
)
from models.user import utcnow
from webapp.services import like, outbox, permissions
from webapp.services import text as text_rules
from webapp.services.audit import record_change
from webapp.services.booking.bookings import forget_bookings_of
from webapp.services.errors import NotFound, PermissionDenied, ServiceError

# Checked against when no account matches, so a wrong login takes as long as a wrong password.
_DUMMY_HASH = generate_password_hash("not-a-real-password")

#: ASCII digits only: \d alone would take Arabic-Indic or Devanagari digits too
PHONE_RE = re.compile(r"^1[3-9]\d{9}$", re.ASCII)
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MIN_PASSWORD_LENGTH = 8
COMMON_PASSWORDS_FILE = Path(__file__).resolve().parent.parent / "data" / "common-passwords.txt"

MakeLink = Callable[[str], str]


# ---------------------------------------------------------------- passwords and logins


def hash_password(password: str) -> str:
    return generate_password_hash(password)


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    with COMMON_PASSWORDS_FILE.open(encoding="utf-8") as handle:
        return frozenset(
            line.strip() for line in handle if line.strip() and not line.startswith("#")
        )


def check_new_password(password: str, *, login: str = "") -> None:
    """Refuse a password that is too short, too common, or the login itself.

    Raises:
        ServiceError: on the `password` field, saying why.
    """
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise ServiceError(
            _("The password needs at least %(n)d characters.", n=MIN_PASSWORD_LENGTH),
            field="password",
        )
    if len(password) > 200:
        raise ServiceError(_("The password is too long."), field="password")
    lowered = password.lower()
    if lowered in common_passwords() or (login and lowered == login.lower()):
        raise ServiceError(
            _("This password is too common and easy to guess. Please choose another."),
            field="password",
        )


def normalise_login(login: str) -> str:
    """Lower-case e-mail; a mobile number without spaces, hyphens or a +86 prefix."""
    # NFKC first: full-width digits typed on a Chinese keyboard are ordinary digits
    text = text_rules.normalise(login).lower()
    if "@" in text:
        return text
    digits = re.sub(r"[\s-]", "", text)
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    return digits


def parse_login(login: str) -> tuple[str | None, str | None]:
    """(email, phone) from what a person typed as their login.

    Raises:
        ServiceError: on the `login` field when it is neither a mainland mobile number nor an
            e-mail address.
    """
    text = normalise_login(login)
    if PHONE_RE.match(text):
        return None, text
    if EMAIL_RE.match(text) and len(text) <= 254:
        return text, None
    raise ServiceError(
        _("Enter an 11-digit mainland mobile number or an e-mail address."), field="login"
    )


def find_user_by_login(login: str) -> User | None:
    login = normalise_login(login)
    if not login:
        return None
    return db.session.scalar(
        sa.select(User).where(sa.or_(User.email == login, User.phone == login))
    )


def authenticate(login: str, password: str) -> User | None:
    """The enabled user whose login and password match, else None (the same for every failure)."""
    user = find_user_by_login(login)
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    if not check_password_hash(user.password_hash, password) or not user.is_enabled:
        return None
    return user


def load_user(user_key: str) -> User | None:
    """Flask-Login's loader: the id and session version must both still match."""
    try:
        user_id, version = (int(part) for part in user_key.split(":"))
    except ValueError:
        return None
    user = db.session.get(User, user_id)
    if user is None or user.session_version != version or not user.is_enabled:
        return None
    return user


def end_all_sessions(user: User) -> None:
    """Void every session cookie the user holds (logout, password change, disabling)."""
    user.session_version += 1
    db.session.commit()


# ---------------------------------------------------------------- signing up


def _check_name(name: str) -> str:
    name = text_rules.clean_line(name, field="name")
    if not name:
        raise ServiceError(_("Please enter your name."), field="name")
    if len(name) > 60:
        raise ServiceError(_("The name is too long."), field="name")
    return name


def _new_user(name: str, login: str, password: str, *, now: datetime) -> User:
    """A new user with checked name, login and password (flushes; caller commits)."""
    name = _check_name(name)
    email, phone = parse_login(login)
    check_new_password(password, login=email or phone or "")
    if find_user_by_login(email or phone) is not None:
        raise ServiceError(
            _("An account with this mobile number or e-mail already exists. Log in instead."),
            field="login",
        )
    user = User(
        name=name, email=email, phone=phone, password_hash=hash_password(password), created_at=now
    )
    db.session.add(user)
    db.session.flush()
    return user


def _commit_new_account():
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise ServiceError(
            _("An account with this mobile number or e-mail already exists. Log in instead."),
            field="login",
        ) from None


def register_family(name: str, login: str, password: str, *, now: datetime | None = None) -> User:
    """Create a family (parent or guardian) account: an adult's name and one contact only.

    Rules: the login is an 11-digit mainland mobile number or an e-mail address, not already
    used; the password has 8+ characters and is not a common one.

    Raises:
        ServiceError: naming the field that is wrong.
    """
    try:
        user = _new_user(name, login, password, now=now or utcnow())
        user.grants.append(RoleGrant(role=Role.FAMILY, created_at=user.created_at))
    except ServiceError:
        db.session.rollback()
        raise
    _commit_new_account()
    return user


def get_school(school_id) -> School:
    """The school with this id.

    Raises:
        NotFound: when there is no such school.
    """
    try:
        school = db.session.get(School, int(school_id))
    except (TypeError, ValueError):
        school = None
    if school is None:
        raise NotFound(_("This school is not in our list. Choose it again."), field="school")
    return school


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
    db.session.commit()


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
    try:
        school = get_school(school_id)
        user = _new_user(name, login, password, now=now)
        _add_school_grant(user, school, now=now)
    except ServiceError:
        db.session.rollback()
        raise
    _commit_new_account()
    _notify_bureau_of_request(school)
    return user


def request_school_role(user: User, school_id, *, now: datetime | None = None) -> RoleGrant:
    """Ask, from an existing account, to act for a school (one person, several roles).

    Raises:
        NotFound: the school does not exist.
        ServiceError: the user already asked for this school.
    """
    try:
        school = get_school(school_id)
        grant = _add_school_grant(user, school, now=now or utcnow())
        db.session.commit()
    except ServiceError:
        db.session.rollback()
        raise
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
    try:
        grant = _grant_in_scope(grant_id, by, pending=False)
        before = _grant_values(grant)
        grant.is_approved = True
        record_change(
            by, "staff.approve", grant, before=before, after=_grant_values(grant), now=now
        )
        db.session.commit()
    except ServiceError:
        db.session.rollback()
        raise
    outbox.send_and_commit(
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
    try:
        grant = _grant_in_scope(grant_id, by, pending=False)
        user, school = grant.user, grant.school
        record_change(by, "staff.reject", grant, before=_grant_values(grant), now=now)
        user.grants.remove(grant)
        db.session.commit()
    except ServiceError:
        db.session.rollback()
        raise
    outbox.send_and_commit(
        user,
        _l("Your school account request was not approved"),
        _l(
            "Your request to act for %(school)s was not approved. Contact your county "
            "education bureau if you think this is a mistake.",
            school=school.name,
        ),
        now=now,
    )


# ---------------------------------------------------------------- one-time links


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _new_link(purpose: LinkPurpose, lifetime: timedelta, *, now: datetime, **values):
    token = secrets.token_urlsafe(32)
    link = OneTimeLink(
        purpose=purpose,
        token_hash=_token_hash(token),
        created_at=now,
        expires_at=now + lifetime,
        **values,
    )
    db.session.add(link)
    db.session.flush()
    return link, token


def get_usable_link(token: str, purpose: LinkPurpose, *, now: datetime | None = None):
    """The link for this token, if it still works.

    Raises:
        ServiceError: the link is unknown, used already or expired (one message for all).
    """
    now = now or utcnow()
    link = None
    if token and len(token) < 200:
        link = db.session.scalar(
            sa.select(OneTimeLink).where(
                OneTimeLink.token_hash == _token_hash(token), OneTimeLink.purpose == purpose
            )
        )
    if link is None or not link.is_usable(now):
        raise ServiceError(_("This link has expired or has already been used. Ask for a new one."))
    return link


def request_password_reset(login: str, *, make_link: MakeLink, now: datetime | None = None):
    """Send a one-time reset link to the account's own e-mail or phone, if there is one.

    Rules: the caller shows the same answer whether or not the account exists; a disabled
    account gets nothing; the link works once and expires after PASSWORD_RESET_HOURS.
    """
    now = now or utcnow()
    user = find_user_by_login(login)
    if user is None or not user.is_enabled:
        return
    hours = current_app.config.get("PASSWORD_RESET_HOURS", 2)
    _link, token = _new_link(
        LinkPurpose.PASSWORD_RESET, timedelta(hours=hours), now=now, user_id=user.id
    )
    db.session.commit()
    outbox.send_and_commit(
        user,
        _l("Reset your password"),
        _l(
            "Open this link within %(hours)d hours to choose a new password: %(link)s\n"
            "If you did not ask for it, ignore this message.",
            hours=hours,
            link=make_link(token),
        ),
        now=now,
    )


def reset_password(token: str, password: str, *, now: datetime | None = None) -> User:
    """Set a new password through a reset link; the link is spent and every session ends.

    Raises:
        ServiceError: the link has expired or was used, or the password is refused.
    """
    now = now or utcnow()
    try:
        link = get_usable_link(token, LinkPurpose.PASSWORD_RESET, now=now)
        user = link.user
        check_new_password(password, login=user.login_name)
        user.password_hash = hash_password(password)
        user.session_version += 1
        link.used_at = now
        # every other reset link of this person stops working too
        for other in db.session.scalars(
            sa.select(OneTimeLink).where(
                OneTimeLink.user_id == user.id, OneTimeLink.used_at.is_(None)
            )
        ):
            other.used_at = now
        db.session.commit()
    except ServiceError:
        db.session.rollback()
        raise
    return user


def change_password(user: User, current: str, new: str) -> None:
    """Change a password knowing the current one; every other session of the user ends.

    Raises:
        ServiceError: the current password is wrong or the new one is refused.
    """
    if not check_password_hash(user.password_hash, current or ""):
        raise ServiceError(_("The current password is wrong."), field="current")
    check_new_password(new, login=user.login_name)
    user.password_hash = hash_password(new)
    user.session_version += 1
    db.session.commit()


# ---------------------------------------------------------------- venue-staff invitations


def invite_venue_staff(
    venue: Venue,
    recipient: str,
    *,
    is_manager: bool = False,
    by: User,
    make_link: MakeLink,
    now: datetime | None = None,
) -> OneTimeLink:
    """Invite someone to join a venue's staff with a link that works once and expires.

    Rules: bureau staff of the venue's region or a manager of the venue may invite; the
    recipient is an e-mail address or mobile number; audited.

    Raises:
        PermissionDenied: `by` may not invite staff to this venue.
        ServiceError: the recipient is not an e-mail address or mobile number.
    """
    now = now or utcnow()
    try:
        permissions.require(by, "venue.invite_staff", venue)
        email, phone = parse_login(recipient)
        days = current_app.config.get("INVITATION_DAYS", 7)
        link, token = _new_link(
            LinkPurpose.VENUE_INVITATION,
            timedelta(days=days),
            now=now,
            recipient=email or phone,
            venue_id=venue.id,
            is_manager=bool(is_manager),
            created_by_id=by.id,
        )
        record_change(
            by,
            "venue.invite_staff",
            link,
            after={"venue": venue.name, "recipient": link.recipient, "manager": link.is_manager},
            region=venue.county,
            now=now,
        )
        db.session.commit()
    except ServiceError:
        db.session.rollback()
        raise
    outbox.send_and_commit(
        link.recipient,
        _l("You are invited to join %(venue)s", venue=venue.name),
        _l(
            "%(who)s invited you to join the staff of %(venue)s. Open this link within "
            "%(days)d days to accept: %(link)s",
            who=by.name or by.login_name,
            venue=venue.name,
            days=days,
            link=make_link(token),
        ),
        now=now,
    )
    return link


def list_invitations(*, by: User, venue: Venue | None = None) -> list[OneTimeLink]:
    """Invitations to venues that `by` may invite staff to, newest first."""
    query = (
        sa.select(OneTimeLink)
        .join(Venue, OneTimeLink.venue_id == Venue.id)
        .where(OneTimeLink.purpose == LinkPurpose.VENUE_INVITATION)
        .order_by(OneTimeLink.id.desc())
    )
    if venue is not None:
        query = query.where(OneTimeLink.venue_id == venue.id)
    return [
        link
        for link in db.session.scalars(query.limit(500))
        if permissions.can(by, "venue.invite_staff", link.venue)
    ]


def list_venue_staff(venue: Venue) -> list[RoleGrant]:
    """The venue-staff grants of a venue, managers first."""
    return list(
        db.session.scalars(
            sa.select(RoleGrant)
            .where(RoleGrant.venue_id == venue.id, RoleGrant.role == Role.VENUE_STAFF)
            .order_by(RoleGrant.is_manager.desc(), RoleGrant.id)
        )
    )


def accept_invitation(
    token: str,
    *,
    user: User | None = None,
    name: str = "",
    login: str = "",
    password: str = "",
    now: datetime | None = None,
) -> User:
    """Join a venue's staff through an invitation: as the signed-in `user`, or a new account.

    Raises:
        ServiceError: the link has expired or was used, or the new account's details are wrong.
    """
    now = now or utcnow()
    try:
        link = get_usable_link(token, LinkPurpose.VENUE_INVITATION, now=now)
        if user is None:
            user = _new_user(name, login, password, now=now)
        existing = next(
            (g for g in user.grants if g.role is Role.VENUE_STAFF and g.venue_id == link.venue_id),
            None,
        )
        if existing is None:
            user.grants.append(
                RoleGrant(
                    role=Role.VENUE_STAFF,
                    venue_id=link.venue_id,
                    is_manager=link.is_manager,
                    created_at=now,
                )
            )
        else:
            existing.is_manager = existing.is_manager or link.is_manager
        link.used_at = now
        db.session.flush()
    except ServiceError:
        db.session.rollback()
        raise
    _commit_new_account()
    return user


# ---------------------------------------------------------------- administration


def set_user_enabled(user: User, enabled: bool, *, by: User) -> None:
    """Disable (every session ends at once) or re-enable an account; audited.

    Raises:
        PermissionDenied: `by` is not an administrator, or disables themselves.
    """
    permissions.require(by, "admin.access")
    if user.id == by.id and not enabled:
        raise PermissionDenied(_("You cannot disable your own account."))
    before = {"enabled": user.is_enabled}
    user.is_enabled = enabled
    if not enabled:
        user.session_version += 1
    record_change(
        by,
        "user.enable" if enabled else "user.disable",
        user,
        before=before,
        after={"enabled": enabled},
    )
    db.session.commit()


def search_users(text: str = "", *, by: User, page: int = 1, per_page: int = 50):
    """Accounts matching a login or name fragment, for administrators."""
    permissions.require(by, "admin.access")
    query = sa.select(User).order_by(User.id)
    text = (text or "").strip().lower()
    if text:
        query = query.where(
            sa.or_(*(like.contains(column, text) for column in (User.email, User.phone, User.name)))
        )
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def create_user(
    login: str,
    password: str | None,
    *,
    role: Role,
    name: str = "",
    region: Region | None = None,
    venue: Venue | None = None,
    school: School | None = None,
    is_manager: bool = False,
    check_password: bool = True,
) -> tuple[User, bool]:
    """Create a user holding `role` (or give an existing user that role), for CLI and seed.

    Rules: bureau staff need a region, venue staff a venue, school staff a school (approved at
    once). An existing user keeps their password unless one is given. Returns (user, created).

    Raises:
        ServiceError: a scope is missing or the login or password is refused.
    """
    needs = {Role.BUREAU_STAFF: region, Role.VENUE_STAFF: venue, Role.SCHOOL_STAFF: school}
    if role in needs and needs[role] is None:
        raise ServiceError(_("This role needs a region, venue or school."))
    user = find_user_by_login(login)
    created = user is None
    try:
        if created:
            email, phone = parse_login(login)
            if check_password:
                check_new_password(password or "", login=email or phone)
            user = User(
                email=email,
                phone=phone,
                name=(name or email or phone)[:60],
                password_hash=hash_password(password or ""),
            )
            db.session.add(user)
        elif password:
            if check_password:
                check_new_password(password, login=user.login_name)
            user.password_hash = hash_password(password)
            user.session_version += 1
        scope = dict(region=region, venue=venue, school=school)
        same = [
            g
            for g in user.grants
            if g.role is role and g.region is region and g.venue is venue and g.school is school
        ]
        if same:
            for grant in same:
                grant.is_approved, grant.is_manager = True, grant.is_manager or is_manager
        else:
            user.grants.append(RoleGrant(role=role, is_manager=is_manager, **scope))
        db.session.flush()
    except ServiceError:
        db.session.rollback()
        raise
    return user, created


# ---------------------------------------------------------------- personal data


def export_user_data(user: User) -> dict:
    """Everything the site holds about a person, as JSON-ready data (PIPL right of access)."""
    messages = db.session.scalars(
        sa.select(OutboxMessage).where(OutboxMessage.user_id == user.id).order_by(OutboxMessage.id)
    )
    return {
        "account": {
            "id": user.id,
            "name": user.name,
            "email": user.email,
            "phone": user.phone,
            "created_at": user.created_at.isoformat() + "Z",
            "enabled": user.is_enabled,
        },
        "roles": [
            {
                "role": g.role.value,
                "region": g.region.name if g.region else None,
                "venue": g.venue.name if g.venue else None,
                "school": g.school.name if g.school else None,
                "manager": g.is_manager,
                "approved": g.is_approved,
                "since": g.created_at.isoformat() + "Z",
            }
            for g in user.grants
        ],
        "messages": [
            {
                "subject": m.subject,
                "body": m.body,
                "to": m.recipient,
                "created_at": m.created_at.isoformat() + "Z",
                "sent_at": m.sent_at.isoformat() + "Z" if m.sent_at else None,
            }
            for m in messages
        ],
    }


def delete_account(user: User, password: str, *, now: datetime | None = None) -> None:
    """Delete a person's account and what hangs off it, after checking their password.

    Rules: messages to them are deleted; their bookings are deleted, and the places those held
    for sessions still to come go back; audit entries they made keep only their login as it
    was; the last administrator cannot delete themselves.

    Raises:
        ServiceError: the password is wrong, or this is the last administrator.
    """
    if not check_password_hash(user.password_hash, password or ""):
        raise ServiceError(_("The password is wrong."), field="password")
    if user.is_admin:
        admins = db.session.scalar(
            sa.select(sa.func.count(sa.distinct(RoleGrant.user_id))).where(
                RoleGrant.role == Role.ADMIN
            )
        )
        if admins <= 1:
            raise ServiceError(_("The last administrator cannot delete their account."))
    try:
        forget_bookings_of(user, now=now or utcnow())
        db.session.execute(sa.delete(OutboxMessage).where(OutboxMessage.user_id == user.id))
        db.session.delete(user)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise ServiceError(
            _(
                "The account is still tied to records that must be kept. Contact the site "
                "administrator to delete it."
            )
        ) from None


def list_venues_for_invitations(*, by: User) -> list[Venue]:
    """Venues in `by`'s bureau scope or managed by `by`, by name, for the invitation page."""
    query = sa.select(Venue).order_by(Venue.name_pinyin, Venue.id)
    managed = {
        g.venue_id for g in by.active_grants(Role.VENUE_STAFF) if g.is_manager and g.venue_id
    }
    if not permissions.bureau_regions(by) and not by.is_admin:
        query = query.where(Venue.id.in_(managed))
    else:
        query = query.where(
            sa.or_(permissions.scope_clause(by, Venue.county_id), Venue.id.in_(managed))
        )
    return list(db.session.scalars(query.limit(500)))
