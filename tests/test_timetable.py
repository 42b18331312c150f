"""Venue staff edit the weekly timetable, closed dates and booking settings: the rules in
services/booking/timetables.py first, then the console pages that call them."""

import re
from datetime import date, time, timedelta

import pytest
import sqlalchemy as sa

from models import (
    Booking,
    BookingSettings,
    BookingStatus,
    OutboxMessage,
    Role,
    Slot,
    SlotKind,
    VenueClosure,
    db,
)
from models.user import utcnow
from tests.factories import NOW, family_request, make_session, make_settings, make_user, make_venue
from webapp.services import clock
from webapp.services.booking import availability, bookings, requests, slots, timetables
from webapp.services.booking import closures as closures_service
from webapp.services.booking import settings as settings_service
from webapp.services.errors import PermissionDenied, ServiceError

# NOW is Wednesday 2025-06-04 10:00 local. With a 7-day window the coming sessions run from
# Wednesday 4 June to Tuesday 10 June: each weekday once, and Wednesday's 09:00 has passed.
SATURDAY = date(2025, 6, 7)
SUNDAY = date(2025, 6, 8)


@pytest.fixture(autouse=True)
def short_window(app):
    app.config["BOOKING_WINDOW_DAYS"] = 7


@pytest.fixture
def venue(app):
    found = make_venue()
    db.session.commit()
    return found


@pytest.fixture
def staff(venue):
    user = make_user(role=Role.VENUE_STAFF, venue=venue)
    db.session.commit()
    return user


@pytest.fixture
def family(app):
    user = make_user(role=Role.FAMILY)
    db.session.commit()
    return user


def row(weekday=6, start="09:00", end="11:00", capacity=30, green_quota=5):
    return {
        "weekday": weekday,
        "start_time": time.fromisoformat(start) if start else None,
        "end_time": time.fromisoformat(end) if end else None,
        "capacity": capacity,
        "green_quota": green_quota,
    }


def local_starts(venue):
    """(local date, local start time, capacity, green quota) of every session of the venue."""
    found = db.session.scalars(
        sa.select(Slot).where(Slot.venue_id == venue.id).order_by(Slot.starts_at)
    ).all()
    return [
        (
            clock.local_date(s.starts_at),
            clock.to_local(s.starts_at).time(),
            s.capacity,
            s.green_quota,
        )
        for s in found
    ]


def timetable_rows(venue):
    return [
        (e.weekday, e.start_time, e.end_time, e.capacity, e.green_quota)
        for e in timetables.list_timetable(venue)
    ]


def book(session, family, places=2):
    with db.session.no_autoflush:
        return requests.create_booking(
            session, family_request(primary_pupils=places - 1, adults=1), by=family, now=NOW
        )


# ---------------------------------------------------------------- timetable rules


@pytest.mark.parametrize(
    "rows, bad_row, field",
    [
        pytest.param([row(end="09:00")], 0, "end_time", id="end equals start"),
        pytest.param([row(start="11:00", end="10:00")], 0, "end_time", id="end before start"),
        pytest.param([row(start=None)], 0, "start_time", id="no start"),
        pytest.param([row(end=None)], 0, "end_time", id="no end"),
        pytest.param([row(capacity=0)], 0, "capacity", id="capacity zero"),
        pytest.param([row(capacity=None)], 0, "capacity", id="capacity missing"),
        pytest.param([row(capacity=-5, green_quota=0)], 0, "capacity", id="capacity negative"),
        pytest.param([row(green_quota=-1)], 0, "green_quota", id="quota negative"),
        pytest.param(
            [row(capacity=10, green_quota=11)], 0, "green_quota", id="quota over capacity"
        ),
        pytest.param([row(weekday=0)], 0, "weekday", id="weekday zero"),
        pytest.param([row(weekday=8)], 0, "weekday", id="weekday eight"),
        pytest.param(
            [row(start="09:00", end="11:00"), row(start="10:30", end="12:00")],
            1,
            "start_time",
            id="overlap",
        ),
        pytest.param(
            [row(start="10:00", end="11:00"), row(start="09:00", end="17:00")],
            0,
            "start_time",
            id="row inside another",
        ),
        pytest.param(
            [
                row(start="09:00", end="17:00"),
                row(start="10:00", end="11:00"),
                row(start="12:00", end="13:00"),
            ],
            2,
            "start_time",
            id="overlap with a long row two rows back",
        ),
    ],
)
def test_a_timetable_breaking_a_rule_is_refused_and_nothing_changes(
    venue, staff, rows, bad_row, field
):
    timetables.set_timetable(venue, [row(weekday=1)], by=staff, now=NOW)
    before = (timetable_rows(venue), local_starts(venue))
    with pytest.raises(timetables.TimetableInvalid) as refused:
        timetables.set_timetable(venue, rows, by=staff, now=NOW)
    assert (bad_row, field) in [(p.row, p.field) for p in refused.value.problems]
    assert (timetable_rows(venue), local_starts(venue)) == before


