"""Green-channel booking: a venue's booking settings and timetable, sessions, bookings, waitlist.

Times of day in the settings and the timetable are the venue's local time (Asia/Shanghai);
every `*_at` datetime is naive UTC; every `*_on` is a local date.
"""

import enum
from datetime import date, datetime, time

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models import db, enum_column
from models.user import utcnow


class SlotKind(enum.Enum):
    REGULAR = "regular"
    OPEN_DAY = "open_day"


class BookingChannel(enum.Enum):
    GENERAL = "general"
    GREEN = "green"


class BookingKind(enum.Enum):
    FAMILY = "family"
    SCHOOL_GROUP = "school_group"


class BookingStatus(enum.Enum):
    PENDING = "pending"
    CONFIRMED = "confirmed"
    REFUSED = "refused"
    CANCELLED = "cancelled"
    CHECKED_IN = "checked_in"
    NO_SHOW = "no_show"


#: statuses that take places in a session ("held" is kept for waiting-list holds)
TAKING_STATUSES = (BookingStatus.PENDING, BookingStatus.CONFIRMED, BookingStatus.CHECKED_IN)
#: statuses that count against the per-day limit
ACTIVE_STATUSES = (BookingStatus.PENDING, BookingStatus.CONFIRMED)


class BookingSettings(db.Model):
    """How a venue takes bookings. A venue without a row uses the column defaults."""

    __tablename__ = "booking_settings"
    __table_args__ = (
        sa.CheckConstraint("open_days_ahead BETWEEN 1 AND 366", name="open_days_range"),
        sa.CheckConstraint("green_release_hours >= 0", name="green_release_not_negative"),
        sa.CheckConstraint("cancel_cutoff_hours >= 0", name="cutoff_not_negative"),
        sa.CheckConstraint(
            "preschool_per_teacher > 0 AND primary_per_teacher > 0 "
            "AND junior_per_teacher > 0 AND senior_per_teacher > 0",
            name="ratios_positive",
        ),
        sa.CheckConstraint("approval_above >= 0", name="approval_not_negative"),
        sa.CheckConstraint("arrive_minutes_before BETWEEN 0 AND 240", name="arrival_range"),
    )

    venue_id: Mapped[int] = mapped_column(
        sa.ForeignKey("venues.id", ondelete="CASCADE"), primary_key=True
    )
    #: a session can be booked from this many days before its date
    open_days_ahead: Mapped[int] = mapped_column(default=14)
    #: local time of day at which a new day becomes bookable
    release_time: Mapped[time] = mapped_column(sa.Time, default=time(8, 0))
    #: unused green-channel places open to everyone this many hours before a session
    green_release_hours: Mapped[int] = mapped_column(default=24)
    #: bookers may cancel until this many hours before the session
    cancel_cutoff_hours: Mapped[int] = mapped_column(default=2)
    #: at most this many pupils per accompanying teacher, by stage
    preschool_per_teacher: Mapped[int] = mapped_column(default=10)
    primary_per_teacher: Mapped[int] = mapped_column(default=20)
    junior_per_teacher: Mapped[int] = mapped_column(default=20)
    senior_per_teacher: Mapped[int] = mapped_column(default=25)
    #: a school group of more people than this waits for venue staff's approval
    approval_above: Mapped[int] = mapped_column(default=40)
    #: each adult visitor gives a name and an identity document (children never do)
    requires_real_name: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    #: visitors are asked to arrive this many minutes before their session
    arrive_minutes_before: Mapped[int] = mapped_column(default=15, server_default="15")
    #: what visitors should bring, in the venue's words (shown where people book)
    what_to_bring: Mapped[str] = mapped_column(sa.String(200), default="", server_default="")
    #: whether senior-secondary pupils may come without an adult on a family booking
    is_senior_alone_allowed: Mapped[bool] = mapped_column(
        default=False, server_default=sa.false()
    )

    venue = relationship("Venue")


