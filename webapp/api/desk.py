"""Desk API for venue staff and gate devices: today's sessions with their figures, looking a
code up and recording arrivals, and a day's visitor list. Same services as the console pages;
only the staff's own venues. POSTs carry the CSRF token in X-CSRFToken, as elsewhere."""

from datetime import date

from flask import jsonify, request
from flask_babel import gettext as _
from flask_login import current_user

from models import Venue, db
from models.user import utcnow
from webapp.api import bp, openapi
from webapp.api.bookings import _CSRF, _iso
from webapp.api.errors import json_error, service_error
from webapp.services import clock
from webapp.services.booking import desk_today, door
from webapp.services.booking.venue_staff import console_venues
from webapp.services.errors import ServiceError
from webapp.services.permissions import can


def _staff_venue(venue_id: int):
    """(venue, None) for a venue the signed-in person staffs, else (None, error response)."""
    if not current_user.is_authenticated:
        return None, json_error(401, _("Log in first."))
    venue = db.session.get(Venue, venue_id)
    if venue is None:
        return None, json_error(404, _("No venue with that id."))
    if not can(current_user, "venue.manage_sessions", venue):
        return None, json_error(403, _("Only the venue's staff can do that."))
    return venue, None


def party_json(booking) -> dict:
    return {
        "code": booking.display_code,
        "status": booking.status.value,
        "channel": booking.channel.value,
        "kind": booking.kind.value,
        "session_id": booking.session_id,
        "starts_at": _iso(booking.session.starts_at),
        "places": booking.places,
        "arrived": booking.arrived,
        "checked_in_at": _iso(booking.checked_in_at) if booking.checked_in_at else None,
        "counts": {
            name: getattr(booking, name)
            for name in ("preschool", "primary_pupils", "junior", "senior", "adults", "teachers")
        },
        "green_categories": {
            name: getattr(booking, name)
            for name in ("left_behind", "disabled", "orphaned", "special_family")
        },
        "group_name": booking.group_name,
        "contact_name": booking.contact_name,
        "contact_phone": desk_today.mask_phone(booking.contact_phone),
    }


@bp.route("/desk/today", endpoint="desk_today")
def desk_today_json():
    if not current_user.is_authenticated:
        return json_error(401, _("Log in first."))
    venues = console_venues(current_user)
    chosen = request.args.get("venue", type=int)
    if chosen is not None:
        venues = [v for v in venues if v.id == chosen]
    if not venues:
        return json_error(403, _("Only the venue's staff can do that."))
    day = clock.local_date(utcnow())
    rows = desk_today.list_day_sessions(venues, day)
    return jsonify(
        day=day.isoformat(),
        waiting=desk_today.count_waiting_groups(venues),
        sessions=[
            {
                **f.as_dict(),
                "venue_id": f.session.venue_id,
                "kind": f.session.kind.value,
                "title": f.session.title,
                "starts_at": _iso(f.session.starts_at),
                "ends_at": _iso(f.session.ends_at),
                "is_cancelled": f.session.is_cancelled,
            }
            for f in rows
        ],
    )


@bp.route("/desk/venues/<int:venue_id>/bookings/<code>")
def desk_look_up(venue_id: int, code: str):
    venue, problem = _staff_venue(venue_id)
    if problem is not None:
        return problem
    try:
        party = door.look_up(venue, code, by=current_user, now=utcnow())
    except ServiceError as error:
        return service_error(error)
    return jsonify(party_json(party.booking))


@bp.route("/desk/venues/<int:venue_id>/check-in", methods=["POST"])
def desk_check_in(venue_id: int):
    venue, problem = _staff_venue(venue_id)
    if problem is not None:
        return problem
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return json_error(400, _("Send a JSON object."), "body")
    code = body.get("code")
    if not isinstance(code, str) or not code.strip() or len(code) > 20:
        return json_error(400, _("Type the booking code."), "code")
    try:
        now = utcnow()
        party = door.look_up(venue, code, by=current_user, now=now)
        people = body.get("people", party.still_to_come)
        seen = body.get("seen_arrived", party.booking.arrived)
        for name, value in (("people", people), ("seen_arrived", seen)):
            if isinstance(value, bool) or not isinstance(value, int):
                return json_error(400, _("Enter a whole number."), name)
        booking = door.record_arrival(
            venue, code, people=people, seen_arrived=seen, by=current_user, now=now
        )
    except ServiceError as error:
        if error.status_code == 400:
            return json_error(409 if error.field == "code" else 422, error.message, error.field)
        return service_error(error)
    return jsonify(party_json(booking))


