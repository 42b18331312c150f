"""Builders for the lecturer pool's tests: each adds, flushes and returns."""

import itertools
from datetime import datetime, time, timedelta

import sqlalchemy as sa

from models import (
    GuidanceStation,
    Lecturer,
    LecturerCategory,
    LectureRequest,
    LecturerPool,
    LectureStatus,
    Region,
    Topic,
    db,
)
from tests.factories.core import NOW

_counter = itertools.count(1)

#: the lecturer pool's week is the week of the one clock, `NOW` (a Wednesday): its Monday at
#: 09:00 UTC (tests pass it as `now`), with the Wednesday and Thursday that talks are asked for
WEDNESDAY = NOW.date()
THURSDAY = WEDNESDAY + timedelta(days=1)
LECTURE_NOW = datetime.combine(WEDNESDAY - timedelta(days=2), time(9, 0))


def make_topic(name: str | None = None, **overrides) -> Topic:
    n = next(_counter)
    topic = db.session.scalar(sa.select(Topic).where(Topic.name == name)) if name else None
    if topic is None:
        topic = Topic(name=name or f"主题{n}", name_en=overrides.pop("name_en", f"Topic {n}"))
        db.session.add(topic)
        db.session.flush()
    return topic


def make_pool(region: Region) -> LecturerPool:
    pool = db.session.scalar(sa.select(LecturerPool).where(LecturerPool.region_id == region.id))
    if pool is None:
        pool = LecturerPool(region=region, name=f"{region.name}家庭教育讲师团")
        db.session.add(pool)
        db.session.flush()
    return pool


def make_lecturer(region: Region, **overrides) -> Lecturer:
    n = next(_counter)
    topics = overrides.pop("topics", [])
    weekdays = overrides.pop("free_weekdays", [1, 2, 3, 4, 5, 6, 7])
    overrides.setdefault("name", f"讲师{n}")
    overrides.setdefault("category", LecturerCategory.RETIRED_TEACHER)
    overrides.setdefault("phone", f"139{n:08d}")
    overrides.setdefault("bio", "退休教师。")
    overrides.setdefault("lat", region.lat)
    overrides.setdefault("lng", region.lng)
    lecturer = Lecturer(pool=make_pool(region), **overrides)
    lecturer.topics = topics
    lecturer.free_weekdays = weekdays
    db.session.add(lecturer)
    db.session.flush()
    return lecturer


def make_station(county: Region, **overrides) -> GuidanceStation:
    n = next(_counter)
    overrides.setdefault("name", f"测试社区家庭教育指导服务站{n}")
    overrides.setdefault("community", f"测试社区{n}")
    overrides.setdefault("address", f"{county.name}测试社区{n}号")
    overrides.setdefault("lat", county.lat)
    overrides.setdefault("lng", county.lng)
    station = GuidanceStation(county=county, **overrides)
    db.session.add(station)
    db.session.flush()
    return station


def make_request(host, topic: Topic, **overrides) -> LectureRequest:
    from models import School

    overrides.setdefault("wanted_on", WEDNESDAY)
    overrides.setdefault("expected_audience", 60)
    overrides.setdefault("place", "学校报告厅")
    overrides.setdefault("status", LectureStatus.REQUESTED)
    req = LectureRequest(
        school=host if isinstance(host, School) else None,
        station=host if isinstance(host, GuidanceStation) else None,
        county_id=host.county_id,
        topic=topic,
        **overrides,
    )
    db.session.add(req)
    db.session.flush()
    return req
