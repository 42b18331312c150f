"""What a booking asks for: who comes (the party, counted by stage, adults, teachers and
green-channel category), the request a form or the API hands the services, the channel that
follows from them, and the price from the venue's admission policy.
"""

import math
from dataclasses import dataclass, field

from models import AdmissionKind, BookingChannel, BookingKind, School, Venue, VisitorGroup

STAGE_FIELDS = ("preschool", "primary_pupils", "junior", "senior")
GREEN_FIELDS = ("left_behind", "disabled", "orphaned", "special_family")
COUNT_FIELDS = (*STAGE_FIELDS, "adults", "teachers", *GREEN_FIELDS)
GROUP_OF_FIELD = {
    "preschool": VisitorGroup.PRESCHOOL,
    "primary_pupils": VisitorGroup.PRIMARY,
    "junior": VisitorGroup.JUNIOR,
    "senior": VisitorGroup.SENIOR,
    "adults": VisitorGroup.ADULT,
    "teachers": VisitorGroup.TEACHER,
}
RATIO_OF_FIELD = {
    "preschool": "preschool_per_teacher",
    "primary_pupils": "primary_per_teacher",
    "junior": "junior_per_teacher",
    "senior": "senior_per_teacher",
}


@dataclass
class Party:
    """Who comes: counts by stage, adults, teachers, and green-channel categories."""

    preschool: int = 0
    primary_pupils: int = 0
    junior: int = 0
    senior: int = 0
    adults: int = 0
    teachers: int = 0
    left_behind: int = 0
    disabled: int = 0
    orphaned: int = 0
    special_family: int = 0

    @property
    def children(self) -> int:
        return sum(getattr(self, f) for f in STAGE_FIELDS)

    @property
    def places(self) -> int:
        return self.children + self.adults + self.teachers

    @property
    def green_children(self) -> int:
        return sum(getattr(self, f) for f in GREEN_FIELDS)


@dataclass
class BookingRequest:
    kind: BookingKind
    party: Party
    contact_name: str
    contact_phone: str
    #: the form's one-time token
    idempotency_key: str
    school: School | None = None
    group_name: str = ""
    lead_teacher: str = ""
    #: adults' real-name entries (real_names.VisitorEntry), where the venue requires them
    visitors: list = field(default_factory=list)

    @property
    def channel(self) -> BookingChannel:
        """The channel follows from the kind and the party: school groups and families with
        children in a green-channel category book through the green channel."""
        if self.kind is BookingKind.SCHOOL_GROUP or self.party.green_children:
            return BookingChannel.GREEN
        return BookingChannel.GENERAL


@dataclass
class PriceLine:
    group: VisitorGroup
    count: int
    kind: AdmissionKind | None
    unit_yuan: int

    @property
    def total_yuan(self) -> int:
        return self.count * self.unit_yuan


@dataclass
class Quote:
    lines: list[PriceLine] = field(default_factory=list)
    is_green: bool = False

    @property
    def total_yuan(self) -> int:
        return sum(line.total_yuan for line in self.lines)


def quote_price(venue: Venue, party: Party, channel: BookingChannel) -> Quote:
    """The price per visitor group from the venue's admission policy.

    Rules: green-channel bookings are free; a group the policy leaves out, or a free group,
    costs nothing here (the venue states any other charge at the door).
    """
    quote = Quote(is_green=channel is BookingChannel.GREEN)
    for name, group in GROUP_OF_FIELD.items():
        count = getattr(party, name)
        if not count:
            continue
        rule = venue.admission_for(group)
        kind = rule.kind if rule else None
        unit = 0
        if not quote.is_green and rule is not None and not rule.is_free:
            unit = rule.price_yuan or 0
        quote.lines.append(
            PriceLine(group, count, AdmissionKind.FREE if quote.is_green else kind, unit)
        )
    return quote


def teachers_needed(party: Party, settings) -> int:
    """Teachers a school group must bring: per stage, pupils divided by the ratio, rounded up."""
    return sum(
        math.ceil(getattr(party, name) / getattr(settings, RATIO_OF_FIELD[name]))
        for name in STAGE_FIELDS
    )
