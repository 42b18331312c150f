"""Editing an open day and calling it off with a reason."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from models import Stage
from models.user import utcnow
from webapp.console import bp
from webapp.console.access import session_for_staff
from webapp.console.forms import OpenDayForm, RequiredReasonForm
from webapp.services import clock
from webapp.services.booking import open_days
from webapp.services.errors import ServiceError
from webapp.views import show_service_error


def _open_day_for_staff(slot_id: int):
    found = session_for_staff(slot_id)
    if not found.is_open_day:
        abort(404)
    return found


def _filled(form: OpenDayForm, found) -> None:
    start, end = clock.to_local(found.starts_at), clock.to_local(found.ends_at)
    form.on.data, form.start.data, form.end.data = start.date(), start.time(), end.time()
    form.title.data, form.programme.data = found.title, found.programme
    form.capacity.data, form.green_quota.data = found.capacity, found.green_quota
    form.audience.data = [Stage(v).value for v in found.audience_stages]
    form.signup_note.data = found.signup_note


@bp.route("/open-days/<int:slot_id>", methods=["GET", "POST"])
@login_required
def open_day_edit(slot_id: int):
    found = _open_day_for_staff(slot_id)
    form = OpenDayForm()
    status = 200
    if request.method == "GET":
        _filled(form, found)
    elif form.validate_on_submit():
        try:
            open_days.update_open_day(found, form.details(), by=current_user, now=utcnow())
            flash(_("Open day saved."), "success")
            return redirect(url_for("console.open_day_edit", slot_id=found.id))
        except ServiceError as error:
            show_service_error(form, error)
            status = 422
    else:
        flash(_("Nothing was saved: please check the fields marked below."), "error")
        status = 422
    return render_template(
        "console/open_day_edit.html",
        session=found,
        venue=found.venue,
        form=form,
        cancel_form=RequiredReasonForm(),
    ), status


@bp.route("/open-days/<int:slot_id>/cancel", methods=["POST"])
@login_required
def open_day_cancel(slot_id: int):
    found = _open_day_for_staff(slot_id)
    form = RequiredReasonForm()
    if not form.validate_on_submit():
        flash(_("Give the reason: everyone booked will be told."), "error")
        return redirect(url_for("console.open_day_edit", slot_id=found.id))
    try:
        n = open_days.cancel_open_day(found, reason=form.reason.data, by=current_user, now=utcnow())
        flash(_("Open day called off: %(n)d bookings cancelled and told.", n=n), "success")
    except ServiceError as error:
        show_service_error(form, error)
    return redirect(url_for("console.open_day_edit", slot_id=slot_id))
