"""Exports of a venue's bookings and attendance (Excel or CSV) for a day, a month or a range."""

from flask import Response, render_template, request
from flask_login import current_user, login_required

from models.user import utcnow
from webapp.console import bp
from webapp.console.access import venue_for_staff
from webapp.console.forms import ExportForm
from webapp.services import clock
from webapp.services.booking import export as booking_export
from webapp.services.errors import ServiceError
from webapp.views import show_service_error

_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


@bp.route("/venues/<int:venue_id>/exports")
@login_required
def exports(venue_id: int):
    venue = venue_for_staff(venue_id)
    form = ExportForm(request.args, meta={"csrf": False})
    today = clock.local_date(utcnow())
    if not request.args:
        form.first.data, form.last.data = booking_export.month_range(today)
        return render_template("console/exports.html", venue=venue, form=form)
    if form.validate():
        try:
            first, last = form.range(today)
            export = booking_export.collect(venue, first, last, by=current_user)
        except ServiceError as error:
            show_service_error(form, error)
        else:
            kind = form.format.data
            body = (
                booking_export.to_xlsx(export) if kind == "xlsx" else booking_export.to_csv(export)
            )
            name = booking_export.file_name(export, kind)
            return Response(
                body,
                mimetype=_TYPES[kind],
                headers={"Content-Disposition": f'attachment; filename="{name}"'},
            )
    return render_template("console/exports.html", venue=venue, form=form), 422
