"""The audit log and one-time links (password reset, venue-staff invitations)."""

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models import db, enum_column
from models.user import utcnow


class AuditEntry(db.Model):
    """One change made in the bureau or admin console: who, what, when, before and after."""

    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    #: the actor's login at the time, kept when the account is later deleted
    actor_label: Mapped[str] = mapped_column(sa.String(254), default="")
    #: what was done, as a permission-style name: "school.create", "staff.approve" …
    action: Mapped[str] = mapped_column(sa.String(60), index=True)
    #: the kind and id of the changed object: "school", 12
    object_type: Mapped[str] = mapped_column(sa.String(40))
    object_id: Mapped[int | None] = mapped_column()
    #: the region the object lies in, so bureau staff read only the entries of their scope
    region_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("regions.id", ondelete="SET NULL"), index=True
    )
    before: Mapped[dict | None] = mapped_column(sa.JSON)
    after: Mapped[dict | None] = mapped_column(sa.JSON)

    actor = relationship("User")
    region = relationship("Region")


class LinkPurpose(enum.Enum):
    PASSWORD_RESET = "password_reset"  # noqa: S105 - a purpose name, not a password
    VENUE_INVITATION = "venue_invitation"


class OneTimeLink(db.Model):
    """A link sent to a person that works once and expires. Only the token's hash is kept."""

    __tablename__ = "one_time_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    purpose: Mapped[LinkPurpose] = mapped_column(enum_column(LinkPurpose, name="link_purpose"))
    #: SHA-256 of the token in the link, hex
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    #: password reset: whose password
    user_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    #: invitation: the e-mail or mobile number it was sent to
    recipient: Mapped[str] = mapped_column(sa.String(254), default="")
    venue_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("venues.id", ondelete="CASCADE"), index=True
    )
    #: invitation: the invited person may invite colleagues in turn
    is_manager: Mapped[bool] = mapped_column(default=False)
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column()
    used_at: Mapped[datetime | None] = mapped_column()

    user = relationship("User", foreign_keys=[user_id])
    venue = relationship("Venue")
    created_by = relationship("User", foreign_keys=[created_by_id])

    def is_usable(self, now: datetime) -> bool:
        return self.used_at is None and now < self.expires_at
