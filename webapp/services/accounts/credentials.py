"""Credentials: passwords, logins, session versions and the one-time links sent to people
(password resets here; venue-staff invitations in `invitations`)."""

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
from sqlalchemy.orm import joinedload
from werkzeug.security import check_password_hash, generate_password_hash

from models import LinkPurpose, OneTimeLink, User, db
from models.user import utcnow
from webapp.services import outbox
from webapp.services import text as text_rules
from webapp.services.errors import ServiceError
from webapp.services.transactions import unit_of_work

# Checked against when no account matches, so a wrong login takes as long as a wrong password.
_DUMMY_HASH = generate_password_hash("not-a-real-password")

#: ASCII digits only: \d alone would take Arabic-Indic or Devanagari digits too
PHONE_RE = re.compile(r"^1[3-9]\d{9}$", re.ASCII)
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MIN_PASSWORD_LENGTH = 8
COMMON_PASSWORDS_FILE = Path(__file__).resolve().parents[2] / "data" / "common-passwords.txt"

#: turns a one-time link's token into the absolute URL sent to the person
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
    # the person and their grants in one statement: every signed-in request pays for it
    user = db.session.get(User, user_id, options=[joinedload(User.grants)])
    if user is None or user.session_version != version or not user.is_enabled:
        return None
    return user


def end_all_sessions(user: User) -> None:
    """Void every session cookie the user holds (logout, password change, disabling)."""
    with unit_of_work():
        user.session_version += 1


def change_password(user: User, current: str, new: str) -> None:
    """Change a password knowing the current one; every other session of the user ends.

    Raises:
        ServiceError: the current password is wrong or the new one is refused.
    """
    with unit_of_work():
        if not check_password_hash(user.password_hash, current or ""):
            raise ServiceError(_("The current password is wrong."), field="current")
        check_new_password(new, login=user.login_name)
        user.password_hash = hash_password(new)
        user.session_version += 1


# ---------------------------------------------------------------- one-time links


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_one_time_link(
    purpose: LinkPurpose, lifetime: timedelta, *, now: datetime, **values
) -> tuple[OneTimeLink, str]:
    """A new link and the token to send (only its hash is stored). Flushes: it joins the
    caller's unit of work."""
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
    with unit_of_work():
        _link, token = new_one_time_link(
            LinkPurpose.PASSWORD_RESET, timedelta(hours=hours), now=now, user_id=user.id
        )
        outbox.send_message(
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
    with unit_of_work():
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
    return user
