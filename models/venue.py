import enum
from datetime import date, datetime, time

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models import db, enum_column


class VenueCategory(enum.Enum):
    """The kinds of base listed in item 8 of the notice."""

    PATRIOTIC_EDUCATION = "patriotic_education"
    RULE_OF_LAW = "rule_of_law"
    STUDY_TRAVEL = "study_travel"
    SCIENCE_POPULARISATION = "science_popularisation"
    LIBRARY = "library"
    MUSEUM = "museum"
    CULTURAL_CENTRE = "cultural_centre"
    INTANGIBLE_HERITAGE = "intangible_heritage"
    ART_GALLERY = "art_gallery"
    MEMORIAL_HALL = "memorial_hall"
    SCIENCE_MUSEUM = "science_museum"
    PERFORMANCE_VENUE = "performance_venue"
    SPORTS_VENUE = "sports_venue"
    NATIONAL_PARK = "national_park"
    YOUTH_PALACE = "youth_palace"
    CHILDREN_CENTRE = "children_centre"


class VenueLevel(enum.Enum):
    """Who designated the base."""

    NATIONAL = "national"
    PROVINCIAL = "provincial"
    CITY = "city"
    COUNTY = "county"


class Stage(enum.Enum):
    PRESCHOOL = "preschool"
    PRIMARY = "primary"
    JUNIOR = "junior"
    SENIOR = "senior"


def stage_bit(stage: Stage) -> int:
    """The bit a stage sets in Venue.stage_mask."""
    return 1 << list(Stage).index(stage)


def stage_mask_test(stage: Stage) -> str:
    """SQL true for the venues suited to `stage`: a literal, so a partial index can match it."""
    return f"(stage_mask & {stage_bit(stage)}) <> 0"


def category_bits(categories) -> int:
    """The bits a set of categories sets in Venue.category_mask."""
    order = list(VenueCategory)
    return sum(1 << order.index(c) for c in set(categories))


class VisitorGroup(enum.Enum):
    PRESCHOOL = "preschool"
    PRIMARY = "primary"
    JUNIOR = "junior"
    SENIOR = "senior"
    ADULT = "adult"
    TEACHER = "teacher"


CHILD_GROUPS = (
    VisitorGroup.PRESCHOOL,
    VisitorGroup.PRIMARY,
    VisitorGroup.JUNIOR,
    VisitorGroup.SENIOR,
)


class AdmissionKind(enum.Enum):
    FREE = "free"
    DISCOUNT = "discount"
    FULL = "full"


venue_categories = sa.Table(
    "venue_categories",
    db.metadata,
    sa.Column("venue_id", sa.ForeignKey("venues.id", ondelete="CASCADE"), primary_key=True),
    sa.Column(
        "category",
        enum_column(VenueCategory, name="venue_category"),
        primary_key=True,
        index=True,
    ),
)

