"""Pages of the lecturer pool: the public directory, the bureau's upkeep, and talk requests."""

from datetime import date
from functools import wraps

from flask import (
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms.fields import SelectChoice

from models import GuidanceStation, Lecturer, LectureStatus, RegionLevel, School, Topic, db
from webapp.i18n import current_language, region_label
from webapp.lecturers import bp
from webapp.lecturers.forms import (
    AssignForm,
    CancelForm,
    CandidatePageForm,
    DeliveryForm,
    EmptyForm,
    FiguresForm,
    ImportForm,
    LecturerFilterForm,
    LecturerForm,
    RequestForm,
    StationForm,
    TopicForm,
    topic_choices,
)
from webapp.lecturers.labels import region_pool_label
from webapp.request_limits import upload_route
from webapp.services import clock, lecturer_excel
from webapp.services import lecturer_candidates as candidates
from webapp.services import lecturers as service
from webapp.services.errors import NotFound, ServiceError
from webapp.services.venues import get_region, list_cities, list_counties
from webapp.views import current_actor

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def bureau_required(view):
    """Signed-in education-bureau staff (or administrators); others get 403."""

    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not service.is_bureau(current_user):
            abort(403)
        return view(*args, **kwargs)

    return wrapped


def _user():
    return current_actor()


def _form_error(form, error: ServiceError) -> None:
    """Show a service error beside its field when the form has one, else as a flash."""
    if error.field and error.field in form:
        form[error.field].errors = list(form[error.field].errors or []) + [error.message]
    flash(error.message, "error")


# ---------------------------------------------------------------- the public directory


def _flash_ignored(form) -> None:
    """Say which query-string values were wrong and so left out."""
    if form.errors:
        names = ", ".join(str(form[name].label.text) for name in form.errors)
        flash(
            _("Some filters could not be used and were ignored: %(names)s", names=names), "warning"
        )


@bp.route("/")
def index():
    form = LecturerFilterForm(request.args)
    form.validate()
    _flash_ignored(form)
    filters = form.to_filters()
    result = service.search_lecturers(filters, page=form.page_number)
    return render_template(
        "lecturers/index.html",
        form=form,
        filters=filters,
        result=result,
        cities=list_cities(),
        counties=list_counties(),
        pools=service.list_pools(),
        topics=service.list_topics(),
        show_requests=current_user.is_authenticated
        and (service.can_request(_user()) or service.is_bureau(_user())),
        show_manage=current_user.is_authenticated and service.is_bureau(_user()),
    )


@bp.route("/<int:lecturer_id>")
def lecturer(lecturer_id: int):
    try:
        found = service.get_public_lecturer(lecturer_id)
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


# ---------------------------------------------------------------- keeping the pool


@bp.route("/manage")
@bureau_required
def manage():
    form = LecturerFilterForm(request.args)
    form.validate()
    filters = form.to_filters()
    filters.include_retired = True
    return render_template(
        "lecturers/manage.html",
        lecturers=service.list_managed_lecturers(_user(), filters),
        form=form,
        filters=filters,
        pools=service.list_pools(),
        topics=service.list_topics(),
        retire_form=EmptyForm(),
    )


def _lecturer_form(lecturer: Lecturer | None) -> LecturerForm:
    form = LecturerForm(obj=lecturer) if lecturer else LecturerForm()
    form.pool_region.choices = [
        SelectChoice(r.id, region_pool_label(r, current_language()))
        for r in service.manageable_regions(_user())
    ]
    form.topics.choices = topic_choices()
    if request.method == "GET" and lecturer is not None:
        form.pool_region.data = lecturer.pool.region_id
        form.category.data = lecturer.category.value
        form.topics.data = [t.id for t in lecturer.topics]
        form.free_weekdays.data = lecturer.free_weekdays
    return form


def _values(form: LecturerForm) -> service.LecturerValues:
    upload = form.photo.data
    photo = None
    if upload and getattr(upload, "filename", ""):
        photo = upload.read(service.PHOTO_MAX_BYTES + 1)
    from models import LecturerCategory, Region

    return service.LecturerValues(
        name=form.name.data or "",
        pool_region=db.session.get(Region, form.pool_region.data),
        category=LecturerCategory(form.category.data),
        phone=form.phone.data or "",
        topics=[db.session.get(Topic, t) for t in form.topics.data or []],
        bio=form.bio.data or "",
        term_starts_on=form.term_starts_on.data,
        term_ends_on=form.term_ends_on.data,
        free_weekdays=form.free_weekdays.data or [],
        address=form.address.data or "",
        photo=photo,
        remove_photo=bool(form.remove_photo.data),
    )


@bp.route("/manage/new", methods=["GET", "POST"])
@bp.route("/manage/<int:lecturer_id>/edit", methods=["GET", "POST"])
@upload_route
@bureau_required
def edit(lecturer_id: int | None = None):
    lecturer = db.get_or_404(Lecturer, lecturer_id) if lecturer_id else None
    if lecturer is not None and not service.can_manage_region(_user(), lecturer.pool.region):
        abort(403)
    form = _lecturer_form(lecturer)
    if form.validate_on_submit():
        try:
            saved = service.save_lecturer(lecturer, _values(form), by=_user())
        except ServiceError as error:
            _form_error(form, error)
        else:
            flash(_("Saved %(name)s.", name=saved.name), "success")
            return redirect(url_for("lecturers.manage"))
    return render_template("lecturers/edit.html", form=form, lecturer=lecturer)


@bp.route("/manage/<int:lecturer_id>/retire", methods=["POST"])
@bureau_required
def retire(lecturer_id: int):
    lecturer = db.get_or_404(Lecturer, lecturer_id)
    form = EmptyForm()
    if form.validate_on_submit():
        retiring = request.form.get("undo") != "1"
        try:
            service.retire_lecturer(lecturer, by=_user(), is_retired=retiring)
        except ServiceError as error:
            abort(error.status_code if error.status_code in (403, 404) else 400)
        if retiring:
            flash(_("%(name)s has retired from the pool.", name=lecturer.name), "success")
        else:
            flash(_("%(name)s is active again.", name=lecturer.name), "success")
    return redirect(url_for("lecturers.manage"))


@bp.route("/manage/import", methods=["GET", "POST"])
@upload_route
@bureau_required
def import_roster():
    form = ImportForm()
    problems = []
    if form.validate_on_submit():
        upload = form.file.data
        try:
            result = lecturer_excel.import_roster(
                upload.stream, by=_user(), filename=upload.filename or ""
            )
        except lecturer_excel.ImportRejected as error:
            problems = error.problems
            flash(error.message, "error")
        except ServiceError as error:
            flash(error.message, "error")
        else:
            flash(
                _(
                    "Imported: %(added)s added, %(updated)s updated.",
                    added=result.added,
                    updated=result.updated,
                ),
                "success",
            )
            return redirect(url_for("lecturers.manage"))
    return render_template("lecturers/import.html", form=form, problems=problems)


@bp.route("/manage/export.xlsx")
@bureau_required
def export_roster():
    data = lecturer_excel.export_workbook(service.list_managed_lecturers(_user()))
    return Response(
        data,
        mimetype=XLSX,
        headers={"Content-Disposition": "attachment; filename=lecturers.xlsx"},
    )


@bp.route("/manage/template.xlsx")
@bureau_required
def roster_template():
    data = lecturer_excel.template_workbook([t.name for t in service.list_topics()])
    return Response(
        data,
        mimetype=XLSX,
        headers={"Content-Disposition": "attachment; filename=lecturers-template.xlsx"},
    )


@bp.route("/manage/topics", methods=["GET", "POST"])
@bp.route("/manage/topics/<int:topic_id>", methods=["GET", "POST"])
@bureau_required
def topics(topic_id: int | None = None):
    topic = db.get_or_404(Topic, topic_id) if topic_id else None
    form = TopicForm(obj=topic)
    if form.validate_on_submit():
        try:
            service.save_topic(topic, form.name.data, form.name_en.data, by=_user())
        except ServiceError as error:
            _form_error(form, error)
        else:
            flash(_("Saved the topic."), "success")
            return redirect(url_for("lecturers.topics"))
    return render_template(
        "lecturers/topics.html", form=form, topic=topic, topics=service.list_topics()
    )


# ---------------------------------------------------------------- guidance stations


@bp.route("/stations")
@bureau_required
def stations():
    return render_template(
        "lecturers/stations.html", stations=service.list_stations(_user()), form=EmptyForm()
    )


@bp.route("/stations/new", methods=["GET", "POST"])
@bp.route("/stations/<int:station_id>/edit", methods=["GET", "POST"])
@bureau_required
def station_edit(station_id: int | None = None):
    station = db.get_or_404(GuidanceStation, station_id) if station_id else None
    if station is not None and not service.can_manage_region(_user(), station.county):
        abort(403)
    form = StationForm(obj=station)
    form.county.choices = [
        SelectChoice(r.id, region_label(r))
        for r in service.manageable_regions(_user())
        if r.level is RegionLevel.COUNTY
    ]
    if form.validate_on_submit():
        from models import Region

        values = service.StationValues(
            name=form.name.data,
            community=form.community.data,
            county=db.session.get(Region, form.county.data),
            address=form.address.data or "",
            lat=form.lat.data,
            lng=form.lng.data,
        )
        try:
            service.save_station(station, values, by=_user())
        except ServiceError as error:
            _form_error(form, error)
        else:
            flash(_("Saved the station."), "success")
            return redirect(url_for("lecturers.stations"))
    return render_template("lecturers/station_edit.html", form=form, station=station)


@bp.route("/stations/<int:station_id>/delete", methods=["POST"])
@bureau_required
def station_delete(station_id: int):
    station = db.get_or_404(GuidanceStation, station_id)
    if EmptyForm().validate_on_submit():
        try:
            service.delete_station(station, by=_user())
        except ServiceError as error:
            if error.status_code == 403:
                abort(403)
            flash(error.message, "error")
        else:
            flash(_("The station is removed."), "success")
    return redirect(url_for("lecturers.stations"))


# ---------------------------------------------------------------- talk requests


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
        requests=service.list_requests(by=_user(), status=wanted),
        status=wanted,
        can_request=service.can_request(_user()),
    )


