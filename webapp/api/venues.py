from flask import abort, current_app, jsonify, request
from flask_babel import gettext as _

from models import VenueCategory
from webapp.api import bp, openapi
from webapp.api.errors import bad_request
from webapp.directory.forms import VenueFilterForm
from webapp.i18n import current_language
from webapp.services.catalogue import search as venue_service
from webapp.services.catalogue.cache import cached_result


def venue_properties(venue, distance_km=None, lang="zh") -> dict:
    properties = {
        "id": venue.id,
        "slug": venue.slug,
        "name": venue.name,
        "name_en": venue.name_en,
        "categories": [c.value for c in venue.categories],
        "level": venue.level.value,
        "city": venue.city.display_name(lang),
        "city_adcode": venue.city.adcode,
        "county": venue.county.display_name(lang),
        "county_adcode": venue.county.adcode,
        "address": venue.address,
        "free_for_children": venue.is_free_for_children,
        "accessible": venue.is_accessible,
        "stages": [s.value for s in venue.stages],
        "location_approximate": venue.is_location_approximate,
    }
    if distance_km is not None:
        properties["distance_km"] = distance_km
    return properties


def venue_feature(venue, distance_km=None, lang="zh") -> dict:
    return {
        "type": "Feature",
        "id": venue.id,
        "geometry": {"type": "Point", "coordinates": [venue.lng, venue.lat]},
        "properties": venue_properties(venue, distance_km, lang),
    }


@bp.route("/venues")
def list_venues():
    form = VenueFilterForm(request.args)
    if not form.validate():
        return bad_request(form.errors)
    per_page = form.per_page_number(current_app.config["VENUES_PER_PAGE"])
    filters, page, lang = form.to_filters(), form.page_number, current_language()

    def build():
        result = venue_service.search_venues(filters, page=page, per_page=per_page)
        return {
            "type": "FeatureCollection",
            "features": [venue_feature(h.venue, h.distance_km, lang) for h in result.hits],
            "total": result.total,
            "page": result.page,
            "per_page": result.per_page,
            "pages": result.pages,
        }

    key = f"{lang}|{filters.cache_key()}|{page}|{per_page}"
    return jsonify(cached_result("api-venues", key, build))


@bp.route("/venues/<int:venue_id>")
def get_venue(venue_id: int):
    venue = venue_service.get_venue(venue_id)
    if venue is None:
        abort(404, description=_("No venue with that id."))
    lang = current_language()
    feature = venue_feature(venue, lang=lang)
    feature["properties"].update(
        phone=venue.phone,
        description=venue.description,
        transport=venue.transport,
        accessibility=venue.accessibility,
        admission={
            r.visitor_group.value: {"kind": r.kind.value, "price_yuan": r.price_yuan}
            for r in venue.admission_rules
        },
        opening_hours=[
            {
                "weekday": h.weekday,
                "opens_at": h.opens_at.strftime("%H:%M"),
                "closes_at": h.closes_at.strftime("%H:%M"),
            }
            for h in venue.opening_hours
        ],
        closed_dates=[c.closed_on.isoformat() for c in venue.closures],
        courses=[
            {"title": c.title, "minutes": c.minutes, "stages": [s.value for s in c.stages]}
            for c in venue.courses
        ],
        url=f"/venues/{venue.id}",
    )
    return jsonify(feature)


def _query(name, schema, description):
    return {
        "name": name,
        "in": "query",
        "required": False,
        "schema": schema,
        "description": description,
    }


_FILTER_PARAMETERS = [
    _query(
        "q",
        {"type": "string", "maxLength": 60},
        "Keyword: Chinese name, address, pinyin or pinyin initials",
    ),
    _query(
        "category",
        {"type": "array", "items": {"type": "string", "enum": [c.value for c in VenueCategory]}},
        "Category codes (repeatable)",
    ),
    _query("city", {"type": "string", "pattern": "^[0-9]{6}$"}, "City adcode"),
    _query("county", {"type": "string", "pattern": "^[0-9]{6}$"}, "County adcode"),
    _query(
        "stage",
        {"type": "string", "enum": ["preschool", "primary", "junior", "senior"]},
        "School stage",
    ),
    _query(
        "free",
        {"type": "string", "enum": ["1", "0", "true", "false"]},
        "Free admission for children",
    ),
    _query(
        "accessible", {"type": "string", "enum": ["1", "0", "true", "false"]}, "Barrier-free access"
    ),
    _query("open_on", {"type": "string", "format": "date"}, "Open on this date (YYYY-MM-DD)"),
    _query("places_on", {"type": "string", "format": "date"}, "Has a session with places left"),
    _query("near", {"type": "string", "example": "37.87,112.55"}, "Position as lat,lng (WGS-84)"),
    _query(
        "near_county", {"type": "string", "pattern": "^[0-9]{6}$"}, "Near the centre of this county"
    ),
    _query("radius_km", {"type": "number", "minimum": 0.5, "maximum": 500}, "Radius for near, km"),
    _query("page", {"type": "integer", "minimum": 1}, "Page number"),
    _query("per_page", {"type": "integer", "minimum": 1, "maximum": 100}, "Page size"),
]

openapi.register(
    {
        "/venues": {
            "get": {
                "summary": "Practice bases matching the filters, as GeoJSON",
                "operationId": "listVenues",
                "parameters": _FILTER_PARAMETERS,
                "responses": {
                    "200": {
                        "description": "A page of matching venues",
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/VenueCollection"}
                            }
                        },
                    },
                    "400": openapi.error_response("A parameter is not usable; `errors` names it"),
                },
            }
        },
        "/venues/{venue_id}": {
            "get": {
                "summary": "One practice base",
                "operationId": "getVenue",
                "parameters": [
                    {
                        "name": "venue_id",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "integer", "minimum": 0},
                    }
                ],
                "responses": {
                    "200": {
                        "description": "The venue",
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/VenueFeature"}
                            }
                        },
                    },
                    "404": openapi.error_response("No such venue"),
                },
            }
        },
    },
    {
        "VenueFeature": {
            "type": "object",
            "required": ["type", "geometry", "properties"],
            "properties": {
                "type": {"type": "string", "enum": ["Feature"]},
                "id": {"type": "integer"},
                "geometry": {"type": "object"},
                "properties": {
                    "type": "object",
                    "required": [
                        "id",
                        "name",
                        "categories",
                        "city",
                        "county",
                        "address",
                        "free_for_children",
                    ],
                    "properties": {
                        "id": {"type": "integer"},
                        "name": {"type": "string"},
                        "categories": {"type": "array", "items": {"type": "string"}},
                        "city": {"type": "string"},
                        "county": {"type": "string"},
                        "address": {"type": "string"},
                        "free_for_children": {"type": "boolean"},
                        "distance_km": {"type": "number"},
                    },
                },
            },
        },
        "VenueCollection": {
            "type": "object",
            "required": ["type", "features", "total", "page", "per_page"],
            "properties": {
                "type": {"type": "string", "enum": ["FeatureCollection"]},
                "features": {
                    "type": "array",
                    "items": {"$ref": "#/components/schemas/VenueFeature"},
                },
                "total": {"type": "integer"},
                "page": {"type": "integer"},
                "per_page": {"type": "integer"},
                "pages": {"type": "integer"},
            },
        },
    },
)
