"""JSON for the lecturer pool: the public directory, and the talk-request workflow for bureau
staff. Public answers never carry a phone number; bureau answers may."""

from datetime import date

from flask import abort, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user

from models import Lecturer, LecturerCategory, LectureStatus, db
from webapp.api import bp, openapi
from webapp.api.errors import bad_request, service_error
from webapp.i18n import current_language
from webapp.lecturers.forms import CandidatePageForm, LecturerFilterForm
from webapp.services import lecturer_candidates as candidates
from webapp.services import lecturers as service
from webapp.services.errors import ServiceError
from webapp.views import current_actor


def public_lecturer(lecturer: Lecturer, lang: str = "zh") -> dict:
    region = lecturer.pool.region
    return {
        "id": lecturer.id,
        "name": lecturer.name,
        "category": lecturer.category.value,
        "five_elders": lecturer.is_five_elders,
        "pool": {
            "id": lecturer.pool.id,
            "name": lecturer.pool.name,
            "level": region.level.value,
            "region": region.display_name(lang),
            "region_adcode": region.adcode,
        },
        "topics": [{"id": t.id, "name": t.display_name(lang)} for t in lecturer.topics],
        "bio": lecturer.bio,
        "free_weekdays": lecturer.free_weekdays,
        "term_starts_on": lecturer.term_starts_on.isoformat() if lecturer.term_starts_on else None,
        "term_ends_on": lecturer.term_ends_on.isoformat() if lecturer.term_ends_on else None,
        "photo_url": f"/lecturers/{lecturer.id}/photo" if lecturer.has_photo else None,
        "url": f"/lecturers/{lecturer.id}",
    }


def bureau_lecturer(lecturer: Lecturer, lang: str = "zh") -> dict:
    data = public_lecturer(lecturer, lang)
    data.update(phone=lecturer.phone, retired=lecturer.is_retired)
    return data


def request_json(req, lang: str = "zh") -> dict:
    return {
        "id": req.id,
        "status": req.status.value,
        "host": {
            "kind": "school" if req.is_school_host else "station",
            "id": req.school_id or req.station_id,
            "name": req.host_name,
            "county": req.county.display_name(lang),
            "county_adcode": req.county.adcode,
        },
        "topic": {"id": req.topic.id, "name": req.topic.display_name(lang)},
        "wanted_dates": [d.isoformat() for d in req.wanted_dates],
        "expected_audience": req.expected_audience,
        "audience_note": req.audience_note,
        "place": req.place,
        "lecturer": bureau_lecturer(req.lecturer, lang) if req.lecturer else None,
        "scheduled_on": req.scheduled_on.isoformat() if req.scheduled_on else None,
        "delivered_on": req.delivered_on.isoformat() if req.delivered_on else None,
        "audience_reached": req.audience_reached,
        "feedback_score": req.feedback_score,
        "feedback_comment": req.feedback_comment,
        "cancel_reason": req.cancel_reason,
    }


def _bureau_user():
    if not current_user.is_authenticated:
        abort(401, description=_("Log in first."))
    user = current_actor()
    if not service.is_bureau(user):
        abort(403, description=_("For education-bureau staff only."))
    return user


def _assignable_request(request_id: int):
    user = _bureau_user()
    req = service.get_request(request_id)
    if req is None:
        abort(404, description=_("No talk request with that id."))
    if not service.can_assign(user, req):
        abort(403, description=_("This request is outside your region."))
    return user, req


def _body() -> dict:
    data = request.get_json(silent=True)
    return data if isinstance(data, dict) else {}


def _fieldservice_error(name: str, message: str):
    return bad_request({name: [message]})


def _date_field(data: dict, name: str, *, required: bool = True):
    """(date, None) or (None, error response)."""
    raw = data.get(name)
    if raw in (None, ""):
        if required:
            return None, _fieldservice_error(name, _("Required (YYYY-MM-DD)."))
        return None, None
    try:
        return date.fromisoformat(str(raw)), None
    except ValueError:
        return None, _fieldservice_error(name, _("Not a date (YYYY-MM-DD)."))


