"""Practice bases as GeoJSON: the directory's search and one venue's page, for maps and apps."""

from flask import abort, current_app, jsonify, request
from flask_babel import gettext as _

from webapp.api import bp
from webapp.api.errors import bad_request
from webapp.api.openapi import answers, spec
from webapp.api.schemas.venues import VenueCollection, VenueDetail, VenueQuery
from webapp.directory.forms import VenueFilterForm
from webapp.directory.photos import photo_alt, photo_url
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
@spec.validate(
    query=VenueQuery,
    resp=answers(HTTP_200=VenueCollection),
    operation_id="listVenues",
)
def list_venues():
    """Practice bases matching the filters, as GeoJSON"""
    # the page's own filter form reads the same parameters: regions, and rules across them
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
@spec.validate(
    resp=answers(HTTP_200=VenueDetail, HTTP_404="No such venue"), operation_id="getVenue"
)
def get_venue(venue_id: int):
    """One practice base"""
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
        photo_url=photo_url(venue.first_photo) if venue.first_photo else None,
        photo_alt=photo_alt(venue, lang) if venue.first_photo else None,
    )
    return jsonify(feature)
