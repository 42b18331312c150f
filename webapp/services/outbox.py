"""The outbox: every message to a person is stored first; a sender delivers it later."""

from models import MessageChannel, OutboxMessage, db
from models.user import utcnow


def send_message(recipient: str, subject: str, body: str, *, user=None, now=None) -> OutboxMessage:
    """Queue a message to an e-mail address or a phone number; flushes, does not commit."""
    recipient = (recipient or "").strip()
    channel = MessageChannel.EMAIL if "@" in recipient else MessageChannel.SMS
    message = OutboxMessage(
        recipient=recipient,
        subject=subject[:200],
        body=body,
        channel=channel,
        user_id=getattr(user, "id", None),
        created_at=now or utcnow(),
    )
    db.session.add(message)
    db.session.flush()
    return message
