"""Roles × protected routes: the status every kind of user gets on every protected route.

Each row is (method, path, expected statuses in the order of world.ROLES):
anon, family, school (staff of school x), venue_a (manager of venue a), venue_b (staff of venue b),
county (bureau of county x), city (bureau of the city of x and y), admin.

Places: counties x and y lie in one city; z lies in another city. Venue a and school x lie in x,
venue b and school y in y, venue c and school z in z. {pending_x} is a school-staff request
waiting for approval at school x. Bookings ({booking_…} is the code): family_a and family_b are
the family's at venues a and b; family2_c is another family's at venue c (nobody of the matrix
but the administrator may see it); school_x is school x's group at venue a, waiting for
approval. Lecturers and guidance stations sit in counties x and z; request_x/y/z are talk
requests from the three schools. See tests/world.py.

Every (route, method) of the app is either a row here or listed in PUBLIC; a test fails when a
new route is neither, so nothing protected slips through. The roles are asked one after the
other in the order above against one world per row, so a POST that succeeds changes what the
later roles find (a cancelled booking stays cancelled): rows say what each role then gets.
"""

import re

import pytest
from werkzeug.routing import RequestRedirect

from tests.world import ROLES, build_world, login_as

#: endpoints anyone may use without signing in
PUBLIC = {
    "static",
    "directory.index",
    "directory.healthz",
    "directory.service_worker",
    "directory.set_language",
    "directory.map_page",
    "directory.map_points",
    "directory.venue",
    "directory.open_days_page",
    "auth.login",
    "auth.signup",
    "auth.signup_school",
    "auth.resend_code",
    "auth.reset_request",
    "auth.reset",
    "auth.accept_invitation",
    "auth.privacy",
    "lecturers.index",
    "lecturers.lecturer",
    "lecturers.photo",
    "directory.venue_photo",
    "api.csrf_token",
    "api.openapi_json",
    "api.list_venues",
    "api.get_venue",
    "api.venue_sessions",
    "api.list_lecturers",
    "api.get_lecturer",
    "opendata.venues_geojson",
    "opendata.hsds_json",
}


def row(method, path, *codes, data=None, json=None):
    assert len(codes) == len(ROLES), path
    return pytest.param(method, path, codes, data, json, id=f"{method} {path}")


FAMILY_BOOKING = {
    "preschool": "0",
    "primary_pupils": "1",
    "junior": "0",
    "senior": "0",
    "adults": "1",
    "left_behind": "0",
    "disabled": "0",
    "orphaned": "0",
    "special_family": "0",
    "contact_name": "王女士",
    "contact_phone": "13800138000",
    "idempotency_key": "matrix-family-form",
    "confirm": "1",
}
SCHOOL_BOOKING = {
    "school": "{school_x}",
    "preschool": "0",
    "primary_pupils": "30",
    "junior": "0",
    "senior": "0",
    "teachers": "2",
    "group_name": "三年级二班",
    "lead_teacher": "李老师",
    "contact_name": "李老师",
    "contact_phone": "13900139000",
    "idempotency_key": "matrix-school-form",
    "confirm": "1",
}
FAMILY_BOOKING_JSON = {
    "session_id": "{session_c}",
    "kind": "family",
    "primary_pupils": 1,
    "adults": 1,
    "contact_name": "王女士",
    "contact_phone": "13800138000",
    "idempotency_key": "matrix-family-json",
}
OPEN_DAY = {
    "on": "{in_a_week}",
    "start": "09:00",
    "end": "11:00",
    "title": "开放日",
    "capacity": "50",
    "green_quota": "0",
}
TALK = {
    "host": "school:{school_z}",
    "topic": "{topic}",
    "wanted_on": "{wanted_on}",
    "expected_audience": "60",
    "place": "礼堂",
}
ASSIGN_X = {"lecturer_id": "{lecturer_x}", "on": "{wanted_on}"}