@pytest.mark.parametrize(
    "rows",
    [
        pytest.param(
            [row(start="09:00", end="11:00"), row(start="11:00", end="13:00")], id="adjacent"
        ),
        pytest.param([row(weekday=6), row(weekday=7)], id="same times on two days"),
        pytest.param([row(capacity=10, green_quota=10)], id="quota equals capacity"),
        pytest.param([row(capacity=1, green_quota=0)], id="one place"),
        pytest.param([], id="no rows at all"),
    ],
)
def test_a_timetable_within_the_rules_is_saved(venue, staff, rows):
    timetables.set_timetable(venue, rows, by=staff, now=NOW)
    assert len(timetable_rows(venue)) == len(rows)


def test_only_the_venues_staff_may_change_its_timetable(venue, staff):
    other_staff = make_user(role=Role.VENUE_STAFF, venue=make_venue())
    db.session.commit()
    with pytest.raises(PermissionDenied):
        timetables.set_timetable(venue, [row()], by=other_staff, now=NOW)
    assert timetable_rows(venue) == []
    assert local_starts(venue) == []


# ---------------------------------------------------------------- regeneration


def test_saving_a_timetable_adds_the_coming_sessions_skipping_past_and_closed_days(venue, staff):
    db.session.add(VenueClosure(venue_id=venue.id, closed_on=SUNDAY, reason="检修"))
    db.session.commit()
    rows = [row(weekday=3), row(weekday=6, start="14:00", end="16:00"), row(weekday=7)]
    sync = timetables.set_timetable(venue, rows, by=staff, now=NOW)
    # Wednesday 4 June 09:00 has passed at 10:00; Sunday 8 June is closed
    assert local_starts(venue) == [(SATURDAY, time(14), 30, 5)]
    assert (sync.added, sync.changed, sync.removed, sync.kept) == (1, 0, 0, 0)


def test_saving_the_same_timetable_twice_changes_nothing_and_makes_no_duplicates(venue, staff):
    rows = [row(weekday=6), row(weekday=6, start="14:00", end="16:00"), row(weekday=1)]
    first = timetables.set_timetable(venue, rows, by=staff, now=NOW)
    after_first = local_starts(venue)
    again = timetables.set_timetable(venue, rows, by=staff, now=NOW)
    assert first.added == 3
    assert (again.added, again.changed, again.removed, again.kept) == (0, 0, 0, 0)
    assert local_starts(venue) == after_first
    # and the nightly generation finds nothing missing either
    assert slots.generate_sessions(venue, now=NOW, days=7) == 0
    assert local_starts(venue) == after_first


