"""The supervision dashboard: the page bureau staff land on, and its Excel download."""

import calendar
import io
from datetime import date

from flask import flash, render_template, request, send_file
from flask_babel import gettext as _

from models.user import utcnow
from webapp.auth.decorators import permission_required
from webapp.bureau import bp
from webapp.bureau.dashboard_excel import workbook_bytes
from webapp.bureau.dashboard_forms import DashboardForm
from webapp.bureau.dashboard_tables import build_tables, map_points
from webapp.i18n import region_label
from webapp.services.clock import local_date
from webapp.services.errors import ServiceError
from webapp.services.lecturers.figures import semester_bounds
from webapp.services.supervision import dashboard
from webapp.views import current_actor

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _month(field, last: bool = False) -> date | None:
    if not field.data or field.errors:
        return None
    year, month = (int(p) for p in field.data.split("-"))
    return date(year, month, calendar.monthrange(year, month)[1] if last else 1)


def _load():
    """The dashboard the query asks for, else the default one with a message, and a status."""
    me = current_actor()
    form = DashboardForm(request.args)
    status = 200 if form.validate() else 400
    regions = dashboard.dashboard_regions(me)
    today = local_date(utcnow())
    default_start = semester_bounds(today)[0]
    start = _month(form.start) or default_start
    end = _month(form.end, last=True) or today
    region = regions[0]
    if form.region.data:
        chosen = dashboard.find_region(form.region.data.strip())
        if chosen is None or chosen not in regions:
            flash(_("This region is outside your scope."), "error")
            status = 403
        else:
            region = chosen
    try:
        result = dashboard.get_dashboard(region, start, end, by=me)
    except ServiceError as error:
        flash(error.message, "error")
        status = 400
        result = dashboard.get_dashboard(region, default_start, today, by=me)
    return form, regions, result, status


def _heading(result) -> str:
    return _(
        "%(region)s, %(start)s to %(end)s",
        region=region_label(result.region),
        start=result.start.strftime("%Y-%m"),
        end=result.end.strftime("%Y-%m"),
    )


@bp.route("/dashboard")
@permission_required("bureau.console")
def dashboard_page():
    form, regions, result, status = _load()
    return render_template(
        "bureau/dashboard.html",
        form=form,
        regions=regions,
        figures=result,
        heading=_heading(result),
        tables=build_tables(result),
        points=map_points(result),
    ), status


@bp.route("/dashboard.xlsx")
@permission_required("bureau.console")
def dashboard_xlsx():
    _form, _regions, result, _status = _load()
    name = f"监督统计-{result.region.name}-{result.start:%Y%m}-{result.end:%Y%m}.xlsx"
    data = workbook_bytes(_heading(result), build_tables(result))
    return send_file(io.BytesIO(data), mimetype=XLSX, as_attachment=True, download_name=name)
