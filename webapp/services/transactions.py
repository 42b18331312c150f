"""Units of work: how every service commits, rolls back and reports a busy database.

A service wraps its writes in `unit_of_work()`: on success it commits once; on any error it
rolls back everything (messages queued in the outbox included) and re-raises, with two
translations: a writer that waited too long for SQLite's or PostgreSQL's lock gets `Busy`
("try again"), never a server error; and, when the caller names one, a unique-constraint
clash (two people saving the same thing at once) becomes a `ServiceError` with that message.
"""

from contextlib import contextmanager

from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError, OperationalError

from models import db
from webapp.services.errors import Busy, ServiceError

_BUSY_WORDS = ("locked", "busy", "lock timeout", "deadlock", "could not obtain lock")


def busy() -> Busy:
    """The one "busy, try again" refusal, for a writer that could not get the lock in time."""
    return Busy(_("The system is busy. Please try again."))


def is_busy(error: OperationalError) -> bool:
    """True when the database refused because another writer held the lock too long."""
    text = str(error.orig if error.orig is not None else error).lower()
    return any(word in text for word in _BUSY_WORDS)


@contextmanager
def unit_of_work(
    *,
    conflict_message: str | None = None,
    conflict_field: str | None = None,
    busy_on_conflict: bool = False,
    keep_loaded: bool = False,
):
    """Commit once on success, roll back on any error. A clash on a unique constraint becomes
    `busy()` with `busy_on_conflict` (a concurrent writer added the same row: try again), or a
    ServiceError carrying `conflict_message`; otherwise the IntegrityError is re-raised.
    With `keep_loaded` the commit leaves loaded objects as they are instead of expiring them
    (so the caller's answer needs no second round of reads); the caller then expires what
    its own SQL statements changed behind the objects' backs."""
    try:
        yield
        if keep_loaded:
            session = db.session()
            session.expire_on_commit = False
            try:
                session.commit()
            finally:
                session.expire_on_commit = True
        else:
            db.session.commit()
    except IntegrityError:
        db.session.rollback()
        if busy_on_conflict:
            raise busy() from None
        if conflict_message is None:
            raise
        raise ServiceError(conflict_message, field=conflict_field) from None
    except OperationalError as error:
        db.session.rollback()
        if is_busy(error):
            raise busy() from None
        raise
    except BaseException:
        db.session.rollback()
        raise
