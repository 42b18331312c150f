"""The figures bureaus supervise the pool by, and the notice's numbers they are held to."""

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import gettext as _

from models import (
    GuidanceStation,
    Lecturer,
    LecturerCategory,
    LectureRequest,
    LecturerPool,
    LectureStatus,
    Region,
    School,
    db,
)
from webapp.services import clock
from webapp.services.errors import PermissionDenied, ServiceError
from webapp.services.lecturers.pools import list_pools
from webapp.services.permissions import can_manage_region, county_ids_within, region_ids_within

#: the notice's numbers: item 2 (schools, per semester) and item 7 (stations, per year)
SCHOOL_ACTIVITIES_PER_SEMESTER = 2
STATION_ACTIVITIES_PER_YEAR = 4


def semester_bounds(day: date) -> tuple[date, date]:
    """The school semester holding `day`: spring is February to July, autumn August to
    January."""
    if 2 <= day.month <= 7:
        return date(day.year, 2, 1), date(day.year, 7, 31)
    start_year = day.year if day.month >= 8 else day.year - 1
    return date(start_year, 8, 1), date(start_year + 1, 1, 31)


@dataclass
class Figures:
    region: Region
    start: date
    end: date
    lecturers_by_category: list[tuple[LecturerCategory, int]]
    lecturers_by_pool: list[tuple[LecturerPool, int]]
    talks_given: int
    people_reached: int
    schools_served: int
    stations_served: int
    semester: tuple[date, date]
    year: int
    #: (school, talks this semester) of schools under the notice's 2 a semester
    schools_behind: list[tuple[School, int]]
    #: (station, talks this year) of stations under the notice's 4 a year
    stations_behind: list[tuple[GuidanceStation, int]]


def _lecturer_counts(region: Region):
    """(by category in the enum's order, by pool in adcode order) of active lecturers."""
    active_in_region = sa.and_(
        Lecturer.is_retired.is_(False), LecturerPool.region_id.in_(region_ids_within(region))
    )
    by_category = db.session.execute(
        sa.select(Lecturer.category, sa.func.count())
        .join(LecturerPool, Lecturer.pool_id == LecturerPool.id)
        .where(active_in_region)
        .group_by(Lecturer.category)
    ).all()
    order = list(LecturerCategory)
    by_category = sorted(((c, n) for c, n in by_category), key=lambda row: order.index(row[0]))
    by_pool_rows = db.session.execute(
        sa.select(LecturerPool.id, sa.func.count())
        .join(Lecturer, Lecturer.pool_id == LecturerPool.id)
        .where(active_in_region)
        .group_by(LecturerPool.id)
    ).all()
    pools = {p.id: p for p in list_pools(region)}
    by_pool = sorted(
        ((pools[pid], n) for pid, n in by_pool_rows if pid in pools),
        key=lambda row: row[0].region.adcode,
    )
    return by_category, by_pool


def _hosts_behind(delivered, county_ids: list[int], day: date):
    """Schools under their semester's and stations under their year's number of talks."""
    sem_start, sem_end = semester_bounds(day)
    school_talks = (
        sa.select(sa.func.count(LectureRequest.id))
        .where(
            delivered,
            LectureRequest.school_id == School.id,
            LectureRequest.delivered_on.between(sem_start, sem_end),
        )
        .correlate(School)
        .scalar_subquery()
    )
    schools_behind = db.session.execute(
        sa.select(School, school_talks)
        .where(School.county_id.in_(county_ids), school_talks < SCHOOL_ACTIVITIES_PER_SEMESTER)
        .order_by(school_talks, School.name)
    ).all()
    station_talks = (
        sa.select(sa.func.count(LectureRequest.id))
        .where(
            delivered,
            LectureRequest.station_id == GuidanceStation.id,
            LectureRequest.delivered_on.between(date(day.year, 1, 1), date(day.year, 12, 31)),
        )
        .correlate(GuidanceStation)
        .scalar_subquery()
    )
    stations_behind = db.session.execute(
        sa.select(GuidanceStation, station_talks)
        .where(
            GuidanceStation.county_id.in_(county_ids),
            station_talks < STATION_ACTIVITIES_PER_YEAR,
        )
        .order_by(station_talks, GuidanceStation.name)
    ).all()
    return [(s, n) for s, n in schools_behind], [(s, n) for s, n in stations_behind]


def get_figures(
    region: Region, start: date, end: date, *, by, now: datetime | None = None
) -> Figures:
    """The lecturer pool's figures for a region and a period, and the hosts falling behind.

    Rules: bureau staff of the region; lecturers counted are the active ones in pools of the
    region; talks are those delivered in the period at hosts in the region; schools behind
    have fewer than 2 talks delivered this semester, stations fewer than 4 this calendar year.
    Raises: PermissionDenied; ServiceError when the period ends before it starts.
    """
    if not can_manage_region(by, region):
        raise PermissionDenied(_("You cannot see the figures of this region."))
    if end < start:
        raise ServiceError(_("The period cannot end before it starts."), field="end")
    county_ids = county_ids_within(region)
    by_category, by_pool = _lecturer_counts(region)
    delivered = sa.and_(
        LectureRequest.status == LectureStatus.DELIVERED,
        LectureRequest.county_id.in_(county_ids),
    )
    talks, people, schools, stations = db.session.execute(
        sa.select(
            sa.func.count(LectureRequest.id),
            sa.func.coalesce(sa.func.sum(LectureRequest.audience_reached), 0),
            sa.func.count(sa.distinct(LectureRequest.school_id)),
            sa.func.count(sa.distinct(LectureRequest.station_id)),
        ).where(delivered, LectureRequest.delivered_on.between(start, end))
    ).one()
    day = clock.today(now)
    schools_behind, stations_behind = _hosts_behind(delivered, county_ids, day)
    return Figures(
        region=region,
        start=start,
        end=end,
        lecturers_by_category=by_category,
        lecturers_by_pool=by_pool,
        talks_given=talks,
        people_reached=int(people or 0),
        schools_served=schools,
        stations_served=stations,
        semester=semester_bounds(day),
        year=day.year,
        schools_behind=schools_behind,
        stations_behind=stations_behind,
    )
