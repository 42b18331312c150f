"""A change of policy does not alter bookings already made: after families (general and green
channel) and school groups have booked, staff change the venue's admission prices, its booking
rules (approval size, green release, teacher ratios) and its timetable's places and green
quota, and every booking keeps its price, channel, counts and status, in the database and on
the pages its booker sees (我的预约 and the booking's own page)."""

from dataclasses import replace
from datetime import timedelta

import pytest
import sqlalchemy as sa

from models import (
    AdmissionKind,
    Booking,
    BookingChannel,
    BookingStatus,
    Role,
    Slot,
    VisitorGroup,
    db,
)
from models.user import utcnow
from tests.factories import (
    family_request,
    make_school,
    make_session,
    make_user,
    make_venue,
    school_request,
)
from tests.world import login_as
from webapp.services import clock
from webapp.services.booking import requests, settings, staff, timetables
from webapp.services.catalogue import editing
from webapp.services.catalogue.venue_values import AdmissionValue

FIELDS = (
    "status", "channel", "kind", "price_yuan", "places", "preschool", "primary_pupils",
    "junior", "senior", "adults", "teachers", "left_behind", "disabled", "orphaned",
    "special_family", "visit_on", "slot_id",
)  # fmt: skip


def snapshot(booking_id: int) -> dict:
    db.session.expire_all()
    booking = db.session.get(Booking, booking_id)
    return {name: getattr(booking, name) for name in FIELDS}


@pytest.fixture
def people(app):
    with app.test_request_context("/?lang=en"):
        venue = make_venue(
            admission={
                VisitorGroup.PRESCHOOL: (AdmissionKind.FREE, None),
                VisitorGroup.PRIMARY: (AdmissionKind.DISCOUNT, 10),
                VisitorGroup.JUNIOR: (AdmissionKind.DISCOUNT, 15),
                VisitorGroup.SENIOR: (AdmissionKind.DISCOUNT, 15),
                VisitorGroup.ADULT: (AdmissionKind.FULL, 30),
                VisitorGroup.TEACHER: (AdmissionKind.FREE, None),
            }
        )
        school = make_school(venue.county, stages_csv="primary,junior")
        found = {
            "venue": venue,
            "school": school,
            "staff": make_user(Role.VENUE_STAFF, venue=venue, is_manager=True),
            "family": make_user(Role.FAMILY),
            "green_family": make_user(Role.FAMILY),
            "teacher": make_user(Role.SCHOOL_STAFF, school=school),
        }
        db.session.commit()
        return found


def book_everyone(people, session, now) -> dict[str, int]:
    school, teacher = people["school"], people["teacher"]
    made = {
        "general": requests.create_booking(
            session, family_request(primary_pupils=1, adults=2), by=people["family"], now=now
        ),
        "green": requests.create_booking(
            session,
            family_request(primary_pupils=2, adults=1, left_behind=1, disabled=1),
            by=people["green_family"],
            now=now,
        ),
        "small_group": requests.create_booking(
            session, school_request(school, primary_pupils=20, teachers=1), by=teacher, now=now
        ),
        "large_group": requests.create_booking(
            session, school_request(school, primary_pupils=44, teachers=3), by=teacher, now=now
        ),
    }
    return {name: b.id for name, b in made.items()}


def change_every_policy(people, session, now) -> None:
    venue, by = people["venue"], people["staff"]
    # prices: everything free but adults, who now pay more
    values = editing.get_venue_values(venue)
    admission = [
        AdmissionValue(g, AdmissionKind.FREE) for g in VisitorGroup if g is not VisitorGroup.ADULT
    ] + [AdmissionValue(VisitorGroup.ADULT, AdmissionKind.FULL, 80)]
    editing.update_venue(venue, replace(values, admission=admission), by=by, now=now)
    # booking rules: every group now waits for approval; green places released at once;
    # fewer pupils per teacher (the large group no longer has enough teachers)
    current = settings.get_settings(venue.id)
    rules = {name: getattr(current, name) for name in settings.SETTING_FIELDS}
    rules.update(approval_above=0, green_release_hours=0, primary_per_teacher=5)
    settings.update_booking_settings(venue, rules, by=by)
    # the timetable: the session's weekday and time with fewer places and no green quota
    local = clock.to_local(session.starts_at)
    timetables.set_timetable(
        venue,
        [
            {
                "weekday": local.isoweekday(),
                "start_time": local.time(),
                "end_time": clock.to_local(session.ends_at).time(),
                "capacity": 20,
                "green_quota": 0,
            }
        ],
        by=by,
        now=now,
    )


def test_bookings_keep_their_price_channel_counts_and_status_when_policy_changes(
    app, client, people
):
    now = utcnow()
    with app.test_request_context("/?lang=en"):
        session = make_session(
            people["venue"], starts_at=now + timedelta(days=3), capacity=200, green_quota=100
        )
        db.session.commit()
        ids = book_everyone(people, session, now)
        before = {name: snapshot(i) for name, i in ids.items()}
        # what the bookings were made as: the test's premises
        assert before["general"]["channel"] is BookingChannel.GENERAL
        assert before["general"]["price_yuan"] == 10 + 2 * 30
        assert before["green"]["channel"] is BookingChannel.GREEN
        assert before["small_group"]["status"] is BookingStatus.CONFIRMED
        assert before["large_group"]["status"] is BookingStatus.PENDING
        assert before["large_group"]["channel"] is BookingChannel.GREEN
        counters = db.session.execute(
            sa.select(Slot.capacity, Slot.green_quota, Slot.taken_general, Slot.taken_green)
            .where(Slot.id == session.id)
        ).one()  # fmt: skip

        change_every_policy(people, session, now + timedelta(minutes=5))

        after = {name: snapshot(i) for name, i in ids.items()}
        assert after == before
        assert db.session.execute(
            sa.select(Slot.capacity, Slot.green_quota, Slot.taken_general, Slot.taken_green)
            .where(Slot.id == session.id)
        ).one() == counters, "the booked session keeps its places and quota"  # fmt: skip

        # the waiting group, approved under the new rules, keeps what it booked
        large = db.session.get(Booking, ids["large_group"])
        staff.approve_booking(large, by=people["staff"], now=now + timedelta(minutes=10))
        approved = snapshot(ids["large_group"])
        assert approved["status"] is BookingStatus.CONFIRMED
        assert {**approved, "status": None} == {**before["large_group"], "status": None}
        codes = {name: db.session.get(Booking, i).code for name, i in ids.items()}
        prices = {name: snap["price_yuan"] for name, snap in before.items()}

    # what the bookers see
    for name, who in (("general", "family"), ("green", "green_family")):
        login_as(client, people[who])
        page = client.get(f"/booking/b/{codes[name]}?lang=en").get_data(as_text=True)
        assert f"¥{prices[name]}" in page if prices[name] else "Free" in page
        assert "Confirmed" in page
        expected_channel = "Green channel" if name == "green" else "General"
        assert expected_channel in page
        mine = client.get("/booking/mine?lang=en").get_data(as_text=True)
        assert codes[name][:4] in mine.replace("-", "") and "Confirmed" in mine
    login_as(client, people["teacher"])
    page = client.get(f"/booking/b/{codes['large_group']}?lang=en").get_data(as_text=True)
    assert "47 in all" in page and "Confirmed" in page