def test_a_changed_row_changes_unbooked_sessions_and_keeps_booked_ones(venue, staff, family):
    timetables.set_timetable(venue, [row(weekday=6), row(weekday=7)], by=staff, now=NOW)
    saturday = db.session.scalar(sa.select(Slot).order_by(Slot.starts_at))
    booking = book(saturday, family)
    sync = timetables.set_timetable(
        venue,
        [row(weekday=6, capacity=50, end="12:00"), row(weekday=7, capacity=50)],
        by=staff,
        now=NOW,
    )
    assert (sync.added, sync.changed, sync.removed, sync.kept) == (0, 1, 0, 1)
    assert [s.starts_at for s in sync.kept_sessions] == [saturday.starts_at]
    assert local_starts(venue) == [(SATURDAY, time(9), 30, 5), (SUNDAY, time(9), 50, 5)]
    db.session.refresh(booking)
    assert booking.status is BookingStatus.CONFIRMED and booking.slot.taken == 2


def test_a_removed_row_removes_unbooked_sessions_and_keeps_booked_ones(venue, staff, family):
    timetables.set_timetable(venue, [row(weekday=6), row(weekday=7)], by=staff, now=NOW)
    sunday = db.session.scalars(sa.select(Slot).order_by(Slot.starts_at)).all()[1]
    book(sunday, family)
    # a booking cancelled since still counts: the session keeps its history
    cancelled = book(
        make_session(venue, starts_at=clock.to_utc(date(2025, 6, 9), time(9)), capacity=30),
        family,
    )
    bookings.cancel_booking(cancelled, by=family, now=NOW)
    sync = timetables.set_timetable(venue, [row(weekday=5)], by=staff, now=NOW)
    assert (sync.added, sync.removed, sync.kept) == (1, 1, 2)
    assert [d for d, *_rest in local_starts(venue)] == [date(2025, 6, 6), SUNDAY, date(2025, 6, 9)]


def test_a_session_whose_places_are_being_taken_is_never_changed(venue, staff):
    """The row itself is checked: places held without a booking row yet (a booking being
    written at this very moment) keep the session as it is."""
    timetables.set_timetable(venue, [row(weekday=6)], by=staff, now=NOW)
    db.session.execute(sa.update(Slot).values(taken_general=3))
    db.session.commit()
    sync = timetables.set_timetable(venue, [row(weekday=6, capacity=10)], by=staff, now=NOW)
    assert (sync.changed, sync.kept) == (0, 1)
    assert local_starts(venue) == [(SATURDAY, time(9), 30, 5)]


def test_open_days_are_left_alone_and_never_doubled(venue, staff):
    open_day = slots.create_open_day(
        venue,
        on=SATURDAY,
        start=time(9),
        end=time(16),
        title="开放日",
        capacity=200,
        by=staff,
        now=NOW,
    )
    sync = timetables.set_timetable(venue, [row(weekday=6), row(weekday=7)], by=staff, now=NOW)
    assert sync.added == 1
    assert local_starts(venue) == [(SATURDAY, time(9), 200, 0), (SUNDAY, time(9), 30, 5)]
    assert db.session.get(Slot, open_day.id).kind is SlotKind.OPEN_DAY
    timetables.set_timetable(venue, [], by=staff, now=NOW)
    assert local_starts(venue) == [(SATURDAY, time(9), 200, 0)]


def test_another_venues_sessions_are_not_touched(venue, staff):
    other = make_venue()
    db.session.commit()
    make_session(other, starts_at=clock.to_utc(SATURDAY, time(9)))
    db.session.commit()
    timetables.set_timetable(venue, [row(weekday=7)], by=staff, now=NOW)
    assert len(local_starts(other)) == 1


# ---------------------------------------------------------------- closed dates


