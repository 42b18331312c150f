"""Test data builders: each sets defaults with setdefault, adds, flushes and returns.

Also the one fixed clock of the tests (`NOW`) and the one password every made user has.
"""

import itertools
from datetime import datetime, time
from functools import lru_cache

import sqlalchemy as sa

from models import (
    AdmissionKind,
    OpeningHours,
    Region,
    RegionLevel,
    Role,
    RoleGrant,
    School,
    Stage,
    User,
    Venue,
    VenueCategory,
    VenueLevel,
    VisitorGroup,
    db,
)
from webapp.services.accounts.credentials import hash_password
from webapp.services.catalogue.search import index_venue

_counter = itertools.count(1)
PASSWORD = "correct horse battery"

#: the tests' fixed "now": Wednesday 2025-06-04 10:00 local (02:00 UTC); services take it as `now`
NOW = datetime(2025, 6, 4, 2, 0)


@lru_cache(maxsize=16)
def password_hash(password: str) -> str:
    """Each password hashed once per run: scrypt is slow, and any of its hashes checks."""
    return hash_password(password)


def regions_by_adcode() -> dict[str, Region]:
    return {r.adcode: r for r in db.session.scalars(sa.select(Region))}


def make_region(**overrides) -> Region:
    n = next(_counter)
    overrides.setdefault("level", RegionLevel.COUNTY)
    # six digits however many regions a run makes (the tables are emptied between tests)
    overrides.setdefault("adcode", f"{900000 + n % 100000}")
    overrides.setdefault("name", f"测试区{n}")
    overrides.setdefault("name_en", f"Test District {n}")
    overrides.setdefault("lat", 37.87)
    overrides.setdefault("lng", 112.55)
    region = Region(**overrides)
    db.session.add(region)
    db.session.flush()
    return region


def make_venue(county: Region | None = None, **overrides) -> Venue:
    n = next(_counter)
    if county is None:
        county = db.session.scalar(
            sa.select(Region).where(Region.level == RegionLevel.COUNTY).order_by(Region.adcode)
        )
    if county is None:
        city = make_region(level=RegionLevel.CITY, name=f"测试市{n}")
        county = make_region(parent=city)
    categories = overrides.pop("categories", [VenueCategory.MUSEUM])
    stages = overrides.pop("stages", list(Stage))
    admission = overrides.pop("admission", {g: (AdmissionKind.FREE, None) for g in VisitorGroup})
    weekdays = overrides.pop("weekdays", [2, 3, 4, 5, 6, 7])
    overrides.setdefault("slug", f"venue-{n}")
    overrides.setdefault("name", f"测试博物馆{n}")
    overrides.setdefault("name_en", f"Test Museum {n}")
    overrides.setdefault("level", VenueLevel.PROVINCIAL)
    overrides.setdefault("address", f"{county.name}测试路{n}号")
    overrides.setdefault("lat", county.lat)
    overrides.setdefault("lng", county.lng)
    venue = Venue(county=county, city=county.parent, **overrides)
    venue.categories = categories
    venue.stages = stages
    venue.set_admission(admission)
    venue.opening_hours = [
        OpeningHours(weekday=d, opens_at=time(9), closes_at=time(17)) for d in weekdays
    ]
    index_venue(venue)
    db.session.add(venue)
    db.session.flush()
    return venue


def make_user(role: Role | None = Role.FAMILY, **overrides) -> User:
    """A user with one grant of `role` (none for None); region, venue, school, is_manager and
    is_approved go to the grant, anything else to the user."""
    n = next(_counter)
    password = overrides.pop("password", PASSWORD)
    grant = {
        k: overrides.pop(k)
        for k in ("region", "venue", "school", "is_manager", "is_approved")
        if k in overrides
    }
    overrides.setdefault("email", f"user{n}@example.cn")
    overrides.setdefault("name", f"用户{n}")
    user = User(password_hash=password_hash(password), **overrides)
    if role is not None:
        user.grants.append(RoleGrant(role=role, **grant))
    db.session.add(user)
    db.session.flush()
    return user


def make_school(county: Region, **overrides) -> School:
    n = next(_counter)
    overrides.setdefault("name", f"测试小学{n}")
    overrides.setdefault("address", f"{county.name}学府路{n}号")
    overrides.setdefault("lat", county.lat)
    overrides.setdefault("lng", county.lng)
    overrides.setdefault("stages_csv", "primary")
    school = School(county=county, **overrides)
    db.session.add(school)
    db.session.flush()
    return school
