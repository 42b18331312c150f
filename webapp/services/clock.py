"""The one clock: what time and day it is in the venues' zone (Asia/Shanghai).

Instants are stored as naive UTC everywhere; a local day or time of day is always worked out
here, from the app's BABEL_DEFAULT_TIMEZONE, and never from the server's own clock or zone, so
that at 19:30 UTC (03:30 the next day in Beijing) every page agrees on what "today" is.
"""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app

from models.user import utcnow


def local_zone() -> ZoneInfo:
    return ZoneInfo(current_app.config.get("BABEL_DEFAULT_TIMEZONE") or "Asia/Shanghai")


def now() -> datetime:
    """This instant, as naive UTC (what the database stores)."""
    return utcnow()


def to_utc(day: date, at: time) -> datetime:
    """The naive UTC instant of a local date and time."""
    return datetime.combine(day, at, tzinfo=local_zone()).astimezone(UTC).replace(tzinfo=None)


def to_local(moment: datetime) -> datetime:
    """A naive UTC instant as an aware local datetime."""
    return moment.replace(tzinfo=UTC).astimezone(local_zone())


def local_date(moment: datetime) -> date:
    return to_local(moment).date()


def today(at: datetime | None = None) -> date:
    """The local day at `at` (naive UTC), or now."""
    return local_date(at or utcnow())


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """[start, end) of a local day, in naive UTC."""
    return to_utc(day, time(0)), to_utc(day + timedelta(days=1), time(0))
