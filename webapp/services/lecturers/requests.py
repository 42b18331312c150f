"""Talk requests: a school or a station asks, the county's bureau assigns a lecturer, and the
host (or the bureau) records the talk as given or cancels it. Who may do each is the
``lecture.*`` rules of services/permissions.py.

`MOVES` is the table of a request's moves. Each is one compare-and-set on the state the caller
read (status, lecturer and date), so of two bureau users assigning at once, or an assignment
meeting a cancellation, one stands and the other is told that someone else handled the request
first; the messages of the move that lost are rolled back with it."""

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm.attributes import set_committed_value

from models import (
    GuidanceStation,
    Lecturer,
    LectureRequest,
    LectureStatus,
    Region,
    Role,
    RoleGrant,
    School,
    Topic,
    User,
    db,
)
from webapp.services import clock
from webapp.services.compare_and_set import compare_and_set
from webapp.services.errors import PermissionDenied, ServiceError
from webapp.services.lecturers.matching import booked_days, free_days, serving_pools
from webapp.services.outbox import absolute_url, send_message
from webapp.services.permissions import (
    bureau_regions,
    can,
    is_admin,
    school_ids_of,
    scope_clause,
)
from webapp.services.transactions import unit_of_work

MAX_AUDIENCE = 100_000

L = LectureStatus
#: action → (the states it may start from, the state it ends in)
MOVES: dict[str, tuple[frozenset[LectureStatus], LectureStatus]] = {
    "assign": (frozenset({L.REQUESTED, L.ASSIGNED}), L.ASSIGNED),
    "record": (frozenset({L.ASSIGNED}), L.DELIVERED),
    "cancel": (frozenset({L.REQUESTED, L.ASSIGNED}), L.CANCELLED),
}

#: Only the race tests' control runs turn this off, to show the harness can see a race.
_guard = True


class RequestConflict(ServiceError):
    """Someone else moved the request between the caller's read and its write."""

    status_code = 409


def _move(req: LectureRequest, action: str, **values) -> None:
    """Move `req` by `action` with one compare-and-set on what the caller read (flushes
    nothing, commits nothing: the caller's unit of work holds the move and its messages).
    Raises: RequestConflict when the request changed meanwhile."""
    allowed, to = MOVES[action]
    if req.status not in allowed:
        raise RequestConflict(_("This request was just handled by someone else: please refresh."))
    seen = {"status": req.status, "lecturer_id": req.lecturer_id, "scheduled_on": req.scheduled_on}
    values = {"status": to, **values}
    if not compare_and_set(LectureRequest, req.id, seen=seen, values=values, guarded=_guard):
        raise RequestConflict(_("This request was just handled by someone else: please refresh."))
    for name, value in values.items():
        set_committed_value(req, name, value)


@dataclass
class RequestValues:
    host: School | GuidanceStation
    topic: Topic
    wanted_on: date
    expected_audience: int
    place: str
    wanted_alt_on: date | None = None
    audience_note: str = ""


@dataclass
class DeliveryValues:
    delivered_on: date
    audience_reached: int
    feedback_score: int
    feedback_comment: str = ""


def list_host_schools(user) -> list[School]:
    """Schools the user may ask for talks for: school staff their own school, bureau staff
    the schools of their region, administrators every school; by name."""
    stmt = sa.select(School).order_by(School.name)
    if not is_admin(user):
        school_ids = school_ids_of(user)
        if not school_ids and not bureau_regions(user):
            return []
        stmt = stmt.where(sa.or_(School.id.in_(school_ids), scope_clause(user, School.county_id)))
    return list(db.session.scalars(stmt).all())


def get_request(request_id: int) -> LectureRequest | None:
    return db.session.get(LectureRequest, request_id)


def list_requests(*, by, status: LectureStatus | None = None) -> list[LectureRequest]:
    """The requests a user may see: the county's for bureau staff, their school's for school
    staff; open ones first, then by wanted date."""
    stmt = sa.select(LectureRequest)
    if not is_admin(by):
        school_ids = school_ids_of(by)
        if not school_ids and not bureau_regions(by):
            return []
        stmt = stmt.where(
            sa.or_(
                scope_clause(by, LectureRequest.county_id),
                LectureRequest.school_id.in_(school_ids),
            )
        )
    if status is not None:
        stmt = stmt.where(LectureRequest.status == status)
    open_first = sa.case(
        (LectureRequest.status == LectureStatus.REQUESTED, 0),
        (LectureRequest.status == LectureStatus.ASSIGNED, 1),
        else_=2,
    )
    stmt = stmt.order_by(open_first, LectureRequest.wanted_on, LectureRequest.id)
    return list(db.session.scalars(stmt).all())


