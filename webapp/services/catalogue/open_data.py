"""Open data: the whole directory, or one region's, as a single GeoJSON file.

Anyone may take the catalogue (it is public on the site already). The file is written as it is
read, a batch of venues at a time, and each batch is let go before the next, so 10,000 venues
never sit in memory at once. Coordinates are WGS-84 (RFC 7946); `location_approximate` says a
point is the county's centre rather than the venue itself.
"""

import json
from collections.abc import Callable, Iterator

import sqlalchemy as sa
from flask_babel import force_locale
from flask_babel import gettext as _

from models import Region, Venue, db
from webapp.labels import CATEGORY_LABELS, LEVEL_LABELS, STAGE_LABELS
from webapp.services.catalogue.export import admission_text, load_venues, opening_text, release
from webapp.services.errors import NotFound, ServiceError
from webapp.services.supervision.dashboard import region_filter

BATCH = 500

VenueUrl = Callable[[Venue], str]


def find_region(adcode: str | None) -> Region | None:
    """The region an open-data request names by its six-digit code (None: all of Shanxi).

    Raises: ServiceError for a code that is not six digits; NotFound for an unknown one.
    """
    if not adcode:
        return None
    if not (adcode.isascii() and adcode.isdigit() and len(adcode) == 6):
        raise ServiceError(_("Give the region as its six-digit code."), field="region")
    region = db.session.scalar(sa.select(Region).where(Region.adcode == adcode))
    if region is None:
        raise NotFound(_("There is no region with this code."), field="region")
    return region


def count_venues(region: Region | None) -> int:
    query = sa.select(sa.func.count(Venue.id))
    if region is not None:
        query = query.where(region_filter(region, Venue.county_id, Venue.city_id))
    return db.session.scalar(query) or 0


def iter_venues(region: Region | None, *, batch: int = BATCH) -> Iterator[list[Venue]]:
    """The region's venues by id, `batch` at a time with what the files show of them."""
    last = 0
    while True:
        query = sa.select(Venue.id).where(Venue.id > last).order_by(Venue.id).limit(batch)
        if region is not None:
            query = query.where(region_filter(region, Venue.county_id, Venue.city_id))
        ids = db.session.scalars(query).all()
        if not ids:
            return
        venues = load_venues(ids)
        yield venues
        last = ids[-1]
        release(venues)


def venue_feature(venue: Venue, venue_url: VenueUrl) -> dict:
    """One venue as a GeoJSON Feature; labels in Chinese beside the codes."""
    return {
        "type": "Feature",
        "id": venue.id,
        "geometry": {"type": "Point", "coordinates": [round(venue.lng, 6), round(venue.lat, 6)]},
        "properties": {
            "id": venue.id,
            "slug": venue.slug,
            "name": venue.name,
            "name_en": venue.name_en,
            "url": venue_url(venue),
            "categories": [c.value for c in venue.categories],
            "category_names": [str(CATEGORY_LABELS[c]) for c in venue.categories],
            "level": venue.level.value,
            "level_name": str(LEVEL_LABELS[venue.level]),
            "city": venue.city.name,
            "city_adcode": venue.city.adcode,
            "county": venue.county.name,
            "county_adcode": venue.county.adcode,
            "address": venue.address,
            "phone": venue.phone,
            "stages": [s.value for s in venue.stages],
            "stage_names": [str(STAGE_LABELS[s]) for s in venue.stages],
            "admission": admission_text(venue),
            "free_for_children": venue.is_free_for_children,
            "opening_hours": opening_text(venue),
            "courses": [c.title for c in venue.courses],
            "accessible": venue.is_accessible,
            "accessibility": venue.accessibility,
            "location_approximate": venue.is_location_approximate,
        },
    }


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def iter_geojson(region: Region | None, *, venue_url: VenueUrl) -> Iterator[str]:
    """The FeatureCollection of `region` (all of Shanxi when None), in pieces of text."""
    name = region.name if region is not None else "山西省"
    head = {"type": "FeatureCollection", "name": f"{name}社会实践教育基地"}
    yield _dumps(head)[:-1] + ',"features":['
    first = True
    with force_locale("zh"):
        for venues in iter_venues(region):
            parts = [_dumps(venue_feature(v, venue_url)) for v in venues]
            yield ("" if first else ",") + ",".join(parts)
            first = False
    yield "]}"