def _host_choices():
    user = _user()
    choices = [SelectChoice(f"school:{s.id}", s.name) for s in service.schools_for(user)]
    if service.is_bureau(user):
        choices += [
            SelectChoice(f"station:{s.id}", f"{s.name}（{s.community}）")
            for s in service.list_stations(user)
        ]
    return choices


def _host(value: str):
    kind, _sep, ident = (value or "").partition(":")
    model = {"school": School, "station": GuidanceStation}.get(kind)
    if model is None or not ident.isdigit():
        return None
    return db.session.get(model, int(ident))


@bp.route("/requests/new", methods=["GET", "POST"])
@login_required
def request_new():
    form = RequestForm()
    form.host.choices = _host_choices()
    form.topic.choices = topic_choices()
    if not form.host.choices:
        abort(403)
    if form.validate_on_submit():
        values = service.RequestValues(
            host=_host(form.host.data),
            topic=db.session.get(Topic, form.topic.data),
            wanted_on=form.wanted_on.data,
            wanted_alt_on=form.wanted_alt_on.data,
            expected_audience=form.expected_audience.data,
            audience_note=form.audience_note.data or "",
            place=form.place.data or "",
        )
        try:
            created = service.create_request(values, by=_user())
        except ServiceError as error:
            _form_error(form, error)
        else:
            flash(_("Your request was sent to the education bureau."), "success")
            return redirect(url_for("lecturers.request_detail", request_id=created.id))
    return render_template("lecturers/request_new.html", form=form)


