"""The desk: today's sessions with their figures, codes at the door, a day's visitors."""

from datetime import date, datetime
from typing import Annotated

from pydantic import Field, StringConstraints

from models import BookingChannel, BookingKind, BookingStatus, IdentityDocument, SlotKind
from webapp.api.fields import Blankable, QueryDate, Schema, WholeNumber


class DeskQuery(Schema):
    venue: Blankable[int] = Field(None, description="Only this venue (one of the staff's)")


class DeskSession(Schema):
    session_id: int
    venue_id: int
    kind: SlotKind
    title: str
    starts_at: datetime
    ends_at: datetime
    is_cancelled: bool
    booked: int
    capacity: int
    green_used: int
    green_quota: int
    checked_in: int
    parties: int
    parties_in: int


class DeskToday(Schema):
    """Today's sessions at the staff's venues, and how many group requests wait for approval."""

    day: date
    waiting: int
    sessions: list[DeskSession]


class DoorVisitor(Schema):
    """An adult's real-name entry: the number only masked."""

    id: int
    name: str
    document: IdentityDocument
    masked_number: str = Field(description="e.g. 1401**********1234")


class DoorParty(Schema):
    code: str
    status: BookingStatus
    channel: BookingChannel
    kind: BookingKind
    session_id: int
    starts_at: datetime
    places: int
    arrived: int
    checked_in_at: datetime | None
    counts: dict[str, int]
    green_categories: dict[str, int]
    group_name: str
    contact_name: str
    contact_phone: str = Field(description="Last 4 digits shown")
    visitors: list[DoorVisitor] = Field(
        [], description="Adults' real-name entries, where the venue asked for them"
    )
    checks_ids: bool = Field(
        False, description="Recording an arrival needs an ID typed from a document shown"
    )


class PresentedDocument(Schema):
    visitor_id: int
    number: Annotated[str, StringConstraints(strip_whitespace=True, max_length=40)] = Field(
        description="The number on the document shown: whole, or its last characters as the "
        "masked form shows them"
    )


class Arrival(Schema):
    code: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20)]
    people: WholeNumber | None = Field(
        None, description="How many arrive now (at least 1); default: everyone still to come"
    )
    seen_arrived: WholeNumber | None = Field(
        None,
        description="The arrived count last seen; a change meanwhile (a second scan) refuses "
        "with 409",
    )
    documents: list[PresentedDocument] = Field(
        [],
        max_length=50,
        description="At a real-name venue: IDs typed from the documents the adults show; a "
        "mismatch refuses with 422 and records nothing",
    )


class VisitorsQuery(Schema):
    day: QueryDate = Field(None, description="The local day (default today)")


class Visitors(Schema):
    day: date
    venue_id: int
    visitors: list[DoorParty]
