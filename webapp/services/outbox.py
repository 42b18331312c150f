"""Outbox: every message to a person (reset links, invitations, approvals) goes through here.

A message is always stored as an OutboxMessage first. It is then handed to the sender of its
channel: e-mail goes out by SMTP when MAIL_SERVER is configured; SMS goes out when a gateway has
been plugged in with ``set_sender(app, MessageChannel.SMS, sender)``. Without a sender the
message stays unsent and administrators read it on the outbox page (/admin/outbox), which is
how a site without a mail server still gets reset links to people.
"""

import logging
import re
import smtplib
from datetime import datetime
from email.message import EmailMessage
from typing import Protocol

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Session

from models import MessageChannel, OutboxMessage, User, db
from models.user import utcnow
from webapp.services import like

log = logging.getLogger(__name__)

PHONE_RE = re.compile(r"^1[3-9]\d{9}$", re.ASCII)


class Sender(Protocol):
    """Delivers one message or raises; an SMS gateway implements the same two-line shape."""

    def send(self, message: OutboxMessage) -> None: ...


class SmtpSender:
    """E-mail through the SMTP server named by MAIL_SERVER / MAIL_PORT."""

    def __init__(self, server: str, port: int, sender: str):
        self.server, self.port, self.sender = server, port, sender

    def send(self, message: OutboxMessage) -> None:
        mail = EmailMessage()
        mail["From"] = self.sender
        mail["To"] = message.recipient
        mail["Subject"] = message.subject
        mail.set_content(message.body)
        with smtplib.SMTP(self.server, self.port, timeout=10) as smtp:
            smtp.send_message(mail)


def set_sender(app, channel: MessageChannel, sender: Sender | None) -> None:
    """Plug a sender in for a channel (None unplugs it), e.g. an SMS gateway."""
    app.extensions.setdefault("outbox_senders", {})[channel] = sender


def _sender_for(channel: MessageChannel) -> Sender | None:
    senders = current_app.extensions.get("outbox_senders", {})
    if channel in senders:
        return senders[channel]
    config = current_app.config
    if channel is MessageChannel.EMAIL and config.get("MAIL_SERVER"):
        return SmtpSender(config["MAIL_SERVER"], config["MAIL_PORT"], config["MAIL_SENDER"])
    return None


def channel_for(address: str) -> MessageChannel:
    return MessageChannel.SMS if PHONE_RE.match(address) else MessageChannel.EMAIL


def send_message(
    recipient: User | str,
    subject: str,
    body: str,
    *,
    user: User | None = None,
    now: datetime | None = None,
) -> OutboxMessage:
    """Queue a message to a user (their e-mail, else their phone) or to an address.

    Rules: the message joins the caller's transaction (added and flushed, not committed), so
    it exists exactly when the change it reports does; once that transaction commits, it is
    handed to its channel's sender. A delivery failure is recorded in `error` and logged,
    never raised; unsent messages stay readable by administrators.
    """
    now = now or utcnow()
    if isinstance(recipient, User):
        user = recipient
        address = user.email or user.phone or ""
    else:
        address = str(recipient).strip()
    message = OutboxMessage(
        user_id=user.id if user is not None else None,
        channel=channel_for(address),
        recipient=address,
        subject=subject[:200],
        body=body,
        created_at=now,
    )
    db.session.add(message)
    db.session.flush()
    db.session.info.setdefault(_PENDING, []).append(message.id)
    return message


def send_and_commit(recipient: User | str, subject: str, body: str, **kwargs) -> OutboxMessage:
    """send_message for a caller whose own change is already committed."""
    message = send_message(recipient, subject, body, **kwargs)
    db.session.commit()
    return message


_PENDING = "outbox_pending"


def _deliver_after_commit(session) -> None:
    ids = session.info.pop(_PENDING, [])
    if not ids or not current_app:
        return
    if not any(_sender_for(channel) for channel in MessageChannel):
        return
    # The committed session may not run SQL now: deliver through a session of its own.
    try:
        with Session(db.engine) as own:
            for message in own.scalars(
                sa.select(OutboxMessage).where(OutboxMessage.id.in_(ids))
            ):
                deliver(message, session=own)
    except Exception:  # the caller's change is committed: nothing here may undo its answer
        log.exception("outbox: delivery after commit failed; deliver-messages will retry")


def _forget_pending(session) -> None:
    session.info.pop(_PENDING, None)


def init_app(app) -> None:
    session_class = db.session.session_factory.class_
    if not sa.event.contains(session_class, "after_commit", _deliver_after_commit):
        sa.event.listen(session_class, "after_commit", _deliver_after_commit)
        sa.event.listen(session_class, "after_soft_rollback", lambda s, t: _forget_pending(s))


def deliver(message: OutboxMessage, *, now: datetime | None = None, session=None) -> bool:
    """Hand a stored message to its channel's sender; True when it went out."""
    session = session or db.session
    sender = _sender_for(message.channel)
    if sender is None or message.sent_at is not None:
        return message.sent_at is not None
    try:
        sender.send(message)
    except Exception as error:  # any transport failure: keep the message, record why
        log.warning("outbox: message %s to %s not sent: %s", message.id, message.recipient, error)
        message.error = str(error)[:1000]
        session.commit()
        return False
    message.sent_at = now or utcnow()
    message.error = ""
    session.commit()
    return True


def deliver_unsent(*, now: datetime | None = None, limit: int = 500) -> tuple[int, int]:
    """Try again every unsent message (oldest first); returns (sent, still unsent).

    For cron: a mail server that was down when a message was queued gets it later.
    """
    unsent = db.session.scalars(
        sa.select(OutboxMessage)
        .where(OutboxMessage.sent_at.is_(None))
        .order_by(OutboxMessage.id)
        .limit(limit)
    ).all()
    sent = sum(deliver(message, now=now) for message in unsent)
    return sent, len(unsent) - sent


def list_messages(*, unsent_only: bool = False, recipient: str = "", page: int = 1, per_page=50):
    """Messages newest first, for the administrators' outbox page."""
    query = sa.select(OutboxMessage).order_by(OutboxMessage.id.desc())
    if unsent_only:
        query = query.where(OutboxMessage.sent_at.is_(None))
    if recipient:
        query = query.where(like.contains(OutboxMessage.recipient, recipient.strip()))
    return db.paginate(query, page=page, per_page=per_page, error_out=False)
