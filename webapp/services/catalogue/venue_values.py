"""What staff can say about a venue, the rules those values must keep, and how checked
values are written onto a venue.

`check_venue_values` applies every rule, with messages naming the form field: a venue's county
is matched offline from its address unless staff chose one; its coordinates are the WGS-84
point staff typed (exact), else the configured geocoder's answer (exact), else the county
centroid (approximate). `apply_venue_values` writes checked values, and the seed loader writes
its parsed records through it too, so a venue edited on a page and one loaded from the seed
are stored alike.
"""

from dataclasses import dataclass, field
from datetime import date, time

from flask_babel import gettext as _

from models import (
    AdmissionKind,
    Course,
    OpeningHours,
    Region,
    RegionLevel,
    Stage,
    Venue,
    VenueCategory,
    VenueLevel,
    VisitorGroup,
)
from webapp.labels import VISITOR_GROUP_LABELS, WEEKDAY_LABELS
from webapp.services.catalogue.search import index_venue
from webapp.services.errors import ServiceError
from webapp.services.geo import match_county, place_address

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


def check_venue_values(values: VenueValues, venue: Venue | None, *, slug: str, today: date) -> dict:
    """The typed values `apply_venue_values` writes, after every rule has been checked.

    `venue` is the venue being edited (None for a new one): its address's county stands when
    the address did not change, and its closed dates already past may stay.

    Raises:
        ServiceError: a value breaks a rule; `field` names the form field.
    """
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


#: the parsed values copied onto a venue's own columns as they are
VENUE_COLUMNS = (
    "slug",
    "name",
    "name_en",
    "level",
    "address",
    "lat",
    "lng",
    "is_location_approximate",
    "phone",
    "description",
    "transport",
    "is_accessible",
    "accessibility",
)


def apply_venue_values(venue: Venue, values: dict) -> Venue:
    """Write parsed values onto a venue, replacing its schedule, admission and courses."""
    for key in VENUE_COLUMNS:
        setattr(venue, key, values[key])
    venue.county = values["county"]
    venue.city = values["county"].parent
    venue.categories = values["categories"]
    venue.stages = values["stages"]
    venue.set_admission(values["admission"])
    # Replaced only when they differ, so a second run leaves every row as it was.
    hours = sorted((h.weekday, h.opens_at, h.closes_at) for h in venue.opening_hours)
    if hours != sorted(values["hours"]):
        venue.opening_hours = [
            OpeningHours(weekday=d, opens_at=o, closes_at=c) for d, o, c in values["hours"]
        ]
    courses = [(c.title, c.description, c.minutes, c.stages_csv) for c in venue.courses]
    if courses != values["courses"]:
        venue.courses = [
            Course(title=t, description=d, minutes=m, stages_csv=s)
            for t, d, m, s in values["courses"]
        ]
    index_venue(venue)
    return venue
