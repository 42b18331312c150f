"""The API fuzzed signed in, as each kind of user, against the access matrix's world (venues
with sessions, bookings of families and schools, talk requests, lecturers).

Two runs per role: every operation on its own with generated (often hostile) input, then a
stateful run that follows the description's OpenAPI links, so that sessions listed are
booked, and bookings made are fetched and cancelled by their code. The session cookie and
the CSRF token come from a real sign-in, with CSRF protection on. Every answer must be no
server error, documented (status, content type) and as its response schema says.

Bounded for CI (2 cores): a fixed number of examples per operation and of stateful runs per
role, derandomized so a run is the same each time.
"""

import pytest
import schemathesis
import sqlalchemy as sa
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from models import Booking, BookingStatus, db
from tests.factories.core import PASSWORD
from webapp.services.booking.party import COUNT_FIELDS

#: the fuzzed roles: a user of the access matrix's world for each
ROLES = {"family": "family", "school": "school", "venue": "venue_a", "bureau": "county"}
#: the operations a role's stateful run follows links between: booking for all, and each
#: staff role's own (the runs on their own cover every operation for every role)
BOOKING = [
    "listVenues",
    "getVenue",
    "listVenueSessions",
    "createBooking",
    "getBooking",
    "cancelBooking",
]
WALKS = {
    "family": BOOKING,
    "school": BOOKING,
    "venue": [*BOOKING, "listDeskToday", "listVisitors"],
    "bureau": [
        *BOOKING,
        "listLectureRequests",
        "listLectureCandidates",
        "assignLectureRequest",
        "deliverLectureRequest",
        "cancelLectureRequest",
    ],
}
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
USER_AGENT = "fuzz-test"
BOUNDED = dict(
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture(params=list(ROLES))
def role(request):
    return request.param


@pytest.fixture
def signed_in(app, world, role) -> dict:
    """What a call of a signed-in session of `role`'s user sends: its cookie and its CSRF
    token header, with CSRF protection on for the rest of the test."""
    client = app.test_client()
    # the WSGI transport hands the body over as sent: a client that can't unzip says so
    headers = {"User-Agent": USER_AGENT, "Accept-Encoding": "identity"}
    user = world.users[ROLES[role]]
    answer = client.post(
        "/auth/login", data={"login": user.email, "password": PASSWORD}, headers=headers
    )
    assert answer.status_code == 302, answer.get_data(as_text=True)[:300]
    app.config["WTF_CSRF_ENABLED"] = True
    token = client.get("/api/v1/csrf-token", headers=headers).get_json()["csrf_token"]
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    return {"headers": {**headers, "X-CSRFToken": token}, "cookies": {cookie.key: cookie.value}}


def _schema(app, **generation):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    # the signed-in session's CSRF token is sent, not one the fuzzer makes up
    schema.config.generation.update(with_security_parameters=False, **generation)
    return schema


@pytest.fixture
def api_schema(app, signed_in):
    return _schema(app)


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=10, phases=[Phase.explicit, Phase.generate], **BOUNDED)
def test_fuzzing_each_operation_signed_in_finds_no_error(case, signed_in):
    case.call_and_validate(checks=CHECKS, **signed_in)


def _api_bookings() -> dict[BookingStatus, int]:
    """Bookings the fuzzer made (the world's own have keys world-…), by status."""
    rows = db.session.execute(
        sa.select(Booking.status, sa.func.count())
        .where(Booking.idempotency_key.not_like("world-%"))
        .group_by(Booking.status)
    )
    return dict(rows.all())


def test_following_the_links_signed_in_finds_no_error(app, world, role, signed_in):
    # valid input only: the runs above send the hostile kind to every operation
    schema = _schema(app, modes=[GenerationMode.POSITIVE])
    machine = schema.include(operation_id=WALKS[role]).as_state_machine()
    school = world.schools["x"] if role == "school" else None

    class SignedIn(machine):
        def get_call_kwargs(self, case):
            return signed_in

        def before_call(self, case):
            # a booking that can pass (a real contact, a party of a few, a key of the right
            # length), so that bookings get made and the links after them run; each operation
            # on its own gets hostile bodies in the test above
            body = case.body
            if case.operation.label == "POST /bookings" and isinstance(body, dict):
                body.update(contact_name="王女士", contact_phone="13800138000")
                body.update(
                    {n: v % 3 for n, v in body.items() if n in COUNT_FIELDS and type(v) is int}
                )
                if not any(body.get(name) for name in COUNT_FIELDS):
                    body.update(adults=1, primary_pupils=1)
                if not 8 <= len(str(body.get("idempotency_key", ""))) <= 64:
                    body["idempotency_key"] = f"fuzz-{case.id}"
                if body.get("kind") == "school_group" and school is not None:
                    body["school_id"] = school.id

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            case.validate_response(response, checks=CHECKS, transport_kwargs=kwargs or None)

    SignedIn.run(settings=settings(max_examples=25, stateful_step_count=10, **BOUNDED))
    made = _api_bookings()
    if role in ("family", "school"):
        assert sum(made.values()) > 0, "no booking was made through the links"
        assert made.get(BookingStatus.CANCELLED, 0) > 0, "no booking made was cancelled"
    else:
        assert not made, "only families and school staff book"


def test_every_operation_documents_the_answers_of_the_request_limits(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    operations = [
        (method.upper(), path, operation)
        for path, item in spec["paths"].items()
        for method, operation in item.items()
    ]
    assert len(operations) > 10
    for method, path, operation in operations:
        missing = {"400", "413", "414", "429"} - set(operation["responses"])
        assert not missing, f"{method} {path} does not document {sorted(missing)}"


def test_a_get_with_a_body_too_large_gets_the_documented_413(client):
    body = b"{" + b" " * (1024 * 1024 + 10) + b"}"
    answer = client.get("/api/v1/venues", data=body, content_type="application/json")
    assert answer.status_code == 413
    assert set(answer.get_json()) >= {"error", "message"}


def test_the_links_name_operations_that_exist(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    operations = {
        operation["operationId"]: operation
        for item in spec["paths"].values()
        for operation in item.values()
    }
    created = operations["createBooking"]["responses"]["201"]["links"]
    assert created["GetBooking"]["parameters"] == {"code": "$response.body#/code"}
    for operation in operations.values():
        for answer in operation["responses"].values():
            for link in answer.get("links", {}).values():
                assert link["operationId"] in operations
