"""Venue photos for anyone to see: served from VENUE_PHOTO_DIR under their content-hash names,
so a browser or proxy may keep each for good."""

from flask import Response, abort, request, send_file, url_for
from flask_babel import gettext as _

from webapp.directory import bp
from webapp.services.catalogue import photos

#: a year: a name never changes its content
PHOTO_MAX_AGE = 365 * 24 * 3600


def photo_url(photo) -> str:
    return url_for("directory.venue_photo", venue_id=photo.venue_id, file_name=photo.file_name)


def photo_alt(venue, lang: str) -> str:
    return _("Photo of %(name)s", name=venue.display_name(lang))


@bp.route("/venues/<int:venue_id>/photos/<file_name>")
def venue_photo(venue_id: int, file_name: str):
    path = photos.find_public_photo(venue_id, file_name)
    if path is None:
        abort(404)
    etag = file_name.split(".", 1)[0]
    if request.if_none_match.contains(etag):
        # answered before the file is opened: a 304 from send_file leaves its file unclosed
        response = Response(status=304)
        response.set_etag(etag)
        response.cache_control.max_age = PHOTO_MAX_AGE
    else:
        response = send_file(
            path,
            mimetype=photos.mime_type_of(file_name),
            conditional=True,
            etag=etag,
            max_age=PHOTO_MAX_AGE,
        )
    response.cache_control.public = True
    response.cache_control.immutable = True
    return response


@bp.app_context_processor
def _photo_helpers():
    return {"photo_url": photo_url, "photo_alt": photo_alt}
