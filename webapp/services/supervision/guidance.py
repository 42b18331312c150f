"""Family-education guidance activities that schools and stations hold themselves.

Items 2 and 7 of the notice count guidance activities (parent schools, parents' meetings, open
days for parents …); delivered lecturer talks are one kind, recorded by the lecturer pool. A
school's approved staff record their school's activities; bureau staff record for any school or
station of their scope, correct and remove them, and every bureau change goes to the audit log.
"""

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import gettext as _

from models import GuidanceActivity, GuidanceKind, GuidanceStation, Region, School, User, db
from models.user import utcnow
from webapp.services import audit, permissions
from webapp.services.clock import local_date
from webapp.services.errors import NotFound, PermissionDenied, ServiceError
from webapp.services.transactions import unit_of_work

MAX_PARENTS = 100_000
MAX_TOPIC = 120


@dataclass
class ActivityValues:
    held_on: date
    kind: GuidanceKind
    topic: str
    parents: int


def _check(values: ActivityValues, now: datetime | None) -> ActivityValues:
    if values.held_on > local_date(now or utcnow()):
        raise ServiceError(_("An activity cannot be dated in the future."), field="held_on")
    if values.parents < 0:
        raise ServiceError(_("The number of parents cannot be negative."), field="parents")
    if values.parents > MAX_PARENTS:
        raise ServiceError(_("The number of parents is too large."), field="parents")
    topic = " ".join(values.topic.split())
    if not topic:
        raise ServiceError(_("Give the activity's topic."), field="topic")
    if len(topic) > MAX_TOPIC:
        raise ServiceError(_("The topic is too long."), field="topic")
    return ActivityValues(values.held_on, values.kind, topic, values.parents)


def _snapshot(activity: GuidanceActivity) -> dict:
    return {
        "held_on": activity.held_on.isoformat(),
        "kind": activity.kind.value,
        "topic": activity.topic,
        "parents": activity.parents,
    }


def _may_record(user: User, host) -> bool:
    if isinstance(host, School) and permissions.can(user, "school.act", host):
        return True
    return permissions.can(user, "region.manage", host.county)


def record_activity(
    host: School | GuidanceStation, values: ActivityValues, *, by: User, now: datetime | None = None
) -> GuidanceActivity:
    """Record a guidance activity a school or station held.

    Rules: the school's approved staff, or bureau staff whose scope covers the host's county;
    dated today or earlier (local date); parents 0 to 100,000; a topic of at most 120 chars.
    Raises: PermissionDenied; ServiceError naming the field at fault.
    """
    if not _may_record(by, host):
        raise PermissionDenied(_("You cannot record activities for this school or station."))
    values = _check(values, now)
    with unit_of_work():
        activity = GuidanceActivity(
            school_id=host.id if isinstance(host, School) else None,
            station_id=host.id if isinstance(host, GuidanceStation) else None,
            county_id=host.county_id,
            held_on=values.held_on,
            kind=values.kind,
            topic=values.topic,
            parents=values.parents,
            recorded_by_id=by.id,
            created_at=now or utcnow(),
        )
        db.session.add(activity)
        db.session.flush()
        if not isinstance(host, School) or not permissions.can(by, "school.act", host):
            audit.record_change(
                by,
                "guidance.record",
                activity,
                after=_snapshot(activity),
                region=host.county,
                now=now,
            )
    return activity


def get_activity(activity_id: int) -> GuidanceActivity:
    """Raises: NotFound."""
    activity = db.session.get(GuidanceActivity, activity_id)
    if activity is None:
        raise NotFound(_("No such activity."))
    return activity


def correct_activity(
    activity: GuidanceActivity, values: ActivityValues, *, by: User, now: datetime | None = None
) -> GuidanceActivity:
    """Correct an activity's date, kind, topic or parents; the change is audited.

    Rules: bureau staff whose scope covers the activity's county; the same checks as
    recording.
    Raises: PermissionDenied; ServiceError naming the field at fault.
    """
    if not permissions.can(by, "region.manage", activity.county):
        raise PermissionDenied(_("You cannot change activities outside your scope."))
    values = _check(values, now)
    with unit_of_work():
        before = _snapshot(activity)
        activity.held_on, activity.kind = values.held_on, values.kind
        activity.topic, activity.parents = values.topic, values.parents
        after = _snapshot(activity)
        changed = {k for k in after if after[k] != before[k]}
        if changed:
            audit.record_change(
                by,
                "guidance.correct",
                activity,
                before={k: before[k] for k in changed},
                after={k: after[k] for k in changed},
                region=activity.county,
                now=now,
            )
    return activity


def remove_activity(activity: GuidanceActivity, *, by: User, now: datetime | None = None) -> None:
    """Remove an activity recorded in error; the removal is audited with what it said.

    Raises: PermissionDenied.
    """
    if not permissions.can(by, "region.manage", activity.county):
        raise PermissionDenied(_("You cannot change activities outside your scope."))
    with unit_of_work():
        audit.record_change(
            by,
            "guidance.remove",
            activity,
            before=_snapshot(activity) | {"host": activity.host_name},
            region=activity.county,
            now=now,
        )
        db.session.execute(sa.delete(GuidanceActivity).where(GuidanceActivity.id == activity.id))


def list_activities(*, by: User, page: int = 1, per_page: int = 50):
    """Activities of the user's scope (bureau) or schools (school staff), newest first."""
    query = sa.select(GuidanceActivity).order_by(
        GuidanceActivity.held_on.desc(), GuidanceActivity.id.desc()
    )
    school_ids = permissions.school_ids_of(by)
    in_scope = permissions.scope_clause(by, GuidanceActivity.county_id)
    if permissions.bureau_regions(by) or permissions.is_admin(by):
        query = query.where(in_scope)
    elif school_ids:
        query = query.where(GuidanceActivity.school_id.in_(school_ids))
    else:
        query = query.where(sa.false())
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def list_hosts(*, by: User) -> tuple[list[School], list[GuidanceStation]]:
    """Schools and stations `by` may record activities for, by county and name."""
    school_ids = permissions.school_ids_of(by)
    is_bureau = bool(permissions.bureau_regions(by)) or permissions.is_admin(by)
    in_scope = permissions.scope_clause(by, School.county_id) if is_bureau else sa.false()
    schools = db.session.scalars(
        sa.select(School)
        .join(Region, Region.id == School.county_id)
        .where(sa.or_(in_scope, School.id.in_(school_ids)))
        .order_by(Region.adcode, School.name)
    ).all()
    stations = []
    if is_bureau:
        stations = db.session.scalars(
            sa.select(GuidanceStation)
            .join(Region, Region.id == GuidanceStation.county_id)
            .where(permissions.scope_clause(by, GuidanceStation.county_id))
            .order_by(Region.adcode, GuidanceStation.name)
        ).all()
    return list(schools), list(stations)


def find_host(key: str, *, by: User) -> School | GuidanceStation:
    """The host a form's "school:12" / "station:3" names, when `by` may record for it.

    Raises: NotFound; PermissionDenied.
    """
    kind, _sep, number = key.partition(":")
    model = {"school": School, "station": GuidanceStation}.get(kind)
    host = db.session.get(model, int(number)) if model and number.isdigit() else None
    if host is None:
        raise NotFound(_("Choose a school or station from the list."))
    if not _may_record(by, host):
        raise PermissionDenied(_("You cannot record activities for this school or station."))
    return host
