"""Practice bases: the directory's filters and the GeoJSON answers."""

from datetime import date
from typing import Annotated, Literal

from pydantic import BeforeValidator, Field

from models import AdmissionKind, Stage, VenueCategory, VenueLevel, VisitorGroup
from webapp.api.fields import Adcode, Blankable, QueryDate, Schema
from webapp.api.schemas.common import Page, PageQuery
from webapp.directory.forms import FALSE_VALUES, TRUE_VALUES


def _several(value):
    # ?category=a&category=b, or one ?category=a; an empty value ("all") is no choice
    values = value if isinstance(value, list) else [value]
    return [v for v in values if not (isinstance(v, str) and not v.strip())]


def _flag_text(value):
    return value.strip().lower() if isinstance(value, str) else value


Flag = Annotated[Literal[TRUE_VALUES + FALSE_VALUES], BeforeValidator(_flag_text)]


class VenueQuery(PageQuery):
    q: Blankable[Annotated[str, Field(max_length=60)]] = Field(
        None, description="Keyword: Chinese name, address, pinyin or initials"
    )
    category: Annotated[list[VenueCategory], BeforeValidator(_several)] = Field(
        [], description="Category codes (repeatable)"
    )
    city: Adcode = Field(None, description="City adcode")
    county: Adcode = Field(None, description="County adcode")
    stage: Blankable[Stage] = Field(None, description="School stage")
    free: Blankable[Flag] = Field(None, description="Free admission for children")
    accessible: Blankable[Flag] = Field(None, description="Barrier-free access")
    open_on: QueryDate = Field(None, description="Open on this date (YYYY-MM-DD)")
    places_on: QueryDate = Field(None, description="Has a session with places left that day")
    near: Blankable[str] = Field(
        None, description="Position as lat,lng (WGS-84)", examples=["37.87,112.55"]
    )
    near_county: Adcode = Field(None, description="Near the centre of this county")
    radius_km: Blankable[Annotated[float, Field(ge=0.5, le=500)]] = Field(
        None, description="Radius for near, km"
    )


class Point(Schema):
    type: Literal["Point"]
    coordinates: list[float] = Field(description="[longitude, latitude]")


class VenueProperties(Schema):
    id: int
    slug: str
    name: str
    name_en: str
    categories: list[VenueCategory]
    level: VenueLevel
    city: str
    city_adcode: str
    county: str
    county_adcode: str
    address: str
    free_for_children: bool
    accessible: bool
    stages: list[Stage]
    location_approximate: bool
    distance_km: float | None = Field(None, description="Only when searching near a place")


class VenueFeature(Schema):
    type: Literal["Feature"]
    id: int
    geometry: Point
    properties: VenueProperties


class VenueCollection(Page):
    type: Literal["FeatureCollection"]
    features: list[VenueFeature]


class Admission(Schema):
    kind: AdmissionKind
    price_yuan: int | None


class OpeningHours(Schema):
    weekday: int = Field(description="1 = Monday … 7 = Sunday")
    opens_at: str = Field(description="HH:MM")
    closes_at: str = Field(description="HH:MM")


class Course(Schema):
    title: str
    minutes: int
    stages: list[Stage]


class VenueDetails(VenueProperties):
    phone: str
    description: str
    transport: str
    accessibility: str
    admission: dict[VisitorGroup, Admission]
    opening_hours: list[OpeningHours]
    closed_dates: list[date]
    courses: list[Course]
    url: str
    #: the venue's first photo, to show with it (its address never changes content), or null
    photo_url: str | None = None
    #: what the photo shows, for screen readers
    photo_alt: str | None = None


class VenueDetail(Schema):
    """One venue, with its details."""

    type: Literal["Feature"]
    id: int
    geometry: Point
    properties: VenueDetails
