"""Supervision: guidance activities schools and stations hold, and the dashboard's rollups.

The rollups are sums of bookings and sessions per venue (or school) and calendar month, rebuilt
by ``flask refresh-dashboard``; the dashboard reads them instead of scanning every booking.
"""

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models import db, enum_column
from models.user import utcnow


class GuidanceKind(enum.Enum):
    """Kinds of family-education guidance activity; every kind counts toward the targets."""

    PARENT_SCHOOL = "parent_school"
    PARENTS_MEETING = "parents_meeting"
    OPEN_DAY = "open_day"
    CONSULTATION = "consultation"
    OTHER = "other"


class GuidanceActivity(db.Model):
    """A family-education guidance activity a school or a station held itself."""

    __tablename__ = "guidance_activities"
    __table_args__ = (
        sa.CheckConstraint("(school_id IS NULL) <> (station_id IS NULL)", name="one_host"),
        sa.CheckConstraint("parents >= 0", name="parents_not_negative"),
        sa.Index("ix_guidance_activities_county_held", "county_id", "held_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("schools.id", ondelete="CASCADE"), index=True
    )
    station_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("guidance_stations.id", ondelete="CASCADE"), index=True
    )
    #: the host's county, kept here so scope filters need no join
    county_id: Mapped[int] = mapped_column(sa.ForeignKey("regions.id"))
    held_on: Mapped[date] = mapped_column(sa.Date)
    kind: Mapped[GuidanceKind] = mapped_column(enum_column(GuidanceKind, name="guidance_kind"))
    topic: Mapped[str] = mapped_column(sa.String(120))
    #: parents (or carers) who took part
    parents: Mapped[int] = mapped_column(default=0)
    recorded_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    school = relationship("School")
    station = relationship("GuidanceStation")
    county = relationship("Region")

    @property
    def host_name(self) -> str:
        host = self.school or self.station
        return host.name if host is not None else ""


class VenueMonthRollup(db.Model):
    """One venue's sessions and visitors in one calendar month (local dates)."""

    __tablename__ = "venue_month_rollups"
    __table_args__ = (
        # ranking a region's venues over a period reads two months of every venue: this
        # index alone answers it (an index-only scan on PostgreSQL)
        sa.Index(
            "ix_venue_month_rollups_month_venue",
            "month",
            "venue_id",
            postgresql_include=[
                "visitors_booked",
                "visitors_arrived",
                "running_booked",
                "running_arrived",
            ],
        ),
        sa.Index("ix_venue_month_rollups_county_month", "county_id", "month"),
        sa.Index("ix_venue_month_rollups_city_month", "city_id", "month"),
    )

    venue_id: Mapped[int] = mapped_column(
        sa.ForeignKey("venues.id", ondelete="CASCADE"), primary_key=True
    )
    #: the first day of the month
    month: Mapped[date] = mapped_column(sa.Date, primary_key=True)
    #: the venue's county and city, copied so a region's figures need no join
    county_id: Mapped[int] = mapped_column()
    city_id: Mapped[int] = mapped_column()
    sessions: Mapped[int] = mapped_column(default=0)
    open_days: Mapped[int] = mapped_column(default=0)
    capacity: Mapped[int] = mapped_column(default=0)
    taken: Mapped[int] = mapped_column(default=0)
    bookings: Mapped[int] = mapped_column(default=0)
    #: every visitor booked and every visitor who came, kept whole so venues rank by one column
    visitors_booked: Mapped[int] = mapped_column(default=0)
    visitors_arrived: Mapped[int] = mapped_column(default=0)
    #: running totals of the two above up to this month: a period's use is the difference of
    #: two rows, so ranking every venue reads two rows a venue, not one a month
    running_booked: Mapped[int] = mapped_column(default=0)
    running_arrived: Mapped[int] = mapped_column(default=0)
    #: places booked (any status but refused or cancelled) by visitor group and channel
    booked_preschool: Mapped[int] = mapped_column(default=0)
    booked_primary: Mapped[int] = mapped_column(default=0)
    booked_junior: Mapped[int] = mapped_column(default=0)
    booked_senior: Mapped[int] = mapped_column(default=0)
    booked_adults: Mapped[int] = mapped_column(default=0)
    booked_green: Mapped[int] = mapped_column(default=0)
    #: people who came (checked in), by visitor group and channel
    arrived_preschool: Mapped[int] = mapped_column(default=0)
    arrived_primary: Mapped[int] = mapped_column(default=0)
    arrived_junior: Mapped[int] = mapped_column(default=0)
    arrived_senior: Mapped[int] = mapped_column(default=0)
    arrived_adults: Mapped[int] = mapped_column(default=0)
    arrived_green: Mapped[int] = mapped_column(default=0)
    #: green-channel children served (checked in), by category
    left_behind: Mapped[int] = mapped_column(default=0)
    disabled: Mapped[int] = mapped_column(default=0)
    orphaned: Mapped[int] = mapped_column(default=0)
    special_family: Mapped[int] = mapped_column(default=0)


