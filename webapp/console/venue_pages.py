"""Venue pages kept true by staff: edit a venue (its staff; bureau staff in scope) and add one
(bureau staff, in the counties of their scope)."""

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from wtforms.fields.choices import SelectChoice

from models import Region, db
from models.user import utcnow
from webapp.auth.decorators import permission_required
from webapp.console import bp
from webapp.console.forms import EmptyForm
from webapp.console.venue_forms import VenueForm, VenuePhotoForm
from webapp.i18n import region_label
from webapp.services import permissions
from webapp.services.accounts import schools
from webapp.services.catalogue import editing, photos
from webapp.services.catalogue import search as venue_service
from webapp.services.errors import ServiceError
from webapp.views import current_actor, show_service_error


def _county_choices(counties: list[Region]) -> list[SelectChoice]:
    return [SelectChoice(0, _("Match it from the address"))] + [
        SelectChoice(c.id, region_label(c)) for c in counties
    ]


def _submitted(form: VenueForm):
    """The form's values, or None (with a notice) when a field is not right."""
    if not form.validate_on_submit():
        if request.method == "POST":
            flash(_("Nothing was saved: please check the fields marked below."), "error")
        return None
    county = db.session.get(Region, form.county.data) if form.county.data else None
    return form.to_values(county)


@bp.route("/venues/<int:venue_id>/edit", methods=["GET", "POST"])
@permission_required("venue.edit", lambda venue_id: venue_service.get_venue(venue_id))
def venue_edit(venue_id: int):
    venue = g.permission_object
    if request.method == "GET":
        form = VenueForm(data=VenueForm.data_from(editing.get_venue_values(venue)))
    else:
        form = VenueForm()
    # its own staff may say it lies in any county; bureau staff choose within their scope
    in_scope = permissions.regions_for_choice(current_actor())
    form.county.choices = _county_choices(in_scope or schools.list_counties())
    values = _submitted(form)
    if values is not None:
        try:
            editing.update_venue(venue, values, by=current_actor(), now=utcnow())
        except ServiceError as error:
            show_service_error(form, error)
        else:
            flash(_("Saved: the venue's page shows your changes."), "success")
            return redirect(url_for("directory.venue", venue_id=venue.id))
    return edit_page(venue, form)


def edit_page(venue, form: VenueForm | None = None, photo_form=None, status: int = 200):
    """The venue's edit page: its form (from the stored values unless given) and its photos."""
    if form is None:
        form = VenueForm(formdata=None, data=VenueForm.data_from(editing.get_venue_values(venue)))
        in_scope = permissions.regions_for_choice(current_actor())
        form.county.choices = _county_choices(in_scope or schools.list_counties())
    page = render_template(
        "console/venue_edit.html",
        form=form,
        venue=venue,
        photo_form=photo_form or VenuePhotoForm(formdata=None),
        photo_action_form=EmptyForm(formdata=None),
        photo_limit_mb=photos.upload_limit_bytes() // (1024 * 1024),
    )
    return page, status


@bp.route("/venues/new", methods=["GET", "POST"])
@permission_required("bureau.console")
def venue_new():
    form = VenueForm(data=VenueForm.data_from(None) if request.method == "GET" else None)
    form.county.choices = _county_choices(permissions.regions_for_choice(current_actor()))
    values = _submitted(form)
    if values is not None:
        try:
            venue = editing.create_venue(values, by=current_actor(), now=utcnow())
        except ServiceError as error:
            show_service_error(form, error)
        else:
            flash(_("%(name)s was added to the catalogue.", name=venue.name), "success")
            return redirect(url_for("directory.venue", venue_id=venue.id))
    return render_template("console/venue_edit.html", form=form, venue=None)
