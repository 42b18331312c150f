"""Seed step: demo open days at several venues (this week and next) and some closed dates.

Dates are relative to the day the seed runs (Asia/Shanghai), so the demo always has open days
to show. Idempotent: a venue that already has an open day (or a closed date) gets none.
"""

import json
from datetime import date, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

from models import Slot, SlotKind, Venue, VenueClosure
from models.user import utcnow
from seed.loader import SeedReport, step
from webapp.services.clock import local_date, to_utc


def _day(today: date, weekday: int, in_weeks: int) -> date:
    """The given ISO weekday of this week (or `in_weeks` later), never before today."""
    day = today + timedelta(days=(weekday - today.isoweekday()) % 7)
    return day + timedelta(weeks=in_weeks)


def _time(text: str):
    return datetime.strptime(text, "%H:%M").time()


@step("open days")
def _open_days_step(session, data_dir: Path, report: SeedReport):
    path = data_dir / "open_days.json"
    if not path.exists():
        return
    data = json.loads(path.read_text(encoding="utf-8"))
    today = local_date(utcnow())
    venues = {v.slug: v for v in session.scalars(sa.select(Venue))}
    with_open_day = set(
        session.scalars(sa.select(Slot.venue_id).where(Slot.kind == SlotKind.OPEN_DAY))
    )
    with_closure = set(session.scalars(sa.select(VenueClosure.venue_id)))
    added = closed = 0
    for item in data.get("open_days", []):
        venue = venues.get(item["venue"])
        if venue is None or venue.id in with_open_day:
            continue
        on = _day(today, item["weekday"], item["in_weeks"])
        starts_at = to_utc(on, _time(item["start"]))
        taken = session.scalar(
            sa.select(Slot.id).where(
                Slot.venue_id == venue.id, Slot.starts_at == starts_at
            )
        )
        if taken is not None:  # a generated session already starts then
            continue
        session.add(
            Slot(
                venue_id=venue.id,
                kind=SlotKind.OPEN_DAY,
                starts_at=starts_at,
                ends_at=to_utc(on, _time(item["end"])),
                title=item["title"],
                programme=item["programme"],
                capacity=item["capacity"],
                green_quota=item["green_quota"],
                taken_general=0,
                taken_green=0,
                audience=",".join(sorted(item["audience"])),
                signup_note=item["signup_note"],
            )
        )
        with_open_day.add(venue.id)
        added += 1
    for item in data.get("closed_dates", []):
        venue = venues.get(item["venue"])
        if venue is None or venue.id in with_closure:
            continue
        on = today + timedelta(days=item["in_days"])
        session.add(VenueClosure(venue_id=venue.id, closed_on=on, reason=item["reason"]))
        with_closure.add(venue.id)
        closed += 1
    session.flush()
    report.add("open days", added)
    report.add("closed dates", closed)