def _int_field(data: dict, name: str):
    raw = data.get(name)
    if isinstance(raw, bool) or not isinstance(raw, int):
        return None, _fieldservice_error(name, _("Required, a whole number."))
    return raw, None


@bp.route("/lecturers")
def list_lecturers():
    form = LecturerFilterForm(request.args)
    if not form.validate():
        return bad_request(form.errors)
    result = service.search_lecturers(
        form.to_filters(), page=form.page_number, per_page=form.per_page_number(24)
    )
    lang = current_language()
    return jsonify(
        lecturers=[public_lecturer(lec, lang) for lec in result.lecturers],
        total=result.total,
        page=result.page,
        per_page=result.per_page,
        pages=result.pages,
    )


@bp.route("/lecturers/<int:lecturer_id>")
def get_lecturer(lecturer_id: int):
    try:
        lecturer = service.get_public_lecturer(lecturer_id)
    except ServiceError:
        abort(404, description=_("No lecturer with that id."))
    return jsonify(public_lecturer(lecturer, current_language()))


@bp.route("/lecture-requests")
def list_lecture_requests():
    user = _bureau_user()
    status = request.args.get("status") or None
    if status is not None and status not in {s.value for s in LectureStatus}:
        return _fieldservice_error("status", _("Unknown status."))
    found = service.list_requests(by=user, status=LectureStatus(status) if status else None)
    lang = current_language()
    return jsonify(requests=[request_json(r, lang) for r in found if service.can_assign(user, r)])


@bp.route("/lecture-requests/<int:request_id>/candidates")
def lecture_request_candidates(request_id: int):
    _user, req = _assignable_request(request_id)
    form = CandidatePageForm(request.args)
    if not form.validate():
        return bad_request(form.errors)
    found = candidates.list_candidates(
        req, page=form.page_number, per_page=form.per_page_number(candidates.PER_PAGE)
    )
    lang = current_language()
    return jsonify(
        request=request_json(req, lang),
        page=found.page,
        per_page=found.per_page,
        has_more=found.has_more,
        candidates=[
            {
                "lecturer": bureau_lecturer(c.lecturer, lang),
                "has_topic": c.has_topic,
                "free_on": c.free_on.isoformat() if c.free_on else None,
                "booked_on": [d.isoformat() for d in c.booked_on],
                "distance_km": c.distance_km,
                "talks_this_term": c.talks_this_term,
                "pool_rank": c.pool_rank,
            }
            for c in found.candidates
        ],
    )


@bp.route("/lecture-requests/<int:request_id>/assign", methods=["POST"])
def assign_lecture_request(request_id: int):
    user, req = _assignable_request(request_id)
    data = _body()
    lecturer_id, error = _int_field(data, "lecturer_id")
    if error:
        return error
    on, error = _date_field(data, "on", required=False)
    if error:
        return error
    lecturer = db.session.get(Lecturer, lecturer_id)
    if lecturer is None:
        return _fieldservice_error("lecturer_id", _("No lecturer with that id."))
    try:
        service.assign_lecturer(req, lecturer, on=on, by=user)
    except ServiceError as failure:
        return service_error(failure)
    return jsonify(request_json(req, current_language()))


@bp.route("/lecture-requests/<int:request_id>/deliver", methods=["POST"])
def deliver_lecture_request(request_id: int):
    user, req = _assignable_request(request_id)
    data = _body()
    delivered_on, error = _date_field(data, "delivered_on")
    if error:
        return error
    reached, error = _int_field(data, "audience_reached")
    if error:
        return error
    score, error = _int_field(data, "feedback_score")
    if error:
        return error
    comment = data.get("feedback_comment", "")
    if not isinstance(comment, str):
        return _fieldservice_error("feedback_comment", _("Must be text."))
    values = service.DeliveryValues(delivered_on, reached, score, comment)
    try:
        service.record_delivery(req, values, by=user)
    except ServiceError as failure:
        return service_error(failure)
    return jsonify(request_json(req, current_language()))


