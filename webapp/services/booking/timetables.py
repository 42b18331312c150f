"""Timetables: a venue's weekly timetable and its closed dates, as the venue's staff edit them
(closing a date is `closures.close_day`; the booking settings are in `settings`).

Saving a timetable regenerates the coming sessions of the rolling window (BOOKING_WINDOW_DAYS)
in the same transaction: missing sessions are added, unbooked ones that differ are changed or
removed, and a session that anyone has booked (or waits for) is never touched. Closing a date
removes its unbooked sessions and, once staff confirm, cancels the bookings on it and tells the
bookers; reopening it brings its sessions back. Every write to a session is a conditional
statement that re-checks "nobody has booked it" on the row itself, so a booking that lands at
the same moment is never deleted or changed under the booker.
"""

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _

from models import Slot, SlotKind, TimetableEntry, Venue, VenueClosure, db
from webapp.services.booking import closures, slots
from webapp.services.booking.access import require_venue_staff
from webapp.services.clock import day_bounds, local_date
from webapp.services.errors import ServiceError
from webapp.services.transactions import unit_of_work

MAX_CAPACITY = 100_000


# ---------------------------------------------------------------- the weekly timetable


@dataclass(frozen=True)
class RowProblem:
    """What is wrong with one timetable row: its index, the field at fault and why."""

    row: int
    field: str
    message: str


class TimetableInvalid(ServiceError):
    """The timetable breaks a rule; `problems` names every row and field at fault."""

    def __init__(self, problems: list[RowProblem]):
        super().__init__(problems[0].message, field=problems[0].field)
        self.problems = problems


@dataclass
class SessionSync:
    """What regenerating the window did to the venue's sessions."""

    added: int = 0
    changed: int = 0
    removed: int = 0
    #: sessions the new timetable would change or remove, left as they were: someone booked them
    kept: int = 0
    kept_sessions: list[Slot] = field(default_factory=list)


def list_timetable(venue: Venue) -> list[TimetableEntry]:
    return db.session.scalars(
        sa.select(TimetableEntry)
        .where(TimetableEntry.venue_id == venue.id)
        .order_by(TimetableEntry.weekday, TimetableEntry.start_time)
    ).all()


def check_timetable(entries: list[dict]) -> list[RowProblem]:
    """Every broken rule in a proposed timetable, row by row (an empty list when it is fine).

    Rules: a weekday from 1 (Monday) to 7 (Sunday); a start and an end, the end after the
    start; capacity from 1 up; a green-channel quota from 0 up to the capacity; rows on the
    same weekday do not overlap (one may start when another ends).
    """
    problems: list[RowProblem] = []
    for i, row in enumerate(entries):
        weekday, start, end = row.get("weekday"), row.get("start_time"), row.get("end_time")
        capacity, quota = row.get("capacity"), row.get("green_quota")
        if not isinstance(weekday, int) or not 1 <= weekday <= 7:
            problems.append(RowProblem(i, "weekday", _("Choose a day of the week.")))
        if start is None:
            problems.append(RowProblem(i, "start_time", _("Give the start time.")))
        if end is None:
            problems.append(RowProblem(i, "end_time", _("Give the end time.")))
        elif start is not None and end <= start:
            problems.append(RowProblem(i, "end_time", _("The end must be after the start.")))
        if capacity is None or not 1 <= capacity <= MAX_CAPACITY:
            problems.append(
                RowProblem(i, "capacity", _("Capacity must be from 1 to %(n)d.", n=MAX_CAPACITY))
            )
        if quota is None or quota < 0 or (capacity is not None and quota > capacity):
            problems.append(
                RowProblem(
                    i,
                    "green_quota",
                    _("The green-channel quota must be between 0 and the capacity."),
                )
            )
    problems.extend(_overlaps(entries, {p.row for p in problems}))
    return sorted(problems, key=lambda p: p.row)


def _overlaps(entries: list[dict], broken: set[int]) -> list[RowProblem]:
    by_day: dict[int, list[tuple[time, time, int]]] = {}
    for i, row in enumerate(entries):
        if i not in broken:
            by_day.setdefault(row["weekday"], []).append((row["start_time"], row["end_time"], i))
    problems = []
    for rows in by_day.values():
        rows.sort()
        # the row reaching latest so far: a later row starting before its end overlaps it
        latest = rows[0]
        for row in rows[1:]:
            start, end, i = row
            if start < latest[1]:
                problems.append(
                    RowProblem(
                        i,
                        "start_time",
                        _(
                            "This row overlaps %(start)s–%(end)s on the same day.",
                            start=latest[0].strftime("%H:%M"),
                            end=latest[1].strftime("%H:%M"),
                        ),
                    )
                )
            if end > latest[1]:
                latest = row
    return problems


