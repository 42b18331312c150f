"""Booking API: sessions with places left, and creating, reading and cancelling bookings.

Same services as the pages. POSTs use the signed-in session and must carry the CSRF token in
the X-CSRFToken header (GET /api/v1/csrf-token hands one out).
"""

from datetime import date, timedelta

from flask import jsonify, request
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from models import BookingKind, School, db
from models.user import utcnow
from webapp.api import bp, openapi
from webapp.api.errors import json_error, service_error
from webapp.services import clock
from webapp.services.booking import availability, bookings, queries, requests, slots
from webapp.services.booking import party as party_service
from webapp.services.errors import ServiceError

MAX_RANGE_DAYS = 62


def _iso(moment) -> str:
    return moment.isoformat(timespec="seconds") + "Z"


def session_json(session, places) -> dict:
    return {
        "id": session.id,
        "kind": session.kind.value,
        "title": session.title,
        "programme": session.programme,
        "starts_at": _iso(session.starts_at),
        "ends_at": _iso(session.ends_at),
        "capacity": session.capacity,
        "places_left": places.general_left,
        "green_places_left": places.green_left,
        "green_reserved_left": places.green_reserved_left,
    }


def booking_json(booking) -> dict:
    return {
        "code": booking.display_code,
        "status": booking.status.value,
        "kind": booking.kind.value,
        "channel": booking.channel.value,
        "session_id": booking.session_id,
        "venue_id": booking.session.venue_id,
        "venue": booking.session.venue.name,
        "starts_at": _iso(booking.session.starts_at),
        "ends_at": _iso(booking.session.ends_at),
        "places": booking.places,
        "counts": {name: getattr(booking, name) for name in party_service.COUNT_FIELDS},
        "group_name": booking.group_name,
        "price_yuan": booking.price_yuan,
        "reason": booking.reason,
        "url": f"/booking/b/{booking.code}",
    }


def _parse_date(name: str, default: date) -> date:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    return date.fromisoformat(raw)


@bp.route("/csrf-token")
def csrf_token():
    return jsonify(csrf_token=generate_csrf())


@bp.route("/venues/<int:venue_id>/sessions")
def venue_sessions(venue_id: int):
    from models import Venue

    venue = db.session.get(Venue, venue_id)
    if venue is None:
        return json_error(404, _("No venue with that id."))
    now = utcnow()
    today = clock.local_date(now)
    try:
        first = _parse_date("from", today)
    except ValueError:
        return json_error(400, _("Use YYYY-MM-DD."), "from")
    try:
        last = _parse_date("to", first + timedelta(days=14))
    except ValueError:
        return json_error(400, _("Use YYYY-MM-DD."), "to")
    if last < first:
        return json_error(400, _("'to' must not be before 'from'."), "to")
    if (last - first).days > MAX_RANGE_DAYS:
        return json_error(400, _("At most %(n)d days at a time.", n=MAX_RANGE_DAYS), "to")
    start, _end = clock.day_bounds(first)
    _start, end = clock.day_bounds(last)
    found = [
        s for s in slots.list_venue_sessions(venue, start=start, end=end) if not s.is_cancelled
    ]
    places = availability.get_availability([s.id for s in found], now=now)
    return jsonify(
        venue_id=venue.id,
        sessions=[session_json(s, places[s.id]) for s in found],
    )


def _int_field(body: dict, name: str) -> int:
    value = body.get(name, 0)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ServiceError(_("Enter a whole number."), field=name)
    return value


