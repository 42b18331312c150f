"""The OpenAPI 3 description and the request/response validation, from one definition.

Each view is decorated with ``@spec.validate(...)`` naming its pydantic models (webapp.api.schemas);
spectree checks the request against them before the view runs and the answer after, and
writes the description served at /api/v1/openapi.json from the same models. A bad request gets
the API's one error shape (webapp.api.errors) in the user's language; access checks are
decorators placed above ``@spec.validate``, so a stranger is told 401/403 before any 400.
"""

import copy
import logging

from flask import abort, current_app, jsonify
from flask_babel import gettext as _
from spectree import Response, SecurityScheme, SecuritySchemeData, SpecTree

from webapp.api import bp
from webapp.api.errors import bad_request, json_error
from webapp.api.fields import field_errors
from webapp.api.schemas.common import Error

log = logging.getLogger(__name__)
PREFIX = "/api/v1"


def _refuse_bad_request(req, resp, error, instance, adapter):
    if error is not None:
        abort(bad_request(field_errors(error)))


def _refuse_bad_answer(req, resp, error, instance, adapter):
    # The view answered something its own description does not allow: a bug. Tests (and the
    # fuzzer) turn it into a failure; in production the client still gets its answer and
    # the log says what drifted, rather than a working request becoming a 500.
    if error is not None:
        log.error("Answer of %s does not match its description: %s", req.path, error)
        if current_app.testing:
            abort(json_error(500, _("Something went wrong.")))


spec = SpecTree(
    "flask",
    mode="strict",
    title="Shanxi practice bases API",
    version="1.0.0",
    description="Practice bases, green-channel booking and the lecturer pool.",
    page_templates={},
    before=_refuse_bad_request,
    after=_refuse_bad_answer,
    validation_error_status=400,
    validation_error_model=Error,
    naming_strategy=lambda model: model.__name__,
    nested_naming_strategy=lambda _parent, child: child,
    security_schemes=[
        SecurityScheme(
            name="csrf",
            data=SecuritySchemeData(
                type="apiKey",
                field_in="header",
                name="X-CSRFToken",
                description="The signed-in session's CSRF token: GET /csrf-token, or "
                "csrf_token in any page's form",
            ),
        )
    ],
)

#: the `security` of an operation that changes something (a POST)
CSRF = {"csrf": []}

#: answers any operation can give, whatever its own rules (request limits, rate limits)
_COMMON = {
    "HTTP_400": (
        Error,
        "Malformed request: bad JSON, JSON nested too deeply, a form part without a name, a "
        "character that is not allowed, or a parameter not as described; `errors` names it",
    ),
    "HTTP_413": (Error, "The body is larger than MAX_CONTENT_LENGTH (a GET's body too)"),
    "HTTP_414": (None, "The address is too long (answered by the web server)"),
    "HTTP_429": (Error, "Too many requests: wait and try again"),
    "HTTP_503": (Error, "Busy or the database unreachable: try again"),
}


def answers(**codes) -> Response:
    """An operation's answers: its own (HTTP_200=Model, HTTP_404="No such venue", …) over
    the common ones. A plain string is an error answer with that description."""
    own = {
        code: (Error, value) if isinstance(value, str) else value for code, value in codes.items()
    }
    return Response(**{**_COMMON, **own})


def _link(operation_id: str, description: str, parameters=None, body=None) -> dict:
    link = {"operationId": operation_id, "description": description}
    if parameters:
        link["parameters"] = parameters
    if body:
        link["requestBody"] = body
    return link


_VENUE = {"venue_id": "$response.body#/features/0/id"}
_BOOKING = {"code": "$response.body#/code"}
_TALK = {"request_id": "$response.body#/requests/0/id"}
_CHANGED_TALK = {"request_id": "$response.body#/id"}

