"""Finding lecturers: the public directory's search and the bureau's list of its pools."""

from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _

from models import Lecturer, LecturerCategory, LecturerPool, Region, Topic, db
from models.lecturer import lecturer_topics
from webapp.services import like
from webapp.services.errors import NotFound
from webapp.services.permissions import region_ids_within, scope_clause


@dataclass
class LecturerFilters:
    city: Region | None = None
    county: Region | None = None
    pool: LecturerPool | None = None
    category: LecturerCategory | None = None
    topic: Topic | None = None
    q: str = ""
    include_retired: bool = False


@dataclass
class LecturerPage:
    lecturers: list[Lecturer]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def _filtered_lecturers(filters: LecturerFilters) -> sa.Select:
    stmt = sa.select(Lecturer.id).join(LecturerPool, Lecturer.pool_id == LecturerPool.id)
    if not filters.include_retired:
        stmt = stmt.where(Lecturer.is_retired.is_(False))
    if filters.pool is not None:
        stmt = stmt.where(Lecturer.pool_id == filters.pool.id)
    if filters.county is not None:
        stmt = stmt.where(LecturerPool.region_id == filters.county.id)
    elif filters.city is not None:
        stmt = stmt.where(LecturerPool.region_id.in_(region_ids_within(filters.city)))
    if filters.category is not None:
        stmt = stmt.where(Lecturer.category == filters.category)
    if filters.topic is not None:
        stmt = stmt.where(
            sa.exists().where(
                lecturer_topics.c.lecturer_id == Lecturer.id,
                lecturer_topics.c.topic_id == filters.topic.id,
            )
        )
    if filters.q:
        stmt = stmt.where(like.contains(Lecturer.name, filters.q.strip()))
    return stmt


def search_lecturers(
    filters: LecturerFilters, *, page: int = 1, per_page: int = 24
) -> LecturerPage:
    """One page of lecturers matching `filters`, by pool then name; retired ones left out
    unless asked for."""
    sub = _filtered_lecturers(filters).subquery()
    total = db.session.scalar(sa.select(sa.func.count()).select_from(sub)) or 0
    lecturers = db.session.scalars(
        sa.select(Lecturer)
        .join(LecturerPool, Lecturer.pool_id == LecturerPool.id)
        .join(Region, LecturerPool.region_id == Region.id)
        .where(Lecturer.id.in_(sa.select(sub.c.id)))
        .order_by(Region.adcode, Lecturer.name, Lecturer.id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return LecturerPage(list(lecturers), total, page, per_page)


def get_public_lecturer(lecturer_id: int) -> Lecturer:
    """A lecturer the public may see: one who has not retired.

    Raises: NotFound.
    """
    lecturer = db.session.get(Lecturer, lecturer_id)
    if lecturer is None or lecturer.is_retired:
        raise NotFound(_("No such lecturer."))
    return lecturer


def list_managed_lecturers(by, filters: LecturerFilters | None = None) -> list[Lecturer]:
    """Every lecturer (active and retired) in the pools the user manages, for bureau pages."""
    stmt = _filtered_lecturers(filters or LecturerFilters(include_retired=True))
    stmt = stmt.where(scope_clause(by, LecturerPool.region_id))
    return list(
        db.session.scalars(
            sa.select(Lecturer)
            .join(LecturerPool, Lecturer.pool_id == LecturerPool.id)
            .join(Region, LecturerPool.region_id == Region.id)
            .where(Lecturer.id.in_(stmt))
            .order_by(Region.adcode, Lecturer.is_retired, Lecturer.name, Lecturer.id)
        ).all()
    )
