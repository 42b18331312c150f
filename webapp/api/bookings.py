"""Booking API: sessions with places left, and creating, reading and cancelling bookings.

Same services as the pages. POSTs use the signed-in session and must carry the CSRF token in
the X-CSRFToken header (GET /api/v1/csrf-token hands one out).
"""

from datetime import timedelta

from flask import jsonify
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf.csrf import generate_csrf

from models import BookingKind, School, Venue, db
from models.user import utcnow
from webapp.api import bp
from webapp.api.errors import json_error, service_error
from webapp.api.openapi import answers, json_body, spec, validate_post
from webapp.api.schemas.bookings import (
    MAX_RANGE_DAYS,
    Booking,
    BookingRequest,
    Cancellation,
    SessionList,
    SessionRange,
)
from webapp.api.schemas.common import CsrfToken
from webapp.services import clock
from webapp.services.booking import availability, bookings, queries, requests, slots
from webapp.services.booking import party as party_service
from webapp.services.errors import ServiceError


def iso(moment) -> str:
    return moment.isoformat(timespec="seconds") + "Z"


def session_json(session, places) -> dict:
    return {
        "id": session.id,
        "kind": session.kind.value,
        "title": session.title,
        "programme": session.programme,
        "starts_at": iso(session.starts_at),
        "ends_at": iso(session.ends_at),
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
        "session_id": booking.slot_id,
        "venue_id": booking.slot.venue_id,
        "venue": booking.slot.venue.name,
        "starts_at": iso(booking.slot.starts_at),
        "ends_at": iso(booking.slot.ends_at),
        "places": booking.places,
        "counts": {name: getattr(booking, name) for name in party_service.COUNT_FIELDS},
        "group_name": booking.group_name,
        "price_yuan": booking.price_yuan,
        "reason": booking.reason,
        "url": f"/booking/b/{booking.code}",
    }


@bp.route("/csrf-token")
@spec.validate(resp=answers(HTTP_200=CsrfToken), operation_id="getCsrfToken")
def csrf_token():
    """A CSRF token for this session, to send as X-CSRFToken on POSTs"""
    return jsonify(csrf_token=generate_csrf())


@bp.route("/venues/<int:venue_id>/sessions")
@spec.validate(
    resp=answers(HTTP_200=SessionList, HTTP_404="No such venue"),
    operation_id="listVenueSessions",
)
def venue_sessions(venue_id: int, query: SessionRange):
    """A venue's sessions with places left (general and green channel)"""
    venue = db.session.get(Venue, venue_id)
    if venue is None:
        return json_error(404, _("No venue with that id."))
    now = utcnow()
    first = query.from_ or clock.local_date(now)
    last = query.to or first + timedelta(days=14)
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
    return jsonify(venue_id=venue.id, sessions=[session_json(s, places[s.id]) for s in found])


def _booking_request(body) -> party_service.BookingRequest:
    party = party_service.Party(
        **{name: getattr(body, name) for name in party_service.COUNT_FIELDS}
    )
    school = None
    if body.kind is BookingKind.SCHOOL_GROUP:
        if body.school_id is None:
            raise ServiceError(_("Give school_id for a school group."), field="school_id")
        school = db.session.get(School, body.school_id)
    return party_service.BookingRequest(
        kind=body.kind,
        party=party,
        contact_name=body.contact_name,
        contact_phone=body.contact_phone.strip(),
        idempotency_key=body.idempotency_key,
        school=school,
        group_name=body.group_name,
        lead_teacher=body.lead_teacher,
    )


@bp.route("/bookings", methods=["POST"])
@login_required
@validate_post(
    "createBooking",
    HTTP_201=(Booking, "The booking (the one made before, for an idempotency_key sent again)"),
    HTTP_400="A rule or a field said no; `errors` names it",
    HTTP_401="Not signed in",
    HTTP_403="Not allowed: families and school staff book; school groups only by the "
    "school's staff; an account that has not yet confirmed its mobile number or e-mail "
    "(the message links to the confirmation page)",
    HTTP_404="No such session",
    HTTP_409="Not enough places left",
    HTTP_503="Busy, try again",
)
def create_booking(json: BookingRequest):
    """Book places in a session (family, green channel or school group)"""
    body = json_body(json)
    try:
        booking_request = _booking_request(body)
        session = slots.get_session(body.session_id)
        if session is None:
            return json_error(404, _("No session with that id."), "session_id")
        booking = requests.create_booking(session, booking_request, by=current_user, now=utcnow())
    except ServiceError as error:
        return service_error(error)
    response = jsonify(booking_json(booking))
    response.status_code = 201
    return response


@bp.route("/bookings/<code>")
@spec.validate(
    resp=answers(HTTP_200=(Booking, "The booking"), HTTP_404="No such booking, or not yours"),
    operation_id="getBooking",
)
def get_booking(code: str):
    """One booking: the booker's own, or for the venue's staff"""
    try:
        booking = queries.get_booking_for(code, user=current_user)
    except ServiceError as error:
        return service_error(error)
    return jsonify(booking_json(booking))


@bp.route("/bookings/<code>/cancel", methods=["POST"])
@login_required
@validate_post(
    "cancelBooking",
    HTTP_200=(Booking, "The booking, cancelled"),
    HTTP_400="Cannot be cancelled now",
    HTTP_401="Not signed in",
    HTTP_403="You may see it but not cancel it (bureau)",
    HTTP_404="No such booking, or not yours",
    HTTP_409="Already cancelled, checked in or otherwise changed meanwhile",
)
def cancel_booking(code: str, json: Cancellation):
    """Cancel a booking (booker up to the cut-off; staff with a reason)"""
    reason = json.reason if json is not None else ""
    try:
        booking = queries.get_booking_for(code, user=current_user)
        booking = bookings.cancel_booking(booking, by=current_user, now=utcnow(), reason=reason)
    except ServiceError as error:
        return service_error(error)
    return jsonify(booking_json(booking))
