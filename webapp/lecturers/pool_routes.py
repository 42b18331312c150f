"""The bureau's upkeep of its pools: the list of lecturers, adding, changing and retiring
one, and the shared list of topics."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from wtforms.fields import SelectChoice

from models import Lecturer, LecturerCategory, Region, Topic, db
from webapp.auth.decorators import permission_required, require
from webapp.i18n import current_language
from webapp.lecturers import bp
from webapp.lecturers.forms import (
    EmptyForm,
    LecturerFilterForm,
    LecturerForm,
    TopicForm,
    topic_choices,
)
from webapp.lecturers.labels import region_pool_label
from webapp.request_limits import upload_route
from webapp.services.errors import ServiceError
from webapp.services.lecturers.directory import list_managed_lecturers
from webapp.services.lecturers.editing import (
    PHOTO_MAX_BYTES,
    LecturerValues,
    retire_lecturer,
    save_lecturer,
)
from webapp.services.lecturers.pools import list_pools, list_topics, save_topic
from webapp.services.permissions import manageable_regions
from webapp.views import current_actor, show_service_error


@bp.route("/manage")
@permission_required("bureau.console")
def manage():
    form = LecturerFilterForm(request.args)
    form.validate()
    filters = form.to_filters()
    filters.include_retired = True
    return render_template(
        "lecturers/manage.html",
        lecturers=list_managed_lecturers(current_actor(), filters),
        form=form,
        filters=filters,
        pools=list_pools(),
        topics=list_topics(),
        retire_form=EmptyForm(),
    )


def _lecturer_form(lecturer: Lecturer | None) -> LecturerForm:
    form = LecturerForm(obj=lecturer) if lecturer else LecturerForm()
    form.pool_region.choices = [
        SelectChoice(r.id, region_pool_label(r, current_language()))
        for r in manageable_regions(current_actor())
    ]
    form.topics.choices = topic_choices()
    if request.method == "GET" and lecturer is not None:
        form.pool_region.data = lecturer.pool.region_id
        form.category.data = lecturer.category.value
        form.topics.data = [t.id for t in lecturer.topics]
        form.free_weekdays.data = lecturer.free_weekdays
    return form


def _values(form: LecturerForm) -> LecturerValues:
    upload = form.photo.data
    photo = None
    if upload and getattr(upload, "filename", ""):
        photo = upload.read(PHOTO_MAX_BYTES + 1)
    return LecturerValues(
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
@permission_required("bureau.console")
def edit(lecturer_id: int | None = None):
    lecturer = None
    if lecturer_id:
        lecturer = require("lecturer.manage", db.session.get(Lecturer, lecturer_id))
    form = _lecturer_form(lecturer)
    if form.validate_on_submit():
        try:
            saved = save_lecturer(lecturer, _values(form), by=current_actor())
        except ServiceError as error:
            show_service_error(form, error)
        else:
            flash(_("Saved %(name)s.", name=saved.name), "success")
            return redirect(url_for("lecturers.manage"))
    return render_template("lecturers/edit.html", form=form, lecturer=lecturer)


@bp.route("/manage/<int:lecturer_id>/retire", methods=["POST"])
@permission_required("bureau.console")
def retire(lecturer_id: int):
    lecturer = require("lecturer.manage", db.session.get(Lecturer, lecturer_id))
    if EmptyForm().validate_on_submit():
        retiring = request.form.get("undo") != "1"
        try:
            retire_lecturer(lecturer, by=current_actor(), is_retired=retiring)
        except ServiceError as error:
            flash(error.message, "error")
        else:
            if retiring:
                flash(_("%(name)s has retired from the pool.", name=lecturer.name), "success")
            else:
                flash(_("%(name)s is active again.", name=lecturer.name), "success")
    return redirect(url_for("lecturers.manage"))


@bp.route("/manage/topics", methods=["GET", "POST"])
@bp.route("/manage/topics/<int:topic_id>", methods=["GET", "POST"])
@permission_required("bureau.console")
def topics(topic_id: int | None = None):
    topic = db.get_or_404(Topic, topic_id) if topic_id else None
    form = TopicForm(obj=topic)
    if form.validate_on_submit():
        try:
            save_topic(topic, form.name.data, form.name_en.data, by=current_actor())
        except ServiceError as error:
            show_service_error(form, error)
        else:
            flash(_("Saved the topic."), "success")
            return redirect(url_for("lecturers.topics"))
    return render_template("lecturers/topics.html", form=form, topic=topic, topics=list_topics())
