"""The lecturer pool: the public directory, and bureau staff's talk requests."""

from datetime import date
from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from models import LecturerCategory, LectureStatus, RegionLevel
from webapp.api.fields import Adcode, Blankable, IsoDate, Schema, WholeNumber
from webapp.api.schemas.common import Named, Page, PageQuery
from webapp.services.lecturers.candidates import MAX_PAGE, MAX_PER_PAGE
from webapp.services.lecturers.requests import MAX_AUDIENCE


class LecturerQuery(PageQuery):
    city: Adcode = Field(None, description="City adcode")
    county: Adcode = Field(None, description="County adcode (that county's pool)")
    pool: Blankable[Annotated[int, Field(ge=1)]] = Field(None, description="Pool id")
    category: Blankable[LecturerCategory] = Field(None, description="Category")
    topic: Blankable[Annotated[int, Field(ge=1, le=2**31 - 1)]] = Field(
        None, description="Topic id"
    )
    q: Blankable[Annotated[str, Field(max_length=60)]] = Field(None, description="Part of the name")


class Pool(Schema):
    id: int
    name: str
    level: RegionLevel
    region: str
    region_adcode: str


class Lecturer(Schema):
    """Public fields only: no phone number."""

    id: int
    name: str
    category: LecturerCategory
    five_elders: bool
    pool: Pool
    topics: list[Named]
    bio: str
    free_weekdays: list[int]
    term_starts_on: date | None
    term_ends_on: date | None
    photo_url: str | None
    url: str


class LecturerList(Page):
    lecturers: list[Lecturer]


class BureauLecturer(Lecturer):
    """With the phone number: bureau staff only."""

    phone: str
    retired: bool


class Host(Schema):
    kind: Literal["school", "station"]
    id: int | None
    name: str
    county: str
    county_adcode: str


class LectureRequest(Schema):
    id: int
    status: LectureStatus
    host: Host
    topic: Named
    wanted_dates: list[date]
    expected_audience: int
    audience_note: str
    place: str
    lecturer: BureauLecturer | None
    scheduled_on: date | None
    delivered_on: date | None
    audience_reached: int | None
    feedback_score: int | None
    feedback_comment: str
    cancel_reason: str


class StatusQuery(Schema):
    status: Blankable[LectureStatus] = Field(None, description="Only requests in this state")


class LectureRequestList(Schema):
    """Requests, open ones first."""

    requests: list[LectureRequest]


class Candidate(Schema):
    lecturer: BureauLecturer
    has_topic: bool
    free_on: date | None
    booked_on: list[date]
    distance_km: float | None
    talks_this_term: int
    pool_rank: int = Field(description="0 the host county's pool, 1 the city's, 2 another county's")


class CandidatesQuery(Schema):
    """Which page of the ranking: page from 1, per_page up to its maximum."""

    page: Blankable[Annotated[int, Field(ge=1, le=MAX_PAGE)]] = Field(None, description="Page")
    per_page: Blankable[Annotated[int, Field(ge=1, le=MAX_PER_PAGE)]] = Field(
        None, description="Candidates a page"
    )


class Candidates(Schema):
    """The request and one page of the lecturers who could give the talk, best first;
    has_more says whether another page follows."""

    request: LectureRequest
    page: int
    per_page: int
    has_more: bool
    candidates: list[Candidate]


class Assignment(Schema):
    lecturer_id: WholeNumber
    on: IsoDate | None = Field(None, description="One of the wanted dates")


class Delivery(Schema):
    delivered_on: IsoDate
    audience_reached: Annotated[WholeNumber, Field(ge=0, le=MAX_AUDIENCE)]
    feedback_score: Annotated[WholeNumber, Field(ge=1, le=5)]
    feedback_comment: str = ""


class TalkCancellation(Schema):
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)] = Field(
        description="Why the talk is cancelled"
    )
