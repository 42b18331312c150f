"""Accounts: finding people by their login and checking passwords."""

import sqlalchemy as sa
from werkzeug.security import check_password_hash, generate_password_hash

from models import User, db

# Checked against when no account matches, so a wrong login takes as long as a wrong password.
_DUMMY_HASH = generate_password_hash("not-a-real-password")


def hash_password(password: str) -> str:
    return generate_password_hash(password)


def normalise_login(login: str) -> str:
    return login.strip().lower()


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