class CountyMonthRollup(db.Model):
    """The venue rollups summed per county and month: the region-wide figures read these."""

    __tablename__ = "county_month_rollups"
    __table_args__ = (
        sa.Index("ix_county_month_rollups_city_month", "city_id", "month"),
        sa.Index("ix_county_month_rollups_month", "month"),
    )

    county_id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[date] = mapped_column(sa.Date, primary_key=True)
    city_id: Mapped[int] = mapped_column()
    sessions: Mapped[int] = mapped_column(default=0)
    open_days: Mapped[int] = mapped_column(default=0)
    capacity: Mapped[int] = mapped_column(default=0)
    taken: Mapped[int] = mapped_column(default=0)
    bookings: Mapped[int] = mapped_column(default=0)
    booked_preschool: Mapped[int] = mapped_column(default=0)
    booked_primary: Mapped[int] = mapped_column(default=0)
    booked_junior: Mapped[int] = mapped_column(default=0)
    booked_senior: Mapped[int] = mapped_column(default=0)
    booked_adults: Mapped[int] = mapped_column(default=0)
    booked_green: Mapped[int] = mapped_column(default=0)
    arrived_preschool: Mapped[int] = mapped_column(default=0)
    arrived_primary: Mapped[int] = mapped_column(default=0)
    arrived_junior: Mapped[int] = mapped_column(default=0)
    arrived_senior: Mapped[int] = mapped_column(default=0)
    arrived_adults: Mapped[int] = mapped_column(default=0)
    arrived_green: Mapped[int] = mapped_column(default=0)
    left_behind: Mapped[int] = mapped_column(default=0)
    disabled: Mapped[int] = mapped_column(default=0)
    orphaned: Mapped[int] = mapped_column(default=0)
    special_family: Mapped[int] = mapped_column(default=0)


class SchoolMonthRollup(db.Model):
    """One school's class trips (school-group bookings not refused or cancelled) in a month."""

    __tablename__ = "school_month_rollups"
    __table_args__ = (
        sa.Index(
            "ix_school_month_rollups_county_month",
            "county_id",
            "month",
            postgresql_include=["school_id", "trips"],
        ),
        sa.Index(
            "ix_school_month_rollups_month", "month", postgresql_include=["school_id", "trips"]
        ),
    )

    school_id: Mapped[int] = mapped_column(
        sa.ForeignKey("schools.id", ondelete="CASCADE"), primary_key=True
    )
    month: Mapped[date] = mapped_column(sa.Date, primary_key=True)
    county_id: Mapped[int] = mapped_column()
    trips: Mapped[int] = mapped_column(default=0)
    pupils: Mapped[int] = mapped_column(default=0)


class RollupRefresh(db.Model):
    """When the rollups were last rebuilt: one row."""

    __tablename__ = "rollup_refreshes"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    refreshed_at: Mapped[datetime] = mapped_column()