class TimetableEntry(db.Model):
    """A weekly session: every such weekday, from start to end (local times)."""

    __tablename__ = "timetable_entries"
    __table_args__ = (
        sa.CheckConstraint("weekday BETWEEN 1 AND 7", name="weekday_iso"),
        sa.CheckConstraint("end_time > start_time", name="ends_after_starts"),
        sa.CheckConstraint("capacity > 0", name="capacity_positive"),
        sa.CheckConstraint("green_quota >= 0 AND green_quota <= capacity", name="quota_range"),
        sa.UniqueConstraint("venue_id", "weekday", "start_time", name="uq_timetable_entries_slot"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    venue_id: Mapped[int] = mapped_column(sa.ForeignKey("venues.id", ondelete="CASCADE"))
    #: ISO weekday, 1 = Monday … 7 = Sunday
    weekday: Mapped[int] = mapped_column(sa.SmallInteger)
    start_time: Mapped[time] = mapped_column(sa.Time)
    end_time: Mapped[time] = mapped_column(sa.Time)
    capacity: Mapped[int] = mapped_column()
    #: places reserved for the green channel until the release time
    green_quota: Mapped[int] = mapped_column(default=0)

    venue = relationship("Venue")


class Slot(db.Model):
    """One bookable visit time at a venue: from the timetable, or an open day (开放日)."""

    __tablename__ = "slots"
    __table_args__ = (
        sa.UniqueConstraint("venue_id", "starts_at", name="uq_slots_venue_starts"),
        sa.CheckConstraint("ends_at > starts_at", name="ends_after_starts"),
        sa.CheckConstraint("capacity > 0", name="capacity_positive"),
        sa.CheckConstraint("green_quota >= 0 AND green_quota <= capacity", name="quota_range"),
        sa.CheckConstraint("taken_general >= 0 AND taken_green >= 0", name="taken_not_negative"),
        sa.CheckConstraint("taken_general + taken_green <= capacity", name="taken_within_capacity"),
        sa.CheckConstraint("held_general >= 0 AND held_green >= 0", name="held_not_negative"),
        sa.CheckConstraint(
            "taken_general + taken_green + held_general + held_green <= capacity",
            name="held_within_capacity",
        ),
        sa.Index("ix_slots_starts_at", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    venue_id: Mapped[int] = mapped_column(sa.ForeignKey("venues.id", ondelete="CASCADE"))
    kind: Mapped[SlotKind] = mapped_column(
        enum_column(SlotKind, name="session_kind"), default=SlotKind.REGULAR
    )
    starts_at: Mapped[datetime] = mapped_column()
    ends_at: Mapped[datetime] = mapped_column()
    #: open days: the title and programme shown to visitors
    title: Mapped[str] = mapped_column(sa.String(120), default="")
    programme: Mapped[str] = mapped_column(sa.Text, default="")
    capacity: Mapped[int] = mapped_column()
    green_quota: Mapped[int] = mapped_column(default=0)
    #: places taken by general-channel bookings
    taken_general: Mapped[int] = mapped_column(default=0)
    #: places taken by green-channel bookings (they may spill past the quota)
    taken_green: Mapped[int] = mapped_column(default=0)
    #: places held for waiting-list entries offered them (general channel), not yet booked
    held_general: Mapped[int] = mapped_column(default=0, server_default="0")
    #: places held for green-channel waiting-list entries offered them, not yet booked
    held_green: Mapped[int] = mapped_column(default=0, server_default="0")
    #: staff called the session off; nothing more can be booked
    is_cancelled: Mapped[bool] = mapped_column(default=False)
    #: open days: the school stages it is meant for, comma-separated `Stage` values ("" = all)
    audience: Mapped[str] = mapped_column(sa.String(40), default="", server_default="")
    #: open days: what to know before signing up (bring ID, meet at the east gate…)
    signup_note: Mapped[str] = mapped_column(sa.String(300), default="", server_default="")

    venue = relationship("Venue")

    @property
    def is_open_day(self) -> bool:
        return self.kind is SlotKind.OPEN_DAY

    @property
    def taken(self) -> int:
        return self.taken_general + self.taken_green

    @property
    def audience_stages(self) -> list[str]:
        return [value for value in self.audience.split(",") if value]

    def __repr__(self):
        return f"<Session {self.id} venue={self.venue_id} {self.starts_at}>"


class Booking(db.Model):
    """A booking for a family or a school group. Counts only: no children's names."""

    __tablename__ = "bookings"
    __table_args__ = (
        sa.CheckConstraint(
            "preschool >= 0 AND primary_pupils >= 0 AND junior >= 0 AND senior >= 0 "
            "AND adults >= 0 AND teachers >= 0",
            name="counts_not_negative",
        ),
        sa.CheckConstraint(
            "left_behind >= 0 AND disabled >= 0 AND orphaned >= 0 AND special_family >= 0",
            name="green_counts_not_negative",
        ),
        sa.CheckConstraint(
            "places = preschool + primary_pupils + junior + senior + adults + teachers",
            name="places_is_sum",
        ),
        sa.CheckConstraint("places > 0", name="places_positive"),
        sa.CheckConstraint("price_yuan >= 0", name="price_not_negative"),
        sa.CheckConstraint("arrived >= 0 AND arrived <= places", name="arrived_within_places"),
        sa.UniqueConstraint("booker_id", "idempotency_key", name="uq_bookings_booker_key"),
        sa.Index("ix_bookings_booker_visit", "booker_id", "visit_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: short code read aloud at the door; unguessable
    code: Mapped[str] = mapped_column(sa.String(12), unique=True)
    slot_id: Mapped[int] = mapped_column(
        sa.ForeignKey("slots.id", ondelete="CASCADE"), index=True
    )
    #: the session's local date, kept for the per-day limit
    visit_on: Mapped[date] = mapped_column(sa.Date)
    channel: Mapped[BookingChannel] = mapped_column(
        enum_column(BookingChannel, name="booking_channel")
    )
    kind: Mapped[BookingKind] = mapped_column(enum_column(BookingKind, name="booking_kind"))
    status: Mapped[BookingStatus] = mapped_column(
        enum_column(BookingStatus, name="booking_status"), index=True
    )
    booker_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    school_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("schools.id", ondelete="SET NULL"), index=True
    )
    #: the form's one-time token: a second submit of the same form finds this booking
    idempotency_key: Mapped[str] = mapped_column(sa.String(64))

    preschool: Mapped[int] = mapped_column(default=0)
    primary_pupils: Mapped[int] = mapped_column(default=0)
    junior: Mapped[int] = mapped_column(default=0)
    senior: Mapped[int] = mapped_column(default=0)
    adults: Mapped[int] = mapped_column(default=0)
    teachers: Mapped[int] = mapped_column(default=0)
    #: people in all: the places this booking holds
    places: Mapped[int] = mapped_column()
    #: green-channel children declared by category (counts only, checked at the door)
    left_behind: Mapped[int] = mapped_column(default=0)
    disabled: Mapped[int] = mapped_column(default=0)
    orphaned: Mapped[int] = mapped_column(default=0)
    special_family: Mapped[int] = mapped_column(default=0)

    #: school groups: the class or grade
    group_name: Mapped[str] = mapped_column(sa.String(60), default="")
    lead_teacher: Mapped[str] = mapped_column(sa.String(60), default="")
    contact_name: Mapped[str] = mapped_column(sa.String(60))
    contact_phone: Mapped[str] = mapped_column(sa.String(20))
    #: people recorded at the door so far (a party may arrive in parts during the day)
    arrived: Mapped[int] = mapped_column(default=0, server_default="0")
    #: whole yuan for the whole party
    price_yuan: Mapped[int] = mapped_column(default=0)
    #: why staff refused or cancelled
    reason: Mapped[str] = mapped_column(sa.String(300), default="")

    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column()
    cancelled_at: Mapped[datetime | None] = mapped_column()
    checked_in_at: Mapped[datetime | None] = mapped_column()
    reminded_at: Mapped[datetime | None] = mapped_column()
    #: contact names, phone and real-name entries removed after the retention period
    personal_data_purged_at: Mapped[datetime | None] = mapped_column()

    slot: Mapped[Slot] = relationship()
    booker = relationship("User")
    school = relationship("School")
    visitors: Mapped[list["BookingVisitor"]] = relationship(
        back_populates="booking", cascade="all, delete-orphan", order_by="BookingVisitor.id"
    )

    @property
    def children(self) -> int:
        return self.preschool + self.primary_pupils + self.junior + self.senior

    @property
    def green_children(self) -> int:
        return self.left_behind + self.disabled + self.orphaned + self.special_family

    @property
    def takes_places(self) -> bool:
        return self.status in TAKING_STATUSES

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    @property
    def display_code(self) -> str:
        return f"{self.code[:4]}-{self.code[4:]}" if len(self.code) == 8 else self.code

    def __repr__(self):
        return f"<Booking {self.code} {self.status.value}>"


class IdentityDocument(enum.Enum):
    RESIDENT_ID = "resident_id"  # 居民身份证
    TRAVEL_PERMIT = "travel_permit"  # 港澳台居民来往内地（大陆）通行证
    PASSPORT = "passport"


class BookingVisitor(db.Model):
    """An adult visitor's real-name entry, for venues that require one. Never a child.

    The full document number is not kept: only its masked form, shown to staff, and a keyed
    digest that lets the door check the document a visitor presents.
    """

    __tablename__ = "booking_visitors"

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(
        sa.ForeignKey("bookings.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(sa.String(60))
    document: Mapped[IdentityDocument] = mapped_column(
        enum_column(IdentityDocument, name="identity_document")
    )
    #: e.g. 1401**********1234
    masked_number: Mapped[str] = mapped_column(sa.String(30))
    #: HMAC-SHA256 of the document kind and number, hex
    number_digest: Mapped[str] = mapped_column(sa.String(64))

    booking: Mapped[Booking] = relationship(back_populates="visitors")


class WaitlistEntry(db.Model):
    """Someone waiting for places in a full session; offered places when some come free."""

    __tablename__ = "waitlist_entries"
    __table_args__ = (
        sa.UniqueConstraint("slot_id", "user_id", name="uq_waitlist_entries_slot_user"),
        sa.CheckConstraint("places > 0", name="places_positive"),
        sa.CheckConstraint(
            "held_places >= 0 AND held_places <= places", name="held_places_range"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slot_id: Mapped[int] = mapped_column(
        sa.ForeignKey("slots.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    channel: Mapped[BookingChannel] = mapped_column(
        enum_column(BookingChannel, name="booking_channel")
    )
    places: Mapped[int] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: when places were offered; an offered entry is not offered again
    offered_at: Mapped[datetime | None] = mapped_column()
    #: places still held for this entry (counted in the session's held_* column)
    held_places: Mapped[int] = mapped_column(default=0, server_default="0")
    #: the hold lapses at this instant (never after the session starts)
    held_until: Mapped[datetime | None] = mapped_column()

    slot: Mapped[Slot] = relationship()
    user = relationship("User")

    def is_holding(self, now: datetime) -> bool:
        return self.held_places > 0 and self.held_until is not None and now < self.held_until
