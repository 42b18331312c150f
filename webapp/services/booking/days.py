"""The coming days of a venue, for a date-first booking page: which days have places, which
are full, and when the days not yet bookable are released.

Built on availability.list_coming_sessions, so the whole strip costs one availability query.
"""

from dataclasses import dataclass, field
from datetime import date, datetime

from models import BookingSettings, Slot, Venue
from webapp.services.booking.availability import Availability, list_coming_sessions
from webapp.services.booking.settings import get_settings, setting
from webapp.services.booking.slots import booking_opens_at
from webapp.services.clock import local_date

#: a day is "few left" at or below this share of its places (or this many places)
FEW_SHARE = 0.2
FEW_PLACES = 5
#: days shown on the strip beyond the last bookable one, so people see what comes next
LOOKAHEAD_DAYS = 7


class DayState:
    AVAILABLE = "available"
    FEW = "few"
    FULL = "full"
    NOT_RELEASED = "not_released"


@dataclass
class BookingDay:
    day: date
    state: str
    #: naive UTC moment the day's places open (only for NOT_RELEASED)
    releases_at: datetime | None = None
    places_left: int = 0
    sessions: list[tuple[Slot, Availability]] = field(default_factory=list)

    @property
    def is_bookable(self) -> bool:
        return self.state in (DayState.AVAILABLE, DayState.FEW)


def _state(rows, opens_at: datetime, *, now: datetime) -> str:
    if now < opens_at:
        return DayState.NOT_RELEASED
    left = sum(places.green_left for _s, places in rows)
    capacity = sum(places.capacity for _s, places in rows)
    if left <= 0:
        return DayState.FULL
    if left <= FEW_PLACES or left <= capacity * FEW_SHARE:
        return DayState.FEW
    return DayState.AVAILABLE


def list_booking_days(venue: Venue, *, now: datetime) -> list[BookingDay]:
    """The venue's coming days that have sessions, soonest first, each with its sessions.

    Rules: the strip runs from today (local date) to LOOKAHEAD_DAYS past the last day that
    can be booked now; a day is not released until the venue's booking opening time for it;
    otherwise it is full, few left or available by the places left in all its sessions.
    """
    settings: BookingSettings = get_settings(venue.id)
    rows = list_coming_sessions(venue, now=now, days=settings.open_days_ahead + LOOKAHEAD_DAYS)
    by_day: dict[date, list] = {}
    for session, places in rows:
        by_day.setdefault(local_date(session.starts_at), []).append((session, places))
    days = []
    for day, day_rows in sorted(by_day.items()):
        opens_at = booking_opens_at(day_rows[0][0], settings)
        state = _state(day_rows, opens_at, now=now)
        days.append(
            BookingDay(
                day=day,
                state=state,
                releases_at=opens_at if state == DayState.NOT_RELEASED else None,
                places_left=sum(p.green_left for _s, p in day_rows),
                sessions=day_rows,
            )
        )
    return days


def choose_day(days: list[BookingDay], wanted: date | None) -> BookingDay | None:
    """The day to show: the one asked for if it is on the strip, else the first with places,
    else the first day."""
    for d in days:
        if d.day == wanted:
            return d
    return next((d for d in days if d.is_bookable), days[0] if days else None)


@dataclass(frozen=True)
class BookingRules:
    """What a visitor must know before booking, from the venue's settings and the app's."""

    cancel_cutoff_hours: int
    no_show_limit: int
    no_show_window_days: int
    no_show_block_days: int
    arrive_minutes_before: int
    what_to_bring: str
    is_senior_alone_allowed: bool


def get_booking_rules(venue: Venue) -> BookingRules:
    settings = get_settings(venue.id)
    return BookingRules(
        cancel_cutoff_hours=settings.cancel_cutoff_hours,
        no_show_limit=setting("BOOKING_NO_SHOW_LIMIT"),
        no_show_window_days=setting("BOOKING_NO_SHOW_WINDOW_DAYS"),
        no_show_block_days=setting("BOOKING_NO_SHOW_BLOCK_DAYS"),
        arrive_minutes_before=settings.arrive_minutes_before,
        what_to_bring=settings.what_to_bring or "",
        is_senior_alone_allowed=bool(settings.is_senior_alone_allowed),
    )
