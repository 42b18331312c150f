"""The roster as a workbook: the bureau's import, its export and a blank template."""

from flask import Response, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from webapp.auth.decorators import permission_required
from webapp.lecturers import bp
from webapp.lecturers.forms import ImportForm
from webapp.request_limits import upload_route
from webapp.services.errors import ServiceError
from webapp.services.lecturers import roster_import
from webapp.services.lecturers.directory import list_managed_lecturers
from webapp.services.lecturers.pools import list_topics
from webapp.services.lecturers.roster_export import export_workbook, template_workbook
from webapp.views import current_actor

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _workbook(data: bytes, filename: str) -> Response:
    return Response(
        data, mimetype=XLSX, headers={"Content-Disposition": f"attachment; filename={filename}"}
    )


@bp.route("/manage/import", methods=["GET", "POST"])
@upload_route
@permission_required("bureau.console")
def import_roster():
    form = ImportForm()
    problems = []
    if form.validate_on_submit():
        upload = form.file.data
        try:
            result = roster_import.import_roster(
                upload.stream, by=current_actor(), filename=upload.filename or ""
            )
        except roster_import.ImportRejected as error:
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
@permission_required("bureau.console")
def export_roster():
    return _workbook(export_workbook(list_managed_lecturers(current_actor())), "lecturers.xlsx")


@bp.route("/manage/template.xlsx")
@permission_required("bureau.console")
def roster_template():
    data = template_workbook([t.name for t in list_topics()])
    return _workbook(data, "lecturers-template.xlsx")
