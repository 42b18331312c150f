"""Permissions: the one place that decides what a role may do, and where.

Every page, API route and service asks here, by action name, instead of testing roles itself:
``can(user, action, obj)`` answers yes or no, ``require(user, action, obj)`` raises
PermissionDenied, and ``region_ids_in_scope(user)`` / ``scope_clause(user, column)`` narrow a
list query to what the user may see. Administrators may do everything. The region tree
(``region_ids_within``, ``county_ids_within``) and a user's bureau scope (``scope_regions``,
``manageable_regions``) are worked out here and nowhere else.

Scopes. Bureau staff hold a grant on a region: the province covers everything, a city covers
itself and its counties, a county covers itself (Region.parent is walked upwards). Venue
staff hold grants on venues, school staff on schools (only once approved). An object is placed
in a region by ``region_of``: a Region is itself, a Venue or School lies in its county, and any
other object is placed through its ``county``, ``region``, ``venue`` or ``school`` attribute,
so later areas' models (bookings, lecturers, lecture requests) work without changes here.

Actions (``obj`` is what the action is about):

=========================  ==========================  ==========================================
action                     obj                         who may
=========================  ==========================  ==========================================
``admin.access``           —                           administrators (users, outbox)
``audit.read``             — or AuditEntry             bureau staff (entries of their scope),
                                                       administrators (all)
``bureau.console``         —                           bureau staff of any scope
``region.manage``          Region (or object in one)   bureau staff whose scope covers it
``school.manage``          School or county Region     bureau staff whose scope covers its county
``school.approve_staff``   School or RoleGrant         bureau staff whose scope covers the county
``school.act``             School                      its approved school staff
``venue.edit``             Venue                       its venue staff; bureau staff in scope
``venue.manage_sessions``  Venue                       its venue staff
``venue.staff_any``        —                           staff of any venue (the console, the desk)
``venue.invite_staff``     Venue                       its managers; bureau staff in scope
``venue.view_bookings``    Venue                       its venue staff; bureau staff in scope
``lecturer.manage``        Region or lecturer/pool     bureau staff whose scope covers it
``lecture.request``        School or GuidanceStation   the school's approved staff; bureau staff
                           (— : for any host)          whose scope covers the host's county
``lecture.view``           LectureRequest              the host school's staff; bureau staff
                                                       whose scope covers its (station's) county
``lecture.assign``         LectureRequest              bureau staff whose scope covers its county
``lecture.record``         LectureRequest              as ``lecture.view`` (delivery, cancelling)
``booking.create``         —                           families and approved school staff
``owner.access``           object with ``user_id``     the user it belongs to
=========================  ==========================  ==========================================

Anything not listed is refused. Other areas add an action by adding a row to ``RULES``.
"""

from collections.abc import Callable

import sqlalchemy as sa
from flask_babel import gettext as _

from models import Region, RegionLevel, Role, RoleGrant, School, User, Venue, db
from webapp.services.errors import PermissionDenied

# ---------------------------------------------------------------- where objects lie


def region_of(obj) -> Region | None:
    """The region an object lies in (its county for venues and schools), or None."""
    if obj is None:
        return None
    if isinstance(obj, Region):
        return obj
    if isinstance(obj, RoleGrant):
        if obj.school is not None:
            return obj.school.county
        if obj.venue is not None:
            return obj.venue.county
        return obj.region
    for attribute in ("county", "region", "venue", "school", "pool"):
        value = getattr(obj, attribute, None)
        if value is not None and value is not obj:
            return region_of(value)
    return None


def covers(scope: Region, target: Region | None) -> bool:
    """True when `target` is `scope` or lies inside it (a county inside its city …)."""
    seen = 0
    while target is not None and seen < 5:
        if target.id == scope.id:
            return True
        target = target.parent
        seen += 1
    return False


def region_ids_within(region: Region) -> list[int]:
    """Ids of `region` and of every city and county inside it."""
    if region.level is RegionLevel.COUNTY:
        return [region.id]
    if region.level is RegionLevel.CITY:
        return [region.id, *county_ids_within(region)]
    return list(db.session.scalars(sa.select(Region.id)).all())


def county_ids_within(region: Region) -> list[int]:
    """Ids of the county-level divisions in `region` (itself when it is a county)."""
    if region.level is RegionLevel.COUNTY:
        return [region.id]
    if region.level is RegionLevel.CITY:
        inside = Region.parent_id == region.id
    else:
        inside = Region.level == RegionLevel.COUNTY
    return list(db.session.scalars(sa.select(Region.id).where(inside)).all())


def bureau_regions(user) -> list[Region]:
    return [g.region for g in _grants(user, Role.BUREAU_STAFF) if g.region is not None]


def scope_regions(user) -> list[Region]:
    """The regions a user supervises as bureau staff (the province for an administrator)."""
    if _is_admin(user):
        return list(
            db.session.scalars(
                sa.select(Region)
                .where(Region.level == RegionLevel.PROVINCE)
                .order_by(Region.adcode)
            ).all()
        )
    return bureau_regions(user)


def region_ids_in_scope(user) -> set[int] | None:
    """Ids of every region a bureau user oversees; None means everywhere (admin, province)."""
    if _is_admin(user):
        return None
    ids: set[int] = set()
    for region in bureau_regions(user):
        if region.parent is None:
            return None
        ids.update(region_ids_within(region))
    return ids


def scope_clause(user, column) -> sa.ColumnElement[bool]:
    """A WHERE clause keeping rows whose `column` (a region id) lies in the user's scope."""
    ids = region_ids_in_scope(user)
    if ids is None:
        return sa.true()
    return column.in_(ids) if ids else sa.false()


