"""The bureau's supervision dashboard: a region's venues, visits, schools and guidance figures.

Item 11 of the notice asks city and county bureaus to assess how co-education works; items 2
and 7 set the guidance targets (2 activities a semester per school, 4 a year per station). Every
figure is aggregated in SQL: visits come from the monthly rollups (``supervision/rollups.py``),
venues, schools and guidance activities from their own small tables.
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from operator import attrgetter

import sqlalchemy as sa
import sqlalchemy.orm
from flask_babel import gettext as _

from models import (
    CountyMonthRollup,
    GuidanceActivity,
    GuidanceStation,
    LectureRequest,
    LectureStatus,
    Region,
    RegionLevel,
    RollupRefresh,
    School,
    SchoolMonthRollup,
    Venue,
    VenueCategory,
    VenueMonthRollup,
    db,
    venue,
)
from models.user import utcnow
from webapp.services.clock import local_date
from webapp.services.errors import PermissionDenied, ServiceError
from webapp.services.lecturers.figures import (
    SCHOOL_ACTIVITIES_PER_SEMESTER,
    STATION_ACTIVITIES_PER_YEAR,
    semester_bounds,
)
from webapp.services.permissions import can_manage_region, manageable_regions, scope_regions
from webapp.services.supervision import rollups

MAX_MONTHS = 60
GROUPS = tuple(rollups.GROUP_COLUMNS)
#: how many venues the most- and least-visited lists show
RANKED = 10


def month_start(day: date) -> date:
    return day.replace(day=1)


def months_between(start: date, end: date) -> list[date]:
    months, current = [], month_start(start)
    while current <= end:
        months.append(current)
        current = date(current.year + current.month // 12, current.month % 12 + 1, 1)
    return months


def check_period(start: date, end: date) -> None:
    """Raises ServiceError when the period ends before it starts or spans over 5 years."""
    if end < start:
        raise ServiceError(_("The period cannot end before it starts."), field="end")
    if len(months_between(start, end)) > MAX_MONTHS:
        raise ServiceError(_("The period cannot span more than 5 years."), field="end")


def region_filter(region: Region, county_column, city_column) -> sa.ColumnElement[bool]:
    """Rows of `region` by a county and a city column (the province keeps everything)."""
    if region.level is RegionLevel.COUNTY:
        return county_column == region.id
    if region.level is RegionLevel.CITY:
        return city_column == region.id
    return sa.true()


def _county_filter(region: Region, county_column) -> sa.ColumnElement[bool]:
    if region.level is RegionLevel.COUNTY:
        return county_column == region.id
    if region.level is RegionLevel.CITY:
        counties = sa.select(Region.id).where(Region.parent_id == region.id)
        return county_column.in_(counties)
    return sa.true()


@dataclass
class VenueUse:
    venue_id: int
    name: str
    lat: float
    lng: float
    county_id: int
    booked: int
    arrived: int


@dataclass
class HostCount:
    """A school or station and its guidance activities (own ones plus delivered talks)."""

    host_id: int
    name: str
    county_id: int
    activities: int
    is_behind: bool


@dataclass
class Dashboard:
    region: Region
    start: date
    end: date
    refreshed_at: datetime | None
    venues_total: int
    venues_by_category: list[tuple[VenueCategory, int]]
    venues_by_county: list[tuple[Region, int]]
    #: month → rollup field → sum
    months: dict[date, dict[str, int]]
    totals: dict[str, int]
    most_visited: list[VenueUse]
    least_visited: list[VenueUse]
    #: (id, name, lat, lng, county id, booked, arrived) of every venue, most visited first
    venue_use: list[tuple]
    semester: tuple[date, date]
    year: int
    schools_total: int
    #: (school id, name, trips in the period, trips this semester)
    school_trips: list[tuple[int, str, int, int]]
    schools_without_trip: list[tuple[int, str]]
    schools_guidance: list[HostCount]
    stations_guidance: list[HostCount]
    talks_delivered: int
    talk_audience: int
    school_target: int = SCHOOL_ACTIVITIES_PER_SEMESTER
    station_target: int = STATION_ACTIVITIES_PER_YEAR
    notes: list[str] = field(default_factory=list)

    @property
    def schools_behind(self) -> list[HostCount]:
        return [h for h in self.schools_guidance if h.is_behind]

    @property
    def stations_behind(self) -> list[HostCount]:
        return [h for h in self.stations_guidance if h.is_behind]


def _venues_by_category(region: Region):
    links = venue.venue_categories
    query = sa.select(links.c.category, sa.func.count()).group_by(links.c.category)
    if region.level is not RegionLevel.PROVINCE:
        query = query.join(Venue, Venue.id == links.c.venue_id).where(
            region_filter(region, Venue.county_id, Venue.city_id)
        )
    order = list(VenueCategory)
    return sorted(db.session.execute(query).all(), key=lambda row: order.index(row[0]))


def _venues_by_county(region: Region, venues_total: int) -> list[tuple[Region, int]]:
    """(county, venues) of the region, counted in SQL, by adcode (a county is its own one
    row, of the venues already counted)."""
    if region.level is RegionLevel.COUNTY:
        return [(region, venues_total)] if venues_total else []
    counted = (
        sa.select(Venue.county_id, sa.func.count().label("n"))
        .where(region_filter(region, Venue.county_id, Venue.city_id))
        .group_by(Venue.county_id)
        .subquery()
    )
    rows = db.session.execute(
        sa.select(Region, counted.c.n)
        .join(counted, counted.c.county_id == Region.id)
        .order_by(Region.adcode)
    ).all()
    return [(county, int(n)) for county, n in rows]


def _month_key(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _months(region: Region, start: date, end: date) -> dict[date, dict[str, int]]:
    r = CountyMonthRollup
    fields = rollups.VENUE_FIELDS
    rows = db.session.execute(
        sa.select(r.month, *[sa.func.sum(getattr(r, k)).label(k) for k in fields])
        .where(
            region_filter(region, r.county_id, r.city_id),
            r.month.between(month_start(start), month_start(end)),
        )
        .group_by(r.month)
        .order_by(r.month)
    ).mappings()
    return {_month_key(row["month"]): {k: int(row[k] or 0) for k in fields} for row in rows}


def _venue_use(region: Region, months: list[date]) -> list[tuple]:
    """(id, name, lat, lng, county id, booked, arrived) of every venue of the region over the
    region's held `months`, most visited first.

    Reads two rollup rows a venue: its running totals at the last month, less those at the
    first plus that month's own figures. Every venue has a row for every held month, and a
    month the region holds no figures for adds nothing to its venues.
    """
    first, last = (months[0], months[-1]) if months else (None, None)
    r_last, r_first = sa.orm.aliased(VenueMonthRollup), sa.orm.aliased(VenueMonthRollup)

    def period(kind: str):
        until = sa.func.coalesce(getattr(r_last, f"running_{kind}"), 0)
        since = sa.func.coalesce(getattr(r_first, f"running_{kind}"), 0)
        return until - since + sa.func.coalesce(getattr(r_first, f"visitors_{kind}"), 0)

    booked, arrived = period("booked"), period("arrived")
    return db.session.execute(
        sa.select(Venue.id, Venue.name, Venue.lat, Venue.lng, Venue.county_id, booked, arrived)
        .outerjoin(r_last, sa.and_(r_last.venue_id == Venue.id, r_last.month == last))
        .outerjoin(r_first, sa.and_(r_first.venue_id == Venue.id, r_first.month == first))
        .where(region_filter(region, Venue.county_id, Venue.city_id))
        # most visited first; the least visited are the last rows (ties by id: sorting ten
        # thousand names by the Chinese collation would cost more than the rest of the query)
        .order_by(arrived.desc(), booked.desc(), Venue.id)
    ).all()


def _trips(region: Region, start: date, end: date, semester: tuple[date, date]):
    """(school id, trips in the period, trips this semester): one pass over the school
    rollups of both spans."""
    r = SchoolMonthRollup
    spans = {"period": (start, end), "term": semester}

    def trips(first: date, last: date):
        inside = r.month.between(month_start(first), month_start(last))
        return sa.func.sum(sa.case((inside, r.trips), else_=0))

    return (
        sa.select(r.school_id, *[trips(*span).label(name) for name, span in spans.items()])
        .where(
            _county_filter(region, r.county_id),
            r.month.between(month_start(min(start, semester[0])), max(end, semester[1])),
        )
        .group_by(r.school_id)
        .subquery()
    )


def _activities(region: Region, host_column, talk_column, first: date, last: date):
    """(host id, guidance activities held on [first, last]): own ones plus delivered talks."""
    own = (
        sa.select(host_column.label("host_id"), sa.func.count().label("n"))
        .where(
            host_column.is_not(None),
            GuidanceActivity.held_on.between(first, last),
            _county_filter(region, GuidanceActivity.county_id),
        )
        .group_by(host_column)
    )
    talks = (
        sa.select(talk_column.label("host_id"), sa.func.count().label("n"))
        .where(
            talk_column.is_not(None),
            LectureRequest.status == LectureStatus.DELIVERED,
            LectureRequest.delivered_on.between(first, last),
            _county_filter(region, LectureRequest.county_id),
        )
        .group_by(talk_column)
    )
    both = sa.union_all(own, talks).subquery()
    return (
        sa.select(both.c.host_id, sa.func.sum(both.c.n).label("n"))
        .group_by(both.c.host_id)
        .subquery()
    )


def _schools(region: Region, start: date, end: date, semester: tuple[date, date]):
    """(id, name, county id, trips in the period, trips this semester, guidance activities
    this semester) of every school of the region, by name: one query for both figures."""
    trips = _trips(region, start, end, semester)
    held = _activities(region, GuidanceActivity.school_id, LectureRequest.school_id, *semester)
    rows = db.session.execute(
        sa.select(
            School.id,
            School.name,
            School.county_id,
            sa.func.coalesce(trips.c.period, 0),
            sa.func.coalesce(trips.c.term, 0),
            sa.func.coalesce(held.c.n, 0),
        )
        .outerjoin(trips, trips.c.school_id == School.id)
        .outerjoin(held, held.c.host_id == School.id)
        .where(_county_filter(region, School.county_id))
        .order_by(School.name)
    ).all()
    return [(i, n, c, int(p), int(t), int(a)) for i, n, c, p, t, a in rows]


def _stations(region: Region, year: tuple[date, date]) -> list[HostCount]:
    held = _activities(region, GuidanceActivity.station_id, LectureRequest.station_id, *year)
    activities = sa.func.coalesce(held.c.n, 0)
    rows = db.session.execute(
        sa.select(GuidanceStation.id, GuidanceStation.name, GuidanceStation.county_id, activities)
        .outerjoin(held, held.c.host_id == GuidanceStation.id)
        .where(_county_filter(region, GuidanceStation.county_id))
        .order_by(activities, GuidanceStation.name)
    ).all()
    target = STATION_ACTIVITIES_PER_YEAR
    return [HostCount(i, n, c, int(a), int(a) < target) for i, n, c, a in rows]


def find_region(adcode: str) -> Region | None:
    if not adcode.isdigit() or len(adcode) != 6:
        return None
    return db.session.scalar(sa.select(Region).where(Region.adcode == adcode))


def dashboard_regions(user) -> list[Region]:
    """The regions a user may open the dashboard for: their scopes and what lies inside."""
    scopes = scope_regions(user)
    return scopes + [r for r in manageable_regions(user) if r not in scopes]


def get_dashboard(
    region: Region, start: date, end: date, *, by, now: datetime | None = None
) -> Dashboard:
    """Every figure of the dashboard for `region` over [start, end] (whole months).

    Rules: bureau staff whose scope covers the region (administrators anywhere); visits come
    from the rollups, so they are as fresh as their last refresh; "this semester" and "this
    year" are those holding today's local date; a school is behind with fewer than 2 guidance
    activities (its own plus delivered talks) this semester, a station with fewer than 4 this
    calendar year.
    Raises: PermissionDenied for a region outside the scope; ServiceError for a bad period.
    """
    if not can_manage_region(by, region):
        raise PermissionDenied(_("This region is outside your scope."))
    check_period(start, end)
    today = local_date(now or utcnow())
    semester = semester_bounds(today)
    months = _months(region, start, end)
    totals = {k: sum(m[k] for m in months.values()) for k in rollups.VENUE_FIELDS}
    use = _venue_use(region, sorted(months))
    schools = _schools(region, start, end, semester)
    year = (date(today.year, 1, 1), date(today.year, 12, 31))
    # the rollups' last refresh rides along with the talks: one round trip for both
    refreshed = sa.select(RollupRefresh.refreshed_at).where(RollupRefresh.id == 1)
    talks, audience, refreshed_at = db.session.execute(
        sa.select(
            sa.func.count(LectureRequest.id),
            sa.func.coalesce(sa.func.sum(LectureRequest.audience_reached), 0),
            refreshed.scalar_subquery(),
        ).where(
            LectureRequest.status == LectureStatus.DELIVERED,
            LectureRequest.delivered_on.between(start, end),
            _county_filter(region, LectureRequest.county_id),
        )
    ).one()
    return Dashboard(
        region=region,
        start=month_start(start),
        end=end,
        refreshed_at=refreshed_at,
        venues_total=len(use),
        venues_by_category=_venues_by_category(region),
        venues_by_county=_venues_by_county(region, len(use)),
        months=months,
        totals=totals,
        most_visited=[VenueUse(*row) for row in use[:RANKED]],
        least_visited=[VenueUse(*row) for row in reversed(use[-RANKED:])]
        if len(use) > RANKED
        else [],
        venue_use=use,
        semester=semester,
        year=today.year,
        schools_total=len(schools),
        school_trips=[(i, n, p, t) for i, n, _c, p, t, _a in schools if p > 0],
        schools_without_trip=[(i, n) for i, n, _c, _p, t, _a in schools if t == 0],
        # fewest activities first; names stay in order within a count (the sort is stable)
        schools_guidance=sorted(
            (
                HostCount(i, n, c, a, a < SCHOOL_ACTIVITIES_PER_SEMESTER)
                for i, n, c, _p, _t, a in schools
            ),
            key=attrgetter("activities"),
        ),
        stations_guidance=_stations(region, year),
        talks_delivered=int(talks),
        talk_audience=int(audience or 0),
    )
