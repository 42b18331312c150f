"""Bulk import of venues: the template, the upload, the preview and the confirmation."""

import io

from flask import abort, flash, redirect, render_template, send_file, url_for
from flask_babel import gettext as _

from webapp.auth.decorators import permission_required
from webapp.bureau import bp
from webapp.bureau.import_forms import ConfirmImportForm, VenueImportForm
from webapp.request_limits import upload_route
from webapp.services.catalogue import venue_import
from webapp.services.catalogue.venue_import_sheet import template_workbook
from webapp.services.errors import NotFound, ServiceError
from webapp.views import current_actor

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.route("/venues/import-template.xlsx")
@permission_required("bureau.console")
def venue_import_template():
    return send_file(
        io.BytesIO(template_workbook()),
        mimetype=XLSX,
        as_attachment=True,
        download_name="场馆批量导入模板.xlsx",
    )


@bp.route("/venues/import", methods=["GET", "POST"])
@upload_route
@permission_required("bureau.console")
def venue_import_upload():
    form, problems, status = VenueImportForm(), [], 200
    if form.validate_on_submit():
        upload = form.file.data
        try:
            staged = venue_import.stage_import(
                upload.stream, filename=upload.filename or "", by=current_actor()
            )
        except venue_import.ImportRejected as error:
            problems, status = error.problems, 422
            flash(error.message, "error")
        else:
            return redirect(url_for("bureau.venue_import_preview", token=staged.token))
    elif form.is_submitted():
        status = 400
    return render_template("bureau/venue_import.html", form=form, problems=problems), status


def _record(token: str):
    try:
        return venue_import.get_import(token, by=current_actor())
    except NotFound as error:
        abort(404, description=error.message)


def _problems_page(error: venue_import.ImportRejected):
    flash(error.message, "error")
    page = render_template(
        "bureau/venue_import.html", form=VenueImportForm(), problems=error.problems
    )
    return page, 422


@bp.route("/venues/import/<token>", methods=["GET", "POST"])
@permission_required("bureau.console")
def venue_import_preview(token: str):
    record, form, me = _record(token), ConfirmImportForm(), current_actor()
    if record.applied_at is not None:
        flash(_("This import was already confirmed."), "info")
        return redirect(url_for("bureau.venue_list"))
    try:
        if form.validate_on_submit():
            plan = venue_import.confirm_import(record, digest=form.digest.data, by=me)
            added, updated = plan.count("create"), plan.count("update")
            message = _(
                "Imported: %(added)s venue(s) added, %(updated)s updated.",
                added=added,
                updated=updated,
            )
            flash(message, "success")
            return redirect(url_for("bureau.venue_list"))
    except venue_import.ImportRejected as error:
        return _problems_page(error)
    except ServiceError as error:
        flash(error.message, "error")
    try:
        plan = venue_import.preview_import(record, by=me)
    except venue_import.ImportRejected as error:
        return _problems_page(error)
    form.digest.data = plan.digest
    page = render_template("bureau/venue_import_preview.html", form=form, plan=plan, record=record)
    return page, 400 if form.is_submitted() else 200