#        method  path                                  anon fam  sch  vA   vB   cnty city adm
MATRIX = [
    # ---------------------------------------------------------------- accounts (issue 3)
    row("GET", "/auth/account", 302, 200, 200, 200, 200, 200, 200, 200),
    row("GET", "/auth/password", 302, 200, 200, 200, 200, 200, 200, 200),
    row("POST", "/auth/password", 302, 200, 200, 200, 200, 200, 200, 200),
    row("GET", "/auth/account/data", 302, 200, 200, 200, 200, 200, 200, 200),
    row("GET", "/auth/account/delete", 302, 200, 200, 200, 200, 200, 200, 200),
    # without the password typed again nothing is deleted: the form comes back
    row("POST", "/auth/account/delete", 302, 200, 200, 200, 200, 200, 200, 200),
    row("POST", "/auth/logout", 302, 302, 302, 302, 302, 302, 302, 302),
    # the code page is anyone's (a stranger has just signed up); confirmed accounts go back
    # to their account page, and a code entry with no code is refused without a 500
    row("GET", "/auth/confirm", 200, 302, 302, 302, 302, 302, 302, 302),
    row("POST", "/auth/confirm", 422, 302, 302, 302, 302, 302, 302, 302),
    row("GET", "/auth/schools/{school_x}", 302, 403, 200, 403, 403, 403, 403, 200),
    row("GET", "/auth/schools/{school_y}", 302, 403, 403, 403, 403, 403, 403, 200),
    row("GET", "/auth/schools/{missing}", 302, 404, 404, 404, 404, 404, 404, 404),
    row("GET", "/auth/venues/{venue_a}/staff", 302, 403, 403, 200, 403, 200, 200, 200),
    row("GET", "/auth/venues/{venue_b}/staff", 302, 403, 403, 403, 403, 403, 200, 200),
    row("GET", "/auth/venues/{venue_c}/staff", 302, 403, 403, 403, 403, 403, 403, 200),
    row("GET", "/auth/venues/{missing}/staff", 302, 404, 404, 404, 404, 404, 404, 404),
    row("POST", "/auth/venues/{venue_a}/staff", 302, 403, 403, 200, 403, 200, 200, 200),
    row("POST", "/auth/venues/{venue_b}/staff", 302, 403, 403, 403, 403, 403, 200, 200),
    row("POST", "/auth/venues/{venue_c}/staff", 302, 403, 403, 403, 403, 403, 403, 200),
    row("GET", "/bureau/", 302, 403, 403, 403, 403, 200, 200, 200),
    row("GET", "/bureau/approvals", 302, 403, 403, 403, 403, 200, 200, 200),
    row("GET", "/bureau/schools", 302, 403, 403, 403, 403, 200, 200, 200),
    row("GET", "/bureau/schools/new", 302, 403, 403, 403, 403, 200, 200, 200),
    row("POST", "/bureau/schools/new", 302, 403, 403, 403, 403, 200, 200, 200),
    row("GET", "/bureau/schools/{school_x}/edit", 302, 403, 403, 403, 403, 200, 200, 200),
    row("GET", "/bureau/schools/{school_y}/edit", 302, 403, 403, 403, 403, 403, 200, 200),
    row("GET", "/bureau/schools/{school_z}/edit", 302, 403, 403, 403, 403, 403, 403, 200),
    row("GET", "/bureau/schools/{missing}/edit", 302, 404, 404, 404, 404, 404, 404, 404),
    row("POST", "/bureau/schools/{school_z}/edit", 302, 403, 403, 403, 403, 403, 403, 200),
    row("GET", "/bureau/invitations", 302, 403, 403, 403, 403, 200, 200, 200),
    row("GET", "/bureau/audit", 302, 403, 403, 403, 403, 200, 200, 200),
    row("GET", "/bureau/dashboard", 302, 403, 403, 403, 403, 200, 200, 200),
    row("GET", "/bureau/dashboard.xlsx", 302, 403, 403, 403, 403, 200, 200, 200),
    # guidance activities: school staff record their own; bureau staff also correct and remove
    row("GET", "/bureau/guidance", 302, 403, 200, 403, 403, 200, 200, 200),
    row("GET", "/bureau/guidance/new", 302, 403, 200, 403, 403, 200, 200, 200),
    row("POST", "/bureau/guidance/new", 302, 403, 400, 403, 403, 400, 400, 400),
    row("GET", "/bureau/guidance/{missing}/edit", 302, 403, 403, 403, 403, 404, 404, 404),
    row("POST", "/bureau/guidance/{missing}/edit", 302, 403, 403, 403, 403, 404, 404, 404),
    row("POST", "/bureau/guidance/{missing}/remove", 302, 403, 403, 403, 403, 404, 404, 404),
    # approving: the county's own request succeeds (302 back to the list, later ones find it
    # decided: still 302); another county's request is refused to the county bureau
    row("POST", "/bureau/approvals/{pending_x}/approve", 302, 403, 403, 403, 403, 302, 302, 302),
    row("POST", "/bureau/approvals/{pending_y}/approve", 302, 403, 403, 403, 403, 403, 302, 302),
    row("POST", "/bureau/approvals/{pending_z}/reject", 302, 403, 403, 403, 403, 403, 403, 302),
    row("POST", "/bureau/approvals/{missing}/approve", 302, 403, 403, 403, 403, 302, 302, 302),
    row("GET", "/admin/", 302, 403, 403, 403, 403, 403, 403, 302),
    row("GET", "/admin/users", 302, 403, 403, 403, 403, 403, 403, 200),
    row("GET", "/admin/outbox", 302, 403, 403, 403, 403, 403, 403, 200),
    row("POST", "/admin/users/{user_waiting_z}/disable", 302, 403, 403, 403, 403, 403, 403, 302),
    row("POST", "/admin/users/{missing}/disable", 302, 403, 403, 403, 403, 403, 403, 404),
    # ---------------------------------------------------------------- booking (issue 4)
    row("GET", "/booking/mine", 302, 200, 200, 200, 200, 200, 200, 200),
    row("GET", "/booking/trips", 302, 403, 200, 403, 403, 403, 403, 403),
    # booking is for families and school staff (permissions: booking.create)
    row("GET", "/booking/sessions/{session_a}/family", 302, 200, 200, 403, 403, 403, 403, 200),
    row("GET", "/booking/sessions/{missing}/family", 302, 404, 404, 403, 403, 403, 403, 404),
    row(
        "POST",
        "/booking/sessions/{session_c}/family",
        302,
        302,
        302,
        403,
        403,
        403,
        403,
        302,
        data=FAMILY_BOOKING,
    ),
    # not school staff: sent back to the venue page with a word why
    row("GET", "/booking/sessions/{session_a}/school", 302, 302, 200, 302, 302, 302, 302, 302),
    row("GET", "/booking/sessions/{missing}/school", 302, 404, 404, 404, 404, 404, 404, 404),
    row(
        "POST",
        "/booking/sessions/{session_c}/school",
        302,
        302,
        302,
        302,
        302,
        302,
        302,
        302,
        data=SCHOOL_BOOKING,
    ),
    # places are left, so everyone allowed is told to book instead (302 back to the venue)
    row(
        "POST",
        "/booking/sessions/{session_a}/waitlist",
        302,
        302,
        302,
        403,
        403,
        403,
        403,
        302,
        data={"places": "1"},
    ),
    row("POST", "/booking/sessions/{missing}/waitlist", 302, 404, 404, 403, 403, 403, 403, 404),
    # not on the list: told so and sent to 我的预约 (302)
    row("POST", "/booking/sessions/{session_a}/waitlist/leave",
        302, 302, 302, 403, 403, 403, 403, 302),
    row("POST", "/booking/sessions/{missing}/waitlist/leave",
        302, 404, 404, 403, 403, 403, 403, 404),
    # a booking: its booker, its school's staff, its venue's staff, the bureau over the venue
    row("GET", "/booking/b/{booking_family_a}", 302, 200, 404, 200, 404, 200, 200, 200),
    row("GET", "/booking/b/{booking_family_b}", 302, 200, 404, 404, 200, 404, 200, 200),
    row("GET", "/booking/b/{booking_school_x}", 302, 404, 200, 200, 404, 200, 200, 200),
    row("GET", "/booking/b/{booking_family2_c}", 302, 404, 404, 404, 404, 404, 404, 200),
    row("GET", "/booking/b/{missing_code}", 302, 404, 404, 404, 404, 404, 404, 404),
    row("GET", "/booking/b/{booking_family_a}/print", 302, 200, 404, 200, 404, 200, 200, 200),
    row("GET", "/booking/b/{booking_family2_c}/print", 302, 404, 404, 404, 404, 404, 404, 200),
    row("GET", "/booking/b/{missing_code}/print", 302, 404, 404, 404, 404, 404, 404, 404),
    row(
        "GET", "/booking/b/{booking_family_a}/calendar.ics", 302, 200, 404, 200, 404, 200, 200, 200
    ),
    row(
        "GET", "/booking/b/{booking_family2_c}/calendar.ics", 302, 404, 404, 404, 404, 404, 404, 200
    ),
    row("GET", "/booking/b/{missing_code}/calendar.ics", 302, 404, 404, 404, 404, 404, 404, 404),
    # the family cancels (302); venue staff and the administrator then find it cancelled
    # (302 with a word why); the bureau may look but not cancel
    # the confirmation step is the booker's; others who may see the booking go back to it
    row("GET", "/booking/b/{booking_family_a}/cancel", 302, 200, 404, 302, 404, 302, 302, 302),
    row("GET", "/booking/b/{missing_code}/cancel", 302, 404, 404, 404, 404, 404, 404, 404),
    row("POST", "/booking/b/{booking_family_a}/cancel", 302, 302, 404, 302, 404, 403, 403, 302),
    row("POST", "/booking/b/{booking_school_x}/cancel", 302, 404, 302, 302, 404, 403, 403, 302),
    row("POST", "/booking/b/{booking_family2_c}/cancel", 302, 404, 404, 404, 404, 404, 404, 302),
    row("POST", "/booking/b/{missing_code}/cancel", 302, 404, 404, 404, 404, 404, 404, 404),
    # ---------------------------------------------------------------- venue console (issue 4)
    row("GET", "/console/", 302, 403, 403, 302, 302, 403, 403, 200),
    row("GET", "/console/venues/{venue_a}", 302, 403, 403, 200, 403, 403, 403, 200),
    row("GET", "/console/venues/{venue_b}", 302, 403, 403, 403, 200, 403, 403, 200),
    row("GET", "/console/venues/{missing}", 302, 404, 404, 404, 404, 404, 404, 404),
    row(
        "POST",
        "/console/venues/{venue_a}/check-in",
        302,
        403,
        403,
        302,
        403,
        403,
        403,
        302,
        data={"code": "{booking_family_a}"},
    ),
    row(
        "POST",
        "/console/venues/{venue_b}/check-in",
        302,
        403,
        403,
        403,
        302,
        403,
        403,
        302,
        data={"code": "{booking_family_b}"},
    ),
    row("POST", "/console/venues/{missing}/check-in", 302, 404, 404, 404, 404, 404, 404, 404),
    row(
        "POST",
        "/console/venues/{venue_a}/open-days",
        302,
        403,
        403,
        302,
        403,
        403,
        403,
        302,
        data=OPEN_DAY,
    ),
    row(
        "POST",
        "/console/venues/{venue_b}/open-days",
        302,
        403,
        403,
        403,
        302,
        403,
        403,
        302,
        data=OPEN_DAY,
    ),
    row("POST", "/console/venues/{venue_a}/generate", 302, 403, 403, 302, 403, 403, 403, 302),
    row("POST", "/console/venues/{venue_c}/generate", 302, 403, 403, 403, 403, 403, 403, 302),
    row("GET", "/console/sessions/{session_a}", 302, 403, 403, 200, 403, 403, 403, 200),
    row("GET", "/console/sessions/{session_b}", 302, 403, 403, 403, 200, 403, 403, 200),
    row("GET", "/console/sessions/{missing}", 302, 404, 404, 404, 404, 404, 404, 404),
    row("POST", "/console/sessions/{session_a}/no-shows", 302, 403, 403, 302, 403, 403, 403, 302),
    row("POST", "/console/sessions/{session_c}/no-shows", 302, 403, 403, 403, 403, 403, 403, 302),
    row(
        "POST",
        "/console/bookings/{booking_school_x}/approve",
        302,
        404,
        404,
        302,
        404,
        404,
        404,
        302,
    ),
    row(
        "POST",
        "/console/bookings/{booking_school_y}/refuse",
        302,
        404,
        404,
        404,
        302,
        404,
        404,
        302,
    ),
    row(
        "POST",
        "/console/bookings/{booking_family_a}/cancel",
        302,
        404,
        404,
        302,
        404,
        404,
        404,
        302,
        data={"reason": "闭馆维修"},
    ),
    row(
        "POST",
        "/console/bookings/{booking_family2_c}/cancel",
        302,
        404,
        404,
        404,
        404,
        404,
        404,
        302,
        data={"reason": "闭馆维修"},
    ),
    row("POST", "/console/bookings/{missing_code}/approve", 302, 404, 404, 404, 404, 404, 404, 404),
    # ---------------------------------------------------------------- lecturer pool (issue 5)
    row("GET", "/lecturers/manage", 302, 403, 403, 403, 403, 200, 200, 200),
    row("GET", "/lecturers/manage/new", 302, 403, 403, 403, 403, 200, 200, 200),
    row("POST", "/lecturers/manage/new", 302, 403, 403, 403, 403, 200, 200, 200),
    row("GET", "/lecturers/manage/{lecturer_x}/edit", 302, 403, 403, 403, 403, 200, 200, 200),
    row("GET", "/lecturers/manage/{lecturer_z}/edit", 302, 403, 403, 403, 403, 403, 403, 200),
    row("GET", "/lecturers/manage/{missing}/edit", 302, 403, 403, 403, 403, 404, 404, 404),
    row("POST", "/lecturers/manage/{lecturer_z}/edit", 302, 403, 403, 403, 403, 403, 403, 200),
    row("POST", "/lecturers/manage/{lecturer_x}/retire", 302, 403, 403, 403, 403, 302, 302, 302),
    row("POST", "/lecturers/manage/{lecturer_z}/retire", 302, 403, 403, 403, 403, 403, 403, 302),
    row("GET", "/lecturers/manage/import", 302, 403, 403, 403, 403, 200, 200, 200),
    row("POST", "/lecturers/manage/import", 302, 403, 403, 403, 403, 200, 200, 200),
    row("GET", "/lecturers/manage/export.xlsx", 302, 403, 403, 403, 403, 200, 200, 200),
    row("GET", "/lecturers/manage/template.xlsx", 302, 403, 403, 403, 403, 200, 200, 200),
    row("GET", "/lecturers/manage/topics", 302, 403, 403, 403, 403, 200, 200, 200),
    row("POST", "/lecturers/manage/topics", 302, 403, 403, 403, 403, 200, 200, 200),
    row("GET", "/lecturers/manage/topics/{topic}", 302, 403, 403, 403, 403, 200, 200, 200),
    # an empty form keeps the topic as it is: saved unchanged
    row("POST", "/lecturers/manage/topics/{topic}", 302, 403, 403, 403, 403, 302, 302, 302),
    row("GET", "/lecturers/stations", 302, 403, 403, 403, 403, 200, 200, 200),
    row("GET", "/lecturers/stations/new", 302, 403, 403, 403, 403, 200, 200, 200),
    row("POST", "/lecturers/stations/new", 302, 403, 403, 403, 403, 200, 200, 200),
    row("GET", "/lecturers/stations/{station_x}/edit", 302, 403, 403, 403, 403, 200, 200, 200),
    row("GET", "/lecturers/stations/{station_z}/edit", 302, 403, 403, 403, 403, 403, 403, 200),
    row("POST", "/lecturers/stations/{station_z}/edit", 302, 403, 403, 403, 403, 403, 403, 200),
    # the county removes its station; after that it is gone for the city and the administrator
    row("POST", "/lecturers/stations/{station_x}/delete", 302, 403, 403, 403, 403, 302, 404, 404),
    row("POST", "/lecturers/stations/{station_z}/delete", 302, 403, 403, 403, 403, 403, 403, 302),
    row("GET", "/lecturers/figures", 302, 403, 403, 403, 403, 200, 200, 200),
    row("GET", "/lecturers/requests", 302, 200, 200, 200, 200, 200, 200, 200),
    row("GET", "/lecturers/requests/new", 302, 403, 200, 403, 403, 200, 200, 200),
    # school z is neither the school's nor the county's to ask for: only the administrator can
    row("POST", "/lecturers/requests/new", 302, 403, 200, 403, 403, 200, 200, 302, data=TALK),
    row("GET", "/lecturers/requests/{request_x}", 302, 403, 200, 403, 403, 200, 200, 200),
    row("GET", "/lecturers/requests/{request_y}", 302, 403, 403, 403, 403, 403, 200, 200),
    row("GET", "/lecturers/requests/{request_z}", 302, 403, 403, 403, 403, 403, 403, 200),
    row("GET", "/lecturers/requests/{missing}", 302, 404, 404, 404, 404, 404, 404, 404),
    # the school may see its request but only the county's bureau assigns
    row(
        "POST",
        "/lecturers/requests/{request_x}/assign",
        302,
        403,
        403,
        403,
        403,
        302,
        302,
        302,
        data=ASSIGN_X,
    ),
    row("POST", "/lecturers/requests/{request_z}/assign", 302, 403, 403, 403, 403, 403, 403, 400),
    row("POST", "/lecturers/requests/{request_z}/deliver", 302, 403, 403, 403, 403, 403, 403, 400),
    row("POST", "/lecturers/requests/{request_x}/deliver", 302, 403, 400, 403, 403, 400, 400, 400),
    # the school cancels its own request; the bureau then finds it closed (400 with the form)
    row(
        "POST",
        "/lecturers/requests/{request_x}/cancel",
        302,
        403,
        302,
        403,
        403,
        400,
        400,
        400,
        data={"reason": "考试周"},
    ),
    row(
        "POST",
        "/lecturers/requests/{request_z}/cancel",
        302,
        403,
        403,
        403,
        403,
        403,
        403,
        302,
        data={"reason": "考试周"},
    ),
    # ---------------------------------------------------------------- JSON API
    row(
        "POST", "/api/v1/bookings", 401, 201, 201, 403, 403, 403, 403, 201, json=FAMILY_BOOKING_JSON
    ),
    row("GET", "/api/v1/bookings/{booking_family_a}", 404, 200, 404, 200, 404, 200, 200, 200),
    row("GET", "/api/v1/bookings/{booking_family2_c}", 404, 404, 404, 404, 404, 404, 404, 200),
    row("GET", "/api/v1/bookings/{missing_code}", 404, 404, 404, 404, 404, 404, 404, 404),
    row(
        "POST",
        "/api/v1/bookings/{booking_family_a}/cancel",
        # the family cancels first; staff and admin then find it already cancelled (409)
        401,
        200,
        404,
        409,
        404,
        403,
        403,
        409,
        json={},
    ),
    row(
        "POST",
        "/api/v1/bookings/{booking_family2_c}/cancel",
        401,
        404,
        404,
        404,
        404,
        404,
        404,
        400,
        json={},
    ),
    row("GET", "/api/v1/lecture-requests", 401, 403, 403, 403, 403, 200, 200, 200),
    row(
        "GET",
        "/api/v1/lecture-requests/{request_x}/candidates",
        401,
        403,
        403,
        403,
        403,
        200,
        200,
        200,
    ),
    row(
        "GET",
        "/api/v1/lecture-requests/{request_z}/candidates",
        401,
        403,
        403,
        403,
        403,
        403,
        403,
        200,
    ),
    row(
        "GET",
        "/api/v1/lecture-requests/{missing}/candidates",
        401,
        403,
        403,
        403,
        403,
        404,
        404,
        404,
    ),
    row(
        "POST",
        "/api/v1/lecture-requests/{request_x}/assign",
        401,
        403,
        403,
        403,
        403,
        200,
        200,
        200,
        json={"lecturer_id": "{lecturer_x}"},
    ),
    row(
        "POST",
        "/api/v1/lecture-requests/{request_z}/assign",
        401,
        403,
        403,
        403,
        403,
        403,
        403,
        400,
        json={},
    ),
    row(
        "POST",
        "/api/v1/lecture-requests/{request_z}/deliver",
        401,
        403,
        403,
        403,
        403,
        403,
        403,
        400,
        json={},
    ),
    row(
        "POST",
        "/api/v1/lecture-requests/{request_x}/cancel",
        401,
        403,
        403,
        403,
        403,
        200,
        400,
        400,
        json={"reason": "考试周"},
    ),
    row(
        "POST",
        "/api/v1/lecture-requests/{request_z}/cancel",
        401,
        403,
        403,
        403,
        403,
        403,
        403,
        200,
        json={"reason": "考试周"},
    ),
    # venues area: editing venue pages, adding venues, the resource directory list
    row("GET", "/console/venues/{venue_a}/edit", 302, 403, 403, 200, 403, 200, 200, 200),
    row("GET", "/console/venues/{venue_b}/edit", 302, 403, 403, 403, 200, 403, 200, 200),
    row("GET", "/console/venues/{venue_c}/edit", 302, 403, 403, 403, 403, 403, 403, 200),
    row("GET", "/console/venues/{missing}/edit", 302, 404, 404, 404, 404, 404, 404, 404),
    row("POST", "/console/venues/{venue_c}/edit", 302, 403, 403, 403, 403, 403, 403, 200),
    # venue photos (issue 10): as the edit page; an empty upload is asked for again (422), a
    # photo that is not the venue's is not found
    row("POST", "/console/venues/{venue_a}/photos", 302, 403, 403, 422, 403, 422, 422, 422),
    row("POST", "/console/venues/{venue_c}/photos", 302, 403, 403, 403, 403, 403, 403, 422),
    row("POST", "/console/venues/{venue_a}/photos/{missing}/delete",
        302, 403, 403, 404, 403, 404, 404, 404),
    row("POST", "/console/venues/{venue_b}/photos/{missing}/first",
        302, 403, 403, 403, 404, 403, 404, 404),
    row("GET", "/console/venues/new", 302, 403, 403, 403, 403, 200, 200, 200),
    row("POST", "/console/venues/new", 302, 403, 403, 403, 403, 200, 200, 200),
    row("GET", "/bureau/venues", 302, 403, 403, 403, 403, 200, 200, 200),
    row("GET", "/bureau/venues/export.xlsx", 302, 403, 403, 403, 403, 200, 200, 200),
    row("GET", "/bureau/venues/export.csv", 302, 403, 403, 403, 403, 200, 200, 200),
    # the directory list to print, and the venue import (issue 11); a preview is found only
    # by its uploader's token ({missing} is nobody's)
    row("GET", "/bureau/venues/list", 302, 403, 403, 403, 403, 200, 200, 200),
    row("GET", "/bureau/venues/import", 302, 403, 403, 403, 403, 200, 200, 200),
    row("POST", "/bureau/venues/import", 302, 403, 403, 403, 403, 400, 400, 400),
    row("GET", "/bureau/venues/import-template.xlsx", 302, 403, 403, 403, 403, 200, 200, 200),
    row("GET", "/bureau/venues/import/{missing}", 302, 403, 403, 403, 403, 404, 404, 404),
    row("POST", "/bureau/venues/import/{missing}", 302, 403, 403, 403, 403, 404, 404, 404),
    # timetable and booking settings: the venue's own staff (and admin) only; an empty POST
    # is bad input shown again (400), never saved
    row("GET", "/console/venues/{venue_a}/timetable", 302, 403, 403, 200, 403, 403, 403, 200),
    row("GET", "/console/venues/{venue_b}/timetable", 302, 403, 403, 403, 200, 403, 403, 200),
    row("GET", "/console/venues/{missing}/timetable", 302, 404, 404, 404, 404, 404, 404, 404),
    row("POST", "/console/venues/{venue_a}/timetable", 302, 403, 403, 400, 403, 403, 403, 400),
    row("GET", "/console/venues/{venue_a}/settings", 302, 403, 403, 200, 403, 403, 403, 200),
    row("GET", "/console/venues/{venue_c}/settings", 302, 403, 403, 403, 403, 403, 403, 200),
    row("POST", "/console/venues/{venue_b}/settings", 302, 403, 403, 403, 400, 403, 403, 400),
    row(
        "POST",
        "/console/venues/{venue_a}/timetable/closures",
        302,
        403,
        403,
        400,
        403,
        403,
        403,
        400,
    ),
    row(
        "POST",
        "/console/venues/{venue_b}/timetable/closures/{missing}/remove",
        302,
        403,
        403,
        403,
        302,
        403,
        403,
        302,
    ),
    # ---------------------------------------------------------------- venue desk (issue 10)
    row("GET", "/console/today",                         302, 403, 403, 200, 200, 403, 403, 200),
    row("GET", "/console/venues/{venue_a}/visitors",     302, 403, 403, 200, 403, 403, 403, 200),
    row("GET", "/console/venues/{missing}/visitors",     302, 404, 404, 404, 404, 404, 404, 404),
    row("GET", "/console/venues/{venue_a}/door",         302, 403, 403, 200, 403, 403, 403, 200),
    row("GET", "/console/venues/{venue_b}/door",         302, 403, 403, 403, 200, 403, 403, 200),
    # the session is ten days ahead: staff are sent back to the door with a word why
    row("POST", "/console/venues/{venue_a}/door",        302, 403, 403, 302, 403, 403, 403, 302,
        data={"code": "{booking_family_a}", "people": "1", "seen_arrived": "0"}),
    row("POST", "/console/bookings/{booking_family_a}/undo-no-show",
                                                         302, 404, 404, 302, 404, 404, 404, 302,
        data={"reason": "到馆未扫码"}),
    row("GET", "/console/venues/{venue_a}/exports",      302, 403, 403, 200, 403, 403, 403, 200),
    row("GET", "/console/venues/{venue_c}/exports",      302, 403, 403, 403, 403, 403, 403, 200),
    # {session_a} is a regular session, not an open day: its own staff find no open day there
    row("GET", "/console/open-days/{session_a}",         302, 403, 403, 404, 403, 403, 403, 404),
    row("POST", "/console/open-days/{session_b}",        302, 403, 403, 403, 404, 403, 403, 404),
    row("POST", "/console/open-days/{session_a}/cancel", 302, 403, 403, 404, 403, 403, 403, 404,
        data={"reason": "闭馆维修"}),
    row("GET", "/api/v1/desk/today",                     401, 403, 403, 200, 200, 403, 403, 200),
    # another day's code: refused with the reason (400); another venue's code: 404
    row("GET", "/api/v1/desk/venues/{venue_a}/bookings/{booking_family_a}",
                                                         401, 403, 403, 400, 403, 403, 403, 400),
    row("GET", "/api/v1/desk/venues/{venue_b}/bookings/{booking_family_a}",
                                                         401, 403, 403, 403, 404, 403, 403, 404),
    row("POST", "/api/v1/desk/venues/{venue_a}/check-in", 401, 403, 403, 409, 403, 403, 403, 409,
        json={"code": "{booking_family_a}"}),
    row("GET", "/api/v1/desk/venues/{venue_a}/visitors", 401, 403, 403, 200, 403, 403, 403, 200),
]

