"""Keeping the catalogue true: venue staff edit their venue's page, bureau staff add venues to
their region and edit them.

A venue's county is matched offline from its address unless staff chose one; its coordinates
are the WGS-84 point staff typed (exact), else the configured geocoder's answer (exact), else
the county centroid (approximate). The values are checked here, with messages naming the field,
and written through the seed loader's `apply_venue_values`, so a venue edited on a page and one
loaded from the seed are stored alike. Every change is audited, and every flush bumps the
catalogue cache version, so the list page shows the change at once.
"""

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time

import sqlalchemy as sa
from flask_babel import gettext as _
from pypinyin import lazy_pinyin

from models import (
    AdmissionKind,
    Region,
    RegionLevel,
    Stage,
    User,
    Venue,
    VenueCategory,
    VenueClosure,
    VenueLevel,
    VisitorGroup,
    db,
)
from models.user import utcnow
from seed.loader import apply_venue_values
from webapp.i18n import region_label
from webapp.labels import VISITOR_GROUP_LABELS, WEEKDAY_LABELS
from webapp.services import like, permissions
from webapp.services.audit import record_change
from webapp.services.booking import closures
from webapp.services.errors import PermissionDenied, ServiceError
from webapp.services.geo import match_county, place_address
from webapp.services.transactions import unit_of_work

#: (min_lat, max_lat, min_lng, max_lng): Shanxi's extent (34.57–40.74 N, 110.23–114.56 E)
#: with a margin of a few kilometres
SHANXI_BOUNDS = (34.5, 40.8, 110.2, 114.6)
MAX_PRICE_YUAN = 100_000
MAX_COURSE_MINUTES = 24 * 60
MAX_TEXT = 4000


@dataclass
class HoursValue:
    """One opening interval on an ISO weekday (1 = Monday); weekdays not listed are closed."""

    weekday: int
    opens: time | None
    closes: time | None


@dataclass
class AdmissionValue:
    """What one visitor group pays; a group not listed is "ask the venue"."""

    group: VisitorGroup
    kind: AdmissionKind
    #: whole yuan; ignored when free
    price: int | float | None = None


@dataclass
class ClosureValue:
    closed_on: date
    reason: str = ""


@dataclass
class CourseValue:
    title: str
    minutes: int | None = 60
    stages: list[Stage] = field(default_factory=list)
    description: str = ""


@dataclass
class VenueValues:
    """Everything staff can say about a venue. Lists are the whole wanted state."""

    name: str
    address: str
    categories: list[VenueCategory]
    level: VenueLevel | None
    #: None: matched from the address
    county: Region | None = None
    #: WGS-84, both or neither; None: placed from the address
    lat: float | None = None
    lng: float | None = None
    name_en: str = ""
    phone: str = ""
    description: str = ""
    transport: str = ""
    is_accessible: bool = False
    accessibility: str = ""
    stages: list[Stage] = field(default_factory=list)
    hours: list[HoursValue] = field(default_factory=list)
    admission: list[AdmissionValue] = field(default_factory=list)
    closures: list[ClosureValue] = field(default_factory=list)
    courses: list[CourseValue] = field(default_factory=list)


def get_venue_values(venue: Venue) -> VenueValues:
    """A venue's current values, as an edit form starts from them.

    Approximate coordinates (a county centroid) are left out, so saving the form unchanged
    places the venue from its address again instead of marking the centroid exact.
    """
    exact = not venue.is_location_approximate
    return VenueValues(
        name=venue.name,
        name_en=venue.name_en,
        address=venue.address,
        categories=list(venue.categories),
        level=venue.level,
        county=venue.county,
        lat=venue.lat if exact else None,
        lng=venue.lng if exact else None,
        phone=venue.phone,
        description=venue.description,
        transport=venue.transport,
        is_accessible=venue.is_accessible,
        accessibility=venue.accessibility,
        stages=list(venue.stages),
        hours=[HoursValue(h.weekday, h.opens_at, h.closes_at) for h in venue.opening_hours],
        admission=[
            AdmissionValue(r.visitor_group, r.kind, r.price_yuan) for r in venue.admission_rules
        ],
        closures=[ClosureValue(c.closed_on, c.reason) for c in venue.closures],
        courses=[CourseValue(c.title, c.minutes, c.stages, c.description) for c in venue.courses],
    )


# ---------------------------------------------------------------- checking values


def _text(value, label: str, field_name: str, limit: int, *, required: bool = False) -> str:
    text = (value or "").strip()
    if required and not text:
        raise ServiceError(_("Please fill in: %(field)s.", field=label), field=field_name)
    if len(text) > limit:
        raise ServiceError(
            _("%(field)s is too long: at most %(n)d characters.", field=label, n=limit),
            field=field_name,
        )
    return text