def set_timetable(venue: Venue, entries: list[dict], *, by, now: datetime) -> SessionSync:
    """Replace the venue's weekly timetable and regenerate the coming sessions from it.

    `entries` are dicts of weekday, start_time, end_time, capacity, green_quota.
    Rules: venue staff only; the rules of `check_timetable`; then, over the rolling window
    (today's local date, BOOKING_WINDOW_DAYS days), skipping closed dates and past starts:
    a missing session is added; an unbooked regular session whose times or places differ is
    changed, and one the timetable no longer has is removed; a session with any booking or
    waiting-list entry is kept as it is; open days and called-off sessions are left alone;
    no start gets two sessions. Saving the same timetable again changes nothing.
    Returns what happened to the sessions.
    Raises: PermissionDenied, TimetableInvalid, Busy.
    """
    require_venue_staff(venue, by)
    problems = check_timetable(entries)
    if problems:
        raise TimetableInvalid(problems)
    # a session added at the same moment by a concurrent generation: try again
    with unit_of_work(busy_on_conflict=True):
        db.session.execute(sa.delete(TimetableEntry).where(TimetableEntry.venue_id == venue.id))
        new_entries = [
            TimetableEntry(
                venue_id=venue.id,
                weekday=row["weekday"],
                start_time=row["start_time"],
                end_time=row["end_time"],
                capacity=row["capacity"],
                green_quota=row["green_quota"],
            )
            for row in entries
        ]
        db.session.add_all(new_entries)
        db.session.flush()
        sync = _sync_sessions(venue.id, new_entries, now=now)
    return sync


def _sync_sessions(venue_id: int, entries: list[TimetableEntry], *, now: datetime) -> SessionSync:
    first, last = slots.window(now)
    wanted = slots.planned_sessions(venue_id, entries, first, last, now=now)
    window_start = max(day_bounds(first)[0], now)
    window_end = day_bounds(last)[0]
    existing = db.session.scalars(
        sa.select(Slot)
        .where(
            Slot.venue_id == venue_id,
            Slot.starts_at > window_start,
            Slot.starts_at < window_end,
        )
        .order_by(Slot.starts_at)
    ).all()
    sync = SessionSync()
    taken_starts = set()
    for session in existing:
        taken_starts.add(session.starts_at)
        if session.kind is not SlotKind.REGULAR or session.is_cancelled:
            continue
        target = wanted.get(session.starts_at)
        if target == (session.ends_at, session.capacity, session.green_quota):
            continue
        if target is None:
            stmt = sa.delete(Slot)
        else:
            ends_at, capacity, green_quota = target
            stmt = sa.update(Slot).values(
                ends_at=ends_at, capacity=capacity, green_quota=green_quota
            )
        done = db.session.execute(
            stmt.where(Slot.id == session.id, closures.untouched_clause()).execution_options(
                synchronize_session=False
            )
        ).rowcount
        if done == 0:
            sync.kept += 1
            sync.kept_sessions.append(session)
        elif target is None:
            sync.removed += 1
        else:
            sync.changed += 1
    sync.added = slots.add_planned(venue_id, wanted, skip=taken_starts)
    return sync


# ---------------------------------------------------------------- closed dates


def list_closures(venue: Venue, *, now: datetime) -> list[VenueClosure]:
    """The venue's closed dates from today (local) on, soonest first."""
    return db.session.scalars(
        sa.select(VenueClosure)
        .where(VenueClosure.venue_id == venue.id, VenueClosure.closed_on >= local_date(now))
        .order_by(VenueClosure.closed_on)
    ).all()


def remove_closure(venue: Venue, closure_id: int, *, by, now: datetime) -> int:
    """Open the venue again on a closed date and bring that day's sessions back.

    Rules: venue staff only; the closure must be the venue's and not in the past. Sessions the
    closure called off are bookable again (their cancelled bookings stay cancelled), and the
    timetable's missing sessions for that day are added.
    Returns the number of sessions bookable that day again.
    Raises: PermissionDenied, ServiceError, Busy.
    """
    require_venue_staff(venue, by)
    closure = db.session.get(VenueClosure, closure_id)
    if closure is None or closure.venue_id != venue.id:
        raise ServiceError(_("That closed date is no longer there."))
    day = closure.closed_on
    if day < local_date(now):
        raise ServiceError(_("That date has passed."))
    on_that_day = closures.day_clause(venue.id, day, now=now)
    # a session added at the same moment by a concurrent generation: try again
    with unit_of_work(busy_on_conflict=True):
        db.session.delete(closure)
        db.session.flush()
        reopened = db.session.execute(
            sa.update(Slot)
            .where(on_that_day, Slot.is_cancelled.is_(True))
            .values(is_cancelled=False)
            .execution_options(synchronize_session=False)
        ).rowcount
        existing = set(db.session.scalars(sa.select(Slot.starts_at).where(on_that_day)))
        entries = [e for e in list_timetable(venue) if e.weekday == day.isoweekday()]
        planned = slots.planned_sessions(venue.id, entries, day, day + timedelta(days=1), now=now)
        added = slots.add_planned(venue.id, planned, skip=existing)
    return reopened + added
