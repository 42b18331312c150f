"""Placing venues and schools on the map, and distances between places.

Geocoding through geopy is a network call: it runs only when a geocoder is configured, at
edit or seed time, and its result is stored. Without one, an address is placed in its county
offline (by the county's name in the address) at the county centroid, marked approximate.
"""

import math
from dataclasses import dataclass

from flask import current_app
from geopy.distance import great_circle

from models import Region, RegionLevel, db

EARTH_KM_PER_DEGREE = 111.32


@dataclass(frozen=True)
class Placement:
    lat: float
    lng: float
    is_approximate: bool
    county: Region | None


def distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance: within 0.5 % of the geodesic and several times faster to rank."""
    return great_circle(a, b).km


def bounding_box(lat: float, lng: float, radius_km: float) -> tuple[float, float, float, float]:
    """(min_lat, max_lat, min_lng, max_lng) of a box that holds the circle around (lat, lng)."""
    dlat = radius_km / EARTH_KM_PER_DEGREE
    cos_lat = max(math.cos(math.radians(lat)), 0.01)
    dlng = radius_km / (EARTH_KM_PER_DEGREE * cos_lat)
    return lat - dlat, lat + dlat, lng - dlng, lng + dlng


def _short_names(region: Region) -> list[str]:
    """'小店区' → ['小店区', '小店']: addresses often drop the suffix."""
    names = [region.name]
    for suffix in ("自治县", "区", "县", "市"):
        if region.name.endswith(suffix) and len(region.name) > len(suffix) + 1:
            names.append(region.name[: -len(suffix)])
            break
    return names


def match_county(address: str) -> Region | None:
    """The county-level division an address names, found offline.

    A county name that several cities share (太原 and 阳泉 both have a 城区) is settled by
    the city named in the address.
    """
    counties = db.session.scalars(db.select(Region).where(Region.level == RegionLevel.COUNTY)).all()
    hits = [c for c in counties if any(n in address for n in _short_names(c))]
    if len(hits) > 1:
        in_city = [
            c for c in hits if c.parent and any(n in address for n in _short_names(c.parent))
        ]
        hits = in_city or hits
        # Prefer the longest name: '云州区' over '州' style partial matches.
        hits.sort(key=lambda c: len(c.name), reverse=True)
    return hits[0] if hits else None


def _geocode_online(address: str) -> tuple[float, float] | None:
    provider = current_app.config.get("GEOCODER")
    if not provider:
        return None
    from geopy.exc import GeopyError
    from geopy.geocoders import get_geocoder_for_service

    try:
        geocoder_cls = get_geocoder_for_service(provider)
        geocoder = geocoder_cls(user_agent=current_app.config["GEOCODER_USER_AGENT"], timeout=5)
        found = geocoder.geocode(address)
    except (GeopyError, OSError, ValueError):
        current_app.logger.warning("Geocoder %s failed for %r", provider, address)
        return None
    return (found.latitude, found.longitude) if found else None


def place_address(address: str, county: Region | None = None) -> Placement:
    """Coordinates for an address: the geocoder's when it answers, else the county centroid."""
    county = county or match_county(address)
    point = _geocode_online(address)
    if point:
        return Placement(point[0], point[1], False, county)
    if county is None:
        return Placement(0.0, 0.0, True, None)
    return Placement(county.lat, county.lng, True, county)
