"""Audit log: every change made in the bureau and admin consoles, with values before and after.

Services call ``record_change`` inside their own unit of work (it only flushes), so the entry is
committed together with the change it describes, or not at all.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa

from models import AuditEntry, Region, User, db
from models.user import utcnow
from webapp.services import like, permissions


def record_change(
    actor: User | None,
    action: str,
    obj,
    *,
    before: dict | None = None,
    after: dict | None = None,
    region: Region | None = None,
    now: datetime | None = None,
) -> AuditEntry:
    """Add an audit entry for `action` on `obj` (flushes only; the caller commits)."""
    entry = AuditEntry(
        created_at=now or utcnow(),
        actor_id=getattr(actor, "id", None),
        actor_label=(actor.login_name if actor is not None else "system"),
        action=action,
        object_type=type(obj).__name__.lower() if obj is not None else "",
        object_id=getattr(obj, "id", None),
        region_id=(region or permissions.region_of(obj)).id
        if (region or permissions.region_of(obj)) is not None
        else None,
        before=before,
        after=after,
    )
    db.session.add(entry)
    db.session.flush()
    return entry


@dataclass
class AuditFilters:
    actor: str = ""
    action: str = ""
    region_id: int | None = None
    since: date | None = None
    until: date | None = None


def list_audit_entries(filters: AuditFilters, *, by: User, page: int = 1, per_page: int = 50):
    """Entries newest first that `by` may read (bureau: their scope; admin: all), filtered.

    Raises:
        PermissionDenied: when `by` may not read the audit log at all.
    """
    permissions.require(by, "audit.read")
    query = sa.select(AuditEntry).order_by(AuditEntry.id.desc())
    query = query.where(permissions.scope_clause(by, AuditEntry.region_id))
    if filters.actor:
        query = query.where(like.contains(AuditEntry.actor_label, filters.actor.strip().lower()))
    if filters.action:
        query = query.where(AuditEntry.action == filters.action)
    if filters.region_id:
        query = query.where(AuditEntry.region_id == filters.region_id)
    if filters.since:
        query = query.where(
            AuditEntry.created_at >= datetime.combine(filters.since, datetime.min.time())
        )
    if filters.until:
        end = datetime.combine(filters.until, datetime.min.time()) + timedelta(days=1)
        query = query.where(AuditEntry.created_at < end)
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def list_audit_actions() -> list[str]:
    return list(
        db.session.scalars(sa.select(AuditEntry.action).distinct().order_by(AuditEntry.action))
    )