def test_closing_a_date_removes_its_unbooked_sessions(venue, staff):
    timetables.set_timetable(venue, [row(weekday=6), row(weekday=7)], by=staff, now=NOW)
    result = closures_service.close_day(venue, SATURDAY, "设备检修", by=staff, now=NOW)
    assert (result.removed, result.called_off, result.cancelled) == (1, 0, 0)
    assert [d for d, *_rest in local_starts(venue)] == [SUNDAY]
    assert slots.is_closed_on(venue.id, SATURDAY)
    # regenerating does not bring the closed day back
    timetables.set_timetable(venue, [row(weekday=6), row(weekday=7)], by=staff, now=NOW)
    assert slots.generate_sessions(venue, now=NOW, days=7) == 0
    assert [d for d, *_rest in local_starts(venue)] == [SUNDAY]


def test_closing_a_booked_date_asks_first_and_changes_nothing(venue, staff, family):
    timetables.set_timetable(venue, [row(weekday=6)], by=staff, now=NOW)
    booking = book(db.session.scalar(sa.select(Slot)), family)
    with pytest.raises(closures_service.ClosureNeedsConfirmation) as asked:
        closures_service.close_day(venue, SATURDAY, "设备检修", by=staff, now=NOW)
    assert asked.value.bookings == 1 and asked.value.field == "confirm"
    assert not slots.is_closed_on(venue.id, SATURDAY)
    db.session.refresh(booking)
    assert booking.status is BookingStatus.CONFIRMED
    assert db.session.scalar(sa.select(Slot.is_cancelled)) is False


def test_closing_a_booked_date_when_confirmed_cancels_and_tells_the_bookers(venue, staff, family):
    timetables.set_timetable(
        venue, [row(weekday=6), row(weekday=6, start="14:00", end="16:00")], by=staff, now=NOW
    )
    booked, empty = db.session.scalars(sa.select(Slot).order_by(Slot.starts_at)).all()
    empty_id = empty.id
    booking = book(booked, family, places=3)
    result = closures_service.close_day(
        venue, SATURDAY, "设备检修", by=staff, now=NOW, confirm=True
    )
    assert (result.removed, result.called_off, result.cancelled) == (1, 1, 1)
    db.session.refresh(booking)
    assert booking.status is BookingStatus.CANCELLED and booking.reason == "设备检修"
    kept = db.session.get(Slot, booked.id)
    assert kept.is_cancelled and kept.taken == 0
    assert db.session.get(Slot, empty_id) is None
    last = db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id.desc())).first()
    assert last.recipient in (family.email, family.phone) and "设备检修" in last.body
    assert availability.list_coming_sessions(venue, now=NOW, days=7) == []


@pytest.mark.parametrize(
    "day, reason, field",
    [
        pytest.param(date(2025, 6, 3), "检修", "on", id="yesterday"),
        pytest.param(None, "检修", "on", id="no date"),
        pytest.param(SATURDAY, "   ", "reason", id="blank reason"),
        pytest.param(SATURDAY, "修" * 121, "reason", id="reason too long"),
    ],
)
def test_a_closure_breaking_a_rule_is_refused(venue, staff, day, reason, field):
    with pytest.raises(ServiceError) as refused:
        closures_service.close_day(venue, day, reason, by=staff, now=NOW)
    assert refused.value.field == field
    assert db.session.scalar(sa.select(sa.func.count(VenueClosure.id))) == 0


def test_a_date_is_closed_only_once(venue, staff):
    closures_service.close_day(venue, SATURDAY, "检修", by=staff, now=NOW)
    with pytest.raises(ServiceError) as twice:
        closures_service.close_day(venue, SATURDAY, "节日", by=staff, now=NOW)
    assert twice.value.field == "on"
    assert [c.reason for c in timetables.list_closures(venue, now=NOW)] == ["检修"]


def test_closing_today_leaves_sessions_that_have_started(venue, staff):
    started = make_session(venue, starts_at=NOW - timedelta(minutes=30))
    later = make_session(venue, starts_at=NOW + timedelta(hours=3))
    db.session.commit()
    started_id, later_id = started.id, later.id
    result = closures_service.close_day(venue, date(2025, 6, 4), "停电", by=staff, now=NOW)
    assert result.removed == 1
    assert db.session.get(Slot, started_id) is not None
    assert db.session.get(Slot, later_id) is None


