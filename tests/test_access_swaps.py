"""Two users of the same role swap the ids of their objects: each gets nothing of the other's.

For every route that takes a booking code, a session, a venue or a talk request, user A asks
with user B's object (and B with A's): the answer is a refusal (403 or 404) that names nothing
of B's, nothing of B's changes, and A's own lists do not show it. The pairs: two families, the
staff of two schools, the staff of two venues, the bureaus of two counties. See tests/world.py.
"""

from io import BytesIO

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from models import Booking, BookingStatus, LectureRequest, LectureStatus, Slot, db
from tests.world import login_as

BOOKING_ROUTES = [
    ("GET", "/booking/b/{code}", None),
    ("GET", "/booking/b/{code}/print", None),
    ("GET", "/booking/b/{code}/calendar.ics", None),
    ("POST", "/booking/b/{code}/cancel", None),
    ("GET", "/api/v1/bookings/{code}", None),
    ("POST", "/api/v1/bookings/{code}/cancel", {"reason": "换一个"}),
]


def client_of(app, user):
    client = app.test_client()
    login_as(client, user)
    return client


def _status_of(booking_id: int) -> BookingStatus:
    db.session.expire_all()
    return db.session.get(Booking, booking_id).status


def _ask(client, method, url, json=None):
    if method == "GET":
        return client.get(url)
    if url.startswith("/api/"):
        return client.post(url, json=json if json is not None else {})
    return client.post(url, data={"reason": "换一个"})


def _assert_nothing_of(response, *secrets):
    body = response.get_data(as_text=True)
    for secret in secrets:
        assert secret not in body


# ---------------------------------------------------------------- bookings


@pytest.mark.parametrize(
    "me, mine, theirs",
    [
        ("family", ["family_a", "family_b"], ["family2_a", "family2_c"]),
        ("family2", ["family2_a", "family2_c"], ["family_a", "family_b"]),
        ("school", ["school_x"], ["school_y"]),
        ("school_y", ["school_y"], ["school_x"]),
    ],
)
def test_a_booker_swapping_in_anothers_booking_code_gets_nothing_of_it(
    app, world, me, mine, theirs
):
    client = client_of(app, world.users[me])
    for key in theirs:
        booking = world.bookings[key]
        before = booking.status
        for method, path, json in BOOKING_ROUTES:
            response = _ask(client, method, path.format(code=booking.code), json)
            assert response.status_code == 404, (key, method, path)
            _assert_nothing_of(response, booking.display_code, booking.contact_phone)
        assert _status_of(booking.id) is before, key
    for key in mine:  # the same client still reaches its own
        assert client.get(f"/booking/b/{world.bookings[key].code}").status_code == 200


@pytest.mark.parametrize(
    "me, mine, theirs",
    [
        ("family", ["family_a", "family_b"], ["family2_a", "family2_c", "school_x"]),
        ("family2", ["family2_a", "family2_c"], ["family_a", "family_b", "school_y"]),
    ],
)
def test_my_bookings_lists_mine_and_nobody_elses(app, world, me, mine, theirs):
    page = client_of(app, world.users[me]).get("/booking/mine").get_data(as_text=True)
    for key in mine:
        assert world.bookings[key].code in page
    for key in theirs:
        assert world.bookings[key].code not in page


@pytest.mark.parametrize("me, mine, theirs", [("school", "x", "y"), ("school_y", "y", "x")])
def test_our_trips_lists_our_schools_trips_and_not_the_other_schools(app, world, me, mine, theirs):
    page = client_of(app, world.users[me]).get("/booking/trips").get_data(as_text=True)
    assert world.bookings[f"school_{mine}"].code in page
    assert world.bookings[f"school_{theirs}"].code not in page
    assert world.schools[theirs].name not in page


