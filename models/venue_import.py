"""A venue import waiting for the bureau's confirmation: the uploaded file, kept server-side.

The preview and the confirmation may be answered by different workers (or hosts), so the file
lives in the database between the two, found by a token whose hash is kept.
"""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models import db
from models.user import utcnow


class VenueImport(db.Model):
    """One uploaded venue spreadsheet, previewed and awaiting (or past) confirmation."""

    __tablename__ = "venue_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: SHA-256 of the token in the preview's address, hex
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    #: who uploaded it: only they may preview and confirm it
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(sa.String(200), default="")
    #: the file as uploaded (bounded by the importer's size limit)
    content: Mapped[bytes] = mapped_column(sa.LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: set when the bureau confirmed it; a confirmed import cannot be applied again
    applied_at: Mapped[datetime | None] = mapped_column()

    user = relationship("User")
