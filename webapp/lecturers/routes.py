"""Pages of the lecturer pool anyone may open (the directory, a lecturer, their photo), and
the bureau's figures. Upkeep, stations, the roster and talk requests have modules of their
own beside this one."""

from flask import Response, abort, flash, render_template, request
from flask_babel import gettext as _

from models import Lecturer, RegionLevel, db
from webapp.auth.decorators import permission_required
from webapp.lecturers import bp
from webapp.lecturers.forms import FiguresForm, LecturerFilterForm
from webapp.services import clock
from webapp.services.catalogue.search import get_region, list_cities, list_counties
from webapp.services.errors import NotFound, ServiceError
from webapp.services.lecturers.directory import get_public_lecturer, search_lecturers
from webapp.services.lecturers.figures import get_figures, semester_bounds
from webapp.services.lecturers.pools import list_pools, list_topics
from webapp.services.permissions import can, manageable_regions, scope_regions
from webapp.views import current_actor, flash_ignored


@bp.route("/")
def index():
    form = LecturerFilterForm(request.args)
    form.validate()
    flash_ignored(form)
    filters = form.to_filters()
    return render_template(
        "lecturers/index.html",
        form=form,
        filters=filters,
        result=search_lecturers(filters, page=form.page_number),
        cities=list_cities(),
        counties=list_counties(),
        pools=list_pools(),
        topics=list_topics(),
        show_requests=can(current_actor(), "lecture.request"),
        show_manage=can(current_actor(), "bureau.console"),
    )


@bp.route("/<int:lecturer_id>")
def lecturer(lecturer_id: int):
    try:
        found = get_public_lecturer(lecturer_id)
    except NotFound:
        abort(404)
    return render_template("lecturers/lecturer.html", lecturer=found)


@bp.route("/<int:lecturer_id>/photo")
def photo(lecturer_id: int):
    found = db.session.get(Lecturer, lecturer_id)
    if found is None or not found.has_photo or found.is_retired:
        abort(404)
    response = Response(found.photo, mimetype=found.photo_type)
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response


def _chosen_region(form: FiguresForm, default):
    """The region the form asks for when the user may see it, else `default` (with a flash)."""
    if not form.region.data or form.region.errors:
        return default
    code = form.region.data.strip()
    levels = (RegionLevel.PROVINCE, RegionLevel.CITY, RegionLevel.COUNTY)
    chosen = next((r for r in (get_region(code, level) for level in levels) if r is not None), None)
    if chosen is None or not can(current_actor(), "region.manage", chosen):
        flash(_("You cannot see the figures of this region."), "warning")
        return default
    return chosen


@bp.route("/figures")
@permission_required("bureau.console")
def figures():
    form = FiguresForm(request.args)
    form.validate()
    user = current_actor()
    scope = scope_regions(user)
    region = _chosen_region(form, scope[0])
    today = clock.today()
    start = (form.start.data if not form.start.errors else None) or semester_bounds(today)[0]
    end = (form.end.data if not form.end.errors else None) or today
    try:
        result = get_figures(region, start, end, by=user)
    except ServiceError as error:
        flash(error.message, "error")
        result = get_figures(region, end, end, by=user)
    regions = scope + [r for r in manageable_regions(user) if r not in scope]
    return render_template("lecturers/figures.html", figures=result, form=form, regions=regions)