def test_opening_a_closed_date_again_brings_its_sessions_back(venue, staff, family):
    timetables.set_timetable(
        venue, [row(weekday=6), row(weekday=6, start="14:00", end="16:00")], by=staff, now=NOW
    )
    book(db.session.scalar(sa.select(Slot).order_by(Slot.starts_at)), family)
    result = closures_service.close_day(venue, SATURDAY, "检修", by=staff, now=NOW, confirm=True)
    assert local_starts(venue) == [(SATURDAY, time(9), 30, 5)]
    n = timetables.remove_closure(venue, result.closure.id, by=staff, now=NOW)
    assert n == 2
    assert local_starts(venue) == [(SATURDAY, time(9), 30, 5), (SATURDAY, time(14), 30, 5)]
    assert not any(s.is_cancelled for s in db.session.scalars(sa.select(Slot)))
    assert db.session.scalar(sa.select(Booking.status)) is BookingStatus.CANCELLED


def test_only_the_venues_staff_may_close_or_open_its_dates(venue, staff):
    other_venue = make_venue()
    other_staff = make_user(role=Role.VENUE_STAFF, venue=other_venue)
    db.session.commit()
    with pytest.raises(PermissionDenied):
        closures_service.close_day(venue, SATURDAY, "检修", by=other_staff, now=NOW)
    closure = closures_service.close_day(venue, SATURDAY, "检修", by=staff, now=NOW).closure
    with pytest.raises(PermissionDenied):
        timetables.remove_closure(venue, closure.id, by=other_staff, now=NOW)
    with pytest.raises(ServiceError):
        # another venue's closure id through one's own venue
        timetables.remove_closure(other_venue, closure.id, by=other_staff, now=NOW)
    assert slots.is_closed_on(venue.id, SATURDAY)


# ---------------------------------------------------------------- booking settings

GOOD_SETTINGS = {
    "open_days_ahead": 7,
    "release_time": time(9, 30),
    "green_release_hours": 48,
    "cancel_cutoff_hours": 12,
    "preschool_per_teacher": 8,
    "primary_per_teacher": 15,
    "junior_per_teacher": 20,
    "senior_per_teacher": 30,
    "approval_above": 60,
}


def test_booking_settings_are_saved_and_used(venue, staff):
    saved = settings_service.update_booking_settings(venue, dict(GOOD_SETTINGS), by=staff)
    assert saved.venue_id == venue.id
    current = settings_service.get_settings(venue.id)
    assert {name: getattr(current, name) for name in GOOD_SETTINGS} == GOOD_SETTINGS
    settings_service.update_booking_settings(
        venue, {**GOOD_SETTINGS, "approval_above": 0}, by=staff
    )
    assert db.session.scalar(sa.select(sa.func.count()).select_from(BookingSettings)) == 1
    assert settings_service.get_settings(venue.id).approval_above == 0


@pytest.mark.parametrize(
    "name, value",
    [
        ("open_days_ahead", 0),
        ("open_days_ahead", 367),
        ("green_release_hours", -1),
        ("green_release_hours", 721),
        ("cancel_cutoff_hours", -1),
        ("preschool_per_teacher", 0),
        ("primary_per_teacher", 101),
        ("junior_per_teacher", None),
        ("senior_per_teacher", "20"),
        ("approval_above", -1),
        ("approval_above", True),
        ("release_time", None),
        ("release_time", "08:00"),
    ],
)
def test_booking_settings_out_of_range_are_refused_and_nothing_is_saved(venue, staff, name, value):
    make_settings(venue, open_days_ahead=14)
    db.session.commit()
    with pytest.raises(ServiceError) as refused:
        settings_service.update_booking_settings(venue, {**GOOD_SETTINGS, name: value}, by=staff)
    assert refused.value.field == name
    db.session.expire_all()
    assert settings_service.get_settings(venue.id).open_days_ahead == 14