def _check_request(values: RequestValues, day: date) -> None:
    if values.topic is None:
        raise ServiceError(_("Choose a topic."), field="topic")
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
    if not can(by, "lecture.request", host):
        raise PermissionDenied(_("You cannot ask for talks for this school or station."))
    _check_request(values, clock.today(now))
    place = (values.place or "").strip() or (host.address or "").strip()
    if not place:
        raise ServiceError(_("Say where the talk will be held."), field="place")
    with unit_of_work():
        req = LectureRequest(
            school=host if isinstance(host, School) else None,
            station=host if isinstance(host, GuidanceStation) else None,
            county_id=host.county_id,
            topic=values.topic,
            wanted_on=values.wanted_on,
            wanted_alt_on=values.wanted_alt_on,
            expected_audience=values.expected_audience,
            audience_note=(values.audience_note or "").strip()[:200],
            place=place[:200],
            status=LectureStatus.REQUESTED,
            requested_by_id=getattr(by, "id", None),
            created_at=now or clock.now(),
        )
        db.session.add(req)
        db.session.flush()
        for officer in _bureau_staff_over(host.county):
            _tell(
                officer.email or officer.phone or "",
                _l("New request for a family-education talk"),
                _l(
                    "%(host)s asks for a talk on %(topic)s on %(day)s.",
                    host=host.name,
                    topic=_TopicName(values.topic),
                    day=values.wanted_on.isoformat(),
                ),
                user=officer,
                now=now,
                link=_request_link(req),
            )
    return req


def _bureau_staff_over(county: Region) -> list[User]:
    """Enabled bureau staff whose region is the county, its city or the province."""
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


class _TopicName:
    """A topic's name in the language a message is being written in (the recipient's)."""

    def __init__(self, topic: Topic):
        self.topic = topic

    def __str__(self) -> str:
        return self.topic.display_name(str(get_locale() or "zh"))


def _request_link(req: LectureRequest) -> str:
    return absolute_url("lecturers.request_detail", request_id=req.id)


def _lecturer_account(lecturer: Lecturer) -> User | None:
    """The enabled account with the lecturer's phone, if any: its language is theirs."""
    if not lecturer.phone:
        return None
    return db.session.scalars(
        sa.select(User).where(User.phone == lecturer.phone, User.is_enabled.is_(True))
    ).first()


def _tell(recipient: str, subject, body, *, user=None, now=None, link: str = "") -> None:
    """Queue a message; subject and body are lazy strings, written in the recipient's
    language (see outbox.send_message), with a link under BASE_URL."""
    if recipient:
        send_message(recipient, subject, body, user=user, now=now, link=link)


def _tell_lecturer(lecturer: Lecturer, subject, body, *, now=None) -> None:
    _tell(
        lecturer.phone,
        subject,
        body,
        user=_lecturer_account(lecturer),
        now=now,
        link=absolute_url("lecturers.lecturer", lecturer_id=lecturer.id),
    )


def _host_contact(req: LectureRequest):
    user = req.requested_by
    if user is None:
        return None, ""
    return user, user.email or user.phone or ""


def _check_assignable(req: LectureRequest, lecturer: Lecturer | None) -> None:
    if not req.is_open:
        raise ServiceError(_("This request is closed: it was delivered or cancelled."))
    if lecturer is None:
        raise ServiceError(_("Choose a lecturer."), field="lecturer_id")
    if lecturer.is_retired:
        raise ServiceError(
            _("%(name)s has retired from the pool and cannot be assigned.", name=lecturer.name),
            field="lecturer_id",
        )
    if lecturer.pool_id not in serving_pools(req.county):
        raise ServiceError(
            _("%(name)s's pool does not serve this county.", name=lecturer.name),
            field="lecturer_id",
        )


