"""The family-education lecturer pool (家庭教育讲师团) and the talks it delivers to the door."""

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from models import db, enum_column
from models.user import utcnow


class LecturerCategory(enum.Enum):
    """Who the notice (item 3) asks the pools to draw on."""

    RETIRED_CADRE = "retired_cadre"
    VETERAN = "veteran"
    RETIRED_EXPERT = "retired_expert"
    RETIRED_TEACHER = "retired_teacher"
    RETIRED_MODEL_WORKER = "retired_model_worker"
    LABOUR_MODEL = "labour_model"
    MORAL_MODEL = "moral_model"
    ROLE_MODEL_OF_THE_TIMES = "role_model_of_the_times"
    CIVIC_VIRTUE = "civic_virtue"
    ESTEEMED_ARTIST = "esteemed_artist"
    UNIVERSITY_EXPERT = "university_expert"
    YOUNG_TEACHER = "young_teacher"
    OTHER = "other"


#: the "five elders" (五老), by kind
FIVE_ELDERS = (
    LecturerCategory.RETIRED_CADRE,
    LecturerCategory.VETERAN,
    LecturerCategory.RETIRED_EXPERT,
    LecturerCategory.RETIRED_TEACHER,
    LecturerCategory.RETIRED_MODEL_WORKER,
)


class LectureStatus(enum.Enum):
    REQUESTED = "requested"
    ASSIGNED = "assigned"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"


