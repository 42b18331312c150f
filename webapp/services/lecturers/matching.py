"""Matching a talk request to lecturers: which pools serve a county, who is free on which
wanted date, and the ranking of the candidates a bureau assigns from."""

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa

from models import Lecturer, LectureRequest, LecturerPool, LectureStatus, Region, db
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


def free_days(lecturer: Lecturer, days: list[date], taken) -> list[date]:
    """The days among `days` the lecturer is free on: in their term, usually free that
    weekday, and not in `taken` (days of another talk)."""
    return [
        d
        for d in days
        if d not in taken and lecturer.is_usually_free_on(d) and lecturer.is_in_term_on(d)
    ]