def _request_from_json(body: dict) -> tuple[int, party_service.BookingRequest]:
    session_id = body.get("session_id")
    if isinstance(session_id, bool) or not isinstance(session_id, int):
        raise ServiceError(_("Give session_id as a whole number."), field="session_id")
    kind_text = body.get("kind", "family")
    if kind_text not in ("family", "school_group"):
        raise ServiceError(_("kind is family or school_group."), field="kind")
    counts = {name: _int_field(body, name) for name in party_service.COUNT_FIELDS}
    party = party_service.Party(**counts)
    for name in ("contact_name", "contact_phone", "idempotency_key", "group_name", "lead_teacher"):
        if not isinstance(body.get(name, ""), str):
            raise ServiceError(_("Must be a string."), field=name)
    kind = BookingKind(kind_text)
    school = None
    if kind is BookingKind.SCHOOL_GROUP:
        school_id = body.get("school_id")
        if isinstance(school_id, bool) or not isinstance(school_id, int):
            raise ServiceError(_("Give school_id for a school group."), field="school_id")
        school = db.session.get(School, school_id)
    return session_id, party_service.BookingRequest(
        kind=kind,
        party=party,
        contact_name=body.get("contact_name", ""),
        contact_phone=body.get("contact_phone", "").strip(),
        idempotency_key=body.get("idempotency_key", ""),
        school=school,
        group_name=body.get("group_name", ""),
        lead_teacher=body.get("lead_teacher", ""),
    )


@bp.route("/bookings", methods=["POST"])
def create_booking():
    if not current_user.is_authenticated:
        return json_error(401, _("Log in first."))
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return json_error(400, _("Send a JSON object."), "body")
    try:
        session_id, booking_request = _request_from_json(body)
        session = slots.get_session(session_id)
        if session is None:
            return json_error(404, _("No session with that id."), "session_id")
        booking = requests.create_booking(session, booking_request, by=current_user, now=utcnow())
    except ServiceError as error:
        return service_error(error)
    response = jsonify(booking_json(booking))
    response.status_code = 201
    return response


@bp.route("/bookings/<code>")
def get_booking(code: str):
    try:
        booking = queries.get_booking_for(code, user=current_user)
    except ServiceError as error:
        return service_error(error)
    return jsonify(booking_json(booking))


@bp.route("/bookings/<code>/cancel", methods=["POST"])
def cancel_booking(code: str):
    if not current_user.is_authenticated:
        return json_error(401, _("Log in first."))
    body = request.get_json(silent=True) or {}
    reason = body.get("reason", "") if isinstance(body, dict) else ""
    if not isinstance(reason, str):
        return json_error(400, _("Must be a string."), "reason")
    try:
        booking = queries.get_booking_for(code, user=current_user)
        booking = bookings.cancel_booking(booking, by=current_user, now=utcnow(), reason=reason)
    except ServiceError as error:
        return service_error(error)
    return jsonify(booking_json(booking))


_CODE = {"name": "code", "in": "path", "required": True, "schema": {"type": "string"}}
_COUNT = {"type": "integer", "minimum": 0, "maximum": 1000}
_JSON_BOOKING = {
    "description": "The booking",
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Booking"}}},
}
_CSRF = {
    "name": "X-CSRFToken",
    "in": "header",
    "required": True,
    "schema": {"type": "string"},
    "description": "From GET /csrf-token, in the same signed-in session",
}

