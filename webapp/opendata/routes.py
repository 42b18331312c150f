"""The directory as one GeoJSON file and in Open Referral HSDS 3.0, streamed as it is read.

`?region=` narrows either file to a city or county by its six-digit code; a bad or unknown
code gets the API's JSON error shape in the user's language.
"""

from flask import Response, request, stream_with_context, url_for

from webapp.api.errors import json_error
from webapp.opendata import bp
from webapp.services.catalogue import hsds, open_data
from webapp.services.errors import ServiceError


def _venue_url(venue) -> str:
    return url_for("directory.venue", venue_id=venue.id, _external=True)


def _stream(build, mimetype: str, filename: str):
    try:
        region = open_data.find_region(request.args.get("region", "").strip() or None)
    except ServiceError as error:
        return json_error(error.status_code, error.message, error.field)
    name = f"{region.adcode if region else '140000'}-{filename}"
    return Response(
        stream_with_context(build(region, venue_url=_venue_url)),
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@bp.route("/venues.geojson")
def venues_geojson():
    return _stream(open_data.iter_geojson, "application/geo+json", "venues.geojson")


@bp.route("/hsds.json")
def hsds_json():
    return _stream(hsds.iter_hsds, "application/json", "hsds.json")