_PLACEHOLDER = re.compile(r"^\{(\w+)\}$")


def _fill(value, ids: dict):
    """Put the world's ids into a path, form or JSON body ("{lecturer_x}" alone stays an int)."""
    if isinstance(value, dict):
        return {key: _fill(item, ids) for key, item in value.items()}
    if isinstance(value, str):
        whole = _PLACEHOLDER.match(value)
        if whole and not isinstance(ids[whole.group(1)], str):
            return ids[whole.group(1)]
        return value.format(**ids)
    return value


def ask_every_role(app, world, method, path, *, data=None, json=None) -> dict:
    """The status each role of the matrix gets (each signed in on its own fresh client)."""
    ids = world.ids()
    url = path.format(**ids)
    got = {}
    for role in ROLES:
        client = app.test_client()
        if role != "anon":
            login_as(client, world.users[role])
        kwargs = {"json": _fill(json, ids)} if json is not None else {"data": _fill(data, ids)}
        response = client.open(url, method=method, **kwargs)
        got[role] = response.status_code
        if response.status_code == 302 and role == "anon":
            assert "/auth/login" in response.headers["Location"], url
    return got


@pytest.mark.parametrize("method, path, expected, data, json", MATRIX)
def test_every_role_gets_the_expected_status_on_every_protected_route(
    app, regions, method, path, expected, data, json
):
    world = build_world(regions)
    got = ask_every_role(app, world, method, path, data=data, json=json)
    assert got == dict(zip(ROLES, expected, strict=True))


