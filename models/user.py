import enum
from datetime import UTC, datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models import db, enum_column


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class Role(enum.Enum):
    FAMILY = "family"
    SCHOOL_STAFF = "school_staff"
    VENUE_STAFF = "venue_staff"
    BUREAU_STAFF = "bureau_staff"
    ADMIN = "admin"


class User(UserMixin, db.Model):
    """A person who signs in. One person can hold several roles through RoleGrant rows."""

    __tablename__ = "users"
    __table_args__ = (
        sa.CheckConstraint("email IS NOT NULL OR phone IS NOT NULL", name="has_contact"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str | None] = mapped_column(sa.String(254), unique=True)
    #: mainland mobile number, 11 digits
    phone: Mapped[str | None] = mapped_column(sa.String(11), unique=True)
    name: Mapped[str] = mapped_column(sa.String(60), default="")
    #: the language messages to this person are written in ("zh", "en"); "" → the site default
    locale: Mapped[str] = mapped_column(sa.String(8), default="", server_default="")
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    is_enabled: Mapped[bool] = mapped_column(default=True)
    #: the mobile number or e-mail was proved by a one-time code (accounts made before codes
    #: existed, seeded ones and invited staff count as confirmed); needed to book
    is_confirmed: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    #: bumped on logout, password change and disabling, so old session cookies stop working
    session_version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    grants: Mapped[list["RoleGrant"]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    @property
    def is_active(self) -> bool:
        return self.is_enabled

    @property
    def login_name(self) -> str:
        return self.email or self.phone or ""

    def active_grants(self, role: Role) -> list["RoleGrant"]:
        return [g for g in self.grants if g.role is role and g.is_approved]

    def has_role(self, role: Role) -> bool:
        return bool(self.active_grants(role))

    @property
    def is_admin(self) -> bool:
        return self.has_role(Role.ADMIN)

    def __repr__(self):
        return f"<User {self.id} {self.login_name}>"


class RoleGrant(db.Model):
    """One role a user holds, with its scope: a region, a venue or a school."""

    __tablename__ = "role_grants"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[Role] = mapped_column(enum_column(Role, name="role"))
    #: bureau staff: the province, city or county they supervise
    region_id: Mapped[int | None] = mapped_column(sa.ForeignKey("regions.id"), index=True)
    venue_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("venues.id", ondelete="CASCADE"), index=True
    )
    school_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("schools.id", ondelete="CASCADE"), index=True
    )
    #: venue staff who may invite colleagues to the venue
    is_manager: Mapped[bool] = mapped_column(default=False)
    #: school staff wait for the county bureau's approval; other grants are approved at once
    is_approved: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(back_populates="grants")
    region = relationship("Region")
    venue = relationship("Venue")
    school = relationship("School")


class School(db.Model):
    """A school or kindergarten: books class trips and hosts family-education talks."""

    __tablename__ = "schools"
    __table_args__ = (sa.UniqueConstraint("county_id", "name", name="uq_schools_county_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    county_id: Mapped[int] = mapped_column(sa.ForeignKey("regions.id"), index=True)
    address: Mapped[str] = mapped_column(sa.String(200), default="")
    lat: Mapped[float] = mapped_column(sa.Float)
    lng: Mapped[float] = mapped_column(sa.Float)
    #: True when lat/lng is near the county centroid rather than the school itself
    is_location_approximate: Mapped[bool] = mapped_column(default=False)
    #: comma-separated Stage values taught
    stages_csv: Mapped[str] = mapped_column(sa.String(60), default="")

    county = relationship("Region")

    @property
    def stages(self):
        from models.venue import Stage

        return [Stage(s) for s in self.stages_csv.split(",") if s]


class ConfirmationCode(db.Model):
    """A one-time code sent to a new account's mobile number or e-mail, entered on the
    confirmation page. Only keyed hashes of the code and of the page's ticket are kept."""

    __tablename__ = "confirmation_codes"
    __table_args__ = (
        sa.CheckConstraint("attempts >= 0", name="attempts_not_negative"),
        sa.CheckConstraint("sends >= 1", name="sends_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: SHA-256 of the ticket kept in the sign-up's browser session, hex
    ticket_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    #: a sign-up with a login already taken: no code went out (the owner was told instead) and
    #: none matches, so the page behaves as for a new account and reveals nothing
    is_decoy: Mapped[bool] = mapped_column(default=False)
    #: HMAC-SHA256 (keyed by SECRET_KEY) of the ticket hash and the code, hex
    code_hash: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: when the latest code went out
    sent_at: Mapped[datetime] = mapped_column()
    expires_at: Mapped[datetime] = mapped_column()
    #: codes sent so far on this ticket (the first included)
    sends: Mapped[int] = mapped_column(default=1)
    #: codes entered against the latest code
    attempts: Mapped[int] = mapped_column(default=0)
    used_at: Mapped[datetime | None] = mapped_column()

    user: Mapped[User] = relationship()


class MessageChannel(enum.Enum):
    EMAIL = "email"
    SMS = "sms"


class OutboxMessage(db.Model):
    """Every message to a person goes through here; a sender delivers it or it stays readable."""

    __tablename__ = "outbox_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    channel: Mapped[MessageChannel] = mapped_column(
        enum_column(MessageChannel, name="message_channel")
    )
    recipient: Mapped[str] = mapped_column(sa.String(254))
    subject: Mapped[str] = mapped_column(sa.String(200))
    body: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    sent_at: Mapped[datetime | None] = mapped_column()
    #: why delivery failed, when it did
    error: Mapped[str] = mapped_column(sa.Text, default="")
    #: the language subject and body were written in
    locale: Mapped[str] = mapped_column(sa.String(8), default="", server_default="")
    #: absolute link to the booking or offer the message is about
    link: Mapped[str] = mapped_column(sa.String(500), default="", server_default="")
    #: failed sends so far; each one pushes next_attempt_at further out
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    #: not tried before this instant (backoff after a failure)
    next_attempt_at: Mapped[datetime | None] = mapped_column(index=True)
    #: a deliverer has claimed the message until this instant; others leave it alone
    claimed_until: Mapped[datetime | None] = mapped_column()
    #: which deliverer holds the claim, so only it may record the outcome
    claim_token: Mapped[str] = mapped_column(sa.String(32), default="", server_default="")
    #: set when the attempts ran out: administrators see it among the failed messages
    gave_up_at: Mapped[datetime | None] = mapped_column()

    @property
    def is_failed(self) -> bool:
        return self.gave_up_at is not None
