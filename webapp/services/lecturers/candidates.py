"""Ranking the lecturers who could give a requested talk: the bureau's assign page.

The database ranks every active lecturer of the pools serving the host's county in one
statement (topic, free on a wanted date, pool, 10 km distance band, talks this term, distance,
name) and returns one page of ids; only that page is loaded and described. The work per page
is a constant number of statements, whatever the size of the pools.
"""

import math
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from geopy.distance import EARTH_RADIUS

from models import Lecturer, LectureRequest, LectureStatus, db
from models.lecturer import lecturer_topics
from webapp.services import clock
from webapp.services.geo import distance_km
from webapp.services.lecturers.figures import semester_bounds
from webapp.services.lecturers.matching import Candidate, booked_days, free_days, serving_pools

#: candidates a page shows unless asked otherwise, and the most it shows
PER_PAGE = 20
MAX_PER_PAGE = 50
#: pages beyond this are refused: nobody reads the 500th page of suggestions
MAX_PAGE = 500

_TAKING = (LectureStatus.ASSIGNED, LectureStatus.DELIVERED)


@dataclass
class CandidatePage:
    candidates: list[Candidate]
    page: int
    per_page: int
    has_more: bool


def _great_circle_km(origin: tuple[float, float]):
    """The great-circle distance from origin to the lecturer (SQL), as geopy computes it."""
    lat1, lng1 = (math.radians(x) for x in origin)
    sin1, cos1 = math.sin(lat1), math.cos(lat1)
    lat2 = Lecturer.lat * _RADIANS
    dlng = Lecturer.lng * _RADIANS - lng1
    sin2, cos2 = sa.func.sin(lat2), sa.func.cos(lat2)
    east = cos2 * sa.func.sin(dlng)
    north = cos1 * sin2 - sin1 * cos2 * sa.func.cos(dlng)
    return EARTH_RADIUS * sa.func.atan2(
        sa.func.sqrt(east * east + north * north), sin1 * sin2 + cos1 * cos2 * sa.func.cos(dlng)
    )


_RADIANS = math.pi / 180


def _free_on_clause(day: date, request_id: int | None):
    """The lecturer is free on `day`: usually free that weekday, in term, no other talk."""
    taken = sa.exists().where(
        LectureRequest.lecturer_id == Lecturer.id,
        LectureRequest.scheduled_on == day,
        LectureRequest.status.in_(_TAKING),
    )
    if request_id is not None:
        taken = taken.where(LectureRequest.id != request_id)
    return sa.and_(
        ("," + Lecturer.free_weekdays_csv + ",").like(f"%,{day.isoweekday()},%"),
        sa.or_(Lecturer.term_starts_on.is_(None), Lecturer.term_starts_on <= day),
        sa.or_(Lecturer.term_ends_on.is_(None), Lecturer.term_ends_on >= day),
        ~taken,
    )


def _ranked_rows(req: LectureRequest, ranks: dict[int, int], days: list[date], today: date):
    """SELECT (lecturer id, talks this term) of every candidate, in the ranking's order."""
    host = req.host
    start, end = semester_bounds(today)
    has_topic = sa.exists().where(
        lecturer_topics.c.lecturer_id == Lecturer.id, lecturer_topics.c.topic_id == req.topic_id
    )
    is_free = sa.or_(*(_free_on_clause(d, req.id) for d in days)) if days else sa.false()
    # counted once for the term and joined: as a correlated count, SQLite would walk every
    # delivered talk for each lecturer through the status index
    given = (
        sa.select(LectureRequest.lecturer_id, sa.func.count().label("talks"))
        .where(
            LectureRequest.status == LectureStatus.DELIVERED,
            LectureRequest.delivered_on.between(start, end),
        )
        .group_by(LectureRequest.lecturer_id)
        .subquery()
    )
    talks = sa.func.coalesce(given.c.talks, 0)
    # shown to 0.1 km, and ranked on what is shown
    km = sa.func.floor(_great_circle_km((host.lat, host.lng)) * 10 + 0.5) / 10
    # Each key is computed once a row, in a materialised step: written out in the ORDER BY
    # the distance would be worked out twice (for its band and itself)
    keyed = (
        sa.select(
            sa.case((has_topic, 0), else_=1).label("topic_key"),
            sa.case((is_free, 0), else_=1).label("free_key"),
            sa.case(ranks, value=Lecturer.pool_id).label("pool_key"),
            talks.label("talks"),
            km.label("km"),
            Lecturer.name.label("name"),
            Lecturer.id.label("id"),
        )
        .outerjoin(given, given.c.lecturer_id == Lecturer.id)
        .where(Lecturer.pool_id.in_(list(ranks)), Lecturer.is_retired.is_(False))
        .cte("keyed")
        .prefix_with("MATERIALIZED")
    )
    k = keyed.c
    name = k.name
    if db.session.get_bind().dialect.name == "postgresql":
        name = name.collate("C")  # code-point order, as Python sorts names
    return sa.select(k.id, k.talks).order_by(
        k.topic_key,
        k.free_key,
        k.pool_key,
        sa.func.floor(k.km / 10),
        k.talks,
        k.km,
        name,
        k.id,
    )