def test_only_the_venues_staff_may_change_its_booking_settings(venue):
    other_staff = make_user(role=Role.VENUE_STAFF, venue=make_venue())
    db.session.commit()
    with pytest.raises(PermissionDenied):
        settings_service.update_booking_settings(venue, dict(GOOD_SETTINGS), by=other_staff)
    assert db.session.get(BookingSettings, venue.id) is None


# ---------------------------------------------------------------- pages


def form_rows(*rows):
    data = {}
    for i, (weekday, start, end, capacity, quota) in enumerate(rows):
        data.update(
            {
                f"rows-{i}-weekday": str(weekday),
                f"rows-{i}-start_time": start,
                f"rows-{i}-end_time": end,
                f"rows-{i}-capacity": capacity,
                f"rows-{i}-green_quota": quota,
            }
        )
    return data


SETTINGS_FORM = {
    "open_days_ahead": "10",
    "release_time": "07:30",
    "green_release_hours": "24",
    "cancel_cutoff_hours": "6",
    "preschool_per_teacher": "10",
    "primary_per_teacher": "20",
    "junior_per_teacher": "20",
    "senior_per_teacher": "25",
    "approval_above": "40",
}


def flashes(page: str) -> str:
    return " ".join(re.findall(r'class="flash[^"]*"[^>]*>\s*([^<]*)<', page))


@pytest.mark.parametrize(
    "method, path",
    [
        ("GET", "/console/venues/{id}/timetable"),
        ("POST", "/console/venues/{id}/timetable"),
        ("POST", "/console/venues/{id}/timetable/closures"),
        ("POST", "/console/venues/{id}/timetable/closures/1/remove"),
        ("GET", "/console/venues/{id}/settings"),
        ("POST", "/console/venues/{id}/settings"),
    ],
)
def test_anonymous_visitors_are_sent_to_log_in(client, venue, method, path):
    response = client.open(path.format(id=venue.id), method=method)
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]


@pytest.mark.parametrize(
    "path, data",
    [
        ("/console/venues/{id}/timetable", form_rows((6, "09:00", "11:00", "30", "5"))),
        ("/console/venues/{id}/timetable/closures", {"on": "2099-01-01", "reason": "检修"}),
        ("/console/venues/{id}/settings", SETTINGS_FORM),
    ],
)
def test_staff_of_another_venue_are_refused_and_nothing_changes(client, auth, venue, path, data):
    other = make_user(role=Role.VENUE_STAFF, venue=make_venue())
    db.session.commit()
    auth.login(other.email)
    url = path.format(id=venue.id)
    assert client.get(url).status_code in (403, 405)
    assert client.post(url, data=data).status_code == 403
    assert timetable_rows(venue) == []
    assert db.session.scalar(sa.select(sa.func.count(VenueClosure.id))) == 0
    assert db.session.get(BookingSettings, venue.id) is None


def test_console_links_to_the_timetable_and_settings(client, auth, venue, staff):
    auth.login(staff.email)
    page = client.get(f"/console/venues/{venue.id}").get_data(as_text=True)
    assert f"/console/venues/{venue.id}/timetable" in page
    assert f"/console/venues/{venue.id}/settings" in page


def test_staff_see_the_timetable_and_save_changes_with_a_summary(client, auth, venue, staff):
    with client.application.test_request_context("/"):
        timetables.set_timetable(
            venue, [row(weekday=6, start="09:30", end="11:30")], by=staff, now=utcnow()
        )
    auth.login(staff.email)
    page = client.get(f"/console/venues/{venue.id}/timetable").get_data(as_text=True)
    assert "每周时间表" in page and 'value="09:30"' in page and 'value="11:30"' in page
    assert page.count('name="rows-') >= 4 * 5  # the row and three empty ones
    response = client.post(
        f"/console/venues/{venue.id}/timetable",
        data=form_rows(
            (6, "09:30", "11:30", "40", "5"),
            (7, "14:00", "16:00", "20", ""),
            (1, "", "", "", ""),
        ),
    )
    assert response.status_code == 302
    done = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "时间表已保存" in flashes(done)
    assert timetable_rows(venue) == [
        (6, time(9, 30), time(11, 30), 40, 5),
        (7, time(14), time(16), 20, 0),
    ]