def venue_ids_of(user) -> set[int]:
    return {g.venue_id for g in _grants(user, Role.VENUE_STAFF) if g.venue_id is not None}


def school_ids_of(user) -> set[int]:
    return {g.school_id for g in _grants(user, Role.SCHOOL_STAFF) if g.school_id is not None}


# ---------------------------------------------------------------- rules


def _grants(user, role: Role) -> list[RoleGrant]:
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    return user.active_grants(role)


def _is_admin(user) -> bool:
    return bool(_grants(user, Role.ADMIN))


def _bureau_covers(user, obj) -> bool:
    target = region_of(obj)
    if target is None:
        return False
    return any(covers(region, target) for region in bureau_regions(user))


def _venue_staff(user, venue, *, manager: bool = False) -> bool:
    if not isinstance(venue, Venue):
        venue = getattr(venue, "venue", None)
    if venue is None:
        return False
    return any(
        g.venue_id == venue.id and (g.is_manager or not manager)
        for g in _grants(user, Role.VENUE_STAFF)
    )


def _school_of(obj) -> School | None:
    if isinstance(obj, School):
        return obj
    return getattr(obj, "school", None)


def _school_staff(user, obj) -> bool:
    school = _school_of(obj)
    return school is not None and school.id in school_ids_of(user)


def _school_manage(user, obj) -> bool:
    school = _school_of(obj)
    return _bureau_covers(user, school.county if school is not None else obj)


def _lecture_host(user, host) -> bool:
    # a school asks through its staff or the bureau over it, a station through its bureau
    if host is None:
        return bool(school_ids_of(user) or bureau_regions(user))
    if isinstance(host, School) and _school_staff(user, host):
        return True
    return _bureau_covers(user, host)


def _lecture_view(user, req) -> bool:
    station = getattr(req, "station", None)
    return (
        _bureau_covers(user, req)
        or _school_staff(user, req)
        or (station is not None and _bureau_covers(user, station))
    )


def _owner(user, obj) -> bool:
    owner_id = getattr(obj, "user_id", None)
    return owner_id is not None and getattr(user, "id", None) == owner_id


Rule = Callable[[User, object], bool]

#: action name → rule(user, obj). Administrators pass every rule without consulting it.
RULES: dict[str, Rule] = {
    "admin.access": lambda user, obj: False,
    "audit.read": lambda user, obj: (
        bool(bureau_regions(user)) if obj is None else _bureau_covers(user, obj)
    ),
    "bureau.console": lambda user, obj: bool(bureau_regions(user)),
    #: family-education guidance activities: bureau staff, and schools recording their own
    "guidance.record": lambda user, obj: bool(
        bureau_regions(user) or _grants(user, Role.SCHOOL_STAFF)
    ),
    "region.manage": _bureau_covers,
    "school.manage": _school_manage,
    "school.approve_staff": _school_manage,
    "school.act": _school_staff,
    "venue.edit": lambda user, obj: _venue_staff(user, obj) or _bureau_covers(user, obj),
    "venue.manage_sessions": lambda user, obj: _venue_staff(user, obj),
    "venue.staff_any": lambda user, obj: any(
        g.venue_id is not None for g in _grants(user, Role.VENUE_STAFF)
    ),
    "venue.invite_staff": lambda user, obj: (
        _venue_staff(user, obj, manager=True) or _bureau_covers(user, obj)
    ),
    "venue.view_bookings": lambda user, obj: _venue_staff(user, obj) or _bureau_covers(user, obj),
    "lecturer.manage": _bureau_covers,
    "lecture.request": _lecture_host,
    "lecture.view": _lecture_view,
    "lecture.assign": _bureau_covers,
    "lecture.record": _lecture_view,
    "booking.create": lambda user, obj: bool(
        _grants(user, Role.FAMILY) or _grants(user, Role.SCHOOL_STAFF)
    ),
    "owner.access": _owner,
}


def can(user, action: str, obj=None) -> bool:
    """Whether `user` may do `action` on `obj`.

    Rules: anonymous and disabled users may do nothing; administrators may do everything;
    otherwise the action's rule in RULES decides. An unknown action name is a programming
    error and raises KeyError rather than quietly letting anyone in.
    """
    if action not in RULES:
        raise KeyError(f"unknown permission action {action!r}")
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if not getattr(user, "is_enabled", True):
        return False
    if _is_admin(user):
        return True
    return RULES[action](user, obj)


def require(user, action: str, obj=None) -> None:
    """Like `can`, but raise instead of answering no.

    Raises:
        PermissionDenied: with a message fit for the user.
    """
    if not can(user, action, obj):
        raise PermissionDenied(_("You do not have permission to do that."))


def scoped_query(model, user, column=None):
    """A SELECT of `model` narrowed to the user's bureau scope (by `column`, default county)."""
    column = column if column is not None else model.county_id
    return sa.select(model).where(scope_clause(user, column))


def regions_for_choice(user) -> list[Region]:
    """Counties the user may manage, for select boxes, in adcode order."""
    query = sa.select(Region).where(Region.level == RegionLevel.COUNTY).order_by(Region.adcode)
    return list(db.session.scalars(query.where(scope_clause(user, Region.id))))


def manageable_regions(user) -> list[Region]:
    """Cities and counties whose pools and stations the user may keep, ordered by adcode."""
    query = sa.select(Region).where(Region.level != RegionLevel.PROVINCE).order_by(Region.adcode)
    return list(db.session.scalars(query.where(scope_clause(user, Region.id))))


# Shorthands for the questions other areas ask most; each is one rule of RULES above.


def is_admin(user) -> bool:
    return _is_admin(user)


def can_manage_region(user, region) -> bool:
    return can(user, "region.manage", region)