@pytest.mark.parametrize("me, theirs", [("school", "y"), ("school_y", "x")])
def test_school_staff_cannot_book_a_trip_in_the_other_schools_name(app, world, me, theirs):
    client = client_of(app, world.users[me])
    other = world.schools[theirs]
    form = {
        "school": str(other.id),
        "primary_pupils": "30",
        "preschool": "0",
        "junior": "0",
        "senior": "0",
        "teachers": "2",
        "group_name": "三年级二班",
        "lead_teacher": "李老师",
        "contact_name": "李老师",
        "contact_phone": "13900139000",
        "idempotency_key": "swap-school-form",
        "confirm": "1",
    }
    page = client.post(f"/booking/sessions/{world.sessions['c'].id}/school", data=form)
    assert page.status_code == 200  # the form again: the other school is not a choice
    api = client.post(
        "/api/v1/bookings",
        json={
            "session_id": world.sessions["c"].id,
            "kind": "school_group",
            "school_id": other.id,
            "primary_pupils": 30,
            "teachers": 2,
            "group_name": "三年级二班",
            "lead_teacher": "李老师",
            "contact_name": "李老师",
            "contact_phone": "13900139000",
            "idempotency_key": "swap-school-json",
        },
    )
    assert api.status_code == 403
    trips = db.session.scalar(
        sa.select(sa.func.count(Booking.id)).where(Booking.school_id == other.id)
    )
    assert trips == 1  # only the one the world made


# ---------------------------------------------------------------- the venue console


@pytest.mark.parametrize("me, mine, theirs", [("venue_a", "a", "b"), ("venue_b", "b", "a")])
def test_venue_staff_swapping_in_the_other_venues_ids_get_nothing_of_it(
    app, world, me, mine, theirs
):
    client = client_of(app, world.users[me])
    venue, session = world.venues[theirs], world.sessions[theirs]
    pending = world.bookings["school_y" if theirs == "b" else "school_x"]
    family = world.bookings[f"family_{theirs}"]
    secrets = (pending.display_code, family.display_code, pending.contact_phone)
    sessions_before = db.session.scalar(sa.select(sa.func.count(Slot.id)))

    for url in (f"/console/venues/{venue.id}", f"/console/sessions/{session.id}"):
        response = client.get(url)
        assert response.status_code == 403, url
        _assert_nothing_of(response, *secrets)
    open_day = {"on": "2031-05-01", "start": "09:00", "end": "11:00", "title": "开放日",
                "capacity": "50", "green_quota": "0"}  # fmt: skip
    for url, data in [
        (f"/console/venues/{venue.id}/open-days", open_day),
        (f"/console/venues/{venue.id}/generate", {}),
        (f"/console/venues/{venue.id}/check-in", {"code": family.code}),
        (f"/console/sessions/{session.id}/no-shows", {}),
    ]:
        assert client.post(url, data=data).status_code == 403, url
    for action in ("approve", "refuse", "cancel"):
        for booking in (pending, family):
            url = f"/console/bookings/{booking.code}/{action}"
            response = client.post(url, data={"reason": "换一个"})
            assert response.status_code == 404, url
    for booking in (pending, family):
        for method, path, json in BOOKING_ROUTES:
            response = _ask(client, method, path.format(code=booking.code), json)
            assert response.status_code == 404, (method, path)
            _assert_nothing_of(response, *secrets)

    # at their own door, the other venue's code is not theirs to check in
    own_door = client.post(f"/console/venues/{world.venues[mine].id}/check-in",
                           data={"code": family.code})  # fmt: skip
    assert own_door.status_code == 302

    assert _status_of(pending.id) is BookingStatus.PENDING
    assert _status_of(family.id) is BookingStatus.CONFIRMED
    assert db.session.scalar(sa.select(sa.func.count(Slot.id))) == sessions_before


# ---------------------------------------------------------------- talk requests


def _request_state(request_id: int):
    db.session.expire_all()
    req = db.session.get(LectureRequest, request_id)
    return req.status, req.lecturer_id, req.cancel_reason


LECTURE_POSTS = [
    ("/lecturers/requests/{id}/assign", {"lecturer_id": "{lecturer}", "on": "{on}"}),
    ("/lecturers/requests/{id}/deliver",
     {"delivered_on": "2025-01-01", "audience_reached": "50", "feedback_score": "5"}),
    ("/lecturers/requests/{id}/cancel", {"reason": "换一个"}),
]  # fmt: skip
LECTURE_API_POSTS = [
    ("/api/v1/lecture-requests/{id}/assign", {"lecturer_id": "{lecturer}"}),
    ("/api/v1/lecture-requests/{id}/deliver",
     {"delivered_on": "2025-01-01", "audience_reached": 50, "feedback_score": 5}),
    ("/api/v1/lecture-requests/{id}/cancel", {"reason": "换一个"}),
]  # fmt: skip


