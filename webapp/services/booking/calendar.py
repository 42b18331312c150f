"""A booking as an iCalendar (.ics) file, made with the icalendar library.

The library does what hand-written lines got wrong or left out: folding long lines at 75
octets (a venue's address in Chinese soon passes that), escaping, and typed UTC times.
"""

from datetime import UTC

from flask_babel import gettext as _
from icalendar import Calendar, Event

from models.user import utcnow


def booking_ics(booking) -> bytes:
    """The booking's visit as one VEVENT, its times in UTC, its UID stable across downloads."""
    session = booking.slot
    calendar = Calendar()
    calendar.add("prodid", "-//Shanxi practice bases//booking//ZH")
    calendar.add("version", "2.0")
    event = Event()
    event.add("uid", f"{booking.code}@practice-bases")
    event.add("dtstamp", utcnow().replace(tzinfo=UTC))
    event.add("dtstart", session.starts_at.replace(tzinfo=UTC))
    event.add("dtend", session.ends_at.replace(tzinfo=UTC))
    event.add("summary", f"{session.venue.name} · {booking.display_code}")
    event.add("location", session.venue.address or "")
    event.add("description", _("Show the code %(code)s at the door.", code=booking.display_code))
    calendar.add_component(event)
    return calendar.to_ical()
