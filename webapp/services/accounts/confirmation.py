"""Confirming a new account's mobile number or e-mail with a one-time code.

Sign-up sends a six-digit code through the outbox (by SMS to a mobile number, by e-mail to an
address) and gives the browser an opaque ticket; the person types the code on the
confirmation page. Only keyed hashes are stored. A code expires after
CONFIRMATION_CODE_MINUTES, takes CONFIRMATION_MAX_ATTEMPTS wrong entries, and a new one can
be asked for CONFIRMATION_MAX_SENDS times per ticket, no sooner than
CONFIRMATION_RESEND_SECONDS after the last. Every change to a ticket is a compare-and-set
(one conditional UPDATE, its row count checked), so two entries of one code at the same
moment confirm once. A sign-up with a login already taken gets a decoy ticket that behaves
the same way but matches no code, so the page never tells a stranger the account exists.
"""

import hashlib
import hmac
import re
import secrets
import time as time_module
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from models import ConfirmationCode, User, db
from models.user import utcnow
from webapp.services import outbox
from webapp.services import text as text_rules
from webapp.services.errors import ServiceError
from webapp.services.transactions import unit_of_work

CODE_LENGTH = 6
_CODE_RE = re.compile(r"\d{6}", re.ASCII)
#: a signed-in account may start a fresh ticket once its latest is this old
_FRESH_TICKET_AFTER = timedelta(hours=24)
#: Only the race tests' control runs turn this off, to show the harness can see a race.
_guard = True


def _unspent() -> list:
    """The compare-and-set condition: the ticket is not spent yet (off in a control run)."""
    if not _guard:
        time_module.sleep(0.05)  # widen the window between the caller's read and the write
        return []
    return [ConfirmationCode.used_at.is_(None)]


class CodeError(ServiceError):
    status_code = 422


class TooManyAttempts(CodeError):
    status_code = 429


def _setting(name: str) -> int:
    return int(current_app.config[name])


def _ticket_hash(ticket: str) -> str:
    return hashlib.sha256(ticket.encode()).hexdigest()


def _code_hash(ticket_hash: str, code: str) -> str:
    key = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(key, f"{ticket_hash}:{code}".encode(), hashlib.sha256).hexdigest()


def _new_code() -> str:
    return f"{secrets.randbelow(10**CODE_LENGTH):0{CODE_LENGTH}d}"


def _send_code(user: User, code: str, *, now: datetime) -> None:
    outbox.send_message(
        user,
        _l("Your confirmation code"),
        _l(
            "Your confirmation code is %(code)s. Enter it on the confirmation page within "
            "%(minutes)d minutes. If you did not sign up, ignore this message.",
            code=code,
            minutes=_setting("CONFIRMATION_CODE_MINUTES"),
        ),
        now=now,
        link=outbox.absolute_url("auth.confirm"),
    )


def _tell_owner(user: User, *, now: datetime) -> None:
    outbox.send_message(
        user,
        _l("Someone tried to register with your number"),
        _l(
            "Someone tried to sign up with your mobile number or e-mail, which already has an "
            "account. If it was you, log in or reset your password. Otherwise you can ignore "
            "this message: nothing was changed."
        ),
        now=now,
        link=outbox.absolute_url("auth.login"),
    )


def start_confirmation(user: User, *, is_decoy: bool = False, now: datetime) -> str:
    """A new ticket for `user` and its first code, sent through the outbox (a decoy sends
    nothing: the caller tells the owner). Flushes: it joins the caller's unit of work.
    Returns the ticket to keep in the browser session."""
    ticket = new_ticket()
    ticket_hash = _ticket_hash(ticket)
    code = _new_code()
    row = ConfirmationCode(
        ticket_hash=ticket_hash,
        user_id=user.id,
        is_decoy=is_decoy,
        # a decoy's code hash is of a code no one is given: nothing entered can match it
        code_hash=_code_hash(ticket_hash, code if not is_decoy else secrets.token_hex(16)),
        created_at=now,
        sent_at=now,
        expires_at=now + timedelta(minutes=_setting("CONFIRMATION_CODE_MINUTES")),
        sends=1,
        attempts=0,
    )
    db.session.add(row)
    db.session.flush()
    if is_decoy:
        _tell_owner(user, now=now)
    else:
        _send_code(user, code, now=now)
    return ticket