def test_the_summary_names_the_sessions_kept_because_they_have_bookings(
    client, auth, venue, staff, family
):
    saturday = make_session(venue, starts_at=utcnow() + timedelta(days=3), capacity=30)
    db.session.commit()
    requests.create_booking(saturday, family_request(), by=family, now=utcnow())
    starts = clock.to_local(saturday.starts_at)
    auth.login(staff.email)
    # every row removed: only the page's blank rows come back
    response = client.post(
        f"/console/venues/{venue.id}/timetable", data=form_rows((1, "", "", "", ""))
    )
    done = flashes(client.get(response.headers["Location"]).get_data(as_text=True))
    assert "1 个因已有预约保持不变" in done
    assert starts.strftime("%m-%d %H:%M") in done
    assert db.session.get(Slot, saturday.id).capacity == 30


def test_a_post_without_any_rows_changes_nothing(client, auth, venue, staff):
    with client.application.test_request_context("/"):
        timetables.set_timetable(venue, [row(weekday=6)], by=staff, now=utcnow())
    auth.login(staff.email)
    response = client.post(f"/console/venues/{venue.id}/timetable", data={})
    assert response.status_code == 400
    assert "请刷新页面后重试" in response.get_data(as_text=True)
    assert [r[0] for r in timetable_rows(venue)] == [6]


def test_staff_remove_a_row_with_its_checkbox(client, auth, venue, staff):
    with client.application.test_request_context("/"):
        timetables.set_timetable(venue, [row(weekday=6), row(weekday=7)], by=staff, now=utcnow())
    auth.login(staff.email)
    data = form_rows((6, "09:00", "11:00", "30", "5"), (7, "09:00", "11:00", "30", "5"))
    data["rows-1-remove"] = "y"
    assert client.post(f"/console/venues/{venue.id}/timetable", data=data).status_code == 302
    assert [r[0] for r in timetable_rows(venue)] == [6]


@pytest.mark.parametrize(
    "rows, message, kept",
    [
        pytest.param(
            [(6, "09:00", "11:00", "30", "5"), (6, "10:00", "12:00", "30", "5")],
            "与同一天的 09:00–11:00 重叠",
            'value="10:00"',
            id="overlap",
        ),
        pytest.param(
            [(6, "11:00", "09:00", "30", "5")],
            "结束时间必须晚于开始时间",
            'value="11:00"',
            id="end",
        ),
        pytest.param(
            [(6, "09:00", "11:00", "0", "0")], "容量必须在 1 到", 'value="0"', id="capacity"
        ),
        pytest.param(
            [(6, "09:00", "11:00", "10", "12")],
            "绿色通道预留名额须在 0 到容量之间",
            'value="12"',
            id="quota",
        ),
        pytest.param(
            [(6, "09:00", "11:00", "很多", "0")],
            "Not a valid integer",
            'value="很多"',
            id="not a number",
        ),
    ],
)
def test_a_bad_timetable_is_shown_again_with_the_message_and_the_input(
    client, auth, venue, staff, rows, message, kept
):
    with client.application.test_request_context("/"):
        timetables.set_timetable(venue, [row(weekday=2)], by=staff, now=utcnow())
    before = timetable_rows(venue)
    auth.login(staff.email)
    response = client.post(f"/console/venues/{venue.id}/timetable", data=form_rows(*rows))
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "没有保存" in page
    assert message in page or (message == "Not a valid integer" and "整数" in page)
    assert kept in page
    assert timetable_rows(venue) == before