def _describe(req, rows, ranks, days) -> list[Candidate]:
    """Candidates for (lecturer id, talks) rows, in their order: one load, one booked-days query."""
    ids = [row.id for row in rows]
    lecturers = {
        lec.id: lec for lec in db.session.scalars(sa.select(Lecturer).where(Lecturer.id.in_(ids)))
    }
    booked = booked_days(ids, days, exclude_request_id=req.id)
    host = req.host
    candidates = []
    for row in rows:
        lecturer = lecturers[row.id]
        taken = sorted(booked.get(lecturer.id, set()))
        free = free_days(lecturer, days, taken)
        candidates.append(
            Candidate(
                lecturer=lecturer,
                has_topic=any(t.id == req.topic_id for t in lecturer.topics),
                pool_rank=ranks[lecturer.pool_id],
                distance_km=round(
                    distance_km((host.lat, host.lng), (lecturer.lat, lecturer.lng)), 1
                ),
                talks_this_term=row.talks,
                free_on=free[0] if free else None,
                booked_on=taken,
                not_usual_on=[d for d in days if not lecturer.is_usually_free_on(d)],
            )
        )
    return candidates


def rank_candidates(
    req: LectureRequest,
    *,
    now: datetime | None = None,
    offset: int = 0,
    limit: int | None = None,
) -> list[Candidate]:
    """Active lecturers who could give this talk, best first (`limit` of them from `offset`).

    Rules: lecturers of the pools serving the host's county (its own pool, the city pool,
    then other county pools of the city), retired ones left out. Ranked by: speaking on the
    topic; being free on a wanted date (in their term, usually free that weekday, no other
    talk that day); own county before city before neighbouring counties; distance from the
    host in 10 km bands; fewest talks given this term; then exact distance, name and id.
    """
    ranks = serving_pools(req.county)
    if not ranks:
        return []
    today = clock.today(now)
    days = [d for d in req.wanted_dates if d >= today]
    stmt = _ranked_rows(req, ranks, days, today).offset(offset)
    if limit is not None:
        stmt = stmt.limit(limit)
    return _describe(req, db.session.execute(stmt).all(), ranks, days)


def list_candidates(
    req: LectureRequest,
    *,
    page: int = 1,
    per_page: int = PER_PAGE,
    now: datetime | None = None,
) -> CandidatePage:
    """One page of `rank_candidates`, and whether more follow.

    Rules: `page` is 1 to MAX_PAGE and `per_page` 1 to MAX_PER_PAGE; values outside are
    brought inside (the forms refuse them before they get here).
    """
    page = min(max(page, 1), MAX_PAGE)
    per_page = min(max(per_page, 1), MAX_PER_PAGE)
    found = rank_candidates(req, now=now, offset=(page - 1) * per_page, limit=per_page + 1)
    return CandidatePage(found[:per_page], page, per_page, has_more=len(found) > per_page)
