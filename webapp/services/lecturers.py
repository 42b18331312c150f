"""The family-education lecturer pool: the public directory, bureau upkeep of pools, topics
and guidance stations, talks requested by schools and stations (ranking candidates,
assigning, recording delivery or cancellation) and the figures bureaus supervise by.

A city pool serves every county of its city; a county pool serves its own county first and
its neighbours in the same city after that. Lecturers' phone numbers never leave this module
except through functions whose callers are bureau staff.
"""

from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from models import (
    GuidanceStation,
    Lecturer,
    LecturerCategory,
    LectureRequest,
    LecturerPool,
    LectureStatus,
    Region,
    RegionLevel,
    Role,
    School,
    Topic,
    db,
)
from models.lecturer import lecturer_topics
from models.user import utcnow
from webapp.services import clock, images, like
from webapp.services import text as text_rules
from webapp.services.errors import NotFound, PermissionDenied, ServiceError
from webapp.services.geo import place_address
from webapp.services.outbox import send_message
from webapp.services.permissions import can, can_act_for_school, can_manage_region, is_admin
from webapp.services.transactions import unit_of_work

PHOTO_MAX_BYTES = images.MAX_UPLOAD_BYTES
#: a portrait on a lecturer's page is never shown larger
PHOTO_MAX_SIDE = 800
#: the notice's numbers: item 2 (schools, per semester) and item 7 (stations, per year)
SCHOOL_ACTIVITIES_PER_SEMESTER = 2
STATION_ACTIVITIES_PER_YEAR = 4
MAX_AUDIENCE = 100_000


_unit_of_work = unit_of_work


# ---------------------------------------------------------------- regions and scope


def county_ids_within(region: Region) -> list[int]:
    """Ids of the county-level divisions in `region` (itself when it is a county)."""
    if region.level is RegionLevel.COUNTY:
        return [region.id]
    if region.level is RegionLevel.CITY:
        return list(
            db.session.scalars(sa.select(Region.id).where(Region.parent_id == region.id)).all()
        )
    return list(
        db.session.scalars(sa.select(Region.id).where(Region.level == RegionLevel.COUNTY)).all()
    )


def region_ids_within(region: Region) -> list[int]:
    """Ids of `region` and of every city and county inside it."""
    if region.level is RegionLevel.COUNTY:
        return [region.id]
    if region.level is RegionLevel.CITY:
        return [region.id, *county_ids_within(region)]
    return list(db.session.scalars(sa.select(Region.id)).all())


def scope_regions(user) -> list[Region]:
    """The regions a user supervises as bureau staff (the province for an administrator)."""
    if is_admin(user):
        return list(
            db.session.scalars(
                sa.select(Region)
                .where(Region.level == RegionLevel.PROVINCE)
                .order_by(Region.adcode)
            ).all()
        )
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    return [g.region for g in user.active_grants(Role.BUREAU_STAFF) if g.region is not None]


def is_bureau(user) -> bool:
    """Bureau staff of any scope, or an administrator (permissions: ``bureau.console``)."""
    return can(user, "bureau.console")


def manageable_regions(user) -> list[Region]:
    """Cities and counties whose pools and stations the user may keep, ordered by adcode."""
    ids: set[int] = set()
    for region in scope_regions(user):
        ids.update(region_ids_within(region))
    if not ids:
        return []
    return list(
        db.session.scalars(
            sa.select(Region)
            .where(Region.id.in_(ids), Region.level != RegionLevel.PROVINCE)
            .order_by(Region.adcode)
        ).all()
    )


def _scope_county_ids(user) -> set[int]:
    ids: set[int] = set()
    for region in scope_regions(user):
        ids.update(county_ids_within(region))
    return ids


# ---------------------------------------------------------------- pools and topics


def pool_name(region: Region) -> str:
    return f"{region.name}家庭教育讲师团"


def _ensure_pool(region: Region) -> LecturerPool:
    if region.level not in (RegionLevel.CITY, RegionLevel.COUNTY):
        raise ServiceError(_("A lecturer pool belongs to a city or a county."), field="pool")
    pool = db.session.scalar(sa.select(LecturerPool).where(LecturerPool.region_id == region.id))
    if pool is None:
        pool = LecturerPool(region=region, name=pool_name(region))
        db.session.add(pool)
        db.session.flush()
    return pool


