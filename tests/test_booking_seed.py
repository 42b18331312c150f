"""The booking seed step: timetables from opening hours, idempotent."""

from datetime import time

import sqlalchemy as sa

from models import OpeningHours, TimetableEntry, db
from seed.booking import timetable_from_hours
from seed.loader import STEPS, SeedReport
from tests.factories import make_venue


def _run_step():
    function = dict(STEPS)["timetables"]
    report = SeedReport()
    function(db.session, None, report)
    db.session.commit()
    return report.counts["timetable entries"]


def test_timetables_come_from_opening_hours_once(app):
    make_venue(weekdays=[6, 7])  # 09:00–17:00 on the weekend
    db.session.commit()
    assert _run_step() == 4
    assert _run_step() == 0
    starts = sorted({e.start_time for e in db.session.scalars(sa.select(TimetableEntry))})
    assert starts == [time(9), time(14)]


def test_a_short_day_gets_only_what_fits():
    short = OpeningHours(weekday=3, opens_at=time(15), closes_at=time(16, 30))
    assert timetable_from_hours([short]) == []
    morning = OpeningHours(weekday=3, opens_at=time(8, 30), closes_at=time(12))
    assert [r["start_time"] for r in timetable_from_hours([morning])] == [time(8, 30)]