def is_in_shanxi(lat: float, lng: float) -> bool:
    min_lat, max_lat, min_lng, max_lng = SHANXI_BOUNDS
    return min_lat <= lat <= max_lat and min_lng <= lng <= max_lng


def _county(values: VenueValues, address: str, venue: Venue | None) -> Region:
    county = values.county
    if county is None:
        county = match_county(address)
        if county is None and venue is not None and address == venue.address:
            county = venue.county
    if county is None:
        raise ServiceError(
            _(
                "County: the address names no county of Shanxi. "
                "Choose the county from the list, or write it in the address."
            ),
            field="county",
        )
    if county.level is not RegionLevel.COUNTY:
        raise ServiceError(_("County: choose a county from the list."), field="county")
    return county


def _place(values: VenueValues, address: str, county: Region) -> tuple[float, float, bool]:
    """(lat, lng, is_approximate) under the rules in the module docstring."""
    if (values.lat is None) != (values.lng is None):
        missing = "lat" if values.lat is None else "lng"
        raise ServiceError(
            _("Coordinates: give both latitude and longitude, or leave both empty."),
            field=missing,
        )
    if values.lat is not None:
        lat, lng = float(values.lat), float(values.lng)
        if not is_in_shanxi(lat, lng):
            if is_in_shanxi(lng, lat):
                message = _("Coordinates: latitude and longitude seem swapped.")
            else:
                message = _(
                    "Coordinates: %(lat)s, %(lng)s lie outside Shanxi. Give the venue's WGS-84 "
                    "latitude (about 34.5–40.8) and longitude (about 110.2–114.6).",
                    lat=lat,
                    lng=lng,
                )
            raise ServiceError(message, field="lat")
        return lat, lng, False
    placement = place_address(address, county)
    if placement.is_approximate or not is_in_shanxi(placement.lat, placement.lng):
        # a geocoder's point outside Shanxi is a different place of the same name
        return county.lat, county.lng, True
    return placement.lat, placement.lng, False


def _choices(values, enum_type, label: str, field_name: str) -> list:
    try:
        return [v if isinstance(v, enum_type) else enum_type(v) for v in values]
    except ValueError:
        raise ServiceError(
            _("%(field)s: choose from the list.", field=label), field=field_name
        ) from None


def _price(kind: AdmissionKind, price, label: str, field_name: str) -> int | None:
    if kind is AdmissionKind.FREE:
        return None
    try:
        whole = None if price is None else float(price)
    except (TypeError, ValueError):
        whole = None
    if whole is None or whole < 0 or whole != int(whole) or whole > MAX_PRICE_YUAN:
        raise ServiceError(
            _(
                "Admission for %(group)s: a discounted or full price needs a price in whole "
                "yuan, 0 or more.",
                group=label,
            ),
            field=field_name,
        )
    return int(whole)


def _admission(rules: list[AdmissionValue]) -> dict:
    admission = {}
    for rule in rules:
        group = _choices([rule.group], VisitorGroup, _("Admission"), "admission")[0]
        kind = _choices([rule.kind], AdmissionKind, _("Admission"), f"admission.{group.value}")[0]
        label = str(VISITOR_GROUP_LABELS[group])
        field_name = f"admission.{group.value}"
        if group in admission:
            raise ServiceError(
                _("Admission for %(group)s is given twice.", group=label), field=field_name
            )
        admission[group] = (kind, _price(kind, rule.price, label, field_name))
    return admission


def _hours(spans: list[HoursValue]) -> list[tuple[int, time, time]]:
    hours = []
    for span in spans:
        if span.weekday not in range(1, 8):
            raise ServiceError(_("Opening hours: a weekday is 1 to 7."), field="hours")
        day = str(WEEKDAY_LABELS[span.weekday])
        field_name = f"hours.{span.weekday}"
        if span.opens is None or span.closes is None:
            raise ServiceError(
                _(
                    "Opening hours, %(day)s: give the opening and closing times, "
                    "or mark the day closed.",
                    day=day,
                ),
                field=field_name,
            )
        if span.closes <= span.opens:
            raise ServiceError(
                _("Opening hours, %(day)s: closing time must be after opening time.", day=day),
                field=field_name,
            )
        entry = (span.weekday, span.opens.replace(second=0, microsecond=0), span.closes)
        if entry in hours:
            raise ServiceError(
                _("Opening hours, %(day)s: the same hours are given twice.", day=day),
                field=field_name,
            )
        hours.append(entry)
    return sorted(hours)