def list_pools(region: Region | None = None) -> list[LecturerPool]:
    stmt = sa.select(LecturerPool).join(LecturerPool.region).order_by(Region.adcode)
    if region is not None:
        stmt = stmt.where(LecturerPool.region_id.in_(region_ids_within(region)))
    return list(db.session.scalars(stmt).all())


def list_topics() -> list[Topic]:
    return list(db.session.scalars(sa.select(Topic).order_by(Topic.name)).all())


def save_topic(topic: Topic | None, name: str, name_en: str = "", *, by) -> Topic:
    """Add a topic to the list, or rename one.

    Rules: bureau staff of any region keep the shared list; names are unique.
    Raises: PermissionDenied; ServiceError when the name is empty or taken.
    """
    if not is_bureau(by):
        raise PermissionDenied(_("Only education-bureau staff can keep the list of topics."))
    name, name_en = (name or "").strip(), (name_en or "").strip()
    if not name:
        raise ServiceError(_("Give the topic a name."), field="name")
    with _unit_of_work():
        taken = db.session.scalar(sa.select(Topic).where(Topic.name == name))
        if taken is not None and taken is not topic:
            raise ServiceError(_("There is already a topic with that name."), field="name")
        if topic is None:
            topic = Topic()
            db.session.add(topic)
        topic.name, topic.name_en = name, name_en
        db.session.flush()
    return topic


def topics_by_name() -> dict[str, Topic]:
    return {t.name: t for t in list_topics()}


# ---------------------------------------------------------------- the public directory


@dataclass
class LecturerFilters:
    city: Region | None = None
    county: Region | None = None
    pool: LecturerPool | None = None
    category: LecturerCategory | None = None
    topic: Topic | None = None
    q: str = ""
    include_retired: bool = False


@dataclass
class LecturerPage:
    lecturers: list[Lecturer]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def _filtered_lecturers(filters: LecturerFilters) -> sa.Select:
    stmt = sa.select(Lecturer.id).join(LecturerPool, Lecturer.pool_id == LecturerPool.id)
    if not filters.include_retired:
        stmt = stmt.where(Lecturer.is_retired.is_(False))
    if filters.pool is not None:
        stmt = stmt.where(Lecturer.pool_id == filters.pool.id)
    if filters.county is not None:
        stmt = stmt.where(LecturerPool.region_id == filters.county.id)
    elif filters.city is not None:
        stmt = stmt.where(LecturerPool.region_id.in_(region_ids_within(filters.city)))
    if filters.category is not None:
        stmt = stmt.where(Lecturer.category == filters.category)
    if filters.topic is not None:
        stmt = stmt.where(
            sa.exists().where(
                lecturer_topics.c.lecturer_id == Lecturer.id,
                lecturer_topics.c.topic_id == filters.topic.id,
            )
        )
    if filters.q:
        stmt = stmt.where(like.contains(Lecturer.name, filters.q.strip()))
    return stmt