def _visible_request(request_id: int):
    req = service.get_request(request_id)
    if req is None:
        abort(404)
    if not service.can_view_request(_user(), req):
        abort(403)
    return req


def _candidate_page(req):
    """The page of suggested lecturers the query string asks for; bad paging is ignored."""
    form = CandidatePageForm(request.args)
    form.validate()
    _flash_ignored(form)
    return candidates.list_candidates(
        req, page=form.page_number, per_page=form.per_page_number(candidates.PER_PAGE)
    )


def _render_request(req, assign_form=None, delivery_form=None, cancel_form=None):
    user = _user()
    can_assign = service.can_assign(user, req) and req.is_open
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
        can_record=service.can_record_outcome(user, req),
        assign_form=assign_form,
        delivery_form=delivery_form,
        cancel_form=cancel_form or CancelForm(),
    )


@bp.route("/requests/<int:request_id>")
@login_required
def request_detail(request_id: int):
    return _render_request(_visible_request(request_id))


@bp.route("/requests/<int:request_id>/assign", methods=["POST"])
@login_required
def request_assign(request_id: int):
    req = _visible_request(request_id)
    form = AssignForm()
    form.on.choices = [SelectChoice(d.isoformat()) for d in req.wanted_dates]
    if form.validate_on_submit():
        lecturer = (
            db.session.get(Lecturer, int(form.lecturer_id.data))
            if form.lecturer_id.data.isdigit()
            else None
        )
        try:
            service.assign_lecturer(req, lecturer, on=date.fromisoformat(form.on.data), by=_user())
        except ServiceError as error:
            if error.status_code == 403:
                abort(403)
            flash(error.message, "error")
        else:
            flash(
                _("%(name)s is assigned; the lecturer and the host are told.", name=lecturer.name),
                "success",
            )
        return redirect(url_for("lecturers.request_detail", request_id=req.id))
    flash(_("Choose a lecturer and one of the wanted dates."), "error")
    return _render_request(req, assign_form=form), 400


