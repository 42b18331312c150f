"""The bureau's catalogue: the venues of its scope, and the resource directory list export."""

import io

from flask import render_template, request, send_file
from flask_babel import gettext as _
from wtforms.fields.choices import SelectChoice

from models.user import utcnow
from webapp.auth.decorators import permission_required
from webapp.bureau import bp
from webapp.bureau.dashboard_forms import DashboardForm
from webapp.bureau.directory_routes import directory_listing, refused_listing
from webapp.bureau.forms import SchoolFilterForm
from webapp.i18n import region_label
from webapp.services import permissions
from webapp.services.catalogue import editing, export
from webapp.services.clock import local_date
from webapp.services.errors import ServiceError
from webapp.views import current_actor

_EXPORTS = {
    "xlsx": (
        export.export_directory_xlsx,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    "csv": (export.export_directory_csv, "text/csv; charset=utf-8"),
}


@bp.route("/venues")
@permission_required("bureau.console")
def venue_list():
    form = SchoolFilterForm(request.args)
    form.county.choices = [SelectChoice(0, _("All counties in my scope"))] + [
        SelectChoice(c.id, region_label(c))
        for c in permissions.regions_for_choice(current_actor())
    ]
    form.validate()
    result = editing.search_managed_venues(
        by=current_actor(),
        county_id=form.county.data or None if not form.county.errors else None,
        text=form.q.data or "" if not form.q.errors else "",
        page=max(request.args.get("page", 1, type=int) or 1, 1),
    )
    return render_template("bureau/venues.html", form=form, result=result)


@bp.route("/venues/export.<any(xlsx, csv):fmt>")
@permission_required("bureau.console")
def venue_export(fmt: str):
    build, mimetype = _EXPORTS[fmt]
    form = DashboardForm(request.args)
    try:
        listing = directory_listing(form)
    except ServiceError as error:
        return refused_listing(form, error)
    name = f"资源目录清单-{listing.region_name}-{local_date(utcnow()).isoformat()}.{fmt}"
    return send_file(
        io.BytesIO(build(listing)),
        mimetype=mimetype,
        as_attachment=True,
        download_name=name,
    )