def search_lecturers(
    filters: LecturerFilters, *, page: int = 1, per_page: int = 24
) -> LecturerPage:
    """One page of lecturers matching `filters`, by pool then name; retired ones left out
    unless asked for."""
    sub = _filtered_lecturers(filters).subquery()
    total = db.session.scalar(sa.select(sa.func.count()).select_from(sub)) or 0
    lecturers = db.session.scalars(
        sa.select(Lecturer)
        .join(LecturerPool, Lecturer.pool_id == LecturerPool.id)
        .join(Region, LecturerPool.region_id == Region.id)
        .where(Lecturer.id.in_(sa.select(sub.c.id)))
        .order_by(Region.adcode, Lecturer.name, Lecturer.id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return LecturerPage(list(lecturers), total, page, per_page)


def get_lecturer(lecturer_id: int) -> Lecturer | None:
    return db.session.get(Lecturer, lecturer_id)


def get_public_lecturer(lecturer_id: int) -> Lecturer:
    """A lecturer the public may see: one who has not retired.

    Raises: NotFound.
    """
    lecturer = db.session.get(Lecturer, lecturer_id)
    if lecturer is None or lecturer.is_retired:
        raise NotFound(_("No such lecturer."))
    return lecturer


# ---------------------------------------------------------------- keeping the pool


@dataclass
class LecturerValues:
    name: str
    pool_region: Region
    category: LecturerCategory
    phone: str
    topics: list[Topic] = field(default_factory=list)
    bio: str = ""
    term_starts_on: date | None = None
    term_ends_on: date | None = None
    free_weekdays: list[int] = field(default_factory=list)
    address: str = ""
    #: the uploaded file, as sent, to replace the photo; None keeps it
    photo: bytes | None = None
    remove_photo: bool = False


def prepare_photo(data: bytes) -> images.StoredImage:
    """An uploaded photo made fit to store and show publicly.

    Rules: JPEG, PNG or WebP by content, not by file name; not empty; within the pixel and
    size bounds of services/images; re-encoded at most PHOTO_MAX_SIDE pixels on its longest
    side, without its metadata.
    Raises: ServiceError naming the field `photo`.
    """
    return images.prepare_image(data, field="photo", max_side=PHOTO_MAX_SIDE)


def _check_values(values: LecturerValues) -> None:
    if not text_rules.normalise(values.name):
        raise ServiceError(_("Give the lecturer's name."), field="name")
    if not text_rules.normalise(values.phone):
        raise ServiceError(_("Give the lecturer's phone number."), field="phone")
    text_rules.clean_line(values.name, field="name", max_length=60)
    text_rules.clean_line(values.address, field="address", max_length=200)
    text_rules.clean_phone(values.phone, field="phone")
    if (
        values.term_starts_on
        and values.term_ends_on
        and values.term_ends_on < values.term_starts_on
    ):
        raise ServiceError(_("The term cannot end before it starts."), field="term_ends_on")
    if any(d not in range(1, 8) for d in values.free_weekdays):
        raise ServiceError(_("Weekdays run from Monday to Sunday."), field="free_weekdays")


def _apply_values(
    lecturer: Lecturer, values: LecturerValues, photo: images.StoredImage | None = None
) -> None:
    # half-filled rows must not be flushed by the lookups below
    with db.session.no_autoflush:
        _set_values(lecturer, values, photo)


def _set_values(
    lecturer: Lecturer, values: LecturerValues, photo: images.StoredImage | None
) -> None:
    pool = _ensure_pool(values.pool_region)
    lecturer.pool = pool
    lecturer.name = text_rules.normalise(values.name)
    lecturer.category = values.category
    lecturer.phone = text_rules.clean_phone(values.phone)
    lecturer.topics = list(values.topics)
    lecturer.bio = values.bio.strip()
    lecturer.term_starts_on, lecturer.term_ends_on = values.term_starts_on, values.term_ends_on
    lecturer.free_weekdays = values.free_weekdays
    lecturer.address = text_rules.normalise(values.address)
    county = values.pool_region if values.pool_region.level is RegionLevel.COUNTY else None
    if lecturer.address:
        placed = place_address(lecturer.address, county)
        if placed.county is not None or not placed.is_approximate:
            lecturer.lat, lecturer.lng = placed.lat, placed.lng
        else:
            lecturer.lat, lecturer.lng = values.pool_region.lat, values.pool_region.lng
    else:
        lecturer.lat, lecturer.lng = values.pool_region.lat, values.pool_region.lng
    if values.remove_photo:
        lecturer.photo, lecturer.photo_type = None, ""
    if photo is not None:
        lecturer.photo, lecturer.photo_type = photo.data, photo.mime_type


def _duplicate_message(values: LecturerValues) -> str:
    return _(
        "%(name)s with this phone number is already in the %(pool)s.",
        name=values.name.strip(),
        pool=pool_name(values.pool_region),
    )


def save_lecturer(lecturer: Lecturer | None, values: LecturerValues, *, by) -> Lecturer:
    """Add a lecturer to a pool, or change one.

    Rules: the user must manage the region of the lecturer's pool (the old one and the new one
    when moving); a pool is made for the region on first use; the same name with the same
    phone cannot appear twice in one pool; coordinates come from the address when it can be
    placed, else from the pool's region.
    Raises: PermissionDenied; ServiceError naming the field at fault.
    """
    if lecturer is not None and not can_manage_region(by, lecturer.pool.region):
        raise PermissionDenied(_("You cannot change lecturers of this pool."))
    if not can_manage_region(by, values.pool_region):
        raise PermissionDenied(_("You cannot add lecturers to this pool."))
    # decoded before the transaction opens: it takes CPU time, not the database
    photo = prepare_photo(values.photo) if values.photo is not None else None
    _check_values(values)
    try:
        with _unit_of_work():
            _ensure_pool(values.pool_region)
            if lecturer is None:
                lecturer = Lecturer()
                db.session.add(lecturer)
            _apply_values(lecturer, values, photo)
            db.session.flush()
    except IntegrityError:
        raise ServiceError(_duplicate_message(values), field="name") from None
    return lecturer


def retire_lecturer(lecturer: Lecturer, *, by, is_retired: bool = True) -> Lecturer:
    """Take a lecturer off the active list (or bring them back).

    Rules: bureau staff of the pool's region; a retired lecturer leaves the public directory
    and cannot be assigned; talks already assigned to them stay as they are for the bureau to
    reassign.
    Raises: PermissionDenied.
    """
    if not can_manage_region(by, lecturer.pool.region):
        raise PermissionDenied(_("You cannot change lecturers of this pool."))
    with _unit_of_work():
        lecturer.is_retired = is_retired
    return lecturer


def list_managed_lecturers(by, filters: LecturerFilters | None = None) -> list[Lecturer]:
    """Every lecturer (active and retired) in the pools the user manages, for bureau pages."""
    regions = scope_regions(by)
    if not regions:
        return []
    ids: set[int] = set()
    for region in regions:
        ids.update(region_ids_within(region))
    stmt = _filtered_lecturers(filters or LecturerFilters(include_retired=True))
    stmt = stmt.where(LecturerPool.region_id.in_(ids))
    return list(
        db.session.scalars(
            sa.select(Lecturer)
            .join(LecturerPool, Lecturer.pool_id == LecturerPool.id)
            .join(Region, LecturerPool.region_id == Region.id)
            .where(Lecturer.id.in_(stmt))
            .order_by(Region.adcode, Lecturer.is_retired, Lecturer.name, Lecturer.id)
        ).all()
    )


# ---------------------------------------------------------------- guidance stations


@dataclass
class StationValues:
    name: str
    community: str
    county: Region
    address: str = ""
    lat: float | None = None
    lng: float | None = None


def list_stations(by=None, region: Region | None = None) -> list[GuidanceStation]:
    stmt = (
        sa.select(GuidanceStation)
        .join(GuidanceStation.county)
        .order_by(Region.adcode, GuidanceStation.name)
    )
    if region is not None:
        stmt = stmt.where(GuidanceStation.county_id.in_(county_ids_within(region)))
    elif by is not None and not is_admin(by):
        stmt = stmt.where(GuidanceStation.county_id.in_(_scope_county_ids(by) or {-1}))
    return list(db.session.scalars(stmt).all())


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
    if not values.name.strip():
        raise ServiceError(_("Give the station's name."), field="name")
    if not values.community.strip():
        raise ServiceError(_("Give the community the station serves."), field="community")
    if (values.lat is None) != (values.lng is None):
        raise ServiceError(_("Give both latitude and longitude, or neither."), field="lat")
    if values.lat is not None and not (-90 <= values.lat <= 90 and -180 <= values.lng <= 180):
        raise ServiceError(_("Latitude or longitude out of range."), field="lat")
    try:
        with _unit_of_work():
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
    except IntegrityError:
        raise ServiceError(
            _("There is already a station with that name in this county."), field="name"
        ) from None
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
    with _unit_of_work():
        db.session.delete(station)


def get_station(station_id: int) -> GuidanceStation | None:
    return db.session.get(GuidanceStation, station_id)


# ---------------------------------------------------------------- who may do what with a request


def can_act_for_host(user, host) -> bool:
    """School staff act for their school; a station is acted for by its county's bureau."""
    if isinstance(host, School):
        return can_act_for_school(user, host)
    if isinstance(host, GuidanceStation):
        return can_manage_region(user, host.county)
    return False


def can_assign(user, req: LectureRequest) -> bool:
    return can_manage_region(user, req.county)


def can_view_request(user, req: LectureRequest) -> bool:
    return can_assign(user, req) or can_act_for_host(user, req.host)


def can_record_outcome(user, req: LectureRequest) -> bool:
    return can_view_request(user, req)


def schools_for(user) -> list[School]:
    """Schools the user may request talks for."""
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    if is_admin(user):
        return list(db.session.scalars(sa.select(School).order_by(School.name)).all())
    ids = {g.school_id for g in user.active_grants(Role.SCHOOL_STAFF) if g.school_id}
    county_ids = _scope_county_ids(user)
    stmt = sa.select(School).order_by(School.name)
    conditions = []
    if ids:
        conditions.append(School.id.in_(ids))
    if county_ids:
        conditions.append(School.county_id.in_(county_ids))
    if not conditions:
        return []
    return list(db.session.scalars(stmt.where(sa.or_(*conditions))).all())


def can_request(user) -> bool:
    return bool(schools_for(user)) or is_bureau(user)


# ---------------------------------------------------------------- requests


@dataclass
class RequestValues:
    host: School | GuidanceStation
    topic: Topic
    wanted_on: date
    expected_audience: int
    place: str
    wanted_alt_on: date | None = None
    audience_note: str = ""


def create_request(values: RequestValues, *, by, now: datetime | None = None) -> LectureRequest:
    """A school or a station asks for a talk at its place.

    Rules: school staff ask for their own school, bureau staff for the stations (and schools)
    of their region; wanted dates are today or later and the second differs from the first;
    the expected audience is 1 to 100,000; the place is required (the host's address by
    default). The county's bureau is told through the outbox.
    Raises: PermissionDenied; ServiceError naming the field.
    """
    host = values.host
    if host is None:
        raise ServiceError(_("Choose the school or station."), field="host")
    if not (can_act_for_host(by, host) or can_manage_region(by, host.county)):
        raise PermissionDenied(_("You cannot ask for talks for this school or station."))
    if values.topic is None:
        raise ServiceError(_("Choose a topic."), field="topic")
    day = clock.today(now)
    if values.wanted_on is None:
        raise ServiceError(_("Give the date you want."), field="wanted_on")
    if values.wanted_on < day:
        raise ServiceError(_("The wanted date is in the past."), field="wanted_on")
    if values.wanted_alt_on is not None:
        if values.wanted_alt_on < day:
            raise ServiceError(_("The second date is in the past."), field="wanted_alt_on")
        if values.wanted_alt_on == values.wanted_on:
            raise ServiceError(
                _("The second date must differ from the first."), field="wanted_alt_on"
            )
    audience = values.expected_audience
    if audience is None or not 1 <= audience <= MAX_AUDIENCE:
        raise ServiceError(
            _("The expected audience must be between 1 and 100,000."), field="expected_audience"
        )
    place = (values.place or "").strip() or (host.address or "").strip()
    if not place:
        raise ServiceError(_("Say where the talk will be held."), field="place")
    with _unit_of_work():
        req = LectureRequest(
            school=host if isinstance(host, School) else None,
            station=host if isinstance(host, GuidanceStation) else None,
            county_id=host.county_id,
            topic=values.topic,
            wanted_on=values.wanted_on,
            wanted_alt_on=values.wanted_alt_on,
            expected_audience=audience,
            audience_note=(values.audience_note or "").strip()[:200],
            place=place[:200],
            status=LectureStatus.REQUESTED,
            requested_by_id=getattr(by, "id", None),
            created_at=now or utcnow(),
        )
        db.session.add(req)
        db.session.flush()
        for officer in _bureau_staff_over(host.county):
            _tell(
                officer.email or officer.phone or "",
                _("New request for a family-education talk"),
                _(
                    "%(host)s asks for a talk on %(topic)s on %(day)s.",
                    host=host.name,
                    topic=values.topic.name,
                    day=values.wanted_on.isoformat(),
                ),
                user=officer,
                now=now,
            )
    return req


def _bureau_staff_over(county: Region) -> list:
    """Enabled bureau staff whose region is the county, its city or the province."""
    from models import RoleGrant, User

    region_ids = []
    node = county
    while node is not None:
        region_ids.append(node.id)
        node = node.parent
    return list(
        db.session.scalars(
            sa.select(User)
            .join(RoleGrant, RoleGrant.user_id == User.id)
            .where(
                RoleGrant.role == Role.BUREAU_STAFF,
                RoleGrant.is_approved.is_(True),
                RoleGrant.region_id.in_(region_ids),
                User.is_enabled.is_(True),
            )
            .distinct()
        ).all()
    )


def get_request(request_id: int) -> LectureRequest | None:
    return db.session.get(LectureRequest, request_id)


def list_requests(*, by, status: LectureStatus | None = None) -> list[LectureRequest]:
    """The requests a user may see: the county's for bureau staff, their school's for school
    staff; open ones first, then by wanted date."""
    stmt = sa.select(LectureRequest)
    if not is_admin(by):
        county_ids = _scope_county_ids(by)
        school_ids = {g.school_id for g in by.active_grants(Role.SCHOOL_STAFF) if g.school_id}
        conditions = []
        if county_ids:
            conditions.append(LectureRequest.county_id.in_(county_ids))
        if school_ids:
            conditions.append(LectureRequest.school_id.in_(school_ids))
        if not conditions:
            return []
        stmt = stmt.where(sa.or_(*conditions))
    if status is not None:
        stmt = stmt.where(LectureRequest.status == status)
    open_first = sa.case(
        (LectureRequest.status == LectureStatus.REQUESTED, 0),
        (LectureRequest.status == LectureStatus.ASSIGNED, 1),
        else_=2,
    )
    stmt = stmt.order_by(open_first, LectureRequest.wanted_on, LectureRequest.id)
    return list(db.session.scalars(stmt).all())


def semester_bounds(day: date) -> tuple[date, date]:
    """The school semester holding `day`: spring is February to July, autumn August to
    January."""
    if 2 <= day.month <= 7:
        return date(day.year, 2, 1), date(day.year, 7, 31)
    start_year = day.year if day.month >= 8 else day.year - 1
    return date(start_year, 8, 1), date(start_year + 1, 1, 31)


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


def _serving_pools(county: Region) -> dict[int, int]:
    """{pool id: rank} of the pools that serve a county."""
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


def _booked_days(lecturer_ids, days, *, exclude_request_id=None) -> dict[int, set[date]]:
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


def _tell(recipient: str, subject: str, body: str, *, user=None, now=None) -> None:
    if recipient:
        send_message(recipient, subject, body, user=user, now=now)


def _host_contact(req: LectureRequest):
    user = req.requested_by
    if user is None:
        return None, ""
    return user, user.email or user.phone or ""


def assign_lecturer(
    req: LectureRequest,
    lecturer: Lecturer,
    *,
    on: date | None = None,
    by,
    now: datetime | None = None,
) -> LectureRequest:
    """Set a lecturer and a date for a requested talk, and tell the lecturer and the host.

    Rules: bureau staff of the host's county; the request is requested or already assigned
    (reassigning); the lecturer is active, in a pool serving the host's county, and has no
    other talk that day; the date is one of the wanted dates and not past (the first free
    one when not given).
    Raises: PermissionDenied; ServiceError with the reason.
    """
    if not can_assign(by, req):
        raise PermissionDenied(_("Only the education bureau of the host's county can assign."))
    if not req.is_open:
        raise ServiceError(_("This request is closed: it was delivered or cancelled."))
    if lecturer is None:
        raise ServiceError(_("Choose a lecturer."), field="lecturer_id")
    if lecturer.is_retired:
        raise ServiceError(
            _("%(name)s has retired from the pool and cannot be assigned.", name=lecturer.name),
            field="lecturer_id",
        )
    if lecturer.pool_id not in _serving_pools(req.county):
        raise ServiceError(
            _("%(name)s's pool does not serve this county.", name=lecturer.name),
            field="lecturer_id",
        )
    day = clock.today(now)
    if on is None:
        days = [d for d in req.wanted_dates if d >= day]
        taken = _booked_days([lecturer.id], days, exclude_request_id=req.id).get(lecturer.id, ())
        on = next(iter(free_days(lecturer, days, taken)), None) or next(iter(days), None)
    if on is None or on not in req.wanted_dates:
        raise ServiceError(_("Choose one of the dates the host asked for."), field="on")
    if on < day:
        raise ServiceError(_("That date is in the past."), field="on")
    if _booked_days([lecturer.id], [on], exclude_request_id=req.id):
        raise ServiceError(
            _("%(name)s already has a talk on %(day)s.", name=lecturer.name, day=on.isoformat()),
            field="lecturer_id",
        )
    with _unit_of_work():
        req.lecturer = lecturer
        req.scheduled_on = on
        req.status = LectureStatus.ASSIGNED
        req.assigned_at = now or utcnow()
        host_user, host_contact = _host_contact(req)
        subject = _("Family-education talk on %(day)s", day=on.isoformat())
        _tell(
            lecturer.phone,
            subject,
            _(
                "You are asked to give a talk on %(topic)s at %(host)s, %(place)s, on %(day)s "
                "for about %(n)s people.",
                topic=req.topic.name,
                host=req.host_name,
                place=req.place,
                day=on.isoformat(),
                n=req.expected_audience,
            ),
            now=now,
        )
        _tell(
            host_contact,
            subject,
            _(
                "%(lecturer)s will give the talk on %(topic)s at %(host)s on %(day)s.",
                lecturer=lecturer.name,
                topic=req.topic.name,
                host=req.host_name,
                day=on.isoformat(),
            ),
            user=host_user,
            now=now,
        )
        db.session.flush()
    return req


@dataclass
class DeliveryValues:
    delivered_on: date
    audience_reached: int
    feedback_score: int
    feedback_comment: str = ""


def record_delivery(
    req: LectureRequest, values: DeliveryValues, *, by, now: datetime | None = None
) -> LectureRequest:
    """Record that an assigned talk was given: when, to how many, and the host's feedback.

    Rules: the host (or the county's bureau); the talk is assigned; the date is not in the
    future; the audience is 0 to 100,000; the score is 1 to 5.
    Raises: PermissionDenied; ServiceError naming the field.
    """
    if not can_record_outcome(by, req):
        raise PermissionDenied(_("You cannot record this talk."))
    if req.status is not LectureStatus.ASSIGNED:
        raise ServiceError(_("Only a talk with an assigned lecturer can be recorded as given."))
    if values.delivered_on is None:
        raise ServiceError(_("Give the date of the talk."), field="delivered_on")
    if values.delivered_on > clock.today(now):
        raise ServiceError(_("The talk's date cannot be in the future."), field="delivered_on")
    if values.audience_reached is None or not 0 <= values.audience_reached <= MAX_AUDIENCE:
        raise ServiceError(
            _("The audience must be between 0 and 100,000."), field="audience_reached"
        )
    if values.feedback_score is None or not 1 <= values.feedback_score <= 5:
        raise ServiceError(_("The score runs from 1 to 5."), field="feedback_score")
    with _unit_of_work():
        req.status = LectureStatus.DELIVERED
        req.delivered_on = values.delivered_on
        req.audience_reached = values.audience_reached
        req.feedback_score = values.feedback_score
        req.feedback_comment = (values.feedback_comment or "").strip()[:2000]
        req.delivered_at = now or utcnow()
    return req


def cancel_request(
    req: LectureRequest, reason: str, *, by, now: datetime | None = None
) -> LectureRequest:
    """Cancel a talk that has not been given, with a reason; an assigned lecturer is told.

    Rules: the host or the county's bureau; only requested or assigned talks; a reason is
    required.
    Raises: PermissionDenied; ServiceError naming the field.
    """
    if not can_record_outcome(by, req):
        raise PermissionDenied(_("You cannot cancel this talk."))
    if not req.is_open:
        raise ServiceError(_("This request is closed: it was delivered or cancelled."))
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError(_("Say why the talk is cancelled."), field="reason")
    with _unit_of_work():
        if req.status is LectureStatus.ASSIGNED and req.lecturer is not None:
            _tell(
                req.lecturer.phone,
                _("Talk cancelled"),
                _(
                    "The talk at %(host)s on %(day)s is cancelled: %(reason)s",
                    host=req.host_name,
                    day=req.scheduled_on.isoformat(),
                    reason=reason,
                ),
                now=now,
            )
        req.status = LectureStatus.CANCELLED
        req.cancel_reason = reason[:2000]
        req.cancelled_at = now or utcnow()
    return req


# ---------------------------------------------------------------- figures


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
    region_ids = region_ids_within(region)
    county_ids = county_ids_within(region)
    active_in_region = sa.and_(
        Lecturer.is_retired.is_(False), LecturerPool.region_id.in_(region_ids)
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
        semester=(sem_start, sem_end),
        year=day.year,
        schools_behind=[(s, n) for s, n in schools_behind],
        stations_behind=[(s, n) for s, n in stations_behind],
    )