def _fill(values: dict, **ids) -> dict:
    return {
        k: (ids[v[1:-1]] if isinstance(v, str) and v.startswith("{") else v)
        for k, v in values.items()
    }


@pytest.mark.parametrize(
    "me, mine, theirs",
    [
        ("county", "x", "y"),
        ("county_y", "y", "x"),
        ("school", "x", "y"),
        ("school_y", "y", "x"),
    ],
)
def test_swapping_in_the_other_hosts_talk_request_gets_nothing_of_it(app, world, me, mine, theirs):
    client = client_of(app, world.users[me])
    req = world.requests[theirs]
    other_school = world.schools[theirs].name
    lecturer = world.lecturers["x"]
    before = _request_state(req.id)
    ids = {"lecturer": lecturer.id, "on": req.wanted_on.isoformat()}

    response = client.get(f"/lecturers/requests/{req.id}")
    assert response.status_code == 403
    _assert_nothing_of(response, other_school)
    for path, data in LECTURE_POSTS:
        url = path.format(id=req.id)
        form = {k: str(v) for k, v in _fill(data, **ids).items()}
        assert client.post(url, data=form).status_code == 403, url
    for path, body in LECTURE_API_POSTS:
        url = path.format(id=req.id)
        assert client.post(url, json=_fill(body, **ids)).status_code == 403, url
    candidates = client.get(f"/api/v1/lecture-requests/{req.id}/candidates")
    assert candidates.status_code == 403
    _assert_nothing_of(candidates, other_school, lecturer.phone)
    assert _request_state(req.id) == before

    listing = client.get("/lecturers/requests").get_data(as_text=True)
    assert world.schools[mine].name in listing
    assert other_school not in listing
    if me.startswith("county"):
        found = client.get("/api/v1/lecture-requests").get_json()["requests"]
        assert [r["id"] for r in found] == [world.requests[mine].id]


@pytest.mark.parametrize("me, theirs", [("school", "y"), ("school_y", "x"), ("county", "y")])
def test_nobody_asks_for_a_talk_in_the_name_of_a_school_that_is_not_theirs(app, world, me, theirs):
    client = client_of(app, world.users[me])
    school = world.schools[theirs]
    form = {
        "host": f"school:{school.id}",
        "topic": str(world.topic.id),
        "wanted_on": world.requests["x"].wanted_on.isoformat(),
        "expected_audience": "60",
        "place": "礼堂",
    }
    response = client.post("/lecturers/requests/new", data=form)
    assert response.status_code == 200  # the form again: that school is not a choice
    count = db.session.scalar(
        sa.select(sa.func.count(LectureRequest.id)).where(LectureRequest.school_id == school.id)
    )
    assert count == 1


def test_a_county_bureau_cannot_touch_the_other_countys_lecturers_or_stations(app, world):
    client = client_of(app, world.users["county_y"])
    lecturer, station = world.lecturers["x"], world.stations["x"]
    for method, url in [
        ("GET", f"/lecturers/manage/{lecturer.id}/edit"),
        ("POST", f"/lecturers/manage/{lecturer.id}/edit"),
        ("POST", f"/lecturers/manage/{lecturer.id}/retire"),
        ("GET", f"/lecturers/stations/{station.id}/edit"),
        ("POST", f"/lecturers/stations/{station.id}/edit"),
        ("POST", f"/lecturers/stations/{station.id}/delete"),
    ]:
        assert client.open(url, method=method).status_code == 403, (method, url)
    for user, sees in [(world.users["county_y"], False), (world.users["county"], True)]:
        export = client_of(app, user).get("/lecturers/manage/export.xlsx")
        cells = [str(c) for r in load_workbook(BytesIO(export.data)).active.values for c in r]
        assert (lecturer.name in cells, lecturer.phone in cells) == (sees, sees)
        manage = client_of(app, user).get("/lecturers/manage").get_data(as_text=True)
        assert (lecturer.name in manage) is sees
    db.session.expire_all()
    assert not db.session.get(type(lecturer), lecturer.id).is_retired
    assert db.session.get(type(station), station.id) is not None
    assert LectureStatus.REQUESTED is _request_state(world.requests["x"].id)[0]
