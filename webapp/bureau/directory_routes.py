"""The resource directory list as a printable page, and the choice of region and period that
the page and its Excel and CSV downloads share."""

from flask import flash, render_template, request
from flask_babel import gettext as _

from webapp.auth.decorators import permission_required
from webapp.bureau import bp
from webapp.bureau.dashboard_forms import DashboardForm
from webapp.bureau.dashboard_routes import _month
from webapp.services import clock
from webapp.services.catalogue import export as directory_export
from webapp.services.errors import PermissionDenied, ServiceError
from webapp.services.lecturers.figures import semester_bounds
from webapp.services.supervision import dashboard
from webapp.views import current_actor


def directory_listing(form: DashboardForm):
    """The list the query asks for (region, from month, to month; the current semester by
    default). Raises: PermissionDenied for a region outside the scope; ServiceError for a bad
    period or a month that is not one."""
    me = current_actor()
    if not form.validate():
        field = next(name for name in ("region", "start", "end") if form[name].errors)
        raise ServiceError(str(form[field].errors[0]), field=field)
    regions = dashboard.dashboard_regions(me)
    region = regions[0] if regions else None
    if form.region.data:
        region = dashboard.find_region(form.region.data.strip())
        if region is None or region not in regions:
            raise PermissionDenied(_("This region is outside your scope."), field="region")
    if region is None:
        raise PermissionDenied(_("You do not have permission to do that."))
    semester = semester_bounds(clock.today())
    start = _month(form.start) or semester[0]
    end = _month(form.end, last=True) or semester[1]
    return directory_export.get_directory_list(region, start, end, by=me)


def refused_listing(form: DashboardForm, error: ServiceError):
    """The list page with the reason a listing was refused, and its status."""
    flash(error.message, "error")
    regions = dashboard.dashboard_regions(current_actor())
    page = render_template(
        "bureau/directory_list.html", form=form, regions=regions, listing=None, rows=[]
    )
    return page, error.status_code if error.status_code in (403, 404) else 400


@bp.route("/venues/list")
@permission_required("bureau.console")
def directory_list():
    form = DashboardForm(request.args)
    try:
        listing = directory_listing(form)
    except ServiceError as error:
        return refused_listing(form, error)
    return render_template(
        "bureau/directory_list.html",
        form=form,
        regions=dashboard.dashboard_regions(current_actor()),
        listing=listing,
        headers=directory_export.HEADERS,
        rows=directory_export.iter_directory_rows(listing),
    )
