"""Talk requests: the list, asking for a talk, and a request's page where the bureau assigns
a lecturer and the host records the talk as given or cancels it."""

from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required
from wtforms.fields import SelectChoice

from models import GuidanceStation, Lecturer, LectureStatus, School, Topic, db
from webapp.auth.decorators import permission_required, require
from webapp.lecturers import bp
from webapp.lecturers.forms import (
    AssignForm,
    CancelForm,
    CandidatePageForm,
    DeliveryForm,
    RequestForm,
    topic_choices,
)
from webapp.services import clock
from webapp.services.errors import ServiceError
from webapp.services.lecturers import candidates
from webapp.services.lecturers.requests import (
    DeliveryValues,
    RequestValues,
    assign_lecturer,
    cancel_request,
    create_request,
    get_request,
    list_host_schools,
    list_requests,
    record_delivery,
)
from webapp.services.lecturers.stations import list_stations
from webapp.services.permissions import can
from webapp.views import current_actor, flash_ignored, show_service_error


@bp.route("/requests")
@login_required
def requests():
    status = request.args.get("status")
    try:
        wanted = LectureStatus(status) if status else None
    except ValueError:
        wanted = None
    return render_template(
        "lecturers/requests.html",
        requests=list_requests(by=current_actor(), status=wanted),
        status=wanted,
        can_request=can(current_actor(), "lecture.request"),
    )


def _host_choices():
    user = current_actor()
    choices = [SelectChoice(f"school:{s.id}", s.name) for s in list_host_schools(user)]
    if can(user, "bureau.console"):
        choices += [
            SelectChoice(f"station:{s.id}", f"{s.name}（{s.community}）")
            for s in list_stations(user)
        ]
    return choices


def _host(value: str):
    kind, _sep, ident = (value or "").partition(":")
    model = {"school": School, "station": GuidanceStation}.get(kind)
    if model is None or not ident.isdigit():
        return None
    return db.session.get(model, int(ident))


def _request_values(form: RequestForm) -> RequestValues:
    return RequestValues(
        host=_host(form.host.data),
        topic=db.session.get(Topic, form.topic.data),
        wanted_on=form.wanted_on.data,
        wanted_alt_on=form.wanted_alt_on.data,
        expected_audience=form.expected_audience.data,
        audience_note=form.audience_note.data or "",
        place=form.place.data or "",
    )


@bp.route("/requests/new", methods=["GET", "POST"])
@permission_required("lecture.request")
def request_new():
    form = RequestForm()
    form.host.choices = _host_choices()
    form.topic.choices = topic_choices()
    if not form.host.choices:
        abort(403)  # a bureau whose region has neither schools nor stations: nobody to ask for
    if form.validate_on_submit():
        try:
            created = create_request(_request_values(form), by=current_actor())
        except ServiceError as error:
            show_service_error(form, error)
        else:
            flash(_("Your request was sent to the education bureau."), "success")
            return redirect(url_for("lecturers.request_detail", request_id=created.id))
    return render_template("lecturers/request_new.html", form=form)


def _candidate_page(req):
    """The page of suggested lecturers the query string asks for; bad paging is ignored."""
    form = CandidatePageForm(request.args)
    form.validate()
    flash_ignored(form)
    return candidates.list_candidates(
        req, page=form.page_number, per_page=form.per_page_number(candidates.PER_PAGE)
    )


def _render_request(req, assign_form=None, delivery_form=None, cancel_form=None):
    user = current_actor()
    can_assign = can(user, "lecture.assign", req) and req.is_open
    assign_form = assign_form or AssignForm()
    assign_form.on.choices = [SelectChoice(d.isoformat()) for d in req.wanted_dates]
    delivery_form = delivery_form or DeliveryForm(delivered_on=req.scheduled_on or clock.today())
    found = _candidate_page(req) if can_assign else None
    return render_template(
        "lecturers/request.html",
        req=req,
        candidates=found.candidates if found else [],
        candidate_page=found,
        can_assign=can_assign,
        can_record=can(user, "lecture.record", req),
        assign_form=assign_form,
        delivery_form=delivery_form,
        cancel_form=cancel_form or CancelForm(),
    )


@bp.route("/requests/<int:request_id>")
def request_detail(request_id: int):
    return _render_request(require("lecture.view", get_request(request_id)))


@bp.route("/requests/<int:request_id>/assign", methods=["POST"])
def request_assign(request_id: int):
    req = require("lecture.assign", get_request(request_id))
    form = AssignForm()
    form.on.choices = [SelectChoice(d.isoformat()) for d in req.wanted_dates]
    if not form.validate_on_submit():
        flash(_("Choose a lecturer and one of the wanted dates."), "error")
        return _render_request(req, assign_form=form), 400
    lecturer_id = form.lecturer_id.data
    lecturer = db.session.get(Lecturer, int(lecturer_id)) if lecturer_id.isdigit() else None
    try:
        assign_lecturer(req, lecturer, on=date.fromisoformat(form.on.data), by=current_actor())
    except ServiceError as error:
        flash(error.message, "error")
    else:
        flash(
            _("%(name)s is assigned; the lecturer and the host are told.", name=lecturer.name),
            "success",
        )
    return redirect(url_for("lecturers.request_detail", request_id=req.id))


@bp.route("/requests/<int:request_id>/deliver", methods=["POST"])
def request_deliver(request_id: int):
    req = require("lecture.record", get_request(request_id))
    form = DeliveryForm()
    if form.validate_on_submit():
        values = DeliveryValues(
            delivered_on=form.delivered_on.data,
            audience_reached=form.audience_reached.data,
            feedback_score=form.feedback_score.data,
            feedback_comment=form.feedback_comment.data or "",
        )
        try:
            record_delivery(req, values, by=current_actor())
        except ServiceError as error:
            show_service_error(form, error)
        else:
            flash(_("The talk is recorded as delivered. Thank you."), "success")
            return redirect(url_for("lecturers.request_detail", request_id=req.id))
    return _render_request(req, delivery_form=form), 400


@bp.route("/requests/<int:request_id>/cancel", methods=["POST"])
def request_cancel(request_id: int):
    req = require("lecture.record", get_request(request_id))
    form = CancelForm()
    if form.validate_on_submit():
        try:
            cancel_request(req, form.reason.data, by=current_actor())
        except ServiceError as error:
            show_service_error(form, error)
        else:
            flash(_("The talk is cancelled."), "success")
            return redirect(url_for("lecturers.request_detail", request_id=req.id))
    return _render_request(req, cancel_form=form), 400