def _rule_of(app, method: str, path: str):
    """The URL rule a matrix path reaches (placeholders filled with a plain 1)."""
    adapter = app.url_map.bind("localhost")
    url = re.sub(r"\{\w+\}", "1", path)
    try:
        rule, _args = adapter.match(url, method=method, return_rule=True)
    except RequestRedirect:  # pragma: no cover - a path written without its trailing slash
        pytest.fail(f"{method} {path} redirects: write the path as the app spells it")
    return rule


def _protected(app) -> set[tuple[str, str]]:
    return {
        (rule.rule, method)
        for rule in app.url_map.iter_rules()
        if rule.endpoint not in PUBLIC
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }


def test_every_protected_route_and_method_has_a_row_in_the_matrix(app):
    covered = {(_rule_of(app, p.values[0], p.values[1]).rule, p.values[0]) for p in MATRIX}
    missing = sorted(_protected(app) - covered)
    assert missing == [], "add these routes to MATRIX (or to PUBLIC if anyone may use them)"


def test_the_public_list_names_only_routes_that_exist(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert PUBLIC - endpoints == set()


def test_no_matrix_row_is_a_public_route(app):
    public_rows = [
        f"{p.values[0]} {p.values[1]}"
        for p in MATRIX
        if _rule_of(app, p.values[0], p.values[1]).endpoint in PUBLIC
    ]
    assert public_rows == []


def test_public_pages_open_without_signing_in(app, regions):
    """Every public GET page without arguments answers an anonymous visitor itself."""
    client = app.test_client()
    for rule in app.url_map.iter_rules():
        if rule.endpoint in PUBLIC and "GET" in rule.methods and not rule.arguments:
            response = client.get(rule.rule)
            response.close()  # a static file (the service worker) is streamed from disk
            assert response.status_code == 200, rule.rule


def test_booking_buttons_show_only_to_those_who_may_book(app, regions):
    world = build_world(regions)
    venue, session = world.venues["a"], world.sessions["a"]
    form = f"/booking/sessions/{session.id}/family"
    for role, sees in [("anon", True), ("family", True), ("school", True), ("venue_a", False),
                       ("county", False), ("admin", True)]:  # fmt: skip
        client = app.test_client()
        if role != "anon":
            login_as(client, world.users[role])
        page = client.get(f"/venues/{venue.id}").get_data(as_text=True)
        assert (form in page) is sees, role


def test_the_cancel_button_of_a_booking_shows_only_to_its_booker(app, regions):
    world = build_world(regions)
    booking = world.bookings["school_x"]
    action = f"/booking/b/{booking.code}/cancel"
    for role, sees in [("school", True), ("venue_a", False), ("county", False)]:
        client = app.test_client()
        login_as(client, world.users[role])
        page = client.get(f"/booking/b/{booking.code}").get_data(as_text=True)
        assert booking.display_code in page, role
        assert (action in page) is sees, role
