"""The .ics of a booking parses back with the icalendar library: UID, UTC times, folded text."""

from datetime import UTC, timedelta

from icalendar import Calendar

from models import Role, db
from models.user import utcnow
from tests.factories import make_session, make_user, make_venue

COUNTS = ("preschool", "primary_pupils", "junior", "senior", "adults", "left_behind",
          "disabled", "orphaned", "special_family")  # fmt: skip
FAMILY_FORM = {
    **dict.fromkeys(COUNTS, "0"),
    "primary_pupils": "1",
    "adults": "1",
    "contact_name": "王女士",
    "contact_phone": "13800138000",
    "idempotency_key": "ics-key-0001",
    "confirm": "1",
}


def test_the_calendar_file_parses_back_to_the_visit(client):
    venue = make_venue(
        name="太原市青少年科技馆；“科学,探索”", address="太原市迎泽区" + "新建南路" * 20
    )
    session = make_session(venue, starts_at=utcnow().replace(microsecond=0) + timedelta(days=2))
    user = make_user(role=Role.FAMILY)
    db.session.commit()
    client.post("/auth/login", data={"login": user.email, "password": "correct horse battery"})
    location = client.post(f"/booking/sessions/{session.id}/family", data=FAMILY_FORM)
    code = location.headers["Location"].rsplit("/", 1)[1]

    raw = client.get(f"/booking/b/{code}/calendar.ics").data
    assert all(len(line) <= 75 for line in raw.split(b"\r\n")), "long lines are folded"
    event = Calendar.from_ical(raw).walk("VEVENT")[0]
    assert str(event["UID"]) == f"{code}@practice-bases"
    assert event.decoded("DTSTART") == session.starts_at.replace(tzinfo=UTC)
    assert event.decoded("DTEND") == session.ends_at.replace(tzinfo=UTC)
    assert str(event["SUMMARY"]).startswith("太原市青少年科技馆；“科学,探索”")
    assert str(event["LOCATION"]) == venue.address