def new_ticket() -> str:
    """A ticket that matches no row: every code entered against it is refused as expired."""
    return secrets.token_urlsafe(32)


def start_decoy(user: User, *, now: datetime) -> str:
    """A decoy ticket for a sign-up whose login `user` already holds; the owner is told by
    message (never on the page). One unit of work. Returns the ticket."""
    with unit_of_work():
        return start_confirmation(user, is_decoy=True, now=now)


def _find(ticket: str | None, user: User | None) -> ConfirmationCode | None:
    """The ticket's row, else the latest real one of a signed-in, unconfirmed `user`."""
    if ticket and len(ticket) < 100:
        return db.session.scalar(
            sa.select(ConfirmationCode).where(
                ConfirmationCode.ticket_hash == _ticket_hash(ticket)
            )
        )
    if user is not None and getattr(user, "is_authenticated", False):
        return db.session.scalar(
            sa.select(ConfirmationCode)
            .where(ConfirmationCode.user_id == user.id, ConfirmationCode.is_decoy.is_(False))
            .order_by(ConfirmationCode.created_at.desc(), ConfirmationCode.id.desc())
            .limit(1)
        )
    return None


def _expired() -> CodeError:
    return CodeError(_("This code has expired. Ask for a new one."), field="code")


def _used() -> CodeError:
    return CodeError(_("This code was already used: the account is confirmed."), field="code")


def _too_many() -> TooManyAttempts:
    return TooManyAttempts(
        _("Too many wrong codes. Ask for a new code and enter it."), field="code"
    )


def clean_code(code: str | None) -> str:
    """Six ASCII digits from what was typed (full-width digits and spaces are fine).

    Raises: CodeError when it is not six digits.
    """
    text = text_rules.normalise((code or "")[:64]).replace(" ", "").replace("-", "")
    if not _CODE_RE.fullmatch(text):
        raise CodeError(_("The code is the 6 digits in the message we sent."), field="code")
    return text


def has_ticket(ticket: str | None, user: User | None = None) -> bool:
    """Whether the page has a ticket (or the signed-in account a real one) to enter a code
    against."""
    return _find(ticket, user) is not None


def confirm_code(
    code: str, *, ticket: str | None = None, user: User | None = None, now: datetime | None = None
) -> User:
    """Confirm an account with the code sent to it.

    Rules: the code is six digits (anything else is refused without counting an attempt);
    each entry counts one attempt by compare-and-set (attempts < CONFIRMATION_MAX_ATTEMPTS),
    committed even when the code is wrong; a right code, compared with
    hmac.compare_digest and unexpired, spends the ticket by compare-and-set (used_at IS
    NULL), so of two simultaneous entries only one confirms; then the account is confirmed.
    A decoy ticket answers exactly as a real one with a wrong code.
    Returns: the confirmed user.
    Raises: CodeError (wrong, expired, used), TooManyAttempts.
    """
    now = now or utcnow()
    code = clean_code(code)
    max_attempts = _setting("CONFIRMATION_MAX_ATTEMPTS")
    with unit_of_work():
        row = _find(ticket, user)
        if row is None:
            raise _expired()
        if row.used_at is not None:
            raise _used()
        if now >= row.expires_at:
            raise _expired()
        if row.attempts >= max_attempts:
            raise _too_many()
        counted = db.session.execute(
            sa.update(ConfirmationCode)
            .where(
                ConfirmationCode.id == row.id,
                ConfirmationCode.attempts < max_attempts,
                *_unspent(),
            )
            .values(attempts=ConfirmationCode.attempts + 1)
        ).rowcount
        if counted != 1:
            db.session.refresh(row)
            raise _used() if row.used_at is not None else _too_many()
        db.session.refresh(row)
        right = hmac.compare_digest(row.code_hash, _code_hash(row.ticket_hash, code))
        if right and not row.is_decoy:
            spent = db.session.execute(
                sa.update(ConfirmationCode)
                .where(ConfirmationCode.id == row.id, *_unspent())
                .values(used_at=now)
            ).rowcount
            if spent != 1:
                raise _used()
            db.session.execute(
                sa.update(User).where(User.id == row.user_id).values(is_confirmed=True)
            )
            confirmed = db.session.get(User, row.user_id)
            db.session.refresh(confirmed)
            return confirmed
        left = max_attempts - row.attempts
    # the wrong entry stays counted (its unit of work committed above)
    if left <= 0:
        raise _too_many()
    raise CodeError(
        _("Wrong code. %(left)d more tries with this code.", left=left), field="code"
    )