venue_stages = sa.Table(
    "venue_stages",
    db.metadata,
    sa.Column("venue_id", sa.ForeignKey("venues.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("stage", enum_column(Stage, name="stage"), primary_key=True, index=True),
)


class Venue(db.Model):
    """A social practice education base (社会实践教育基地)."""

    __tablename__ = "venues"
    __table_args__ = (
        sa.CheckConstraint("lat BETWEEN -90 AND 90", name="lat_range"),
        sa.CheckConstraint("lng BETWEEN -180 AND 180", name="lng_range"),
        sa.Index("ix_venues_lat_lng", "lat", "lng"),
        # the filters people use, each with the list's sort order, so a page walks one index
        sa.Index("ix_venues_county_pinyin", "county_id", "name_pinyin", "id"),
        sa.Index("ix_venues_city_pinyin", "city_id", "name_pinyin", "id"),
        sa.Index("ix_venues_free_pinyin", "is_free_for_children", "name_pinyin", "id"),
        *(
            sa.Index(
                f"ix_venues_stage_{stage.value}",
                "name_pinyin",
                "id",
                sqlite_where=sa.text(stage_mask_test(stage)),
                postgresql_where=sa.text(stage_mask_test(stage)),
            )
            for stage in Stage
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(120), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    name_en: Mapped[str] = mapped_column(sa.String(160), default="")
    #: the name in toneless pinyin, the list's sort order
    name_pinyin: Mapped[str] = mapped_column(sa.String(400), default="", index=True)
    #: lower-case text the keyword filter matches: name, address, full pinyin and initials
    search_text: Mapped[str] = mapped_column(sa.Text, default="")
    level: Mapped[VenueLevel] = mapped_column(enum_column(VenueLevel, name="venue_level"))
    #: the county-level division the venue lies in
    county_id: Mapped[int] = mapped_column(sa.ForeignKey("regions.id"))
    #: the prefecture-level city, kept beside the county so the city filter needs no join
    city_id: Mapped[int] = mapped_column(sa.ForeignKey("regions.id"))
    address: Mapped[str] = mapped_column(sa.String(200))
    #: WGS-84; converted on display for GCJ-02 tiles
    lat: Mapped[float] = mapped_column(sa.Float)
    lng: Mapped[float] = mapped_column(sa.Float)
    #: True when lat/lng is the county centroid rather than the venue itself
    is_location_approximate: Mapped[bool] = mapped_column(default=False)
    phone: Mapped[str] = mapped_column(sa.String(40), default="")
    description: Mapped[str] = mapped_column(sa.Text, default="")
    transport: Mapped[str] = mapped_column(sa.Text, default="")
    is_accessible: Mapped[bool] = mapped_column(default=False)
    accessibility: Mapped[str] = mapped_column(sa.Text, default="")
    #: True when every child visitor group enters free; kept in step by set_admission()
    is_free_for_children: Mapped[bool] = mapped_column(default=False)
    #: one bit per Stage (stage_bit) and per VenueCategory (category_bits), kept in step with
    #: the venue_stages / venue_categories rows by the setters below, so that filtering and
    #: counting by stage or category read this table alone
    stage_mask: Mapped[int] = mapped_column(sa.Integer, default=0, server_default="0")
    category_mask: Mapped[int] = mapped_column(sa.Integer, default=0, server_default="0")

    county = relationship("Region", foreign_keys=[county_id])
    city = relationship("Region", foreign_keys=[city_id])
    category_rows = relationship(
        "VenueCategoryRow", cascade="all, delete-orphan", passive_deletes=True, lazy="selectin"
    )
    stage_rows = relationship(
        "VenueStageRow", cascade="all, delete-orphan", passive_deletes=True, lazy="selectin"
    )
    admission_rules: Mapped[list["AdmissionRule"]] = relationship(
        back_populates="venue", cascade="all, delete-orphan", passive_deletes=True
    )
    opening_hours: Mapped[list["OpeningHours"]] = relationship(
        back_populates="venue",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="(OpeningHours.weekday, OpeningHours.opens_at)",
    )
    closures: Mapped[list["VenueClosure"]] = relationship(
        back_populates="venue",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="VenueClosure.closed_on",
    )
    courses: Mapped[list["Course"]] = relationship(
        back_populates="venue", cascade="all, delete-orphan", passive_deletes=True
    )
    #: the first is the venue's picture on the list, the map and its page
    photos: Mapped[list["VenuePhoto"]] = relationship(
        back_populates="venue",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="(VenuePhoto.position, VenuePhoto.id)",
    )

    @property
    def first_photo(self) -> "VenuePhoto | None":
        return self.photos[0] if self.photos else None

    @property
    def categories(self) -> list[VenueCategory]:
        return sorted((row.category for row in self.category_rows), key=lambda c: c.value)

    @categories.setter
    def categories(self, values):
        wanted = set(values)
        self.category_rows = [r for r in self.category_rows if r.category in wanted]
        have = {r.category for r in self.category_rows}
        self.category_rows.extend(VenueCategoryRow(category=c) for c in wanted - have)
        self.category_mask = category_bits(wanted)

    @property
    def stages(self) -> list[Stage]:
        order = list(Stage)
        return sorted((row.stage for row in self.stage_rows), key=order.index)

    @stages.setter
    def stages(self, values):
        wanted = set(values)
        self.stage_rows = [r for r in self.stage_rows if r.stage in wanted]
        have = {r.stage for r in self.stage_rows}
        self.stage_rows.extend(VenueStageRow(stage=s) for s in wanted - have)
        self.stage_mask = sum(stage_bit(s) for s in wanted)

    def set_admission(self, rules: dict["VisitorGroup", tuple["AdmissionKind", int | None]]):
        """Replace the admission policy; a group left out is "ask the venue"."""
        # Rows are updated in place: deleting and re-inserting one group would trip the
        # unique constraint, as the unit of work inserts before it deletes.
        by_group = {r.visitor_group: r for r in self.admission_rules}
        kept = []
        for group, (kind, price) in rules.items():
            rule = by_group.get(group) or AdmissionRule(visitor_group=group)
            rule.kind, rule.price_yuan = kind, price
            kept.append(rule)
        self.admission_rules = kept
        self.is_free_for_children = all(
            rules.get(g, (None,))[0] is AdmissionKind.FREE for g in CHILD_GROUPS
        )

    def admission_for(self, group: VisitorGroup) -> "AdmissionRule | None":
        return next((r for r in self.admission_rules if r.visitor_group is group), None)

    def is_open_on(self, day: date) -> bool:
        if any(c.closed_on == day for c in self.closures):
            return False
        return any(h.weekday == day.isoweekday() for h in self.opening_hours)

    def display_name(self, locale: str = "zh") -> str:
        return self.name_en if locale == "en" and self.name_en else self.name

    def __repr__(self):
        return f"<Venue {self.slug}>"


class VenueCategoryRow(db.Model):
    __table__ = venue_categories


class VenueStageRow(db.Model):
    __table__ = venue_stages


class AdmissionRule(db.Model):
    """What one visitor group pays at a venue."""

    __tablename__ = "admission_rules"
    __table_args__ = (
        sa.UniqueConstraint("venue_id", "visitor_group", name="uq_admission_rules_group"),
        sa.CheckConstraint("price_yuan IS NULL OR price_yuan >= 0", name="price_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    venue_id: Mapped[int] = mapped_column(sa.ForeignKey("venues.id", ondelete="CASCADE"))
    visitor_group: Mapped[VisitorGroup] = mapped_column(
        enum_column(VisitorGroup, name="visitor_group")
    )
    kind: Mapped[AdmissionKind] = mapped_column(enum_column(AdmissionKind, name="admission_kind"))
    #: whole yuan; None when free
    price_yuan: Mapped[int | None] = mapped_column(sa.Integer)

    venue: Mapped[Venue] = relationship(back_populates="admission_rules")

    @property
    def is_free(self) -> bool:
        return self.kind is AdmissionKind.FREE


class OpeningHours(db.Model):
    """One weekday's opening time; a weekday with no row is a closed day."""

    __tablename__ = "opening_hours"
    __table_args__ = (
        sa.CheckConstraint("weekday BETWEEN 1 AND 7", name="weekday_iso"),
        sa.CheckConstraint("closes_at > opens_at", name="closes_after_opens"),
        sa.Index("ix_opening_hours_venue_weekday", "venue_id", "weekday"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    venue_id: Mapped[int] = mapped_column(sa.ForeignKey("venues.id", ondelete="CASCADE"))
    #: ISO weekday, 1 = Monday … 7 = Sunday
    weekday: Mapped[int] = mapped_column(sa.SmallInteger)
    opens_at: Mapped[time] = mapped_column(sa.Time)
    closes_at: Mapped[time] = mapped_column(sa.Time)

    venue: Mapped[Venue] = relationship(back_populates="opening_hours")


class VenueClosure(db.Model):
    """A date the venue is closed although its weekly schedule says open."""

    __tablename__ = "venue_closures"
    __table_args__ = (sa.UniqueConstraint("venue_id", "closed_on", name="uq_venue_closures_day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    venue_id: Mapped[int] = mapped_column(sa.ForeignKey("venues.id", ondelete="CASCADE"))
    closed_on: Mapped[date] = mapped_column(sa.Date, index=True)
    reason: Mapped[str] = mapped_column(sa.String(120), default="")

    venue: Mapped[Venue] = relationship(back_populates="closures")


class Course(db.Model):
    """A practice course or activity a venue offers (研学 / 社会实践课程)."""

    __tablename__ = "courses"
    __table_args__ = (sa.CheckConstraint("minutes > 0", name="minutes_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    venue_id: Mapped[int] = mapped_column(sa.ForeignKey("venues.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(sa.String(120))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    minutes: Mapped[int] = mapped_column(sa.Integer, default=60)
    #: comma-separated Stage values the course suits
    stages_csv: Mapped[str] = mapped_column(sa.String(60), default="")

    venue: Mapped[Venue] = relationship(back_populates="courses")

    @property
    def stages(self) -> list[Stage]:
        return [Stage(s) for s in self.stages_csv.split(",") if s]


class VenuePhoto(db.Model):
    """A photo of a venue. The file lives outside the database (VENUE_PHOTO_DIR/<venue id>/),
    named by a hash of its stored bytes, so any worker on any host writes the same name for
    the same picture and its address can be cached for good."""

    __tablename__ = "venue_photos"
    __table_args__ = (
        sa.UniqueConstraint("venue_id", "file_name", name="uq_venue_photos_file"),
        sa.CheckConstraint("width > 0 AND height > 0", name="size_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    venue_id: Mapped[int] = mapped_column(
        sa.ForeignKey("venues.id", ondelete="CASCADE"), index=True
    )
    #: "<sha-256 of the stored bytes, hex>.<jpg|png|webp>"
    file_name: Mapped[str] = mapped_column(sa.String(80))
    #: the order staff chose: the lowest comes first
    position: Mapped[int] = mapped_column(sa.Integer, default=0)
    width: Mapped[int] = mapped_column(sa.Integer)
    height: Mapped[int] = mapped_column(sa.Integer)
    uploaded_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    uploaded_at: Mapped[datetime] = mapped_column()

    venue: Mapped[Venue] = relationship(back_populates="photos")
    uploaded_by = relationship("User")


class CatalogueVersion(db.Model):
    """One row whose number goes up with every committed change to the catalogue.

    Cached catalogue pages are keyed by it, so any worker on any host can tell that its
    cached copy is out of date with one cheap read.
    """

    __tablename__ = "catalogue_versions"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(sa.BigInteger, default=0)