def test_staff_close_a_date_and_are_asked_before_bookings_are_cancelled(
    client, auth, venue, staff, family
):
    soon = utcnow() + timedelta(days=2)
    session = make_session(venue, starts_at=soon, capacity=20)
    db.session.commit()
    with client.application.test_request_context("/"):
        booking = requests.create_booking(session, family_request(), by=family, now=utcnow())
    code = booking.code
    day = clock.local_date(soon).isoformat()
    auth.login(staff.email)
    asked = client.post(
        f"/console/venues/{venue.id}/timetable/closures", data={"on": day, "reason": "设备检修"}
    )
    page = asked.get_data(as_text=True)
    assert asked.status_code == 400
    assert "1 个预约" in page and 'value="设备检修"' in page
    assert (
        db.session.scalar(sa.select(Booking.status).where(Booking.code == code))
        is BookingStatus.CONFIRMED
    )
    done = client.post(
        f"/console/venues/{venue.id}/timetable/closures",
        data={"on": day, "reason": "设备检修", "confirm": "y"},
    )
    assert done.status_code == 302
    assert "已通知" in flashes(client.get(done.headers["Location"]).get_data(as_text=True))
    assert (
        db.session.scalar(sa.select(Booking.status).where(Booking.code == code))
        is BookingStatus.CANCELLED
    )
    page = client.get(f"/console/venues/{venue.id}/timetable").get_data(as_text=True)
    assert day in page and "设备检修" in page
    closure = db.session.scalar(sa.select(VenueClosure))
    reopened = client.post(f"/console/venues/{venue.id}/timetable/closures/{closure.id}/remove")
    assert reopened.status_code == 302
    assert db.session.scalar(sa.select(sa.func.count(VenueClosure.id))) == 0


@pytest.mark.parametrize(
    "data, message",
    [
        ({"on": "2001-01-01", "reason": "检修"}, "该日期已过"),
        ({"on": "2099-01-01", "reason": ""}, "必填"),
        ({"on": "not a date", "reason": "检修"}, "日期"),
    ],
)
def test_a_bad_closure_is_shown_again_with_the_message(client, auth, venue, staff, data, message):
    auth.login(staff.email)
    response = client.post(f"/console/venues/{venue.id}/timetable/closures", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in page
    if data["reason"]:
        assert f'value="{data["reason"]}"' in page
    assert db.session.scalar(sa.select(sa.func.count(VenueClosure.id))) == 0


def test_staff_see_and_change_the_booking_settings(client, auth, venue, staff):
    make_settings(venue, open_days_ahead=21)
    db.session.commit()
    auth.login(staff.email)
    page = client.get(f"/console/venues/{venue.id}/settings").get_data(as_text=True)
    assert "预约设置" in page and 'value="21"' in page and 'value="08:00"' in page
    response = client.post(f"/console/venues/{venue.id}/settings", data=SETTINGS_FORM)
    assert response.status_code == 302
    assert "已保存" in flashes(client.get(response.headers["Location"]).get_data(as_text=True))
    current = db.session.get(BookingSettings, venue.id)
    assert (current.open_days_ahead, current.release_time, current.cancel_cutoff_hours) == (
        10,
        time(7, 30),
        6,
    )


@pytest.mark.parametrize(
    "name, value",
    [
        ("open_days_ahead", "400"),
        ("primary_per_teacher", "0"),
        ("release_time", "25:00"),
        ("approval_above", ""),
    ],
)
def test_bad_booking_settings_are_shown_again_and_nothing_is_saved(
    client, auth, venue, staff, name, value
):
    auth.login(staff.email)
    response = client.post(
        f"/console/venues/{venue.id}/settings", data={**SETTINGS_FORM, name: value}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "没有保存" in page
    assert 'aria-invalid="true"' in page and f'id="{name}"' in page
    if value:
        assert f'value="{value}"' in page
    assert db.session.get(BookingSettings, venue.id) is None
