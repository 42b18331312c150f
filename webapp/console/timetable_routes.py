"""Venue-staff console: the weekly timetable, closed dates and booking settings."""

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from models.user import utcnow
from webapp.console import bp
from webapp.console.access import venue_for_staff
from webapp.console.forms import EmptyForm
from webapp.console.timetable_forms import (
    BLANK_ROWS,
    BookingSettingsForm,
    ClosureForm,
    TimetableForm,
)
from webapp.services import clock
from webapp.services.booking import closures as closures_service
from webapp.services.booking import settings as settings_service
from webapp.services.booking import timetables
from webapp.services.errors import ServiceError
from webapp.views import show_service_error


def _timetable_form(venue) -> TimetableForm:
    form = TimetableForm(
        formdata=None, data={"rows": [_row(e) for e in timetables.list_timetable(venue)]}
    )
    for _n in range(min(BLANK_ROWS, form.rows.max_entries - len(form.rows))):
        form.rows.append_entry({"weekday": 1})
    return form


def _row(entry) -> dict:
    return {
        "weekday": entry.weekday,
        "start_time": entry.start_time,
        "end_time": entry.end_time,
        "capacity": entry.capacity,
        "green_quota": entry.green_quota,
    }


def _render_timetable(venue, *, form=None, closure_form=None, status=200):
    now = utcnow()
    return (
        render_template(
            "console/timetable.html",
            venue=venue,
            form=form or _timetable_form(venue),
            closure_form=closure_form or ClosureForm(formdata=None),
            closures=timetables.list_closures(venue, now=now),
            window_days=settings_service.setting("BOOKING_WINDOW_DAYS"),
        ),
        status,
    )


def _sync_message(sync) -> str:
    parts = [
        ngettext("%(num)d session added", "%(num)d sessions added", sync.added),
        ngettext("%(num)d changed", "%(num)d changed", sync.changed),
        ngettext("%(num)d removed", "%(num)d removed", sync.removed),
        ngettext(
            "%(num)d kept as it was because it has bookings",
            "%(num)d kept as they were because they have bookings",
            sync.kept,
        ),
    ]
    message = _("Timetable saved. Coming sessions: %(parts)s.", parts=_("; ").join(parts))
    if sync.kept_sessions:
        when = ", ".join(
            clock.to_local(s.starts_at).strftime("%m-%d %H:%M") for s in sync.kept_sessions[:8]
        )
        more = "…" if len(sync.kept_sessions) > 8 else ""
        message += " " + _(
            "Kept: %(when)s. Change or cancel their bookings from the session pages first.",
            when=when + more,
        )
    return message


def _closure_message(result) -> str:
    parts = [_("Closed on %(day)s.", day=result.closure.closed_on.isoformat())]
    if result.removed:
        parts.append(_("%(n)d unbooked sessions removed.", n=result.removed))
    if result.cancelled:
        parts.append(
            _("%(n)d bookings cancelled; each booker has been told why.", n=result.cancelled)
        )
    return " ".join(parts)


@bp.route("/venues/<int:venue_id>/timetable", methods=["GET", "POST"])
@login_required
def timetable(venue_id: int):
    venue = venue_for_staff(venue_id)
    form = TimetableForm()
    if not form.is_submitted():
        return _render_timetable(venue)
    if not form.rows.entries:
        # the page always sends its rows (blank ones included): this is not our form
        flash(_("The form came back without its rows: reload the page and try again."), "error")
        return _render_timetable(venue, status=400)
    if form.validate():
        entries, indexes = form.entries()
        try:
            sync = timetables.set_timetable(venue, entries, by=current_user, now=utcnow())
            flash(_sync_message(sync), "success")
            return redirect(url_for("console.timetable", venue_id=venue.id))
        except timetables.TimetableInvalid as error:
            for problem in error.problems:
                form.rows[indexes[problem.row]].form[problem.field].errors.append(problem.message)
        except ServiceError as error:
            show_service_error(form, error)
    flash(_("Nothing was saved: please correct the rows marked below."), "error")
    return _render_timetable(venue, form=form, status=400)


@bp.route("/venues/<int:venue_id>/timetable/closures", methods=["POST"])
@login_required
def add_closure(venue_id: int):
    venue = venue_for_staff(venue_id)
    form = ClosureForm()
    if form.validate_on_submit():
        try:
            result = closures_service.close_day(
                venue,
                form.on.data,
                form.reason.data,
                by=current_user,
                now=utcnow(),
                confirm=form.confirm.data,
            )
            flash(_closure_message(result), "success")
            return redirect(url_for("console.timetable", venue_id=venue.id))
        except ServiceError as error:
            show_service_error(form, error)
    return _render_timetable(venue, closure_form=form, status=400)


@bp.route("/venues/<int:venue_id>/timetable/closures/<int:closure_id>/remove", methods=["POST"])
@login_required
def remove_closure(venue_id: int, closure_id: int):
    venue = venue_for_staff(venue_id)
    form = EmptyForm()
    if form.validate_on_submit():
        try:
            n = timetables.remove_closure(venue, closure_id, by=current_user, now=utcnow())
            flash(_("Open again: %(n)d sessions bookable that day.", n=n), "success")
        except ServiceError as error:
            show_service_error(form, error)
    return redirect(url_for("console.timetable", venue_id=venue.id))


@bp.route("/venues/<int:venue_id>/settings", methods=["GET", "POST"])
@login_required
def booking_settings(venue_id: int):
    venue = venue_for_staff(venue_id)
    current = settings_service.get_settings(venue.id)
    form = BookingSettingsForm(obj=current)
    status = 200
    if form.is_submitted():
        status = 400
        if form.validate():
            values = {name: form[name].data for name in settings_service.SETTING_FIELDS}
            try:
                settings_service.update_booking_settings(venue, values, by=current_user)
                flash(_("Booking settings saved."), "success")
                return redirect(url_for("console.booking_settings", venue_id=venue.id))
            except ServiceError as error:
                show_service_error(form, error, summary=_not_saved())
                return _render_settings(venue, form, status)
        flash(_not_saved(), "error")
    return _render_settings(venue, form, status)


def _not_saved() -> str:
    return _("Nothing was saved: please correct the fields marked below.")


def _render_settings(venue, form, status: int):
    return render_template("console/booking_settings.html", venue=venue, form=form), status