def resend_code(
    *, ticket: str | None = None, user: User | None = None, now: datetime | None = None
) -> str | None:
    """Send a new code on the ticket (or the signed-in account's latest one).

    Rules: no sooner than CONFIRMATION_RESEND_SECONDS after the last code, at most
    CONFIRMATION_MAX_SENDS codes per ticket; the new code replaces the old one, expires
    afresh and gets its own attempts; one compare-and-set on (sends, sent_at), so two
    requests at once send one code. A signed-in, unconfirmed account whose latest ticket is
    over a day old (or which has none) gets a fresh ticket. A decoy ticket counts the same
    way and sends nothing.
    Returns: the ticket now in use (a new one when it was replaced), or None when unchanged.
    Raises: CodeError (already confirmed, too soon, too many codes, no ticket).
    """
    now = now or utcnow()
    with unit_of_work():
        row = _find(ticket, user)
        signed_in = user is not None and getattr(user, "is_authenticated", False)
        if signed_in and user.is_confirmed and not ticket:
            raise CodeError(_("Your mobile number or e-mail is already confirmed."))
        if signed_in and not user.is_confirmed and (
            row is None or now - row.created_at > _FRESH_TICKET_AFTER
        ):
            return start_confirmation(user, now=now)
        if row is None:
            raise CodeError(_("Sign up first: the code is sent when you do."))
        if row.used_at is not None:
            raise _used()
        if row.sends >= _setting("CONFIRMATION_MAX_SENDS"):
            raise TooManyAttempts(
                _("You have asked for too many codes. Try again tomorrow."), field="code"
            )
        wait = _setting("CONFIRMATION_RESEND_SECONDS") - int((now - row.sent_at).total_seconds())
        if wait > 0:
            raise TooManyAttempts(
                _("Wait %(seconds)d seconds before asking for another code.", seconds=wait),
                field="code",
            )
        code = _new_code()
        secret = code if not row.is_decoy else secrets.token_hex(16)
        changed = db.session.execute(
            sa.update(ConfirmationCode)
            .where(
                ConfirmationCode.id == row.id,
                ConfirmationCode.used_at.is_(None),
                ConfirmationCode.sends == row.sends,
                ConfirmationCode.sent_at == row.sent_at,
            )
            .values(
                sends=ConfirmationCode.sends + 1,
                sent_at=now,
                attempts=0,
                code_hash=_code_hash(row.ticket_hash, secret),
                expires_at=now + timedelta(minutes=_setting("CONFIRMATION_CODE_MINUTES")),
            )
        ).rowcount
        if changed != 1:
            raise TooManyAttempts(
                _("A new code was sent just now. Wait for it to arrive."), field="code"
            )
        if not row.is_decoy:
            _send_code(row.user, code, now=now)
    return None
