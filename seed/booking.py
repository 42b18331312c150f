"""Seed step: a weekly booking timetable for every venue that has none, from its opening hours.

Each open day gets a morning session (two hours from opening) and, when the venue is open
then, an afternoon one (14:00–16:00), 60 places with 10 held for the green channel. Venues
that already have a timetable are left alone, so the step is idempotent. Sessions themselves
come from `flask generate-sessions`.
"""

from datetime import datetime, time, timedelta
from pathlib import Path

import sqlalchemy as sa

from models import OpeningHours, TimetableEntry
from seed.loader import SeedReport, step

CAPACITY = 60
GREEN_QUOTA = 10
AFTERNOON = (time(14), time(16))


def _plus_hours(at: time, hours: int) -> time | None:
    moment = datetime.combine(datetime(2000, 1, 1), at) + timedelta(hours=hours)
    return moment.time() if moment.day == 1 else None


def timetable_from_hours(hours: list[OpeningHours]) -> list[dict]:
    rows = []
    for h in hours:
        slots = []
        morning_end = _plus_hours(h.opens_at, 2)
        if morning_end and morning_end <= h.closes_at:
            slots.append((h.opens_at, morning_end))
        if h.opens_at <= AFTERNOON[0] and AFTERNOON[1] <= h.closes_at:
            if not slots or slots[0][1] <= AFTERNOON[0]:
                slots.append(AFTERNOON)
        rows.extend(
            dict(
                weekday=h.weekday,
                start_time=s,
                end_time=e,
                capacity=CAPACITY,
                green_quota=GREEN_QUOTA,
            )
            for s, e in slots
        )
    return rows


@step("timetables")
def _timetables_step(session, data_dir: Path, report: SeedReport):
    has_timetable = set(session.scalars(sa.select(TimetableEntry.venue_id).distinct()))
    hours_by_venue: dict[int, list[OpeningHours]] = {}
    for h in session.scalars(sa.select(OpeningHours).order_by(OpeningHours.venue_id)):
        if h.venue_id not in has_timetable:
            hours_by_venue.setdefault(h.venue_id, []).append(h)
    added = 0
    for venue_id, hours in hours_by_venue.items():
        seen = set()
        for values in timetable_from_hours(hours):
            key = (values["weekday"], values["start_time"])
            if key in seen:
                continue
            seen.add(key)
            session.add(TimetableEntry(venue_id=venue_id, **values))
            added += 1
    session.flush()
    report.add("timetable entries", added)
