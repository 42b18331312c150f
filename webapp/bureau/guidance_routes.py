"""Guidance activities: schools and bureau staff record them; bureau staff correct or remove."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from wtforms.fields.choices import SelectChoice

from models import GuidanceKind
from webapp.auth.decorators import permission_required
from webapp.auth.forms import ConfirmForm
from webapp.bureau import bp
from webapp.bureau.guidance_forms import KIND_LABELS, ActivityForm
from webapp.i18n import region_label
from webapp.services.errors import ServiceError
from webapp.services.permissions import can
from webapp.services.supervision import guidance
from webapp.views import current_actor, show_service_error


def _form(activity=None) -> ActivityForm:
    form = ActivityForm(obj=None)
    schools, stations = guidance.list_hosts(by=current_actor())
    form.host.choices = [
        SelectChoice(f"{kind}:{h.id}", f"{h.name} · {region_label(h.county)}")
        for kind, hosts in (("school", schools), ("station", stations))
        for h in hosts
    ]
    if activity is not None and request.method == "GET":
        form.held_on.data, form.kind.data = activity.held_on, activity.kind.value
        form.topic.data, form.parents.data = activity.topic, activity.parents
    return form


def _may_correct() -> bool:
    return can(current_actor(), "bureau.console")


def _values(form: ActivityForm) -> guidance.ActivityValues:
    return guidance.ActivityValues(
        form.held_on.data, GuidanceKind(form.kind.data), form.topic.data, form.parents.data
    )


def _activity(activity_id: int):
    try:
        return guidance.get_activity(activity_id)
    except ServiceError:
        abort(404)


@bp.route("/guidance")
@permission_required("guidance.record")
def guidance_list():
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    return render_template(
        "bureau/guidance.html",
        result=guidance.list_activities(by=current_actor(), page=page),
        kinds=KIND_LABELS,
        can_correct=_may_correct(),
        confirm=ConfirmForm(),
    )


@bp.route("/guidance/new", methods=["GET", "POST"])
@permission_required("guidance.record")
def guidance_new():
    form = _form()
    if form.validate_on_submit():
        try:
            host = guidance.find_host(form.host.data, by=current_actor())
            guidance.record_activity(host, _values(form), by=current_actor())
        except ServiceError as error:
            show_service_error(form, error, repeat=False)
        else:
            flash(_("The activity is recorded."), "success")
            return redirect(url_for("bureau.guidance_list"))
    status = 400 if request.method == "POST" else 200
    return render_template(
        "bureau/guidance_form.html", form=form, activity=None, can_correct=_may_correct()
    ), status


@bp.route("/guidance/<int:activity_id>/edit", methods=["GET", "POST"])
@permission_required("bureau.console")
def guidance_edit(activity_id: int):
    activity = _activity(activity_id)
    form = _form(activity)
    del form.host  # the host stays; only what was held is corrected
    if form.validate_on_submit():
        try:
            guidance.correct_activity(activity, _values(form), by=current_actor())
        except ServiceError as error:
            if error.status_code == 403:
                abort(403)
            show_service_error(form, error, repeat=False)
        else:
            flash(_("The activity is corrected."), "success")
            return redirect(url_for("bureau.guidance_list"))
    status = 400 if request.method == "POST" else 200
    return render_template(
        "bureau/guidance_form.html", form=form, activity=activity, can_correct=True
    ), status


@bp.route("/guidance/<int:activity_id>/remove", methods=["POST"])
@permission_required("bureau.console")
def guidance_remove(activity_id: int):
    activity = _activity(activity_id)
    if ConfirmForm().validate_on_submit():
        try:
            guidance.remove_activity(activity, by=current_actor())
        except ServiceError as error:
            abort(error.status_code)
        flash(_("The activity is removed."), "success")
    return redirect(url_for("bureau.guidance_list"))
