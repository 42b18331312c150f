"""SQLAlchemy models. `db` lives here so that models never import the Flask app."""

import enum

import sqlalchemy as sa
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    # Named constraints let Alembic alter SQLite tables in batch mode.
    metadata = sa.MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


db = SQLAlchemy(model_class=Base)


def enum_column(enum_cls: type[enum.Enum], **kwargs):
    """A portable enum column: stored as its value in a VARCHAR, checked by a constraint."""
    return sa.Enum(
        enum_cls,
        native_enum=False,
        create_constraint=True,
        length=max(len(m.value) for m in enum_cls),
        values_callable=lambda cls: [m.value for m in cls],
        validate_strings=True,
        **kwargs,
    )


from models.audit import AuditEntry, LinkPurpose, OneTimeLink  # noqa: E402
from models.booking import (  # noqa: E402
    Booking,
    BookingChannel,
    BookingKind,
    BookingSettings,
    BookingStatus,
    BookingVisitor,
    IdentityDocument,
    Slot,
    SlotKind,
    TimetableEntry,
    WaitlistEntry,
)
from models.lecturer import (  # noqa: E402
    FIVE_ELDERS,
    GuidanceStation,
    Lecturer,
    LecturerCategory,
    LectureRequest,
    LecturerPool,
    LectureStatus,
    Topic,
)
from models.region import Region, RegionLevel  # noqa: E402
from models.supervision import (  # noqa: E402
    CountyMonthRollup,
    GuidanceActivity,
    GuidanceKind,
    RollupRefresh,
    SchoolMonthRollup,
    VenueMonthRollup,
)
from models.user import (  # noqa: E402
    ConfirmationCode,
    MessageChannel,
    OutboxMessage,
    Role,
    RoleGrant,
    School,
    User,
)
from models.venue import (  # noqa: E402
    AdmissionKind,
    AdmissionRule,
    CatalogueVersion,
    Course,
    OpeningHours,
    Stage,
    Venue,
    VenueCategory,
    VenueClosure,
    VenueLevel,
    VenuePhoto,
    VisitorGroup,
)
from models.venue_import import VenueImport  # noqa: E402

__all__ = [
    "VenueImport",
    "CountyMonthRollup",
    "GuidanceActivity",
    "GuidanceKind",
    "RollupRefresh",
    "SchoolMonthRollup",
    "VenueMonthRollup",
    "AuditEntry",
    "LinkPurpose",
    "OneTimeLink",
    "ConfirmationCode",
    "MessageChannel",
    "OutboxMessage",
    "Role",
    "RoleGrant",
    "School",
    "User",
    "db",
    "enum_column",
    "Region",
    "RegionLevel",
    "AdmissionKind",
    "AdmissionRule",
    "CatalogueVersion",
    "Course",
    "OpeningHours",
    "Stage",
    "Venue",
    "VenueCategory",
    "VenueClosure",
    "VenueLevel",
    "VenuePhoto",
    "VisitorGroup",
    "FIVE_ELDERS",
    "GuidanceStation",
    "LectureRequest",
    "LecturerCategory",
    "Lecturer",
    "LecturerPool",
    "LectureStatus",
    "Topic",
    "Booking",
    "BookingChannel",
    "BookingKind",
    "BookingSettings",
    "BookingStatus",
    "BookingVisitor",
    "IdentityDocument",
    "Slot",
    "SlotKind",
    "TimetableEntry",
    "WaitlistEntry",
]