def _closures(
    closures: list[ClosureValue], venue: Venue | None, today: date
) -> list[tuple[date, str]]:
    existing = {c.closed_on for c in venue.closures} if venue is not None else set()
    wanted: dict[date, str] = {}
    for index, closure in enumerate(closures):
        field_name = f"closures.{index}"
        day = closure.closed_on
        if not isinstance(day, date):
            raise ServiceError(_("Closed dates: give a date."), field=field_name)
        if day in wanted:
            raise ServiceError(
                _("Closed dates: %(day)s is given twice.", day=day.isoformat()), field=field_name
            )
        if day < today and day not in existing:
            raise ServiceError(
                _("Closed dates: %(day)s is already past.", day=day.isoformat()),
                field=field_name,
            )
        wanted[day] = _text(closure.reason, _("Reason"), field_name, 120)
    return sorted(wanted.items())


def _courses(courses: list[CourseValue]) -> list[tuple[str, str, int, str]]:
    rows = []
    for index, course in enumerate(courses, start=1):
        field_name = f"courses.{index - 1}"
        label = _("Course %(n)d", n=index)
        title = _text(course.title, label, field_name, 120, required=True)
        minutes = course.minutes
        if (
            not isinstance(minutes, int)
            or isinstance(minutes, bool)
            or not 0 < minutes <= MAX_COURSE_MINUTES
        ):
            raise ServiceError(
                _(
                    "%(course)s: give its length in minutes, from 1 to %(max)d.",
                    course=label,
                    max=MAX_COURSE_MINUTES,
                ),
                field=field_name,
            )
        stages = _choices(course.stages, Stage, label, field_name)
        stages_csv = ",".join(s.value for s in Stage if s in stages)
        description = _text(course.description, label, field_name, MAX_TEXT)
        rows.append((title, description, minutes, stages_csv))
    return rows


def _checked(values: VenueValues, venue: Venue | None, *, slug: str, today: date) -> dict:
    """The typed values `apply_venue_values` writes, after every rule has been checked."""
    name = _text(values.name, _("Venue name"), "name", 120, required=True)
    address = _text(values.address, _("Address"), "address", 200, required=True)
    categories = _choices(values.categories or [], VenueCategory, _("Categories"), "categories")
    if not categories:
        raise ServiceError(_("Categories: choose at least one."), field="categories")
    if values.level is None:
        raise ServiceError(_("Level: choose one from the list."), field="level")
    level = _choices([values.level], VenueLevel, _("Level"), "level")[0]
    county = _county(values, address, venue)
    lat, lng, is_approximate = _place(values, address, county)
    return dict(
        slug=slug,
        name=name,
        name_en=_text(values.name_en, _("Name in English"), "name_en", 160),
        categories=categories,
        level=level,
        county=county,
        address=address,
        lat=lat,
        lng=lng,
        is_location_approximate=is_approximate,
        phone=_text(values.phone, _("Phone"), "phone", 40),
        description=_text(values.description, _("Description"), "description", MAX_TEXT),
        transport=_text(values.transport, _("How to get there"), "transport", MAX_TEXT),
        is_accessible=bool(values.is_accessible),
        accessibility=_text(values.accessibility, _("Accessibility"), "accessibility", MAX_TEXT),
        stages=_choices(values.stages or [], Stage, _("Suited to"), "stages"),
        admission=_admission(values.admission or []),
        hours=_hours(values.hours or []),
        courses=_courses(values.courses or []),
        closures=_closures(values.closures or [], venue, today),
    )


# ---------------------------------------------------------------- writing


def slug_for(name: str) -> str:
    """A free slug from the name's pinyin: 晋祠博物馆 → 'jincibowuguan' (then '-2', '-3' …)."""
    spelled = "".join(lazy_pinyin(name, errors="default")).lower()
    base = re.sub(r"[^a-z0-9]+", "-", spelled).strip("-")[:100] or "venue"
    taken = set(
        db.session.scalars(
            sa.select(Venue.slug).where(
                sa.or_(Venue.slug == base, like.starts_with(Venue.slug, f"{base}-"))
            )
        )
    )
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def _write(venue: Venue, values: dict) -> None:
    closures = values.pop("closures")
    # No autoflush: a half-written new venue must not be flushed while its city is looked up.
    with db.session.no_autoflush:
        apply_venue_values(venue, values)
        by_day = {c.closed_on: c for c in venue.closures}
        kept = []
        for day, reason in closures:
            # kept rows are updated in place: deleting and re-adding a date in one flush
            # would trip the unique constraint, as inserts run before deletes
            row = by_day.get(day) or VenueClosure(closed_on=day)
            row.reason = reason
            kept.append(row)
        venue.closures = kept


