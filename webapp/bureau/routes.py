from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from wtforms.fields.choices import SelectChoice

from models import School, Stage, db
from webapp.auth.decorators import permission_required
from webapp.auth.forms import ConfirmForm
from webapp.bureau import audit_text, bp
from webapp.bureau.forms import AuditFilterForm, SchoolFilterForm, SchoolForm
from webapp.i18n import region_label
from webapp.services import audit, permissions
from webapp.services.accounts import invitations as invitation_service
from webapp.services.accounts import schools, signup
from webapp.services.errors import ServiceError
from webapp.views import current_actor, show_service_error


def _page() -> int:
    return max(request.args.get("page", 1, type=int) or 1, 1)


@bp.route("/")
@permission_required("bureau.console")
def index():
    return render_template(
        "bureau/index.html",
        pending=signup.list_pending_school_staff(by=current_actor()),
        scopes=permissions.bureau_regions(current_actor()),
    )


@bp.route("/approvals")
@permission_required("bureau.console")
def approvals():
    return render_template(
        "bureau/approvals.html",
        pending=signup.list_pending_school_staff(by=current_actor()),
        form=ConfirmForm(),
    )


@bp.route("/approvals/<int:grant_id>/<any(approve, reject):decision>", methods=["POST"])
@permission_required("bureau.console")
def decide(grant_id: int, decision: str):
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            if decision == "approve":
                grant = signup.approve_school_staff(grant_id, by=current_actor())
                flash(
                    _(
                        "%(who)s may now act for %(school)s.",
                        who=grant.user.name,
                        school=grant.school.name,
                    ),
                    "success",
                )
            else:
                signup.reject_school_staff(grant_id, by=current_actor())
                flash(_("The request was refused."), "success")
        except ServiceError as error:
            flash(error.message, "error")
            if error.status_code == 403:
                return render_template("errors/403.html", error=error), 403
    return redirect(url_for("bureau.approvals"))


def _county_choices():
    return [
        SelectChoice(c.id, region_label(c)) for c in permissions.regions_for_choice(current_actor())
    ]


@bp.route("/schools")
@permission_required("bureau.console")
def school_list():
    form = SchoolFilterForm(request.args)
    form.county.choices = [SelectChoice(0, _("All counties in my scope"))] + _county_choices()
    form.validate()
    result = schools.search_schools(
        by=current_actor(), county_id=form.county.data or None, text=form.q.data or "", page=_page()
    )
    return render_template("bureau/schools.html", form=form, result=result)


def _values(form: SchoolForm) -> schools.SchoolValues:
    return schools.SchoolValues(
        name=form.name.data,
        county=schools.get_county(form.county.data),
        stages=[Stage(s) for s in form.stages.data],
        address=form.address.data or "",
        lat=form.lat.data,
        lng=form.lng.data,
    )


@bp.route("/schools/new", methods=["GET", "POST"])
@permission_required("bureau.console")
def school_new():
    form = SchoolForm()
    form.county.choices = _county_choices()
    if form.validate_on_submit():
        try:
            school = schools.create_school(_values(form), by=current_actor())
        except ServiceError as error:
            show_service_error(form, error, repeat=False)
        else:
            flash(_("The school %(name)s was added.", name=school.name), "success")
            return redirect(url_for("bureau.school_list", county=school.county_id))
    return render_template("bureau/school_form.html", form=form, school=None)


def _school(school_id):
    return db.session.get(School, school_id)


@bp.route("/schools/<int:school_id>/edit", methods=["GET", "POST"])
@permission_required("school.manage", _school)
def school_edit(school_id: int):
    school = db.session.get(School, school_id)
    form = SchoolForm(obj=school if request.method == "GET" else None)
    form.county.choices = _county_choices()
    if request.method == "GET":
        form.county.data = school.county_id
        form.stages.data = [s.value for s in school.stages]
        if school.is_location_approximate:
            form.lat.data = form.lng.data = None
    if form.validate_on_submit():
        try:
            schools.update_school(school, _values(form), by=current_actor())
        except ServiceError as error:
            show_service_error(form, error, repeat=False)
        else:
            flash(_("The school was saved."), "success")
            return redirect(url_for("bureau.school_list", county=school.county_id))
    return render_template("bureau/school_form.html", form=form, school=school)


@bp.route("/invitations")
@permission_required("bureau.console")
def invitations():
    return render_template(
        "bureau/invitations.html",
        venues=invitation_service.list_venues_for_invitations(by=current_actor()),
        invitations=invitation_service.list_invitations(by=current_actor()),
    )


@bp.route("/audit")
@permission_required("audit.read")
def audit_log():
    form = AuditFilterForm(request.args)
    form.action.choices = [SelectChoice("", _("Any change"))] + [
        SelectChoice(a, audit_text.action_label(a)) for a in audit.list_audit_actions()
    ]
    form.validate()
    filters = audit.AuditFilters(
        actor=form.actor.data or "",
        action=form.action.data or "" if not form.action.errors else "",
        since=form.since.data if not form.since.errors else None,
        until=form.until.data if not form.until.errors else None,
    )
    result = audit.list_audit_entries(filters, by=current_actor(), page=_page())
    return render_template(
        "bureau/audit.html",
        form=form,
        result=result,
        describe=audit_text.describe,
        labelled=audit_text.labelled,
    )
