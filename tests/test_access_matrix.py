"""Roles × protected routes: the status every kind of user gets on every protected route.

Each row is (method, path, expected statuses in the order of world.ROLES):
anon, family, school (staff of school x), venue_a (manager of venue a), venue_b (staff of venue b),
county (bureau of county x), city (bureau of the city of x and y), admin.

Places: counties x and y lie in one city; z lies in another city. Venue a and school x lie in x,
venue b and school y in y, venue c and school z in z. {pending_x} is a school-staff request
waiting for approval at school x. Later areas add their protected routes as rows here.
"""

import pytest

from tests.world import ROLES, build_world, fresh_client, login_as

A, F, S, VA, VB, CO, CI, AD = range(8)


def row(method, path, *codes, data=None):
    assert len(codes) == len(ROLES), path
    return pytest.param(method, path, codes, data or {}, id=f"{method} {path}")


#        method  path                                  anon fam  sch  vA   vB   cnty city adm
MATRIX = [
    row("GET", "/auth/account",                          302, 200, 200, 200, 200, 200, 200, 200),
    row("GET", "/auth/password",                         302, 200, 200, 200, 200, 200, 200, 200),
    row("GET", "/auth/account/data",                     302, 200, 200, 200, 200, 200, 200, 200),
    row("GET", "/auth/account/delete",                   302, 200, 200, 200, 200, 200, 200, 200),
    row("GET", "/auth/schools/{school_x}",               302, 403, 200, 403, 403, 403, 403, 200),
    row("GET", "/auth/schools/{school_y}",               302, 403, 403, 403, 403, 403, 403, 200),
    row("GET", "/auth/schools/{missing}",                302, 404, 404, 404, 404, 404, 404, 404),
    row("GET", "/auth/venues/{venue_a}/staff",           302, 403, 403, 200, 403, 200, 200, 200),
    row("GET", "/auth/venues/{venue_b}/staff",           302, 403, 403, 403, 403, 403, 200, 200),
    row("GET", "/auth/venues/{venue_c}/staff",           302, 403, 403, 403, 403, 403, 403, 200),
    row("GET", "/auth/venues/{missing}/staff",           302, 404, 404, 404, 404, 404, 404, 404),
    row("GET", "/bureau/",                               302, 403, 403, 403, 403, 200, 200, 200),
    row("GET", "/bureau/approvals",                      302, 403, 403, 403, 403, 200, 200, 200),
    row("GET", "/bureau/schools",                        302, 403, 403, 403, 403, 200, 200, 200),
    row("GET", "/bureau/schools/new",                    302, 403, 403, 403, 403, 200, 200, 200),
    row("GET", "/bureau/schools/{school_x}/edit",        302, 403, 403, 403, 403, 200, 200, 200),
    row("GET", "/bureau/schools/{school_y}/edit",        302, 403, 403, 403, 403, 403, 200, 200),
    row("GET", "/bureau/schools/{school_z}/edit",        302, 403, 403, 403, 403, 403, 403, 200),
    row("GET", "/bureau/schools/{missing}/edit",         302, 404, 404, 404, 404, 404, 404, 404),
    row("GET", "/bureau/invitations",                    302, 403, 403, 403, 403, 200, 200, 200),
    row("GET", "/bureau/audit",                          302, 403, 403, 403, 403, 200, 200, 200),
    row("GET", "/admin/",                                302, 403, 403, 403, 403, 403, 403, 302),
    row("GET", "/admin/users",                           302, 403, 403, 403, 403, 403, 403, 200),
    row("GET", "/admin/outbox",                          302, 403, 403, 403, 403, 403, 403, 200),
    # approving: the county's own request succeeds (302 back to the list, later ones find it
    # decided: still 302); another county's request is refused to the county bureau
    row("POST", "/bureau/approvals/{pending_x}/approve", 302, 403, 403, 403, 403, 302, 302, 302),
    row("POST", "/bureau/approvals/{pending_y}/approve", 302, 403, 403, 403, 403, 403, 302, 302),
    row("POST", "/bureau/approvals/{pending_z}/reject",  302, 403, 403, 403, 403, 403, 403, 302),
    row("POST", "/bureau/approvals/{missing}/approve",   302, 403, 403, 403, 403, 302, 302, 302),
    row("POST", "/bureau/schools/{school_z}/edit",       302, 403, 403, 403, 403, 403, 403, 200),
    row("POST", "/auth/venues/{venue_c}/staff",          302, 403, 403, 403, 403, 403, 403, 200),
    row("POST", "/admin/users/{missing}/disable",        302, 403, 403, 403, 403, 403, 403, 404),
    # timetable and booking settings: the venue's own staff (and admin) only; an empty POST
    # is bad input shown again (400), never saved
    row("GET", "/console/venues/{venue_a}/timetable",    302, 403, 403, 200, 403, 403, 403, 200),
    row("GET", "/console/venues/{venue_b}/timetable",    302, 403, 403, 403, 200, 403, 403, 200),
    row("GET", "/console/venues/{missing}/timetable",    302, 404, 404, 404, 404, 404, 404, 404),
    row("POST", "/console/venues/{venue_a}/timetable",   302, 403, 403, 400, 403, 403, 403, 400),
    row("GET", "/console/venues/{venue_a}/settings",     302, 403, 403, 200, 403, 403, 403, 200),
    row("GET", "/console/venues/{venue_c}/settings",     302, 403, 403, 403, 403, 403, 403, 200),
    row("POST", "/console/venues/{venue_b}/settings",    302, 403, 403, 403, 400, 403, 403, 400),
    row("POST", "/console/venues/{venue_a}/timetable/closures",
                                                         302, 403, 403, 400, 403, 403, 403, 400),
    row("POST", "/console/venues/{venue_b}/timetable/closures/{missing}/remove",
                                                         302, 403, 403, 403, 302, 403, 403, 302),
]


@pytest.mark.parametrize("method, path, expected, data", MATRIX)
def test_every_role_gets_the_expected_status_on_every_protected_route(
    app, regions, method, path, expected, data
):
    world = build_world(regions)
    url = path.format(**world.ids())
    got = {}
    for role in ROLES:
        client = fresh_client(app)
        if role != "anon":
            login_as(client, world.users[role])
        response = client.open(url, method=method, data=data)
        got[role] = response.status_code
        if response.status_code == 302 and role == "anon":
            assert "/auth/login" in response.headers["Location"], url
    assert got == dict(zip(ROLES, expected, strict=True))
