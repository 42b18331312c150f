"""A small world of people and places for access tests: two counties of one city, one county
of another city, a venue and a school in each, and one user for every role in the matrix.

Beyond the places and people it holds what the later areas protect: a session at each venue
some days ahead, bookings (a family's, a school group's waiting for approval, and one nobody of
the matrix owns), a lecturer and a guidance station in counties x and z, and a talk request
from each school. A second user of some roles (family2, school_y, county_y) exists for the
tests that swap the ids of two users' objects.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from models import Role, RoleGrant, db
from tests import factories
from tests.factories import make_school, make_venue
from webapp.services import clock

#: the roles of the access matrix, in the order the matrix lists them
ROLES = ["anon", "family", "school", "venue_a", "venue_b", "county", "city", "admin"]


@dataclass
class World:
    regions: dict
    users: dict = field(default_factory=dict)
    venues: dict = field(default_factory=dict)
    schools: dict = field(default_factory=dict)
    grants: dict = field(default_factory=dict)
    sessions: dict = field(default_factory=dict)
    bookings: dict = field(default_factory=dict)
    lecturers: dict = field(default_factory=dict)
    stations: dict = field(default_factory=dict)
    requests: dict = field(default_factory=dict)
    topic: object = None

    def ids(self) -> dict:
        """Placeholders that matrix paths may use: {venue_a}, {school_x}, {pending_y},
        {session_a}, {booking_family_a} (a booking's code), {lecturer_z}, {station_x},
        {request_y}, {topic}, {user_waiting_x} …"""
        values = {f"venue_{k}": v.id for k, v in self.venues.items()}
        values.update({f"school_{k}": s.id for k, s in self.schools.items()})
        values.update({f"pending_{k}": g.id for k, g in self.grants.items()})
        values.update({f"user_waiting_{k}": g.user_id for k, g in self.grants.items()})
        values.update({f"session_{k}": s.id for k, s in self.sessions.items()})
        values.update({f"booking_{k}": b.code for k, b in self.bookings.items()})
        values.update({f"lecturer_{k}": x.id for k, x in self.lecturers.items()})
        values.update({f"station_{k}": x.id for k, x in self.stations.items()})
        values.update({f"request_{k}": x.id for k, x in self.requests.items()})
        values["topic"] = self.topic.id if self.topic is not None else 0
        values["missing"] = 987654
        values["missing_code"] = "ZZZZ9999"
        values["wanted_on"] = self.requests["x"].wanted_on.isoformat() if self.requests else ""
        values["in_a_week"] = (clock.today() + timedelta(days=7)).isoformat()
        return values


def _user(role, *, email, **scope):
    """A user of the world, named after the local part of the e-mail address."""
    return factories.make_user(role, email=email, name=email.split("@")[0], **scope)


def build_world(regions) -> World:
    xiaodian, yingze, pingcheng = regions["140105"], regions["140106"], regions["140213"]
    world = World(regions={"x": xiaodian, "y": yingze, "z": pingcheng})
    world.venues = {
        "a": make_venue(xiaodian, slug="venue-a", name="甲馆"),
        "b": make_venue(yingze, slug="venue-b", name="乙馆"),
        "c": make_venue(pingcheng, slug="venue-c", name="丙馆"),
    }
    world.schools = {
        "x": make_school(xiaodian, name="小店测试小学"),
        "y": make_school(yingze, name="迎泽测试小学"),
        "z": make_school(pingcheng, name="平城测试小学"),
    }
    u = world.users
    u["family"] = _user(Role.FAMILY, email="family@example.cn")
    u["school"] = _user(Role.SCHOOL_STAFF, email="school@example.cn", school=world.schools["x"])
    u["venue_a"] = _user(
        Role.VENUE_STAFF, email="venue-a@example.cn", venue=world.venues["a"], is_manager=True
    )
    u["venue_b"] = _user(Role.VENUE_STAFF, email="venue-b@example.cn", venue=world.venues["b"])
    u["county"] = _user(Role.BUREAU_STAFF, email="county@example.cn", region=xiaodian)
    u["city"] = _user(Role.BUREAU_STAFF, email="city@example.cn", region=xiaodian.parent)
    u["admin"] = _user(Role.ADMIN, email="admin@example.cn")
    # second users of a role, for the id-swap tests (not rows of the matrix)
    u["family2"] = _user(Role.FAMILY, email="family2@example.cn")
    u["school_y"] = _user(
        Role.SCHOOL_STAFF, email="school-y@example.cn", school=world.schools["y"]
    )
    u["county_y"] = _user(Role.BUREAU_STAFF, email="county-y@example.cn", region=yingze)
    for key, school in world.schools.items():
        waiting = _user(None, email=f"waiting-{key}@example.cn")
        grant = RoleGrant(role=Role.SCHOOL_STAFF, school=school, is_approved=False)
        waiting.grants.append(grant)
        db.session.flush()
        world.grants[key] = grant
    _add_bookings(world)
    _add_lecturer_pool(world)
    db.session.commit()
    return world


def _add_bookings(world: World) -> None:
    """A session at each venue ten days ahead and the bookings the access tests reach for."""
    from models import BookingChannel, BookingKind, BookingStatus, Slot
    from models.user import utcnow
    from webapp.services.booking.requests import new_code
    from webapp.services.clock import local_date

    starts_at = utcnow().replace(microsecond=0, second=0) + timedelta(days=10)
    for key, venue in world.venues.items():
        session = Slot(
            venue_id=venue.id,
            starts_at=starts_at,
            ends_at=starts_at + timedelta(hours=2),
            capacity=200,
            green_quota=50,
        )
        db.session.add(session)
        world.sessions[key] = session
    db.session.flush()

    def booking(key, session_key, booker, *, school=None, status=BookingStatus.CONFIRMED):
        session = world.sessions[session_key]
        is_group = school is not None
        made = Booking(
            code=new_code(),
            slot_id=session.id,
            visit_on=local_date(session.starts_at),
            channel=BookingChannel.GREEN if is_group else BookingChannel.GENERAL,
            kind=BookingKind.SCHOOL_GROUP if is_group else BookingKind.FAMILY,
            status=status,
            booker_id=booker.id,
            school_id=school.id if is_group else None,
            idempotency_key=f"world-{key}",
            primary_pupils=40 if is_group else 1,
            teachers=2 if is_group else 0,
            adults=0 if is_group else 1,
            places=42 if is_group else 2,
            group_name="三年级二班" if is_group else "",
            lead_teacher="李老师" if is_group else "",
            contact_name="李老师" if is_group else "王女士",
            contact_phone="13900139000" if is_group else "13800138000",
        )
        if is_group:
            session.taken_green += made.places
        else:
            session.taken_general += made.places
        db.session.add(made)
        world.bookings[key] = made

    from models import Booking

    u, s = world.users, world.schools
    booking("family_a", "a", u["family"])
    booking("family_b", "b", u["family"])
    booking("family2_a", "a", u["family2"])
    booking("family2_c", "c", u["family2"])
    booking("school_x", "a", u["school"], school=s["x"], status=BookingStatus.PENDING)
    booking("school_y", "b", u["school_y"], school=s["y"], status=BookingStatus.PENDING)
    db.session.flush()


def _add_lecturer_pool(world: World) -> None:
    """A topic; a lecturer and a guidance station in counties x and z; a talk request from
    each school, waiting for a lecturer."""
    from models import (
        GuidanceStation,
        Lecturer,
        LecturerCategory,
        LectureRequest,
        LecturerPool,
        LectureStatus,
        Topic,
    )

    world.topic = Topic(name="隔代教育", name_en="Grandparents raising children")
    db.session.add(world.topic)
    for key in ("x", "z"):
        county = world.regions[key]
        pool = LecturerPool(region=county, name=f"{county.name}家庭教育讲师团")
        lecturer = Lecturer(
            pool=pool,
            name=f"讲师{key}",
            category=LecturerCategory.RETIRED_TEACHER,
            phone=f"1390000000{'1' if key == 'x' else '2'}",
            bio="退休教师。",
            lat=county.lat,
            lng=county.lng,
        )
        lecturer.topics = [world.topic]
        lecturer.free_weekdays = [1, 2, 3, 4, 5, 6, 7]
        world.lecturers[key] = lecturer
        world.stations[key] = GuidanceStation(
            county=county,
            name=f"{county.name}测试指导站",
            community=f"{county.name}测试社区",
            address=f"{county.name}测试社区1号",
            lat=county.lat,
            lng=county.lng,
        )
        db.session.add_all([pool, lecturer, world.stations[key]])
    wanted_on = clock.today() + timedelta(days=20)
    for key, school in world.schools.items():
        world.requests[key] = LectureRequest(
            school=school,
            county_id=school.county_id,
            topic=world.topic,
            wanted_on=wanted_on,
            expected_audience=60,
            place="学校报告厅",
            status=LectureStatus.REQUESTED,
        )
        db.session.add(world.requests[key])
    db.session.flush()


def login_as(client, user) -> None:
    """Sign a test client in as `user` without going through the (slow, rate-limited) form."""
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True


def dispose(app) -> None:
    """Close the connection pools of an extra app made inside a test (PostgreSQL warns else)."""
    with app.app_context():
        for engine in db.engines.values():
            engine.dispose()
