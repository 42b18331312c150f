"""JSON for the lecturer pool: the public directory, and the talk-request workflow for bureau
staff. Public answers never carry a phone number; bureau answers may."""

from flask import abort, g, jsonify, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from models import Lecturer, db
from webapp.api import bp
from webapp.api.errors import bad_request, service_error
from webapp.api.openapi import answers, json_body, spec, validate_post
from webapp.api.schemas.lecturers import (
    Assignment,
    Candidates,
    CandidatesQuery,
    Delivery,
    LectureRequest,
    LectureRequestList,
    LecturerList,
    LecturerQuery,
    StatusQuery,
    TalkCancellation,
)
from webapp.api.schemas.lecturers import Lecturer as LecturerOut
from webapp.auth.decorators import permission_required
from webapp.i18n import current_language
from webapp.lecturers.forms import LecturerFilterForm
from webapp.services.errors import ServiceError
from webapp.services.lecturers import candidates, directory
from webapp.services.lecturers import requests as lecture_requests
from webapp.services.permissions import can
from webapp.views import current_actor

#: bureau staff of any scope (401, then 403)
bureau_only = permission_required("bureau.console", denied=_l("For education-bureau staff only."))
#: …and the request of the URL lies in their region (then 404, then 403)
request_in_region = permission_required(
    "lecture.assign",
    lambda request_id: lecture_requests.get_request(request_id),
    missing=_l("No talk request with that id."),
    denied=_l("This request is outside your region."),
)
_BUREAU_ERRORS = {
    "HTTP_401": "Not signed in",
    "HTTP_403": "Not bureau staff of the host's county",
    "HTTP_404": "No such request",
}
_CHANGED = {
    "HTTP_200": (LectureRequest, "The request after the change"),
    **_BUREAU_ERRORS,
    "HTTP_409": "Someone else changed the request meanwhile: refresh",
}


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


@bp.route("/lecturers")
@spec.validate(
    query=LecturerQuery,
    resp=answers(HTTP_200=(LecturerList, "A page of lecturers")),
    operation_id="listLecturers",
)
def list_lecturers():
    """Active lecturers of the family-education pools (public fields only)"""
    # the directory page's filter form reads the same parameters: regions, pools, topics
    form = LecturerFilterForm(request.args)
    if not form.validate():
        return bad_request(form.errors)
    result = directory.search_lecturers(
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
@spec.validate(
    resp=answers(HTTP_200=(LecturerOut, "The lecturer"), HTTP_404="No such lecturer"),
    operation_id="getLecturer",
)
def get_lecturer(lecturer_id: int):
    """One active lecturer (public fields only)"""
    try:
        lecturer = directory.get_public_lecturer(lecturer_id)
    except ServiceError:
        abort(404, description=_("No lecturer with that id."))
    return jsonify(public_lecturer(lecturer, current_language()))


@bp.route("/lecture-requests")
@bureau_only
@spec.validate(
    resp=answers(
        HTTP_200=LectureRequestList, HTTP_401="Not signed in", HTTP_403="Not bureau staff"
    ),
    operation_id="listLectureRequests",
)
def list_lecture_requests(query: StatusQuery):
    """Talk requests in the signed-in bureau staff's region"""
    user = current_actor()
    found = lecture_requests.list_requests(by=user, status=query.status)
    lang = current_language()
    return jsonify(
        requests=[request_json(r, lang) for r in found if can(user, "lecture.assign", r)]
    )


@bp.route("/lecture-requests/<int:request_id>/candidates")
@bureau_only
@request_in_region
@spec.validate(
    query=CandidatesQuery,
    resp=answers(HTTP_200=Candidates, **_BUREAU_ERRORS),
    operation_id="listLectureCandidates",
)
def lecture_request_candidates(request_id: int, query: CandidatesQuery):
    """Lecturers who could give the talk, best first, a page at a time"""
    req, lang = g.permission_object, current_language()
    found = candidates.list_candidates(
        req, page=query.page or 1, per_page=query.per_page or candidates.PER_PAGE
    )
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


def _changes_a_request(operation_id: str):
    """A POST that changes a talk request in the bureau user's region (CSRF token needed)."""

    def decorate(view):
        validated = validate_post(operation_id, **_CHANGED)(view)
        return bureau_only(request_in_region(validated))

    return decorate


def _answer_after(change, req, *args, **kwargs):
    """Run the service's change of `req`; answer the request as it is now, or the refusal."""
    try:
        change(req, *args, by=current_actor(), **kwargs)
    except ServiceError as failure:
        return service_error(failure)
    return jsonify(request_json(req, current_language()))


@bp.route("/lecture-requests/<int:request_id>/assign", methods=["POST"])
@_changes_a_request("assignLectureRequest")
def assign_lecture_request(request_id: int, json: Assignment):
    """Assign a lecturer (and one of the wanted dates)"""
    body = json_body(json)
    lecturer = db.session.get(Lecturer, body.lecturer_id)
    if lecturer is None:
        return bad_request({"lecturer_id": [_("No lecturer with that id.")]})
    return _answer_after(
        lecture_requests.assign_lecturer, g.permission_object, lecturer, on=body.on
    )


@bp.route("/lecture-requests/<int:request_id>/deliver", methods=["POST"])
@_changes_a_request("deliverLectureRequest")
def deliver_lecture_request(request_id: int, json: Delivery):
    """Record the talk as delivered"""
    body = json_body(json)
    values = lecture_requests.DeliveryValues(
        body.delivered_on, body.audience_reached, body.feedback_score, body.feedback_comment
    )
    return _answer_after(lecture_requests.record_delivery, g.permission_object, values)


@bp.route("/lecture-requests/<int:request_id>/cancel", methods=["POST"])
@_changes_a_request("cancelLectureRequest")
def cancel_lecture_request(request_id: int, json: TalkCancellation):
    """Cancel the talk with a reason"""
    return _answer_after(
        lecture_requests.cancel_request, g.permission_object, json_body(json).reason
    )
