"""Caching of catalogue results, safe across workers and hosts.

Every flush that touches a venue or anything hanging from it bumps the single row in
`catalogue_versions`, inside the same transaction. Cached results are keyed by that version,
so a reader who sees version V sees data at least as new as V, and a worker's cache (its own
memory, or Redis when REDIS_URL is set) never serves results older than the last commit.
"""

import hashlib

import sqlalchemy as sa
from flask import Flask, current_app

from models import (
    AdmissionRule,
    CatalogueVersion,
    Course,
    OpeningHours,
    Region,
    Venue,
    VenueClosure,
    VenuePhoto,
    db,
)
from models.venue import VenueCategoryRow, VenueStageRow
from webapp.extensions import cache

_CATALOGUE_MODELS = (
    Venue,
    AdmissionRule,
    Course,
    OpeningHours,
    VenueClosure,
    VenueCategoryRow,
    VenueStageRow,
    VenuePhoto,
    Region,
)
_ROW_ID = 1


def current_version() -> int:
    return (
        db.session.scalar(sa.select(CatalogueVersion.version).where(CatalogueVersion.id == _ROW_ID))
        or 0
    )


def _bump_version(session) -> None:
    connection = session.connection()
    table = CatalogueVersion.__table__
    updated = connection.execute(
        table.update().where(table.c.id == _ROW_ID).values(version=table.c.version + 1)
    )
    if updated.rowcount == 0:
        connection.execute(table.insert().values(id=_ROW_ID, version=1))


def touch_catalogue(session) -> None:
    """Move the catalogue version by hand, for writes that bypass the ORM (bulk inserts)."""
    _bump_version(session)


def _touches_catalogue(session) -> bool:
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, _CATALOGUE_MODELS) and (
            obj in session.new or obj in session.deleted or session.is_modified(obj)
        ):
            return True
    return False


def _before_flush(session, flush_context, instances):
    if session.info.get("catalogue_bumped"):
        return
    if _touches_catalogue(session):
        session.info["catalogue_bumped"] = True
        _bump_version(session)


def note_catalogue_change() -> None:
    """Bump the version in this transaction for a change made by a bulk UPDATE or DELETE,
    which the flush hook does not see."""
    session = db.session()
    if not session.info.get("catalogue_bumped"):
        session.info["catalogue_bumped"] = True
        _bump_version(session)


def _after_transaction_end(session, transaction):
    if transaction.parent is None:
        session.info.pop("catalogue_bumped", None)


def cached_result(namespace: str, key: str, build):
    """`build()`'s result, cached under the current catalogue version."""
    if not current_app.config.get("CATALOGUE_CACHE", True):
        return build()
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]
    full_key = f"catalogue:{namespace}:{current_version()}:{digest}"
    found = cache.get(full_key)
    if found is not None:
        return found
    value = build()
    cache.set(full_key, value)
    return value


def init_app(app: Flask) -> None:
    session_class = db.session.session_factory.class_
    if not sa.event.contains(session_class, "before_flush", _before_flush):
        sa.event.listen(session_class, "before_flush", _before_flush)
        sa.event.listen(session_class, "after_transaction_end", _after_transaction_end)
