"""Booking settings: the app's booking limits (config, with defaults) and each venue's own
settings (how far ahead it opens, green-channel release, cancel cut-off, teacher ratios,
approval size, real names, what visitors are told), as the venue's staff edit them.
"""

from datetime import time

from flask import current_app
from flask_babel import gettext as _

from models import BookingSettings, Venue, db
from webapp.services.booking.access import require_venue_staff
from webapp.services.errors import ServiceError
from webapp.services.transactions import unit_of_work

DEFAULTS = {
    "BOOKING_WINDOW_DAYS": 30,
    "BOOKING_MAX_ACTIVE_PER_DAY": 1,
    "BOOKING_NO_SHOW_LIMIT": 3,
    "BOOKING_NO_SHOW_WINDOW_DAYS": 90,
    "BOOKING_NO_SHOW_BLOCK_DAYS": 30,
    "BOOKING_MAX_FAMILY_PARTY": 10,
    #: places offered to a waiting-list entry are held for it this long (never past the start)
    "BOOKING_WAITLIST_HOLD_HOURS": 12,
}


def setting(name: str) -> int:
    """A booking setting from the app config, else its default."""
    return int(current_app.config.get(name, DEFAULTS[name]))


def get_settings(venue_id: int) -> BookingSettings:
    """The venue's booking settings; a venue without a row gets the defaults (not saved)."""
    found = db.session.get(BookingSettings, venue_id)
    if found is not None:
        return found
    return default_settings(venue_id)


def default_settings(venue_id: int) -> BookingSettings:
    """The settings of a venue that has saved none: the column defaults (not saved)."""
    defaults = {
        c.name: c.default.arg
        for c in BookingSettings.__table__.columns
        if c.default is not None and not callable(c.default.arg)
    }
    return BookingSettings(venue_id=venue_id, **defaults)


# ---------------------------------------------------------------- staff's changes

#: field → (lowest, highest) allowed
SETTING_RANGES = {
    "open_days_ahead": (1, 366),
    "green_release_hours": (0, 720),
    "cancel_cutoff_hours": (0, 720),
    "preschool_per_teacher": (1, 100),
    "primary_per_teacher": (1, 100),
    "junior_per_teacher": (1, 100),
    "senior_per_teacher": (1, 100),
    "approval_above": (0, 10_000),
    "arrive_minutes_before": (0, 240),
}

SETTING_FIELDS = (
    *SETTING_RANGES,
    "release_time",
    "requires_real_name",
    "what_to_bring",
    "is_senior_alone_allowed",
)
VISITOR_RULE_FIELDS = ("arrive_minutes_before", "what_to_bring", "is_senior_alone_allowed")
WHAT_TO_BRING_MAX = 200


def update_booking_settings(venue: Venue, values: dict, *, by) -> BookingSettings:
    """Save how the venue takes bookings.

    Rules: venue staff only; booking opens 1 to 366 days ahead, at a time of day; unused
    green-channel places are released 0 to 720 hours before a session; bookers may cancel
    until 0 to 720 hours before; each stage allows 1 to 100 pupils per accompanying teacher;
    a school group of more than 0 to 10,000 people waits for approval; real-name entry for
    adult visitors is on or off (off when not given); visitors arrive 0 to 240 minutes early;
    what to bring is one line of at most 200 characters (these last three, left out or None,
    stay as they were). Every value is checked before anything is saved.
    Raises: PermissionDenied, ServiceError (with the field at fault).
    """
    require_venue_staff(venue, by)
    # the rules shown to visitors came later: a caller that leaves them out keeps them
    current = get_settings(venue.id)
    values = {
        **{name: getattr(current, name) for name in VISITOR_RULE_FIELDS},
        **{k: v for k, v in values.items() if v is not None or k not in VISITOR_RULE_FIELDS},
    }
    for name, (low, high) in SETTING_RANGES.items():
        value = values.get(name)
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            raise ServiceError(
                _("Give a whole number from %(low)d to %(high)d.", low=low, high=high), field=name
            )
    if not isinstance(values.get("release_time"), time):
        raise ServiceError(_("Give the time of day, such as 08:00."), field="release_time")
    values = {
        **values,
        # one line of plain text: control characters (tabs, new lines, escapes) are dropped
        "what_to_bring": "".join(
            ch for ch in str(values.get("what_to_bring") or "") if ch.isprintable()
        ).strip(),
        "is_senior_alone_allowed": bool(values.get("is_senior_alone_allowed")),
    }
    if len(values["what_to_bring"]) > WHAT_TO_BRING_MAX:
        raise ServiceError(
            _("At most %(n)d characters.", n=WHAT_TO_BRING_MAX), field="what_to_bring"
        )
    settings = db.session.get(BookingSettings, venue.id)
    if settings is None:
        settings = get_settings(venue.id)
        db.session.add(settings)
    values = {**values, "requires_real_name": bool(values.get("requires_real_name"))}
    with unit_of_work(busy_on_conflict=True):
        for name in SETTING_FIELDS:
            setattr(settings, name, values[name])
    return settings
