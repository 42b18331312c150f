"""Users: administrators enabling and finding accounts, accounts made from the command line
and the seed, and a person's own data (export and deletion, as PIPL asks)."""

from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from werkzeug.security import check_password_hash

from models import OutboxMessage, Region, Role, RoleGrant, School, User, Venue, db
from models.user import utcnow
from webapp.services import like, permissions
from webapp.services.accounts.credentials import (
    check_new_password,
    find_user_by_login,
    hash_password,
    parse_login,
)
from webapp.services.audit import record_change
from webapp.services.booking.bookings import forget_bookings_of
from webapp.services.errors import PermissionDenied, ServiceError
from webapp.services.transactions import unit_of_work

# ---------------------------------------------------------------- administration


def set_user_enabled(user: User, enabled: bool, *, by: User) -> None:
    """Disable (every session ends at once) or re-enable an account; audited.

    Raises:
        PermissionDenied: `by` is not an administrator, or disables themselves.
    """
    with unit_of_work():
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
    A step of the caller's unit of work (the seed's load, the CLI command's): it flushes, and
    every refusal comes before anything is written.

    Raises:
        ServiceError: a scope is missing or the login or password is refused.
    """
    needs = {Role.BUREAU_STAFF: region, Role.VENUE_STAFF: venue, Role.SCHOOL_STAFF: school}
    if role in needs and needs[role] is None:
        raise ServiceError(_("This role needs a region, venue or school."))
    user = find_user_by_login(login)
    created = user is None
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
        ServiceError: the password is wrong, or this is the last administrator, or the
            account is still tied to records that must be kept.
    """
    kept_records = _(
        "The account is still tied to records that must be kept. Contact the site "
        "administrator to delete it."
    )
    with unit_of_work(conflict_message=kept_records):
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
        forget_bookings_of(user, now=now or utcnow())
        db.session.execute(sa.delete(OutboxMessage).where(OutboxMessage.user_id == user.id))
        db.session.delete(user)
