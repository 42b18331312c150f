"""Venue-staff invitations: a one-time link that lets a person join a venue's staff, with the
lists of staff, invitations and invitable venues the invitation pages show."""

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from models import LinkPurpose, OneTimeLink, Role, RoleGrant, User, Venue, db
from models.user import utcnow
from webapp.services import outbox, permissions
from webapp.services.accounts.credentials import (
    MakeLink,
    get_usable_link,
    new_one_time_link,
    parse_login,
)
from webapp.services.accounts.signup import new_account_work, new_user
from webapp.services.audit import record_change
from webapp.services.transactions import unit_of_work


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
    with unit_of_work():
        permissions.require(by, "venue.invite_staff", venue)
        email, phone = parse_login(recipient)
        days = current_app.config.get("INVITATION_DAYS", 7)
        link, token = new_one_time_link(
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
        outbox.send_message(
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
    with new_account_work():
        link = get_usable_link(token, LinkPurpose.VENUE_INVITATION, now=now)
        if user is None:
            user = new_user(name, login, password, now=now)
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
    return user
