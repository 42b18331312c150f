"""Waiting-list holds: places offered to a waiting-list entry are kept for it for a while.

When places come free in a session, the first waiting entry they fit is offered them and the
places are *held* for that entry for BOOKING_WAITLIST_HOLD_HOURS (never past the session's
start). Held places count in the session's `held_general`/`held_green` columns, which every
capacity check includes: nobody else can take them. The offered person books as usual and the
booking consumes the hold first. An unused hold lapses: it is released (and the places offered
to the next fitting entry) lazily whenever availability or a booking for that session is worked
out, and by `flask release-holds`. Joining and leaving the list are a booker's changes
(`bookings`).

Every change to the counters is one conditional UPDATE (compare-and-set on the entry, a guarded
increment on the session), never read-then-write, so a hold is released or consumed once only
whatever the concurrency, on SQLite and PostgreSQL.
"""

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import OperationalError

from models import BookingChannel, Slot, User, WaitlistEntry, db
from webapp.services.booking import capacity
from webapp.services.booking.notices import at
from webapp.services.booking.settings import setting
from webapp.services.errors import Busy
from webapp.services.outbox import offer_link, send_message
from webapp.services.transactions import unit_of_work


def hold_deadline(session: Slot, *, now: datetime) -> datetime:
    """Until when offered places are held: the hold time from now, never past the start."""
    return min(now + timedelta(hours=setting("BOOKING_WAITLIST_HOLD_HOURS")), session.starts_at)


# ---------------------------------------------------------------- offering


def offer_places(session: Slot, *, now: datetime) -> list[WaitlistEntry]:
    """Offer free places to waiting entries, first come first, each holding its places.

    Rules: an entry is offered once; it gets its places only when all of them fit; the places
    are held until `hold_deadline`; the person is told until when. Flushes, no commit.
    """
    db.session.flush()
    deadline = hold_deadline(session, now=now)
    if session.is_cancelled or deadline <= now:
        return []
    entries = db.session.scalars(
        sa.select(WaitlistEntry)
        .where(WaitlistEntry.slot_id == session.id, WaitlistEntry.offered_at.is_(None))
        .order_by(WaitlistEntry.created_at, WaitlistEntry.id)
    ).all()
    offered = []
    for entry in entries:
        if not capacity.hold_places(session, entry, now=now):
            continue
        entry.offered_at = now
        entry.held_places = entry.places
        entry.held_until = deadline
        send_message(
            entry.user,
            _l("Places free at %(venue)s", venue=session.venue.name),
            _l(
                "%(places)d place(s) came free for %(when)s and are held for you until "
                "%(until)s. Book them before then; after that they go to the next person "
                "waiting.",
                places=entry.places,
                when=at(session.starts_at),
                until=at(deadline),
            ),
            now=now,
            link=offer_link(session),
        )
        db.session.flush()
        offered.append(entry)
    return offered


# ---------------------------------------------------------------- releasing


def release_expired(slot_ids=None, *, now: datetime) -> int:
    """Release every hold that lapsed by `now` (in the given sessions, or all) and offer the
    places to the next fitting entries. Idempotent. Flushes, no commit. Returns how many.

    Lock order: an entry before its session (as a booking that uses a hold does), so the
    writers that meet here queue rather than deadlock on PostgreSQL."""
    db.session.flush()
    e = WaitlistEntry
    stmt = sa.select(e.id, e.slot_id, e.channel, e.held_places).where(
        e.held_places > 0, e.held_until <= now
    )
    if slot_ids is not None:
        ids = list(slot_ids)
        if not ids:
            return 0
        stmt = stmt.where(e.slot_id.in_(ids))
    else:  # the cron run: skip entries another host's run is releasing right now
        stmt = stmt.with_for_update(skip_locked=True)
    expired = db.session.execute(stmt.order_by(e.slot_id, e.id)).all()
    released = 0
    touched = []
    for entry_id, slot_id, channel, places in expired:
        if capacity.release_hold(
            entry_id, slot_id, channel, places, where=e.__table__.c.held_until <= now
        ):
            released += 1
            if slot_id not in touched:
                touched.append(slot_id)
    if touched:
        db.session.expire_all()
    for slot_id in touched:
        offer_places(db.session.get(Slot, slot_id), now=now)
    return released


def apply_expiry(slot_ids, *, now: datetime) -> int:
    """Lazy expiry for a read: release lapsed holds of these sessions and commit, if any.

    A writer that is busy is not an error here: the holds stay counted until the next look.
    """
    ids = list(slot_ids)
    if not ids:
        return 0
    try:
        with unit_of_work():
            released = release_expired(ids, now=now)
    except (Busy, OperationalError):
        return 0
    return released


def release_expired_holds(*, now: datetime) -> int:
    """Release every lapsed hold and offer the places on (cron: `flask release-holds`).

    One unit of work. Raises: Busy.
    """
    with unit_of_work():
        released = release_expired(None, now=now)
    return released


# ---------------------------------------------------------------- using a hold


def live_hold(session: Slot, user: User, channel: BookingChannel, *, now: datetime) -> int:
    """Places still held for this person in this session and channel."""
    held = db.session.scalar(
        sa.select(WaitlistEntry.held_places).where(
            WaitlistEntry.slot_id == session.id,
            WaitlistEntry.user_id == user.id,
            WaitlistEntry.channel == channel,
            WaitlistEntry.held_places > 0,
            WaitlistEntry.held_until > now,
        )
    )
    return held or 0


def consume_hold(
    session: Slot,
    user: User,
    places: int,
    channel: BookingChannel,
    *,
    now: datetime,
    held: int | None = None,
) -> int:
    """Take up to `places` from the person's live hold on the entry (one conditional UPDATE).

    `held`: the live hold as the caller read it in this transaction (else read here); the
    UPDATE's condition, not this figure, decides. Returns how many were taken; the caller
    moves them from held_* to taken_* on the session in its own conditional UPDATE.
    Flushes, no commit.
    """
    if held is None:
        held = live_hold(session, user, channel, now=now)
    use = min(held, places)
    if use <= 0:
        return 0
    e = WaitlistEntry.__table__.c
    mine = sa.and_(e.slot_id == session.id, e.user_id == user.id, e.channel == channel)
    return use if capacity.consume_hold(mine, use, now=now) else 0


def get_live_holds(user, slot_ids, *, now: datetime) -> dict[int, WaitlistEntry]:
    """The person's live holds in these sessions, by session id (one query)."""
    ids = list(slot_ids)
    if user is None or not getattr(user, "is_authenticated", False) or not ids:
        return {}
    entries = db.session.scalars(
        sa.select(WaitlistEntry).where(
            WaitlistEntry.user_id == user.id,
            WaitlistEntry.slot_id.in_(ids),
            WaitlistEntry.held_places > 0,
            WaitlistEntry.held_until > now,
        )
    ).all()
    return {entry.slot_id: entry for entry in entries}
