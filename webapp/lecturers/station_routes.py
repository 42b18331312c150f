"""The bureau's community guidance stations: the list, adding or changing one, removing one."""

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from wtforms.fields import SelectChoice

from models import GuidanceStation, Region, RegionLevel, db
from webapp.auth.decorators import permission_required, require
from webapp.i18n import region_label
from webapp.lecturers import bp
from webapp.lecturers.forms import EmptyForm, StationForm
from webapp.services.errors import ServiceError
from webapp.services.lecturers.stations import (
    StationValues,
    delete_station,
    list_stations,
    save_station,
)
from webapp.services.permissions import manageable_regions
from webapp.views import current_actor, show_service_error


@bp.route("/stations")
@permission_required("bureau.console")
def stations():
    return render_template(
        "lecturers/stations.html", stations=list_stations(current_actor()), form=EmptyForm()
    )


def _values(form: StationForm) -> StationValues:
    return StationValues(
        name=form.name.data,
        community=form.community.data,
        county=db.session.get(Region, form.county.data),
        address=form.address.data or "",
        lat=form.lat.data,
        lng=form.lng.data,
    )


@bp.route("/stations/new", methods=["GET", "POST"])
@bp.route("/stations/<int:station_id>/edit", methods=["GET", "POST"])
@permission_required("bureau.console")
def station_edit(station_id: int | None = None):
    station = None
    if station_id:
        station = require("region.manage", db.session.get(GuidanceStation, station_id))
    form = StationForm(obj=station)
    form.county.choices = [
        SelectChoice(r.id, region_label(r))
        for r in manageable_regions(current_actor())
        if r.level is RegionLevel.COUNTY
    ]
    if form.validate_on_submit():
        try:
            save_station(station, _values(form), by=current_actor())
        except ServiceError as error:
            show_service_error(form, error)
        else:
            flash(_("Saved the station."), "success")
            return redirect(url_for("lecturers.stations"))
    return render_template("lecturers/station_edit.html", form=form, station=station)


@bp.route("/stations/<int:station_id>/delete", methods=["POST"])
@permission_required("bureau.console")
def station_delete(station_id: int):
    station = require("region.manage", db.session.get(GuidanceStation, station_id))
    if EmptyForm().validate_on_submit():
        try:
            delete_station(station, by=current_actor())
        except ServiceError as error:
            flash(error.message, "error")
        else:
            flash(_("The station is removed."), "success")
    return redirect(url_for("lecturers.stations"))
