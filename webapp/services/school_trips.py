"""The school's "venues suited to us, nearest first": nearby venues found by the database.

A ladder of boxes around the school, each counted in one statement (every count stops at the
number wanted), tells the smallest radius that holds enough suited venues; the venues inside a
slightly wider circle are the candidates, and geopy measures the exact distance of those
alone. The work depends on how many venues lie near the school, not on how many there are.
"""

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


def _planar_km2(origin: tuple[float, float]):
    """Squared distance from origin in km² on a flat projection around it (SQL expression)."""
    lat, lng = origin
    kx = EARTH_KM_PER_DEGREE * math.cos(math.radians(lat))
    dy = (Venue.lat - lat) * EARTH_KM_PER_DEGREE
    dx = (Venue.lng - lng) * kx
    return dy * dy + dx * dx


def _within(origin: tuple[float, float], radius_km: float) -> list:
    """WHERE clauses for the venues within radius_km: the indexed box, then the circle."""
    min_lat, max_lat, min_lng, max_lng = bounding_box(*origin, radius_km)
    return [
        Venue.lat.between(min_lat, max_lat),
        Venue.lng.between(min_lng, max_lng),
        _planar_km2(origin) <= radius_km**2,
    ]


def _suited(school: School) -> list:
    stages = school.stages
    if not stages:
        return []
    return [
        sa.exists().where(venue_stages.c.venue_id == Venue.id, venue_stages.c.stage.in_(stages))
    ]


def _first_radius_holding(origin, suited: list, limit: int) -> float | None:
    """The smallest radius of the ladder whose circle holds `limit` suited venues, or None."""
    counts = []
    for radius in LADDER_KM:
        some = sa.select(Venue.id).where(*_within(origin, radius), *suited).limit(limit).subquery()
        counts.append(sa.select(sa.func.count()).select_from(some).scalar_subquery())
    row = db.session.execute(sa.select(*counts)).one()
    return next((r for r, n in zip(LADDER_KM, row, strict=True) if n >= limit), None)


def _candidates(origin, suited: list, bound_km: float | None, *, cap: int | None) -> list:
    stmt = sa.select(Venue.id, Venue.lat, Venue.lng).where(*suited)
    if bound_km is not None:
        stmt = stmt.where(*_within(origin, bound_km))
    stmt = stmt.order_by(_planar_km2(origin), Venue.id)
    return db.session.execute(stmt.limit(cap) if cap else stmt).all()


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
    suited = _suited(school)
    radius = _first_radius_holding(origin, suited, limit)
    # The `limit`-th nearest lies within radius·SLACK; anything that could tie with it within
    # radius·SLACK + rounding, measured on the flat projection with the slack again.
    bound = None if radius is None else (radius * SLACK + ROUNDING_KM) * SLACK
    rows = _candidates(origin, suited, bound, cap=CANDIDATE_CAP)
    ranked = _ranked(origin, rows)
    if radius is not None and len(rows) == CANDIDATE_CAP and len(ranked) >= limit:
        edge = (ranked[limit - 1][0] + ROUNDING_KM) * SLACK
        if math.sqrt(_planar_of(origin, rows[-1])) <= edge:
            ranked = _ranked(origin, _candidates(origin, suited, edge, cap=None))
    ranked = ranked[:limit]
    venues = {
        v.id: v
        for v in db.session.scalars(
            sa.select(Venue)
            .where(Venue.id.in_([vid for _km, vid in ranked]))
            .options(lazyload(Venue.category_rows), lazyload(Venue.stage_rows))
        )
    }
    return [(venues[vid], km) for km, vid in ranked if vid in venues]


def _planar_of(origin: tuple[float, float], row) -> float:
    lat, lng = origin
    dy = (row.lat - lat) * EARTH_KM_PER_DEGREE
    dx = (row.lng - lng) * EARTH_KM_PER_DEGREE * math.cos(math.radians(lat))
    return dy * dy + dx * dx
