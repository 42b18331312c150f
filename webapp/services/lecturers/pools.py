"""Lecturer pools (one per city or county) and the shared list of talk topics."""

import sqlalchemy as sa
from flask_babel import gettext as _

from models import LecturerPool, Region, RegionLevel, Topic, db
from webapp.services.errors import PermissionDenied, ServiceError
from webapp.services.permissions import can, region_ids_within
from webapp.services.transactions import unit_of_work


def pool_name(region: Region) -> str:
    return f"{region.name}家庭教育讲师团"


def ensure_pool(region: Region) -> LecturerPool:
    """The region's pool, made on first use (flushes only: for callers' units of work).

    Raises: ServiceError when the region is not a city or a county.
    """
    if region.level not in (RegionLevel.CITY, RegionLevel.COUNTY):
        raise ServiceError(_("A lecturer pool belongs to a city or a county."), field="pool")
    pool = db.session.scalar(sa.select(LecturerPool).where(LecturerPool.region_id == region.id))
    if pool is None:
        pool = LecturerPool(region=region, name=pool_name(region))
        db.session.add(pool)
        db.session.flush()
    return pool


def list_pools(region: Region | None = None) -> list[LecturerPool]:
    stmt = sa.select(LecturerPool).join(LecturerPool.region).order_by(Region.adcode)
    if region is not None:
        stmt = stmt.where(LecturerPool.region_id.in_(region_ids_within(region)))
    return list(db.session.scalars(stmt).all())


def list_topics() -> list[Topic]:
    return list(db.session.scalars(sa.select(Topic).order_by(Topic.name)).all())


def topics_by_name() -> dict[str, Topic]:
    return {t.name: t for t in list_topics()}


def save_topic(topic: Topic | None, name: str, name_en: str = "", *, by) -> Topic:
    """Add a topic to the list, or rename one.

    Rules: bureau staff of any region keep the shared list; names are unique.
    Raises: PermissionDenied; ServiceError when the name is empty or taken.
    """
    if not can(by, "bureau.console"):
        raise PermissionDenied(_("Only education-bureau staff can keep the list of topics."))
    name, name_en = (name or "").strip(), (name_en or "").strip()
    if not name:
        raise ServiceError(_("Give the topic a name."), field="name")
    with unit_of_work():
        taken = db.session.scalar(sa.select(Topic).where(Topic.name == name))
        if taken is not None and taken is not topic:
            raise ServiceError(_("There is already a topic with that name."), field="name")
        if topic is None:
            topic = Topic()
            db.session.add(topic)
        topic.name, topic.name_en = name, name_en
        db.session.flush()
    return topic