openapi.register(
    {
        "/csrf-token": {
            "get": {
                "summary": "A CSRF token for this session, to send as X-CSRFToken on POSTs",
                "operationId": "getCsrfToken",
                "responses": {"200": {"description": "The token"}},
            }
        },
        "/venues/{venue_id}/sessions": {
            "get": {
                "summary": "A venue's sessions with places left (general and green channel)",
                "operationId": "listVenueSessions",
                "parameters": [
                    {
                        "name": "venue_id",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "integer", "minimum": 0},
                    },
                    {
                        "name": "from",
                        "in": "query",
                        "schema": {"type": "string", "format": "date"},
                        "description": "First local date (default today)",
                    },
                    {
                        "name": "to",
                        "in": "query",
                        "schema": {"type": "string", "format": "date"},
                        "description": f"Last local date (max {MAX_RANGE_DAYS} days on)",
                    },
                ],
                "responses": {
                    "200": {
                        "description": "Sessions",
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/SessionList"}
                            }
                        },
                    },
                    "400": openapi.error_response("A date is not usable; `errors` names it"),
                    "404": openapi.error_response("No such venue"),
                },
            }
        },
        "/bookings": {
            "post": {
                "summary": "Book places in a session (family, green channel or school group)",
                "operationId": "createBooking",
                "parameters": [_CSRF],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {"$ref": "#/components/schemas/BookingRequest"}
                        }
                    },
                },
                "responses": {
                    "201": _JSON_BOOKING,
                    "400": openapi.error_response("A rule or a field said no; `errors` names it"),
                    "401": openapi.error_response("Not signed in"),
                    "403": openapi.error_response(
                        "Not allowed: families and school staff book; school groups only by "
                        "the school's staff"
                    ),
                    "404": openapi.error_response("No such session"),
                    "409": openapi.error_response("Not enough places left"),
                    "503": openapi.error_response("Busy, try again"),
                },
            }
        },
        "/bookings/{code}": {
            "get": {
                "summary": "One booking: the booker's own, or for the venue's staff",
                "operationId": "getBooking",
                "parameters": [_CODE],
                "responses": {
                    "200": _JSON_BOOKING,
                    "404": openapi.error_response("No such booking, or not yours"),
                },
            }
        },
        "/bookings/{code}/cancel": {
            "post": {
                "summary": "Cancel a booking (booker up to the cut-off; staff with a reason)",
                "operationId": "cancelBooking",
                "parameters": [_CODE, _CSRF],
                "requestBody": {
                    "required": False,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "properties": {"reason": {"type": "string", "maxLength": 300}},
                            }
                        }
                    },
                },
                "responses": {
                    "200": _JSON_BOOKING,
                    "400": openapi.error_response("Cannot be cancelled now"),
                    "401": openapi.error_response("Not signed in"),
                    "403": openapi.error_response("You may see it but not cancel it (bureau)"),
                    "404": openapi.error_response("No such booking, or not yours"),
                    "409": openapi.error_response(
                        "Already cancelled, checked in or otherwise changed meanwhile"
                    ),
                },
            }
        },
    },
    {
        "Session": {
            "type": "object",
            "required": ["id", "starts_at", "ends_at", "places_left", "green_places_left"],
            "properties": {
                "id": {"type": "integer"},
                "kind": {"type": "string", "enum": ["regular", "open_day"]},
                "title": {"type": "string"},
                "programme": {"type": "string"},
                "starts_at": {"type": "string", "format": "date-time"},
                "ends_at": {"type": "string", "format": "date-time"},
                "capacity": {"type": "integer"},
                "places_left": {"type": "integer"},
                "green_places_left": {"type": "integer"},
                "green_reserved_left": {"type": "integer"},
            },
        },
        "SessionList": {
            "type": "object",
            "properties": {
                "venue_id": {"type": "integer"},
                "sessions": {"type": "array", "items": {"$ref": "#/components/schemas/Session"}},
            },
        },
        "BookingRequest": {
            "type": "object",
            "required": ["session_id", "contact_name", "contact_phone", "idempotency_key"],
            "properties": {
                "session_id": {"type": "integer"},
                "kind": {"type": "string", "enum": ["family", "school_group"]},
                **{name: _COUNT for name in party_service.COUNT_FIELDS},
                "contact_name": {"type": "string", "maxLength": 60},
                "contact_phone": {"type": "string"},
                "idempotency_key": {"type": "string", "minLength": 8, "maxLength": 64},
                "school_id": {"type": "integer"},
                "group_name": {"type": "string", "maxLength": 60},
                "lead_teacher": {"type": "string", "maxLength": 60},
            },
        },
        "Booking": {
            "type": "object",
            "required": ["code", "status", "places"],
            "properties": {
                "code": {"type": "string"},
                "status": {
                    "type": "string",
                    "enum": [
                        "pending",
                        "confirmed",
                        "refused",
                        "cancelled",
                        "checked_in",
                        "no_show",
                    ],
                },
                "kind": {"type": "string"},
                "channel": {"type": "string", "enum": ["general", "green"]},
                "session_id": {"type": "integer"},
                "venue_id": {"type": "integer"},
                "starts_at": {"type": "string", "format": "date-time"},
                "places": {"type": "integer"},
                "price_yuan": {"type": "integer"},
                "reason": {"type": "string"},
            },
        },
    },
)