@bp.route("/desk/venues/<int:venue_id>/visitors")
def desk_visitors(venue_id: int):
    venue, problem = _staff_venue(venue_id)
    if problem is not None:
        return problem
    raw = request.args.get("day", "")
    try:
        day = date.fromisoformat(raw) if raw else clock.local_date(utcnow())
    except ValueError:
        return json_error(400, _("Use YYYY-MM-DD."), "day")
    rows = desk_today.list_visitors(venue, day=day)
    return jsonify(day=day.isoformat(), venue_id=venue.id, visitors=[party_json(b) for b in rows])


_VENUE = {"name": "venue_id", "in": "path", "required": True, "schema": {"type": "integer"}}
_PARTY = {
    "description": "The party",
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/DoorParty"}}},
}
_COUNTS = {"type": "object", "additionalProperties": {"type": "integer", "minimum": 0}}

openapi.register(
    {
        "/desk/today": {
            "get": {
                "summary": "Today's sessions at the staff's venues: booked, green used, checked in",
                "operationId": "listDeskToday",
                "parameters": [
                    {
                        "name": "venue",
                        "in": "query",
                        "schema": {"type": "integer"},
                        "description": "Only this venue (one of the staff's)",
                    }
                ],
                "responses": {
                    "200": {"description": "Sessions with their figures, and approvals waiting"},
                    "401": openapi.error_response("Not signed in"),
                    "403": openapi.error_response("Not staff of any (such) venue"),
                },
            }
        },
        "/desk/venues/{venue_id}/bookings/{code}": {
            "get": {
                "summary": "Look a code up at the door: the party, if it may come in now",
                "operationId": "lookUpDoorCode",
                "parameters": [
                    _VENUE,
                    {"name": "code", "in": "path", "required": True, "schema": {"type": "string"}},
                ],
                "responses": {
                    "200": _PARTY,
                    "400": openapi.error_response(
                        "Not now: already in, pending, cancelled, another day, outside the window"
                    ),
                    "403": openapi.error_response("Not this venue's staff"),
                    "404": openapi.error_response("Unknown code, or another venue's"),
                },
            }
        },
        "/desk/venues/{venue_id}/check-in": {
            "post": {
                "summary": "Record people of a party as arrived (partial arrival allowed)",
                "operationId": "recordArrival",
                "parameters": [_VENUE, _CSRF],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": ["code"],
                                "properties": {
                                    "code": {"type": "string", "maxLength": 20},
                                    "people": {
                                        "type": "integer",
                                        "minimum": 1,
                                        "description": "Default: everyone still to come",
                                    },
                                    "seen_arrived": {
                                        "type": "integer",
                                        "minimum": 0,
                                        "description": "The arrived count last seen; a change "
                                        "meanwhile (a second scan) refuses with 409",
                                    },
                                },
                            }
                        }
                    },
                },
                "responses": {
                    "200": _PARTY,
                    "400": openapi.error_response("Not a JSON object, or a field of a wrong type"),
                    "403": openapi.error_response("Not this venue's staff"),
                    "404": openapi.error_response("Unknown code, or another venue's"),
                    "409": openapi.error_response(
                        "The code cannot come in now (already in, another day, outside the window)"
                    ),
                    "422": openapi.error_response("More people than are still to come"),
                },
            }
        },
        "/desk/venues/{venue_id}/visitors": {
            "get": {
                "summary": "A day's visitor list at a venue (phones masked)",
                "operationId": "listVisitors",
                "parameters": [
                    _VENUE,
                    {"name": "day", "in": "query", "schema": {"type": "string", "format": "date"}},
                ],
                "responses": {
                    "200": {"description": "Visitors of the day"},
                    "400": openapi.error_response("The day is not a date"),
                    "403": openapi.error_response("Not this venue's staff"),
                },
            }
        },
    },
    {
        "DoorParty": {
            "type": "object",
            "properties": {
                "code": {"type": "string"},
                "status": {"type": "string"},
                "places": {"type": "integer"},
                "arrived": {"type": "integer"},
                "checked_in_at": {"type": "string", "format": "date-time", "nullable": True},
                "counts": _COUNTS,
                "green_categories": _COUNTS,
                "contact_phone": {"type": "string", "description": "Last 4 digits shown"},
            },
        }
    },
)
