"""Outbox: every message to a person (reset links, invitations, approvals) goes through here.

A message is always stored as an OutboxMessage first, in the transaction of the change it
reports, written in the recipient's language and carrying an absolute link (BASE_URL) to what
it is about. Once that transaction commits it is queued for an RQ worker when REDIS_URL is
set; either way `flask deliver-messages`, run every minute by cron, sends whatever is due and
retries failures with backoff (see outbox_delivery). Senders are settings (message_senders):
SMTP for e-mail, Aliyun or Tencent Cloud for SMS. Without a sender a message stays unsent and
administrators read it on the outbox page (/admin/outbox), which is how a site without a mail
server still gets reset links to people.
"""

import logging
import re
from datetime import datetime
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale

from models import MessageChannel, OutboxMessage, User, db
from models.user import utcnow
from webapp.services import like
from webapp.services.message_senders import Sender, SmtpSender, set_sender  # noqa: F401
from webapp.services.outbox_delivery import count_waiting, deliver_due

log = logging.getLogger(__name__)

PHONE_RE = re.compile(r"^1[3-9]\d{9}$", re.ASCII)


def absolute_url(endpoint: str, **values) -> str:
    """A link for a message: the page's URL under BASE_URL, built without a request."""
    base = urlsplit(current_app.config["BASE_URL"])
    adapter = current_app.url_map.bind(
        base.netloc, script_name=base.path or "/", url_scheme=base.scheme or "https"
    )
    return adapter.build(endpoint, values, force_external=True)


def booking_link(booking) -> str:
    """Where a message about a booking points: its page, with the code to show at the door."""
    return absolute_url("booking.detail", code=booking.code)


def offer_link(session) -> str:
    """Where an offer of held places points: straight to booking them."""
    return absolute_url("booking.family", slot_id=session.id)


def recipient_locale(user: User | None) -> str:
    """The language a message to this user is written in: theirs, else the site's."""
    languages = current_app.config["LANGUAGES"]
    if user is not None and user.locale in languages:
        return user.locale
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def channel_for(address: str) -> MessageChannel:
    return MessageChannel.SMS if PHONE_RE.match(address) else MessageChannel.EMAIL


def send_message(
    recipient: User | str,
    subject: str,
    body: str,
    *,
    user: User | None = None,
    now: datetime | None = None,
    link: str = "",
) -> OutboxMessage:
    """Queue a message to a user (their e-mail, else their phone) or to an address.

    Rules: the message joins the caller's transaction (added and flushed, not committed), so
    it exists exactly when the change it reports does; once that transaction commits, it is
    queued for delivery. Subject and body are rendered in the recipient's language: pass
    lazy strings (``lazy_gettext``) and they are translated for the recipient, whatever the
    language of the person whose action caused the message; plain strings are kept as they
    are. `link` is a URL (see absolute_url) or a path under BASE_URL. A delivery failure
    is recorded and retried, never raised; unsent messages stay readable by administrators.
    """
    now = now or utcnow()
    if isinstance(recipient, User):
        user = recipient
        address = user.email or user.phone or ""
    else:
        address = str(recipient).strip()
    locale = recipient_locale(user)
    with force_locale(locale):
        subject, body = str(subject), str(body)
    if link.startswith("/"):
        link = current_app.config["BASE_URL"].rstrip("/") + link
    message = OutboxMessage(
        user_id=user.id if user is not None else None,
        channel=channel_for(address),
        recipient=address,
        subject=subject[:200],
        body=body,
        locale=locale,
        link=link[:500],
        created_at=now,
        next_attempt_at=now,
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


def _queue_after_commit(session) -> None:
    ids = session.info.pop(_PENDING, [])
    if ids and current_app and current_app.config.get("REDIS_URL"):
        from webapp.services.outbox_queue import enqueue

        try:
            enqueue(ids)
        except Exception:  # the caller's change is committed: nothing here may undo its answer
            log.exception("outbox: queueing after commit failed; deliver-messages will send")


def _forget_pending(session) -> None:
    session.info.pop(_PENDING, None)


def init_app(app) -> None:
    session_class = db.session.session_factory.class_
    if not sa.event.contains(session_class, "after_commit", _queue_after_commit):
        sa.event.listen(session_class, "after_commit", _queue_after_commit)
        sa.event.listen(session_class, "after_soft_rollback", lambda s, t: _forget_pending(s))


def deliver_unsent(*, now: datetime | None = None, limit: int = 500) -> tuple[int, int]:
    """The sweep: send every message that is due (new ones, and failures whose backoff ended).

    For cron, once a minute. Returns (sent now, still waiting to be sent).
    """
    sent = deliver_due(now=now, limit=limit)
    return sent, count_waiting()


def list_messages(
    *, unsent_only=False, failed_only=False, recipient: str = "", page: int = 1, per_page=50
):
    """Messages newest first, for the administrators' outbox page.

    `failed_only` keeps the messages whose last send failed (still retrying or given up).
    """
    query = sa.select(OutboxMessage).order_by(OutboxMessage.id.desc())
    if unsent_only:
        query = query.where(OutboxMessage.sent_at.is_(None))
    if failed_only:
        query = query.where(OutboxMessage.sent_at.is_(None), OutboxMessage.attempts > 0)
    if recipient:
        query = query.where(like.contains(OutboxMessage.recipient, recipient.strip()))
    return db.paginate(query, page=page, per_page=per_page, error_out=False)
