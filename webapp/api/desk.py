"""Desk API for venue staff and gate devices: today's sessions with their figures, looking a
code up and recording arrivals, and a day's visitor list. Same services as the console pages;
only the staff's own venues. POSTs carry the CSRF token in X-CSRFToken, as elsewhere."""

from flask import abort, g, jsonify
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from models import Venue, db
from models.user import utcnow
from webapp.api import bp
from webapp.api.bookings import iso
from webapp.api.errors import json_error, service_error
from webapp.api.openapi import answers, json_body, spec, validate_post
from webapp.api.schemas.desk import (
    Arrival,
    DeskQuery,
    DeskToday,
    DoorParty,
    Visitors,
    VisitorsQuery,
)
from webapp.auth.decorators import permission_required
from webapp.services import clock
from webapp.services.booking import desk_today, door
from webapp.services.booking.venue_staff import console_venues
from webapp.services.errors import ServiceError

_STAFF_ONLY = _l("Only the venue's staff can do that.")

#: the signed-in person staffs the venue of the URL (401, then 404, then 403)
venue_staff_only = permission_required(
    "venue.manage_sessions",
    lambda venue_id, **_args: db.session.get(Venue, venue_id),
    missing=_l("No venue with that id."),
    denied=_STAFF_ONLY,
)
_STAFF_ERRORS = {
    "HTTP_401": "Not signed in",
    "HTTP_403": "Not this venue's staff",
    "HTTP_404": "No such venue; or an unknown code, or another venue's",
}


def party_json(booking) -> dict:
    party = door.Party(booking)
    return {
        "code": booking.display_code,
        "status": booking.status.value,
        "channel": booking.channel.value,
        "kind": booking.kind.value,
        "session_id": booking.slot_id,
        "starts_at": iso(booking.slot.starts_at),
        "places": booking.places,
        "arrived": booking.arrived,
        "checked_in_at": iso(booking.checked_in_at) if booking.checked_in_at else None,
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
        "visitors": [
            {
                "id": v.id,
                "name": v.name,
                "document": v.document.value,
                "masked_number": v.masked_number,
            }
            for v in party.visitors
        ],
        "checks_ids": party.checks_ids,
    }


@bp.route("/desk/today", endpoint="desk_today")
@permission_required("venue.staff_any", denied=_STAFF_ONLY)
@spec.validate(
    resp=answers(
        HTTP_200=DeskToday, HTTP_401="Not signed in", HTTP_403="Not staff of any (such) venue"
    ),
    operation_id="listDeskToday",
)
def desk_today_json(query: DeskQuery):
    """Today's sessions at the staff's venues: booked, green used, checked in"""
    venues = console_venues(current_user)
    if query.venue is not None:
        venues = [v for v in venues if v.id == query.venue]
        if not venues:  # a venue the person does not staff
            abort(403, description=_STAFF_ONLY)
    day = clock.local_date(utcnow())
    rows = desk_today.list_day_sessions(venues, day)
    return jsonify(
        day=day.isoformat(),
        waiting=desk_today.count_waiting_groups(venues),
        sessions=[
            {
                **f.as_dict(),
                "venue_id": f.slot.venue_id,
                "kind": f.slot.kind.value,
                "title": f.slot.title,
                "starts_at": iso(f.slot.starts_at),
                "ends_at": iso(f.slot.ends_at),
                "is_cancelled": f.slot.is_cancelled,
            }
            for f in rows
        ],
    )


@bp.route("/desk/venues/<int:venue_id>/bookings/<code>")
@venue_staff_only
@spec.validate(
    resp=answers(
        HTTP_200=(DoorParty, "The party"),
        HTTP_400="Not now: already in, pending, cancelled, another day, outside the window",
        **_STAFF_ERRORS,
    ),
    operation_id="lookUpDoorCode",
)
def desk_look_up(venue_id: int, code: str):
    """Look a code up at the door: the party, if it may come in now"""
    try:
        party = door.look_up(g.permission_object, code, by=current_user, now=utcnow())
    except ServiceError as error:
        return service_error(error)
    return jsonify(party_json(party.booking))


@bp.route("/desk/venues/<int:venue_id>/check-in", methods=["POST"])
@venue_staff_only
@validate_post(
    "recordArrival",
    HTTP_200=(DoorParty, "The party"),
    HTTP_409="The code cannot come in now (already in, another day, outside the window)",
    HTTP_422="More people than are still to come, or an ID that does not match",
    **_STAFF_ERRORS,
)
def desk_check_in(venue_id: int, json: Arrival):
    """Record people of a party as arrived (partial arrival allowed)"""
    body, venue = json_body(json), g.permission_object
    try:
        now = utcnow()
        party = door.look_up(venue, body.code, by=current_user, now=now)
        people = party.still_to_come if body.people is None else body.people
        seen = party.booking.arrived if body.seen_arrived is None else body.seen_arrived
        booking = door.record_arrival(
            venue,
            body.code,
            people=people,
            seen_arrived=seen,
            by=current_user,
            now=now,
            documents={d.visitor_id: d.number for d in body.documents},
        )
    except ServiceError as error:
        if error.status_code == 400:
            return json_error(409 if error.field == "code" else 422, error.message, error.field)
        return service_error(error)
    return jsonify(party_json(booking))


@bp.route("/desk/venues/<int:venue_id>/visitors")
@venue_staff_only
@spec.validate(
    resp=answers(HTTP_200=(Visitors, "Visitors of the day"), **_STAFF_ERRORS),
    operation_id="listVisitors",
)
def desk_visitors(venue_id: int, query: VisitorsQuery):
    """A day's visitor list at a venue (phones masked)"""
    day = query.day or clock.local_date(utcnow())
    rows = desk_today.list_visitors(g.permission_object, day=day)
    return jsonify(day=day.isoformat(), venue_id=venue_id, visitors=[party_json(b) for b in rows])
