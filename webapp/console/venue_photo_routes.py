"""A venue's photos, kept from its edit page: add one, delete one, choose the first."""

from flask import flash, g, redirect, url_for
from flask_babel import gettext as _

from models.user import utcnow
from webapp.auth.decorators import permission_required
from webapp.console import bp
from webapp.console.venue_forms import VenuePhotoForm
from webapp.console.venue_pages import edit_page
from webapp.request_limits import upload_route
from webapp.services.catalogue import photos
from webapp.services.catalogue import search as venue_service
from webapp.services.errors import ServiceError
from webapp.views import current_actor, show_service_error


def _venue(venue_id: int, **_ignored):
    return venue_service.get_venue(venue_id)


def _back(venue_id: int):
    # to the top, not #photos: the section is near it, and the notice above stays in view
    return redirect(url_for("console.venue_edit", venue_id=venue_id))


@bp.route("/venues/<int:venue_id>/photos", methods=["POST"])
@upload_route
@permission_required("venue.edit", _venue)
def venue_photo_add(venue_id: int):
    venue = g.permission_object
    form = VenuePhotoForm()
    if not form.validate_on_submit():
        flash(_("No photo was added: please check the field marked below."), "error")
        return edit_page(venue, photo_form=form, status=422)
    try:
        photos.add_photo(
            venue,
            form.photo.data.read(photos.PHOTO_MAX_BYTES + 1),
            by=current_actor(),
            now=utcnow(),
        )
    except ServiceError as error:
        show_service_error(form, error)
        return edit_page(venue, photo_form=form, status=error.status_code)
    flash(_("The photo was added."), "success")
    return _back(venue.id)


@bp.route("/venues/<int:venue_id>/photos/<int:photo_id>/delete", methods=["POST"])
@permission_required("venue.edit", _venue)
def venue_photo_delete(venue_id: int, photo_id: int):
    return _photo_action(photos.delete_photo, photo_id, _("The photo was deleted."))


@bp.route("/venues/<int:venue_id>/photos/<int:photo_id>/first", methods=["POST"])
@permission_required("venue.edit", _venue)
def venue_photo_first(venue_id: int, photo_id: int):
    return _photo_action(
        photos.make_photo_first, photo_id, _("The photo now comes first on the list and the map.")
    )


def _photo_action(action, photo_id: int, done: str):
    # the form's CSRF token is checked for every POST by CSRFProtect
    venue = g.permission_object
    try:
        action(venue, photo_id, by=current_actor(), now=utcnow())
    except ServiceError as error:
        flash(error.message, "error")
        return edit_page(venue, status=error.status_code)
    flash(done, "success")
    return _back(venue.id)
