"""Open data (/api/v1/open-data): the directory as one GeoJSON file, and in HSDS 3.0."""

from flask import Response, request, stream_with_context, url_for

from webapp.api import bp, openapi
from webapp.api.errors import service_error
from webapp.services import hsds, open_data
from webapp.services.errors import ServiceError


def _venue_url(venue) -> str:
    return url_for("directory.venue", venue_id=venue.id, _external=True)


def _stream(build, mimetype: str, filename: str):
    try:
        region = open_data.find_region(request.args.get("region", "").strip() or None)
    except ServiceError as error:
        return service_error(error)
    name = f"{region.adcode if region else '140000'}-{filename}"
    return Response(
        stream_with_context(build(region, venue_url=_venue_url)),
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@bp.route("/open-data/venues.geojson")
def open_data_geojson():
    return _stream(open_data.iter_geojson, "application/geo+json", "venues.geojson")


@bp.route("/open-data/hsds.json")
def open_data_hsds():
    return _stream(hsds.iter_hsds, "application/json", "hsds.json")


_REGION = {
    "name": "region",
    "in": "query",
    "required": False,
    "schema": {"type": "string", "pattern": "^[0-9]{6}$"},
    "description": "Only this city or county (six-digit code); all of Shanxi without it",
}


def _operation(summary: str, operation_id: str, media: str, description: str) -> dict:
    return {
        "get": {
            "summary": summary,
            "operationId": operation_id,
            "parameters": [_REGION],
            "responses": {
                "200": {
                    "description": description,
                    "content": {media: {"schema": {"type": "object"}}},
                },
                "400": openapi.error_response("The region is not a six-digit code"),
                "404": openapi.error_response("No region has this code"),
            },
        }
    }


openapi.register(
    {
        "/open-data/venues.geojson": _operation(
            "Every practice base (or a region's) as one GeoJSON file",
            "openDataGeojson",
            "application/geo+json",
            "A FeatureCollection of every venue, streamed",
        ),
        "/open-data/hsds.json": _operation(
            "Every practice base (or a region's) in Open Referral HSDS 3.0",
            "openDataHsds",
            "application/json",
            "HSDS services with their organizations, locations, schedules and costs, streamed",
        ),
    }
)