@bp.route("/lecture-requests/<int:request_id>/cancel", methods=["POST"])
def cancel_lecture_request(request_id: int):
    user, req = _assignable_request(request_id)
    reason = _body().get("reason")
    if not isinstance(reason, str) or not reason.strip():
        return _fieldservice_error("reason", _("Required: say why the talk is cancelled."))
    try:
        service.cancel_request(req, reason, by=user)
    except ServiceError as failure:
        return service_error(failure)
    return jsonify(request_json(req, current_language()))


# ---------------------------------------------------------------- OpenAPI description


def _query(name, schema, description):
    return {
        "name": name,
        "in": "query",
        "required": False,
        "schema": schema,
        "description": description,
    }


def _json(ref: str, description: str) -> dict:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{ref}"}}},
    }


_REQUEST_ID = {
    "name": "request_id",
    "in": "path",
    "required": True,
    "schema": {"type": "integer", "minimum": 0},
}
_CSRF = {
    "name": "X-CSRFToken",
    "in": "header",
    "required": True,
    "schema": {"type": "string"},
    "description": "The CSRF token of the signed-in session (csrf_token in any page's form)",
}
_BUREAU_ERRORS = {
    "401": openapi.error_response("Not signed in"),
    "403": openapi.error_response("Not bureau staff of the host's county"),
    "404": openapi.error_response("No such request"),
}


def _post(summary, operation_id, body_schema):
    return {
        "post": {
            "summary": summary,
            "operationId": operation_id,
            "parameters": [_REQUEST_ID, _CSRF],
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": body_schema}},
            },
            "responses": {
                "200": _json("LectureRequest", "The request after the change"),
                "400": openapi.error_response("A field is not usable; `errors` names it"),
                **_BUREAU_ERRORS,
            },
        }
    }


