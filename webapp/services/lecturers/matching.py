"""Matching a talk request to lecturers: which pools serve a county, who is free on which
wanted date, and the ranking of the candidates a bureau assigns from."""

from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa

from models import Lecturer, LectureRequest, LecturerPool, LectureStatus, Region, db
from webapp.services import clock
from webapp.services.geo import distance_km
from webapp.services.lecturers.figures import semester_bounds
from webapp.services.permissions import county_ids_within


@dataclass
class Candidate:
    lecturer: Lecturer
    has_topic: bool
    #: 0 the host county's own pool, 1 the city pool, 2 another county's pool in the city
    pool_rank: int
    distance_km: float
    talks_this_term: int
    #: the first wanted date the lecturer is free on, or None
    free_on: date | None
    #: wanted dates already taken by another talk
    booked_on: list[date] = field(default_factory=list)
    #: wanted dates that are not among the lecturer's usual free days
    not_usual_on: list[date] = field(default_factory=list)

    @property
    def is_free(self) -> bool:
        return self.free_on is not None

    @property
    def sort_key(self):
        return (
            not self.has_topic,
            not self.is_free,
            self.pool_rank,
            int(self.distance_km // 10),
            self.talks_this_term,
            self.distance_km,
            self.lecturer.name,
            self.lecturer.id,
        )


def serving_pools(county: Region) -> dict[int, int]:
    """{pool id: rank} of the pools that serve a county (ranks as in Candidate.pool_rank)."""
    city = county.parent
    region_ids = [county.id]
    if city is not None:
        region_ids.append(city.id)
        region_ids.extend(county_ids_within(city))
    pools = db.session.scalars(
        sa.select(LecturerPool).where(LecturerPool.region_id.in_(region_ids))
    ).all()
    ranks = {}
    for pool in pools:
        if pool.region_id == county.id:
            ranks[pool.id] = 0
        elif city is not None and pool.region_id == city.id:
            ranks[pool.id] = 1
        else:
            ranks[pool.id] = 2
    return ranks


def booked_days(lecturer_ids, days, *, exclude_request_id=None) -> dict[int, set[date]]:
    """{lecturer id: the days among `days` they already have a talk assigned or given}."""
    if not lecturer_ids or not days:
        return {}
    stmt = sa.select(LectureRequest.lecturer_id, LectureRequest.scheduled_on).where(
        LectureRequest.lecturer_id.in_(lecturer_ids),
        LectureRequest.scheduled_on.in_(days),
        LectureRequest.status.in_([LectureStatus.ASSIGNED, LectureStatus.DELIVERED]),
    )
    if exclude_request_id is not None:
        stmt = stmt.where(LectureRequest.id != exclude_request_id)
    booked: dict[int, set[date]] = {}
    for lecturer_id, day in db.session.execute(stmt):
        booked.setdefault(lecturer_id, set()).add(day)
    return booked


def _talks_between(lecturer_ids, start: date, end: date) -> dict[int, int]:
    if not lecturer_ids:
        return {}
    rows = db.session.execute(
        sa.select(LectureRequest.lecturer_id, sa.func.count())
        .where(
            LectureRequest.lecturer_id.in_(lecturer_ids),
            LectureRequest.status == LectureStatus.DELIVERED,
            LectureRequest.delivered_on.between(start, end),
        )
        .group_by(LectureRequest.lecturer_id)
    ).all()
    return {lecturer_id: count for lecturer_id, count in rows}


def rank_candidates(req: LectureRequest, *, now: datetime | None = None) -> list[Candidate]:
    """Active lecturers who could give this talk, best first.

    Rules: lecturers of the pools serving the host's county (its own pool, the city pool,
    then other county pools of the city), retired ones left out. Ranked by: speaking on the
    topic; being free on a wanted date (in their term, usually free that weekday, no other
    talk that day); own county before city before neighbouring counties; distance from the
    host in 10 km bands; fewest talks given this term; then exact distance.
    """
    ranks = serving_pools(req.county)
    if not ranks:
        return []
    lecturers = db.session.scalars(
        sa.select(Lecturer).where(Lecturer.pool_id.in_(list(ranks)), Lecturer.is_retired.is_(False))
    ).all()
    day = clock.today(now)
    days = [d for d in req.wanted_dates if d >= day]
    ids = [lec.id for lec in lecturers]
    booked = booked_days(ids, days, exclude_request_id=req.id)
    start, end = semester_bounds(day)
    talks = _talks_between(ids, start, end)
    host = req.host
    candidates = []
    for lecturer in lecturers:
        taken = sorted(booked.get(lecturer.id, set()))
        not_usual = [d for d in days if not lecturer.is_usually_free_on(d)]
        free = [
            d for d in days if d not in taken and d not in not_usual and lecturer.is_in_term_on(d)
        ]
        candidates.append(
            Candidate(
                lecturer=lecturer,
                has_topic=any(t.id == req.topic_id for t in lecturer.topics),
                pool_rank=ranks[lecturer.pool_id],
                distance_km=round(
                    distance_km((host.lat, host.lng), (lecturer.lat, lecturer.lng)), 1
                ),
                talks_this_term=talks.get(lecturer.id, 0),
                free_on=free[0] if free else None,
                booked_on=taken,
                not_usual_on=not_usual,
            )
        )
    candidates.sort(key=lambda c: c.sort_key)
    return candidates