class LecturerPool(db.Model):
    """A city-level or county-level lecturer group; one per region."""

    __tablename__ = "lecturer_pools"

    id: Mapped[int] = mapped_column(primary_key=True)
    region_id: Mapped[int] = mapped_column(sa.ForeignKey("regions.id"), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    region = relationship("Region", lazy="joined")
    lecturers: Mapped[list["Lecturer"]] = relationship(
        back_populates="pool", order_by="Lecturer.name"
    )

    @property
    def is_city_pool(self) -> bool:
        from models.region import RegionLevel

        return self.region.level is RegionLevel.CITY

    def __repr__(self):
        return f"<LecturerPool {self.name}>"


lecturer_topics = sa.Table(
    "lecturer_topics",
    db.metadata,
    sa.Column("lecturer_id", sa.ForeignKey("lecturers.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("topic_id", sa.ForeignKey("topics.id", ondelete="CASCADE"), primary_key=True),
    sa.Index("ix_lecturer_topics_topic_id", "topic_id"),
)


class Topic(db.Model):
    """A subject lecturers speak on; the list is kept by bureau staff."""

    __tablename__ = "topics"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(60), unique=True)
    name_en: Mapped[str] = mapped_column(sa.String(100), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def display_name(self, locale: str = "zh") -> str:
        return self.name_en if locale == "en" and self.name_en else self.name


class Lecturer(db.Model):
    """A member of a lecturer pool. The phone number is for bureau staff only."""

    __tablename__ = "lecturers"
    __table_args__ = (
        sa.UniqueConstraint("pool_id", "name", "phone", name="uq_lecturers_pool_name_phone"),
        sa.CheckConstraint(
            "term_ends_on IS NULL OR term_starts_on IS NULL OR term_ends_on >= term_starts_on",
            name="term_order",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    pool_id: Mapped[int] = mapped_column(sa.ForeignKey("lecturer_pools.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(60))
    category: Mapped[LecturerCategory] = mapped_column(
        enum_column(LecturerCategory, name="lecturer_category"), index=True
    )
    bio: Mapped[str] = mapped_column(sa.Text, default="")
    #: the photo itself, kept in the database so that every web worker can serve it
    photo: Mapped[bytes | None] = deferred(mapped_column(sa.LargeBinary))
    #: MIME type of `photo`: image/jpeg or image/png
    photo_type: Mapped[str] = mapped_column(sa.String(20), default="")
    term_starts_on: Mapped[date | None] = mapped_column(sa.Date)
    term_ends_on: Mapped[date | None] = mapped_column(sa.Date)
    #: ISO weekdays the lecturer is usually free, comma-separated ("1,3,6")
    free_weekdays_csv: Mapped[str] = mapped_column(sa.String(20), default="")
    #: seen by bureau staff alone
    phone: Mapped[str] = mapped_column(sa.String(20))
    #: where the lecturer lives or works; optional, places them on the map when given
    address: Mapped[str] = mapped_column(sa.String(200), default="")
    is_retired: Mapped[bool] = mapped_column(default=False, index=True)
    #: WGS-84; the pool region's centre unless the address places them better
    lat: Mapped[float] = mapped_column(sa.Float)
    lng: Mapped[float] = mapped_column(sa.Float)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    pool: Mapped[LecturerPool] = relationship(back_populates="lecturers", lazy="joined")
    topics: Mapped[list[Topic]] = relationship(
        secondary=lecturer_topics, order_by="Topic.name", lazy="selectin"
    )

    @property
    def free_weekdays(self) -> list[int]:
        return sorted(int(d) for d in self.free_weekdays_csv.split(",") if d)

    @free_weekdays.setter
    def free_weekdays(self, days) -> None:
        self.free_weekdays_csv = ",".join(str(d) for d in sorted({int(d) for d in days}))

    @property
    def has_photo(self) -> bool:
        return bool(self.photo_type)

    @property
    def is_five_elders(self) -> bool:
        return self.category in FIVE_ELDERS

    def is_in_term_on(self, day: date) -> bool:
        if self.term_starts_on and day < self.term_starts_on:
            return False
        return not (self.term_ends_on and day > self.term_ends_on)

    def is_usually_free_on(self, day: date) -> bool:
        return day.isoweekday() in self.free_weekdays

    def __repr__(self):
        return f"<Lecturer {self.id} {self.name}>"


class GuidanceStation(db.Model):
    """A community family-education guidance station (家庭教育指导服务站点)."""

    __tablename__ = "guidance_stations"
    __table_args__ = (
        sa.UniqueConstraint("county_id", "name", name="uq_guidance_stations_county_name"),
        sa.CheckConstraint("lat BETWEEN -90 AND 90", name="lat_range"),
        sa.CheckConstraint("lng BETWEEN -180 AND 180", name="lng_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    #: the community (社区 / 村) the station serves
    community: Mapped[str] = mapped_column(sa.String(120))
    county_id: Mapped[int] = mapped_column(sa.ForeignKey("regions.id"), index=True)
    address: Mapped[str] = mapped_column(sa.String(200), default="")
    lat: Mapped[float] = mapped_column(sa.Float)
    lng: Mapped[float] = mapped_column(sa.Float)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    county = relationship("Region", lazy="joined")

    def __repr__(self):
        return f"<GuidanceStation {self.name}>"


class LectureRequest(db.Model):
    """A school or a station asking for a talk at its place (送教上门), and how it went."""

    __tablename__ = "lecture_requests"
    __table_args__ = (
        sa.CheckConstraint("(school_id IS NULL) <> (station_id IS NULL)", name="one_host"),
        sa.CheckConstraint("expected_audience > 0", name="audience_positive"),
        sa.CheckConstraint(
            "feedback_score IS NULL OR feedback_score BETWEEN 1 AND 5", name="score_range"
        ),
        sa.CheckConstraint(
            "audience_reached IS NULL OR audience_reached >= 0", name="reached_not_negative"
        ),
        sa.CheckConstraint(
            "status NOT IN ('assigned', 'delivered') OR "
            "(lecturer_id IS NOT NULL AND scheduled_on IS NOT NULL)",
            name="assigned_has_lecturer",
        ),
        sa.Index("ix_lecture_requests_lecturer_day", "lecturer_id", "scheduled_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("schools.id", ondelete="CASCADE"), index=True
    )
    station_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("guidance_stations.id", ondelete="CASCADE"), index=True
    )
    #: the host's county, kept here so that scope filters need no join
    county_id: Mapped[int] = mapped_column(sa.ForeignKey("regions.id"), index=True)
    topic_id: Mapped[int] = mapped_column(sa.ForeignKey("topics.id"), index=True)
    #: first choice of date
    wanted_on: Mapped[date] = mapped_column(sa.Date)
    #: second choice, optional
    wanted_alt_on: Mapped[date | None] = mapped_column(sa.Date)
    expected_audience: Mapped[int] = mapped_column(sa.Integer)
    #: who will listen, in words: "parents of grade 3", "grandparents caring for children"
    audience_note: Mapped[str] = mapped_column(sa.String(200), default="")
    place: Mapped[str] = mapped_column(sa.String(200))
    status: Mapped[LectureStatus] = mapped_column(
        enum_column(LectureStatus, name="lecture_status"),
        default=LectureStatus.REQUESTED,
        index=True,
    )
    lecturer_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("lecturers.id", ondelete="SET NULL")
    )
    #: the date the talk is set for, one of the wanted dates
    scheduled_on: Mapped[date | None] = mapped_column(sa.Date)
    delivered_on: Mapped[date | None] = mapped_column(sa.Date, index=True)
    audience_reached: Mapped[int | None] = mapped_column(sa.Integer)
    feedback_score: Mapped[int | None] = mapped_column(sa.SmallInteger)
    feedback_comment: Mapped[str] = mapped_column(sa.Text, default="")
    cancel_reason: Mapped[str] = mapped_column(sa.Text, default="")
    requested_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    assigned_at: Mapped[datetime | None] = mapped_column()
    delivered_at: Mapped[datetime | None] = mapped_column()
    cancelled_at: Mapped[datetime | None] = mapped_column()
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    school = relationship("School", lazy="joined")
    station: Mapped[GuidanceStation | None] = relationship(lazy="joined")
    county = relationship("Region", lazy="joined")
    topic: Mapped[Topic] = relationship(lazy="joined")
    lecturer: Mapped[Lecturer | None] = relationship(lazy="joined")
    requested_by = relationship("User")

    @property
    def host(self):
        return self.school if self.school_id else self.station

    @property
    def host_name(self) -> str:
        host = self.host
        return host.name if host else ""

    @property
    def is_school_host(self) -> bool:
        return self.school_id is not None

    @property
    def wanted_dates(self) -> list[date]:
        return [d for d in (self.wanted_on, self.wanted_alt_on) if d]

    @property
    def is_open(self) -> bool:
        return self.status in (LectureStatus.REQUESTED, LectureStatus.ASSIGNED)

    def __repr__(self):
        return f"<LectureRequest {self.id} {self.status.value}>"
