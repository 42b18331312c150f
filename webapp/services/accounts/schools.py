"""Schools: the list families and staff pick from, kept by bureau staff of each region, and
the schools a person acts for."""

from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _

from models import Region, RegionLevel, Role, School, Stage, User, db
from webapp.services import like, permissions
from webapp.services.audit import record_change
from webapp.services.errors import NotFound, ServiceError
from webapp.services.transactions import unit_of_work


@dataclass
class SchoolValues:
    name: str
    county: Region
    stages: list[Stage]
    address: str = ""
    lat: float | None = None
    lng: float | None = None


def list_counties() -> list[Region]:
    """Every county-level division, by city then adcode, for the sign-up pickers."""
    return list(
        db.session.scalars(
            sa.select(Region).where(Region.level == RegionLevel.COUNTY).order_by(Region.adcode)
        )
    )


def get_county(region_id) -> Region:
    """The county with this id.

    Raises:
        NotFound: no county has this id.
    """
    try:
        region = db.session.get(Region, int(region_id))
    except (TypeError, ValueError):
        region = None
    if region is None or region.level is not RegionLevel.COUNTY:
        raise NotFound(_("Choose a county from the list."), field="county")
    return region


def get_school(school_id) -> School:
    """The school with this id.

    Raises:
        NotFound: when there is no such school.
    """
    try:
        school = db.session.get(School, int(school_id))
    except (TypeError, ValueError):
        school = None
    if school is None:
        raise NotFound(_("This school is not in our list. Choose it again."), field="school")
    return school


def list_schools_acted_for(user: User) -> list[School]:
    """The schools the user acts for: those of their approved school-staff grants only (no
    bureau scope; compare `lecturers.requests.list_host_schools`, for talk requests)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    return [g.school for g in user.active_grants(Role.SCHOOL_STAFF) if g.school is not None]


def list_schools_in_county(county: Region) -> list[School]:
    return list(
        db.session.scalars(
            sa.select(School).where(School.county_id == county.id).order_by(School.name)
        )
    )


def search_schools(*, by: User, county_id=None, text: str = "", page: int = 1, per_page=50):
    """Schools in `by`'s scope, optionally in one county or matching a name fragment.

    Raises:
        PermissionDenied: `by` is not bureau staff or an administrator.
    """
    permissions.require(by, "bureau.console")
    query = permissions.scoped_query(School, by).order_by(School.county_id, School.name)
    if county_id:
        query = query.where(School.county_id == county_id)
    if text.strip():
        query = query.where(like.contains(School.name, text.strip()))
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def _values_of(school: School) -> dict:
    return {
        "name": school.name,
        "county": school.county.name if school.county else None,
        "stages": school.stages_csv,
        "address": school.address,
        "lat": school.lat,
        "lng": school.lng,
        "approximate": school.is_location_approximate,
    }


def _apply(school: School, values: SchoolValues) -> None:
    name = values.name.strip()
    if not name:
        raise ServiceError(_("Please enter the school's name."), field="name")
    if not values.stages:
        raise ServiceError(_("Choose at least one stage taught."), field="stages")
    school.name = name[:120]
    school.county = values.county
    school.stages_csv = ",".join(s.value for s in Stage if s in values.stages)
    school.address = values.address.strip()[:200]
    if values.lat is None or values.lng is None:
        # no coordinates given: the county centroid, marked approximate
        school.lat, school.lng = values.county.lat, values.county.lng
        school.is_location_approximate = True
    else:
        if not (-90 <= values.lat <= 90 and -180 <= values.lng <= 180):
            raise ServiceError(_("The coordinates are out of range."), field="lat")
        school.lat, school.lng = values.lat, values.lng
        school.is_location_approximate = False


def _school_work():
    return unit_of_work(
        conflict_message=_("A school with this name already exists in this county."),
        conflict_field="name",
    )


def create_school(values: SchoolValues, *, by: User) -> School:
    """Add a school to a county in `by`'s scope; audited.

    Raises:
        PermissionDenied: the county lies outside `by`'s scope.
        ServiceError: a value is missing or the name is taken in the county.
    """
    with _school_work():
        permissions.require(by, "school.manage", values.county)
        school = School()
        _apply(school, values)
        db.session.add(school)
        db.session.flush()
        record_change(by, "school.create", school, after=_values_of(school))
    return school


def update_school(school: School, values: SchoolValues, *, by: User) -> School:
    """Change a school in `by`'s scope (it may move only to a county also in scope); audited.

    Raises:
        PermissionDenied: the school or its new county lies outside `by`'s scope.
        ServiceError: a value is missing or the name is taken in the county.
    """
    with _school_work():
        permissions.require(by, "school.manage", school)
        permissions.require(by, "school.manage", values.county)
        before = _values_of(school)
        _apply(school, values)
        db.session.flush()
        record_change(by, "school.update", school, before=before, after=_values_of(school))
    return school