#: OpenAPI links: where a value one answer gives can be used next (operationId, status) →
#: {name: link}. They tell a client (and the stateful fuzz test) that a booking just made is
#: fetched and cancelled by its code, a session listed is booked by its id, and so on.
LINKS = {
    ("listVenues", "200"): {
        "GetFirstVenue": _link("getVenue", "The first venue of the page", _VENUE),
        "ListFirstVenueSessions": _link(
            "listVenueSessions", "The sessions of the page's first venue", _VENUE
        ),
    },
    ("getVenue", "200"): {
        "ListSessions": _link(
            "listVenueSessions", "The venue's sessions", {"venue_id": "$response.body#/id"}
        ),
    },
    ("listVenueSessions", "200"): {
        "BookFirstSession": _link(
            "createBooking",
            "Book places in the first session listed",
            body={"session_id": "$response.body#/sessions/0/id"},
        ),
    },
    ("createBooking", "201"): {
        "GetBooking": _link("getBooking", "The booking just made", _BOOKING),
        "CancelBooking": _link("cancelBooking", "Cancel the booking just made", _BOOKING),
        "ListSessions": _link(
            "listVenueSessions",
            "The venue's sessions, one place fewer",
            {"venue_id": "$response.body#/venue_id"},
        ),
    },
    ("getBooking", "200"): {
        "CancelBooking": _link("cancelBooking", "Cancel this booking", _BOOKING),
    },
    ("cancelBooking", "200"): {
        "GetBooking": _link("getBooking", "The booking, now cancelled", _BOOKING),
    },
    ("listLecturers", "200"): {
        "GetFirstLecturer": _link(
            "getLecturer", "The first lecturer", {"lecturer_id": "$response.body#/lecturers/0/id"}
        ),
    },
    ("listLectureRequests", "200"): {
        "FirstCandidates": _link("listLectureCandidates", "Who could give the talk", _TALK),
        "CancelFirst": _link("cancelLectureRequest", "Cancel the first request", _TALK),
        "DeliverFirst": _link("deliverLectureRequest", "Record the first as given", _TALK),
    },
    ("listLectureCandidates", "200"): {
        "AssignBest": _link(
            "assignLectureRequest",
            "Assign the best candidate",
            {"request_id": "$response.body#/request/id"},
            {"lecturer_id": "$response.body#/candidates/0/lecturer/id"},
        ),
    },
    ("assignLectureRequest", "200"): {
        "Deliver": _link("deliverLectureRequest", "Record the talk as given", _CHANGED_TALK),
        "Cancel": _link("cancelLectureRequest", "Cancel the talk", _CHANGED_TALK),
    },
    ("listDeskToday", "200"): {
        "Visitors": _link(
            "listVisitors",
            "The day's visitors of the first session's venue",
            {"venue_id": "$response.body#/sessions/0/venue_id"},
        ),
    },
}


def _add_links(paths: dict) -> None:
    by_id = {
        operation.get("operationId"): operation
        for item in paths.values()
        for operation in item.values()
        if isinstance(operation, dict)
    }
    for (operation_id, status), links in LINKS.items():
        by_id[operation_id]["responses"][status]["links"] = links


def validate_post(operation_id: str, **codes):
    """`spec.validate` for a POST that sends a JSON body and the CSRF token (X-CSRFToken):
    its own answers over the common ones and the body's, and the CSRF security."""
    return spec.validate(resp=answers(**codes), security=CSRF, operation_id=operation_id)


def build_spec() -> dict:
    """The description, with paths relative to the API's server (/api/v1)."""
    generated = copy.deepcopy(spec.spec)
    generated["servers"] = [{"url": PREFIX}]
    generated["paths"] = {
        path.removeprefix(PREFIX): item for path, item in sorted(generated["paths"].items())
    }
    _add_links(generated["paths"])
    if not generated.get("tags"):
        generated.pop("tags", None)
    return generated


@bp.route("/openapi.json")
def openapi_json():
    return jsonify(build_spec())


def json_body(body):
    """The validated JSON body, or a 400 when the request sent none (a form, say)."""
    if body is None:
        abort(json_error(400, _("Send a JSON object."), "body"))
    return body