openapi.register(
    {
        "/lecturers": {
            "get": {
                "summary": "Active lecturers of the family-education pools (public fields only)",
                "operationId": "listLecturers",
                "parameters": [
                    _query("city", {"type": "string", "pattern": "^[0-9]{6}$"}, "City adcode"),
                    _query(
                        "county",
                        {"type": "string", "pattern": "^[0-9]{6}$"},
                        "County adcode (that county's pool)",
                    ),
                    _query("pool", {"type": "integer", "minimum": 1}, "Pool id"),
                    _query(
                        "category",
                        {"type": "string", "enum": [c.value for c in LecturerCategory]},
                        "Category",
                    ),
                    _query("topic", {"type": "integer", "minimum": 1}, "Topic id"),
                    _query("q", {"type": "string", "maxLength": 60}, "Part of the name"),
                    _query("page", {"type": "integer", "minimum": 1}, "Page number"),
                    _query(
                        "per_page", {"type": "integer", "minimum": 1, "maximum": 100}, "Page size"
                    ),
                ],
                "responses": {
                    "200": _json("LecturerList", "A page of lecturers"),
                    "400": openapi.error_response("A parameter is not usable; `errors` names it"),
                },
            }
        },
        "/lecturers/{lecturer_id}": {
            "get": {
                "summary": "One active lecturer (public fields only)",
                "operationId": "getLecturer",
                "parameters": [
                    {
                        "name": "lecturer_id",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "integer", "minimum": 0},
                    }
                ],
                "responses": {
                    "200": _json("Lecturer", "The lecturer"),
                    "404": openapi.error_response("No such lecturer"),
                },
            }
        },
        "/lecture-requests": {
            "get": {
                "summary": "Talk requests in the signed-in bureau staff's region",
                "operationId": "listLectureRequests",
                "parameters": [
                    _query(
                        "status",
                        {"type": "string", "enum": [s.value for s in LectureStatus]},
                        "Only requests in this state",
                    )
                ],
                "responses": {
                    "200": {
                        "description": "Requests, open ones first",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "properties": {
                                        "requests": {
                                            "type": "array",
                                            "items": {
                                                "$ref": "#/components/schemas/LectureRequest"
                                            },
                                        }
                                    },
                                }
                            }
                        },
                    },
                    "400": openapi.error_response("Unknown status"),
                    "401": openapi.error_response("Not signed in"),
                    "403": openapi.error_response("Not bureau staff"),
                },
            }
        },
        "/lecture-requests/{request_id}/candidates": {
            "get": {
                "summary": "Lecturers who could give the talk, best first",
                "operationId": "listLectureCandidates",
                "parameters": [
                    _REQUEST_ID,
                    _query(
                        "page",
                        {"type": "integer", "minimum": 1, "maximum": candidates.MAX_PAGE},
                        "Page of the ranking, from 1",
                    ),
                    _query(
                        "per_page",
                        {"type": "integer", "minimum": 1, "maximum": candidates.MAX_PER_PAGE},
                        f"Candidates a page (default {candidates.PER_PAGE})",
                    ),
                ],
                "responses": {
                    "200": {
                        "description": "The request and one page of its ranked candidates; "
                        "has_more tells whether another page follows",
                        "content": {"application/json": {"schema": {"type": "object"}}},
                    },
                    "400": openapi.error_response("page or per_page not a number or out of range"),
                    **_BUREAU_ERRORS,
                },
            }
        },
        "/lecture-requests/{request_id}/assign": _post(
            "Assign a lecturer (and one of the wanted dates)",
            "assignLectureRequest",
            {
                "type": "object",
                "required": ["lecturer_id"],
                "properties": {
                    "lecturer_id": {"type": "integer"},
                    "on": {"type": "string", "format": "date"},
                },
            },
        ),
        "/lecture-requests/{request_id}/deliver": _post(
            "Record the talk as delivered",
            "deliverLectureRequest",
            {
                "type": "object",
                "required": ["delivered_on", "audience_reached", "feedback_score"],
                "properties": {
                    "delivered_on": {"type": "string", "format": "date"},
                    "audience_reached": {"type": "integer", "minimum": 0},
                    "feedback_score": {"type": "integer", "minimum": 1, "maximum": 5},
                    "feedback_comment": {"type": "string"},
                },
            },
        ),
        "/lecture-requests/{request_id}/cancel": _post(
            "Cancel the talk with a reason",
            "cancelLectureRequest",
            {
                "type": "object",
                "required": ["reason"],
                "properties": {"reason": {"type": "string", "minLength": 1}},
            },
        ),
    },
    {
        "Lecturer": {
            "type": "object",
            "description": "Public fields only: no phone number",
            "required": ["id", "name", "category", "pool", "topics"],
            "properties": {
                "id": {"type": "integer"},
                "name": {"type": "string"},
                "category": {"type": "string", "enum": [c.value for c in LecturerCategory]},
                "five_elders": {"type": "boolean"},
                "pool": {"type": "object"},
                "topics": {"type": "array", "items": {"type": "object"}},
                "bio": {"type": "string"},
                "free_weekdays": {"type": "array", "items": {"type": "integer"}},
                "photo_url": {"type": "string", "nullable": True},
                "url": {"type": "string"},
            },
        },
        "LecturerList": {
            "type": "object",
            "required": ["lecturers", "total", "page", "per_page"],
            "properties": {
                "lecturers": {"type": "array", "items": {"$ref": "#/components/schemas/Lecturer"}},
                "total": {"type": "integer"},
                "page": {"type": "integer"},
                "per_page": {"type": "integer"},
                "pages": {"type": "integer"},
            },
        },
        "LectureRequest": {
            "type": "object",
            "required": ["id", "status", "host", "topic", "wanted_dates"],
            "properties": {
                "id": {"type": "integer"},
                "status": {"type": "string", "enum": [s.value for s in LectureStatus]},
                "host": {"type": "object"},
                "topic": {"type": "object"},
                "wanted_dates": {"type": "array", "items": {"type": "string", "format": "date"}},
                "lecturer": {
                    "type": "object",
                    "nullable": True,
                    "description": "With the phone number: bureau staff only",
                },
                "scheduled_on": {"type": "string", "format": "date", "nullable": True},
            },
        },
    },
)