@bp.route("/requests/<int:request_id>/deliver", methods=["POST"])
@login_required
def request_deliver(request_id: int):
    req = _visible_request(request_id)
    form = DeliveryForm()
    if form.validate_on_submit():
        values = service.DeliveryValues(
            delivered_on=form.delivered_on.data,
            audience_reached=form.audience_reached.data,
            feedback_score=form.feedback_score.data,
            feedback_comment=form.feedback_comment.data or "",
        )
        try:
            service.record_delivery(req, values, by=_user())
        except ServiceError as error:
            if error.status_code == 403:
                abort(403)
            _form_error(form, error)
        else:
            flash(_("The talk is recorded as delivered. Thank you."), "success")
            return redirect(url_for("lecturers.request_detail", request_id=req.id))
    return _render_request(req, delivery_form=form), 400


@bp.route("/requests/<int:request_id>/cancel", methods=["POST"])
@login_required
def request_cancel(request_id: int):
    req = _visible_request(request_id)
    form = CancelForm()
    if form.validate_on_submit():
        try:
            service.cancel_request(req, form.reason.data, by=_user())
        except ServiceError as error:
            if error.status_code == 403:
                abort(403)
            _form_error(form, error)
        else:
            flash(_("The talk is cancelled."), "success")
            return redirect(url_for("lecturers.request_detail", request_id=req.id))
    return _render_request(req, cancel_form=form), 400


# ---------------------------------------------------------------- figures


@bp.route("/figures")
@bureau_required
def figures():
    form = FiguresForm(request.args)
    form.validate()
    scope = service.scope_regions(_user())
    region = scope[0]
    if form.region.data and not form.region.errors:
        chosen = next(
            (
                get_region(form.region.data.strip(), level)
                for level in (RegionLevel.PROVINCE, RegionLevel.CITY, RegionLevel.COUNTY)
                if get_region(form.region.data.strip(), level) is not None
            ),
            None,
        )
        if chosen is None or not service.can_manage_region(_user(), chosen):
            flash(_("You cannot see the figures of this region."), "warning")
        else:
            region = chosen
    today = clock.today()
    start = (form.start.data if not form.start.errors else None) or service.semester_bounds(today)[
        0
    ]
    end = (form.end.data if not form.end.errors else None) or today
    try:
        result = service.get_figures(region, start, end, by=_user())
    except ServiceError as error:
        flash(error.message, "error")
        result = service.get_figures(region, end, end, by=_user())
    regions = scope + [r for r in service.manageable_regions(_user()) if r not in scope]
    return render_template("lecturers/figures.html", figures=result, form=form, regions=regions)