def _talk_day(req: LectureRequest, lecturer: Lecturer, on: date | None, now) -> date:
    """The date asked for, else the lecturer's first free wanted date, else the first wanted
    date not past; checked to be a wanted date, not past, and free for the lecturer."""
    day = clock.today(now)
    if on is None:
        days = [d for d in req.wanted_dates if d >= day]
        taken = booked_days([lecturer.id], days, exclude_request_id=req.id).get(lecturer.id, ())
        on = next(iter(free_days(lecturer, days, taken)), None) or next(iter(days), None)
    if on is None or on not in req.wanted_dates:
        raise ServiceError(_("Choose one of the dates the host asked for."), field="on")
    if on < day:
        raise ServiceError(_("That date is in the past."), field="on")
    if booked_days([lecturer.id], [on], exclude_request_id=req.id):
        raise ServiceError(
            _("%(name)s already has a talk on %(day)s.", name=lecturer.name, day=on.isoformat()),
            field="lecturer_id",
        )
    return on


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
    if not can(by, "lecture.assign", req):
        raise PermissionDenied(_("Only the education bureau of the host's county can assign."))
    _check_assignable(req, lecturer)
    on = _talk_day(req, lecturer, on, now)
    with unit_of_work():
        _move(
            req, "assign", lecturer_id=lecturer.id, scheduled_on=on, assigned_at=now or clock.now()
        )
        set_committed_value(req, "lecturer", lecturer)
        host_user, host_contact = _host_contact(req)
        subject = _l("Family-education talk on %(day)s", day=on.isoformat())
        _tell_lecturer(
            lecturer,
            subject,
            _l(
                "You are asked to give a talk on %(topic)s at %(host)s, %(place)s, on %(day)s "
                "for about %(n)s people.",
                topic=_TopicName(req.topic),
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
            _l(
                "%(lecturer)s will give the talk on %(topic)s at %(host)s on %(day)s.",
                lecturer=lecturer.name,
                topic=_TopicName(req.topic),
                host=req.host_name,
                day=on.isoformat(),
            ),
            user=host_user,
            now=now,
            link=_request_link(req),
        )
        db.session.flush()
    return req


def record_delivery(
    req: LectureRequest, values: DeliveryValues, *, by, now: datetime | None = None
) -> LectureRequest:
    """Record that an assigned talk was given: when, to how many, and the host's feedback.

    Rules: the host (or the county's bureau); the talk is assigned; the date is not in the
    future; the audience is 0 to 100,000; the score is 1 to 5.
    Raises: PermissionDenied; ServiceError naming the field.
    """
    if not can(by, "lecture.record", req):
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
    with unit_of_work():
        _move(
            req,
            "record",
            delivered_on=values.delivered_on,
            audience_reached=values.audience_reached,
            feedback_score=values.feedback_score,
            feedback_comment=(values.feedback_comment or "").strip()[:2000],
            delivered_at=now or clock.now(),
        )
        if req.lecturer is not None:
            _tell_lecturer(
                req.lecturer,
                _l("Talk recorded as given"),
                _l(
                    "Your talk on %(topic)s at %(host)s on %(day)s is recorded as given, to "
                    "%(n)d people. Thank you.",
                    topic=_TopicName(req.topic),
                    host=req.host_name,
                    day=values.delivered_on.isoformat(),
                    n=values.audience_reached,
                ),
                now=now,
            )
    return req


def cancel_request(
    req: LectureRequest, reason: str, *, by, now: datetime | None = None
) -> LectureRequest:
    """Cancel a talk that has not been given, with a reason; an assigned lecturer is told.

    Rules: the host or the county's bureau; only requested or assigned talks; a reason is
    required.
    Raises: PermissionDenied; ServiceError naming the field.
    """
    if not can(by, "lecture.record", req):
        raise PermissionDenied(_("You cannot cancel this talk."))
    if not req.is_open:
        raise ServiceError(_("This request is closed: it was delivered or cancelled."))
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError(_("Say why the talk is cancelled."), field="reason")
    with unit_of_work():
        was_assigned = req.status is LectureStatus.ASSIGNED
        _move(req, "cancel", cancel_reason=reason[:2000], cancelled_at=now or clock.now())
        if was_assigned and req.lecturer is not None:
            _tell_lecturer(
                req.lecturer,
                _l("Talk cancelled"),
                _l(
                    "The talk at %(host)s on %(day)s is cancelled: %(reason)s",
                    host=req.host_name,
                    day=req.scheduled_on.isoformat(),
                    reason=reason,
                ),
                now=now,
            )
        host_user, host_contact = _host_contact(req)
        if host_user is not None and host_user.id != getattr(by, "id", None):
            _tell(
                host_contact,
                _l("Talk cancelled"),
                _l(
                    "The talk on %(topic)s at %(host)s is cancelled: %(reason)s",
                    topic=_TopicName(req.topic),
                    host=req.host_name,
                    reason=reason,
                ),
                user=host_user,
                now=now,
                link=_request_link(req),
            )
    return req
