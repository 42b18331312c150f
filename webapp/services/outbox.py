"""Outgoing messages: every message to a person is stored in the outbox first.

A sender (outside this module) delivers what is stored; until then the message stays readable.
"""

from models import MessageChannel, OutboxMessage, db
from models.user import utcnow


def send_message(recipient: str, subject: str, body: str, *, user=None, now=None) -> OutboxMessage:
    """Store a message for `recipient` (an e-mail address or a phone number).

    Rules: an address with '@' goes by e-mail, anything else by SMS. Flushes, never commits:
    the message belongs to the caller's unit of work.
    """
    channel = MessageChannel.EMAIL if "@" in recipient else MessageChannel.SMS
    message = OutboxMessage(
        user_id=getattr(user, "id", None),
        channel=channel,
        recipient=recipient,
        subject=subject[:200],
        body=body,
        created_at=now or utcnow(),
    )
    db.session.add(message)
    db.session.flush()
    return message
