"""Outbox delivery: claiming stored messages, handing them to senders, retrying failures.

Several hosts may deliver at once (the RQ worker, a cron sweep on each host): a message is
sent only by the deliverer that claimed it. A claim is one conditional UPDATE that succeeds
only on rows nobody holds (``claimed_until`` empty or lapsed); on PostgreSQL the candidate
rows are first locked with FOR UPDATE SKIP LOCKED, so concurrent deliverers take different
rows instead of queueing behind each other. The outcome is written only under the same claim
token. A failed send is tried again after a backoff that doubles each time (1 min, 2, 4 … up
to OUTBOX_MAX_BACKOFF_MINUTES); after OUTBOX_MAX_ATTEMPTS the message is given up and shown
to administrators as failed.
"""

import logging
import uuid
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from models import OutboxMessage, db
from models.user import utcnow
from webapp.services.errors import Busy
from webapp.services.message_senders import channels_with_senders, sender_for
from webapp.services.transactions import unit_of_work

log = logging.getLogger(__name__)

#: how long a claim lasts: longer than any one send takes, short enough to recover a crash
CLAIM_LEASE = timedelta(minutes=5)
#: messages claimed at a time; each claim is renewed just before its send, so a slow batch
#: never lets a lease lapse under a message still waiting its turn
CLAIM_BATCH = 20

#: the multi-process test switches this off to show that its harness sees double sends
_claim_guard = True


def backoff(attempts: int) -> timedelta:
    """How long to wait after the attempts-th failure."""
    cap = current_app.config["OUTBOX_MAX_BACKOFF_MINUTES"]
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), cap))


def _is_due(now: datetime):
    return sa.and_(
        OutboxMessage.sent_at.is_(None),
        OutboxMessage.gave_up_at.is_(None),
        sa.or_(OutboxMessage.next_attempt_at.is_(None), OutboxMessage.next_attempt_at <= now),
        sa.or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until <= now),
    )


def claim_due(*, now: datetime, limit: int = 200, ids=None) -> tuple[str, list[int]]:
    """Claim up to `limit` due messages (of channels that have a sender) for this deliverer.

    Returns the claim token and the ids claimed, oldest first. Commits.
    """
    channels = channels_with_senders()
    if not channels:
        return "", []
    token = uuid.uuid4().hex
    due = (
        sa.select(OutboxMessage.id)
        .where(_is_due(now), OutboxMessage.channel.in_(channels))
        .order_by(OutboxMessage.id)
        .limit(limit)
    )
    if ids is not None:
        due = due.where(OutboxMessage.id.in_(list(ids)))
    if not _claim_guard:
        candidates = db.session.scalars(due).all()
        db.session.rollback()
        return token, list(candidates)
    with unit_of_work():
        # One statement, so that on SQLite the claim starts as a write and waits its turn
        # for the lock; on PostgreSQL SKIP LOCKED leaves rows another deliverer is claiming.
        db.session.execute(
            sa.update(OutboxMessage)
            .where(
                OutboxMessage.id.in_(due.with_for_update(skip_locked=True).scalar_subquery()),
                _is_due(now),
            )
            .values(claimed_until=now + CLAIM_LEASE, claim_token=token)
            .execution_options(synchronize_session=False)
        )
    claimed = db.session.scalars(
        sa.select(OutboxMessage.id)
        .where(OutboxMessage.claim_token == token)
        .order_by(OutboxMessage.id)
    ).all()
    db.session.rollback()  # ends the read transaction: sends run outside any transaction
    return token, list(claimed)


def _record(message_id: int, token: str, **values) -> None:
    with unit_of_work():
        query = sa.update(OutboxMessage).where(OutboxMessage.id == message_id)
        if _claim_guard:
            query = query.where(OutboxMessage.claim_token == token)
        db.session.execute(
            query.values(claimed_until=None, **values).execution_options(synchronize_session=False)
        )


def _renew(message_id: int, token: str, *, now: datetime) -> bool:
    """Extend this deliverer's claim on one message; False when it no longer holds it."""
    with unit_of_work():
        renewed = db.session.execute(
            sa.update(OutboxMessage)
            .where(
                OutboxMessage.id == message_id,
                OutboxMessage.claim_token == token,
                OutboxMessage.sent_at.is_(None),
            )
            .values(claimed_until=max(now, utcnow()) + CLAIM_LEASE)
            .execution_options(synchronize_session=False)
        ).rowcount
    return renewed == 1


def _snapshot(stored: OutboxMessage) -> OutboxMessage:
    """A detached copy for the sender: the session's own object stays in the session."""
    return OutboxMessage(
        id=stored.id,
        channel=stored.channel,
        recipient=stored.recipient,
        subject=stored.subject,
        body=stored.body,
        locale=stored.locale,
        link=stored.link,
        attempts=stored.attempts,
    )


def deliver_claimed(token: str, ids: list[int], *, now: datetime) -> int:
    """Send the messages this deliverer claimed; returns how many went out. Commits each."""
    sent = 0
    max_attempts = current_app.config["OUTBOX_MAX_ATTEMPTS"]
    for message_id in ids:
        if _claim_guard and not _renew(message_id, token, now=now):
            continue  # the claim lapsed and another deliverer has the message now
        message = _snapshot(db.session.get(OutboxMessage, message_id))
        db.session.rollback()  # keep no transaction open while talking to the provider
        sender = sender_for(message.channel)
        if sender is None:
            _record(message_id, token)
            continue
        try:
            sender.send(message)
        except Exception as error:  # any transport or provider failure: record it, try later
            attempts = message.attempts + 1
            log.warning("outbox: message %s, attempt %s, not sent: %s", message_id, attempts, error)
            _record(
                message_id,
                token,
                attempts=attempts,
                error=str(error)[:1000] or type(error).__name__,
                next_attempt_at=now + backoff(attempts),
                gave_up_at=now if attempts >= max_attempts else None,
            )
            continue
        _record(message_id, token, sent_at=now, error="")
        sent += 1
    db.session.expire_all()
    return sent


def deliver_due(*, now: datetime | None = None, limit: int = 200, ids=None) -> int:
    """Claim and send what is due now; returns how many went out."""
    now = now or utcnow()
    sent = tried = 0
    while tried < limit:
        try:
            token, claimed = claim_due(now=now, limit=min(CLAIM_BATCH, limit - tried), ids=ids)
        except Busy:  # another deliverer held the lock too long: the next sweep tries again
            break
        if not claimed:
            break
        sent += deliver_claimed(token, claimed, now=now)
        tried += len(claimed)
    return sent


def count_waiting() -> int:
    return db.session.scalar(
        sa.select(sa.func.count(OutboxMessage.id)).where(
            OutboxMessage.sent_at.is_(None), OutboxMessage.gave_up_at.is_(None)
        )
    )
