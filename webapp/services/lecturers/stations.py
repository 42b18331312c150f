"""Community guidance stations: the hosts, besides schools, that ask for talks."""

from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _

from models import GuidanceStation, LectureRequest, Region, RegionLevel, db
from webapp.services.errors import PermissionDenied, ServiceError
from webapp.services.geo import place_address
from webapp.services.permissions import can_manage_region, county_ids_within, scope_clause
from webapp.services.transactions import unit_of_work


@dataclass
class StationValues:
    name: str
    community: str
    county: Region
    address: str = ""
    lat: float | None = None
    lng: float | None = None


def list_stations(by=None, region: Region | None = None) -> list[GuidanceStation]:
    """The stations of `region`, else of the user's scope, else every one; by county, name."""
    stmt = (
        sa.select(GuidanceStation)
        .join(GuidanceStation.county)
        .order_by(Region.adcode, GuidanceStation.name)
    )
    if region is not None:
        stmt = stmt.where(GuidanceStation.county_id.in_(county_ids_within(region)))
    elif by is not None:
        stmt = stmt.where(scope_clause(by, GuidanceStation.county_id))
    return list(db.session.scalars(stmt).all())


def _check_values(values: StationValues) -> None:
    if not values.name.strip():
        raise ServiceError(_("Give the station's name."), field="name")
    if not values.community.strip():
        raise ServiceError(_("Give the community the station serves."), field="community")
    if (values.lat is None) != (values.lng is None):
        raise ServiceError(_("Give both latitude and longitude, or neither."), field="lat")
    if values.lat is not None and not (-90 <= values.lat <= 90 and -180 <= values.lng <= 180):
        raise ServiceError(_("Latitude or longitude out of range."), field="lat")


def save_station(station: GuidanceStation | None, values: StationValues, *, by) -> GuidanceStation:
    """Add or change a community guidance station.

    Rules: bureau staff of the station's county (old and new); name and community required;
    coordinates as given, else placed from the address, else the county centre; the name is
    unique within a county.
    Raises: PermissionDenied; ServiceError naming the field.
    """
    if station is not None and not can_manage_region(by, station.county):
        raise PermissionDenied(_("You cannot change stations in this county."))
    if values.county is None or values.county.level is not RegionLevel.COUNTY:
        raise ServiceError(_("Choose the county or district."), field="county")
    if not can_manage_region(by, values.county):
        raise PermissionDenied(_("You cannot add stations in this county."))
    _check_values(values)
    taken = _("There is already a station with that name in this county.")
    with unit_of_work(conflict_message=taken, conflict_field="name"):
        if station is None:
            station = GuidanceStation()
            db.session.add(station)
        station.name, station.community = values.name.strip(), values.community.strip()
        station.county, station.address = values.county, values.address.strip()
        if values.lat is not None:
            station.lat, station.lng = values.lat, values.lng
        else:
            placed = place_address(station.address or values.county.name, values.county)
            station.lat, station.lng = placed.lat, placed.lng
        db.session.flush()
    return station


def delete_station(station: GuidanceStation, *, by) -> None:
    """Remove a guidance station that has never asked for a talk.

    Rules: bureau staff of the station's county; a station with talk requests is kept so
    that the figures stay true.
    Raises: PermissionDenied; ServiceError when it has requests.
    """
    if not can_manage_region(by, station.county):
        raise PermissionDenied(_("You cannot change stations in this county."))
    has_requests = db.session.scalar(
        sa.select(sa.func.count(LectureRequest.id)).where(LectureRequest.station_id == station.id)
    )
    if has_requests:
        raise ServiceError(_("This station has talk requests and cannot be removed."))
    with unit_of_work():
        db.session.delete(station)