def _snapshot(venue: Venue) -> dict:
    return {
        "name": venue.name,
        "name_en": venue.name_en,
        "address": venue.address,
        "county": venue.county.name if venue.county else None,
        "lat": venue.lat,
        "lng": venue.lng,
        "approximate": venue.is_location_approximate,
        "level": venue.level.value if venue.level else None,
        "categories": ",".join(c.value for c in venue.categories),
        "stages": ",".join(s.value for s in venue.stages),
        "phone": venue.phone,
        "accessible": venue.is_accessible,
        "hours": "; ".join(
            f"{h.weekday} {h.opens_at:%H:%M}-{h.closes_at:%H:%M}" for h in venue.opening_hours
        ),
        "admission": "; ".join(
            f"{r.visitor_group.value} {r.kind.value} {r.price_yuan}"
            for r in sorted(venue.admission_rules, key=lambda r: r.visitor_group.value)
        ),
        "closures": ", ".join(c.closed_on.isoformat() for c in venue.closures),
        "courses": " | ".join(c.title for c in venue.courses),
    }


def _unit_of_work():
    return unit_of_work(
        conflict_message=_("Someone else changed this venue at the same time. Please try again.")
    )


def _today(now: datetime) -> date:
    from webapp.services.clock import local_date

    return local_date(now)


def _require_county(by: User, county: Region, venue: Venue | None) -> None:
    """Bureau staff place a venue only in a county they manage; a venue's own staff may move
    it to wherever it really is."""
    if venue is not None and venue.id in permissions.venue_ids_of(by):
        return
    if not permissions.can(by, "region.manage", county):
        raise PermissionDenied(
            _(
                "County: %(county)s is outside the region you look after.",
                county=region_label(county),
            ),
            field="county",
        )


def create_venue(values: VenueValues, *, by: User, now: datetime | None = None) -> Venue:
    """Add a venue to the catalogue; audited.

    Rules: only bureau staff (in the venue's county) and administrators add venues. The county
    is the one chosen, else matched offline from the address. Coordinates are the typed
    WGS-84 point inside Shanxi (exact), else the geocoder's answer when one is configured and
    reachable (exact), else the county centroid (approximate). The slug is made from the
    name's pinyin and is unique. At least one category; prices are whole yuan, 0 or more;
    closing after opening; closed dates not already past.

    Raises:
        PermissionDenied: `by` is not bureau staff, or the county is outside their scope.
        ServiceError: a value breaks a rule; `field` names the form field.
        Busy: the database stayed locked.
    """
    now = now or utcnow()
    with _unit_of_work():
        permissions.require(by, "bureau.console")
        name = (values.name or "").strip()
        checked = _checked(values, None, slug=slug_for(name) if name else "", today=_today(now))
        _require_county(by, checked["county"], None)
        venue = Venue()
        _write(venue, checked)
        db.session.add(venue)
        db.session.flush()
        record_change(by, "venue.create", venue, after=_snapshot(venue), now=now)
    return venue


def update_venue(
    venue: Venue, values: VenueValues, *, by: User, now: datetime | None = None
) -> Venue:
    """Change a venue's page; audited.

    Rules: its venue staff and bureau staff whose scope covers it may edit it. Moving it to
    another county needs that county in a bureau user's scope (its own staff may move it).
    The county, coordinates and the other values follow the rules of `create_venue`; the
    slug stays. Closed dates already past are kept when listed, and new ones must not be past;
    a new closed date calls that day off (`closures.call_off_day`): its bookings are
    cancelled with the date's reason and the bookers and people waiting are told.

    Raises:
        PermissionDenied: `by` may not edit this venue or move it to that county.
        ServiceError: a value breaks a rule; `field` names the form field.
        Busy: the database stayed locked.
    """
    now = now or utcnow()
    with _unit_of_work():
        permissions.require(by, "venue.edit", venue)
        before = _snapshot(venue)
        checked = _checked(values, venue, slug=venue.slug, today=_today(now))
        if checked["county"].id != venue.county_id:
            _require_county(by, checked["county"], venue)
        was_closed = {c.closed_on for c in venue.closures}
        _write(venue, checked)
        db.session.flush()
        closures.call_off_new_closures(
            venue, {c.closed_on for c in venue.closures} - was_closed, now=now
        )
        record_change(by, "venue.update", venue, before=before, after=_snapshot(venue), now=now)
    return venue


def search_managed_venues(
    *, by: User, county_id: int | None = None, text: str = "", page: int = 1, per_page: int = 50
):
    """Venues in `by`'s bureau scope, optionally in one county or matching a name fragment.

    Raises:
        PermissionDenied: `by` is not bureau staff or an administrator.
    """
    permissions.require(by, "bureau.console")
    query = (
        sa.select(Venue)
        .where(permissions.scope_clause(by, Venue.county_id))
        .order_by(Venue.county_id, Venue.name_pinyin, Venue.id)
    )
    if county_id:
        query = query.where(Venue.county_id == county_id)
    if text.strip():
        query = query.where(like.contains(Venue.search_text, text.strip().lower()))
    return db.paginate(query, page=page, per_page=per_page, error_out=False)
