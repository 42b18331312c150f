"""Booking: sessions with places left, and creating, reading and cancelling bookings."""

from datetime import datetime
from typing import Annotated

from pydantic import Field, create_model

from models import BookingChannel, BookingKind, BookingStatus, SlotKind
from webapp.api.fields import QueryDate, Schema, WholeNumber
from webapp.services.booking.party import COUNT_FIELDS
from webapp.services.booking.requests import MAX_COUNT

#: the most days one list of sessions may span
MAX_RANGE_DAYS = 62

Count = Annotated[WholeNumber, Field(ge=0, le=MAX_COUNT)]


class SessionRange(Schema):
    from_: QueryDate = Field(None, alias="from", description="First local date (default today)")
    to: QueryDate = Field(
        None, description=f"Last local date (default two weeks on, at most {MAX_RANGE_DAYS})"
    )


class SessionOut(Schema):
    id: int
    kind: SlotKind
    title: str
    programme: str
    starts_at: datetime
    ends_at: datetime
    capacity: int
    places_left: int
    green_places_left: int
    green_reserved_left: int


class SessionList(Schema):
    venue_id: int
    sessions: list[SessionOut]


class _BookingFields(Schema):
    session_id: WholeNumber
    kind: BookingKind = BookingKind.FAMILY
    contact_name: str = Field("", max_length=60)
    contact_phone: str = Field("", description="A mainland mobile number, 11 digits")
    idempotency_key: str = Field(
        "", description="The same key again returns the booking already made (8-64 characters)"
    )
    school_id: WholeNumber | None = Field(None, description="Required for a school group")
    group_name: str = Field("", max_length=60)
    lead_teacher: str = Field("", max_length=60)


#: the body of POST /bookings: the contact, the kind, and how many come, by count field
BookingRequest = create_model(
    "BookingRequest",
    __base__=_BookingFields,
    **{name: (Count, 0) for name in COUNT_FIELDS},
)


class Cancellation(Schema):
    reason: str = Field("", description="Why (required of staff); longer than 300 is cut")


class Booking(Schema):
    code: str
    status: BookingStatus
    kind: BookingKind
    channel: BookingChannel
    session_id: int
    venue_id: int
    venue: str
    starts_at: datetime
    ends_at: datetime
    places: int
    counts: dict[str, int]
    group_name: str
    price_yuan: int
    reason: str
    url: str
