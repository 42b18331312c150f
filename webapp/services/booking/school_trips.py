"""The school's "venues suited to us, nearest first": nearby venues found by the database.

A ladder of boxes around the school, each counted in one statement (every count stops at the
number wanted), tells the smallest radius that holds enough suited venues; the venues inside a
slightly wider circle are the candidates, and geopy measures the exact distance of those
alone. The work depends on how many venues lie near the school, not on how many there are.
"""

import functools
import math

import sqlalchemy as sa
from sqlalchemy.orm import lazyload

from models import School, Venue, db
from models.venue import venue_stages
from webapp.services.geo import EARTH_KM_PER_DEGREE, bounding_box, distance_km

#: radii tried, in km; the last reaches across the province from anywhere inside it
LADDER_KM = (1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024)
#: the local flat projection and the great circle differ by under 1.5 % across the province;
#: every bound below allows this much either way
SLACK = 1.05
#: distances are shown and ranked to 0.1 km: a venue up to 0.05 km farther can tie
ROUNDING_KM = 0.1
#: candidates read at once; more are read only when that many tie at the edge
CANDIDATE_CAP = 400


# The statements are built once, with the origin, radii and stages as parameters: building
# and hashing a ladder of expressions anew costs more than running it.
def _planar_km2():
    """Squared distance from the origin in km² on a flat projection around it (SQL)."""
    dy = (Venue.lat - sa.bindparam("lat", type_=sa.Float)) * EARTH_KM_PER_DEGREE
    dx = (Venue.lng - sa.bindparam("lng", type_=sa.Float)) * sa.bindparam("kx", type_=sa.Float)
    return dy * dy + dx * dx


_BOX = ("min_lat", "max_lat", "min_lng", "max_lng", "r2")


def _within(key: str) -> list:
    """WHERE clauses for the venues within radius `key`: the indexed box, then the circle."""
    bound = {name: sa.bindparam(f"{name}_{key}", type_=sa.Float) for name in _BOX}
    return [
        Venue.lat.between(bound["min_lat"], bound["max_lat"]),
        Venue.lng.between(bound["min_lng"], bound["max_lng"]),
        _planar_km2() <= bound["r2"],
    ]


def _box_params(origin: tuple[float, float], radius_km: float, key: str) -> dict:
    values = (*bounding_box(*origin, radius_km), radius_km**2)
    return {f"{name}_{key}": value for name, value in zip(_BOX, values, strict=True)}


def _suited(has_stages: bool) -> list:
    if not has_stages:
        return []
    stages = sa.bindparam("stages", expanding=True)
    return [
        sa.exists().where(venue_stages.c.venue_id == Venue.id, venue_stages.c.stage.in_(stages))
    ]


@functools.cache
def _ladder_statement(has_stages: bool, limit: int):
    counts = []
    for i in range(len(LADDER_KM)):
        some = sa.select(Venue.id).where(*_within(str(i)), *_suited(has_stages)).limit(limit)
        counts.append(sa.select(sa.func.count()).select_from(some.subquery()).scalar_subquery())
    return sa.select(*counts)


@functools.cache
def _candidate_statement(has_stages: bool, has_bound: bool, has_cap: bool):
    stmt = sa.select(Venue.id, Venue.lat, Venue.lng).where(*_suited(has_stages))
    if has_bound:
        stmt = stmt.where(*_within("bound"))
    stmt = stmt.order_by(_planar_km2(), Venue.id)
    return stmt.limit(sa.bindparam("cap", type_=sa.Integer)) if has_cap else stmt


@functools.cache
def _venues_statement():
    return (
        sa.select(Venue)
        .where(Venue.id.in_(sa.bindparam("ids", expanding=True)))
        .options(lazyload(Venue.category_rows), lazyload(Venue.stage_rows))
    )


def _origin_params(school: School) -> dict:
    params = {
        "lat": school.lat,
        "lng": school.lng,
        "kx": EARTH_KM_PER_DEGREE * math.cos(math.radians(school.lat)),
    }
    if school.stages:
        params["stages"] = school.stages
    return params


def _first_radius_holding(school: School, limit: int) -> float | None:
    """The smallest radius of the ladder whose circle holds `limit` suited venues, or None."""
    params = _origin_params(school)
    origin = (school.lat, school.lng)
    for i, radius in enumerate(LADDER_KM):
        params.update(_box_params(origin, radius, str(i)))
    row = db.session.execute(_ladder_statement(bool(school.stages), limit), params).one()
    return next((r for r, n in zip(LADDER_KM, row, strict=True) if n >= limit), None)


def _candidates(school: School, bound_km: float | None, *, cap: int | None) -> list:
    params = _origin_params(school)
    if bound_km is not None:
        params.update(_box_params((school.lat, school.lng), bound_km, "bound"))
    if cap:
        params["cap"] = cap
    stmt = _candidate_statement(bool(school.stages), bound_km is not None, bool(cap))
    return db.session.execute(stmt, params).all()


def _ranked(origin, rows) -> list[tuple[float, int]]:
    """(distance in km to 0.1, id), nearest first; ties by id, the table's own order."""
    return sorted((round(distance_km(origin, (lat, lng)), 1), vid) for vid, lat, lng in rows)


def list_venues_for_school(school: School, *, limit: int = 20) -> list[tuple[Venue, float]]:
    """Venues suited to the school's stages, nearest to the school first, with distance in km.

    Rules: a venue is suited when it takes one of the school's stages (every venue when the
    school names none). Distances are great-circle, to 0.1 km; equal distances keep the order
    of the venues' ids. When fewer than `limit` venues are suited, all of them are listed.
    A constant number of statements: one counts the ladder, one reads the candidates (a second
    only when more than CANDIDATE_CAP tie at the edge), one loads the venues listed.
    """
    origin = (school.lat, school.lng)
    radius = _first_radius_holding(school, limit)
    # The `limit`-th nearest lies within radius·SLACK; anything that could tie with it within
    # radius·SLACK + rounding, measured on the flat projection with the slack again.
    bound = None if radius is None else (radius * SLACK + ROUNDING_KM) * SLACK
    rows = _candidates(school, bound, cap=CANDIDATE_CAP)
    ranked = _ranked(origin, rows)
    if radius is not None and len(rows) == CANDIDATE_CAP and len(ranked) >= limit:
        edge = (ranked[limit - 1][0] + ROUNDING_KM) * SLACK
        if math.sqrt(_planar_of(origin, rows[-1])) <= edge:
            ranked = _ranked(origin, _candidates(school, edge, cap=None))
    ranked = ranked[:limit]
    found = db.session.scalars(_venues_statement(), {"ids": [vid for _km, vid in ranked]})
    venues = {v.id: v for v in found}
    return [(venues[vid], km) for km, vid in ranked if vid in venues]


def _planar_of(origin: tuple[float, float], row) -> float:
    lat, lng = origin
    dy = (row.lat - lat) * EARTH_KM_PER_DEGREE
    dx = (row.lng - lng) * EARTH_KM_PER_DEGREE * math.cos(math.radians(lat))
    return dy * dy + dx * dx
