"""Seed for the lecturer pool: topics, a pool for every city and a few counties, guidance
stations, the schools the sample talks need, and talk requests in every state.

Generated deterministically (a fixed random seed), and upserted by natural key: topic name,
pool region, lecturer (pool, name, phone), station (county, name), school (county, name),
request (host, topic). Sample requests are dated around the day of the first load and left
alone afterwards, so a second run changes nothing.
"""

import random
from datetime import date, timedelta

import sqlalchemy as sa

from models import (
    GuidanceStation,
    Lecturer,
    LecturerCategory,
    LectureRequest,
    LecturerPool,
    LectureStatus,
    Region,
    RegionLevel,
    School,
    Topic,
)
from seed.loader import SeedReport, step
from webapp.services import clock

TOPICS = [
    ("亲子沟通", "Parent–child communication"),
    ("心理健康", "Mental health"),
    ("家风家教", "Family virtues and upbringing"),
    ("安全教育", "Safety"),
    ("网络素养", "Online literacy"),
    ("留守儿童关爱", "Care for left-behind children"),
    ("残疾儿童家庭支持", "Families of children with disabilities"),
    ("习惯养成", "Building good habits"),
    ("劳动教育", "Labour education"),
    ("科学育儿", "Science-based parenting"),
    ("青春期教育", "Growing through adolescence"),
    ("隔代教养", "Grandparents raising grandchildren"),
]

#: county pools seeded besides the eleven city pools
COUNTY_POOLS = ["140105", "140106", "140213", "140702", "140802", "141002", "140902"]

_SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁宋谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"  # noqa: E501
_GIVEN = [
    "建国", "秀兰", "志强", "桂英", "文明", "玉珍", "卫东", "淑芬", "保平", "丽华",
    "晋生", "红梅", "振华", "海燕", "国庆", "晓梅", "永刚", "春花", "守仁", "慧敏",
    "德厚", "静怡", "晋峰", "雅琴", "瑞祥", "冬梅", "立新", "素琴", "宏伟", "雪莲",
]  # fmt: skip

_BIOS = {
    LecturerCategory.RETIRED_CADRE: "退休干部，长期从事关心下一代工作，熟悉基层家庭教育情况。",
    LecturerCategory.VETERAN: "退役老战士，常年走进校园讲述革命传统和好家风故事。",
    LecturerCategory.RETIRED_EXPERT: "退休专家，曾任医院心理科主任，关注儿童青少年心理健康。",
    LecturerCategory.RETIRED_TEACHER: "退休小学高级教师，从事家庭教育指导二十余年。",
    LecturerCategory.RETIRED_MODEL_WORKER: "退休劳动模范，以身边事讲勤劳持家、劳动育人。",
    LecturerCategory.LABOUR_MODEL: "省级劳动模范，倡导在家庭中开展劳动教育。",
    LecturerCategory.MORAL_MODEL: "山西省道德模范，多年照料留守儿童，传播孝老爱亲家风。",
    LecturerCategory.ROLE_MODEL_OF_THE_TIMES: "时代楷模，扎根乡村教育，讲述家校共育的故事。",
    LecturerCategory.CIVIC_VIRTUE: "文明家庭代表，分享家风家训传承的做法。",
    LecturerCategory.ESTEEMED_ARTIST: "德艺双馨文艺工作者，以晋剧和民间艺术讲家国情怀。",
    LecturerCategory.UNIVERSITY_EXPERT: "高校教育学院副教授，研究方向为家庭教育与儿童发展。",
    LecturerCategory.YOUNG_TEACHER: "市级优秀青年教师、心理健康教育兼职教师。",
    LecturerCategory.OTHER: "社区家庭教育志愿者，持有家庭教育指导师证书。",
}

_STATIONS = ["社区家庭教育指导服务站", "街道家长学校", "村家庭教育指导服务点"]
_COMMUNITIES = ["建设", "和平", "文化", "新华", "光明", "幸福", "东关", "南街", "西城", "朝阳"]
_SCHOOLS = ["第一实验小学", "第二中学", "实验幼儿园", "第五小学"]


def _upsert_topics(session) -> dict[str, Topic]:
    existing = {t.name: t for t in session.scalars(sa.select(Topic))}
    for name, name_en in TOPICS:
        topic = existing.get(name)
        if topic is None:
            topic = Topic(name=name)
            session.add(topic)
            existing[name] = topic
        topic.name_en = name_en
    session.flush()
    return existing


def _pool(session, region: Region) -> LecturerPool:
    pool = session.scalar(sa.select(LecturerPool).where(LecturerPool.region_id == region.id))
    if pool is None:
        pool = LecturerPool(region=region, name=f"{region.name}家庭教育讲师团")
        session.add(pool)
        session.flush()
    return pool


def _lecturer_rows(region: Region, count: int, rng: random.Random, topics: list[Topic]):
    categories = list(LecturerCategory)
    used = set()
    for i in range(count):
        while True:
            name = rng.choice(_SURNAMES) + rng.choice(_GIVEN)
            if name not in used:
                used.add(name)
                break
        category = categories[(i + int(region.adcode)) % len(categories)]
        phone = f"13{rng.randint(0, 9)}{rng.randint(0, 99999999):08d}"
        free = sorted(rng.sample(range(1, 8), rng.randint(2, 4)))
        chosen = rng.sample(topics, rng.randint(2, 4))
        yield dict(
            name=name,
            category=category,
            phone=phone,
            free_weekdays=free,
            topics=chosen,
            bio=_BIOS[category],
            term_starts_on=date(2024, 9, 1),
            term_ends_on=date(2027, 8, 31),
            # a small offset keeps lecturers of one pool from sitting on a single point
            lat=round(region.lat + rng.uniform(-0.05, 0.05), 5),
            lng=round(region.lng + rng.uniform(-0.05, 0.05), 5),
        )


def _upsert_lecturers(session, pool: LecturerPool, rows) -> list[Lecturer]:
    lecturers = []
    for row in rows:
        lecturer = session.scalar(
            sa.select(Lecturer).where(
                Lecturer.pool_id == pool.id,
                Lecturer.name == row["name"],
                Lecturer.phone == row["phone"],
            )
        )
        if lecturer is None:
            lecturer = Lecturer(pool=pool, name=row["name"], phone=row["phone"])
            session.add(lecturer)
        for key in ("category", "bio", "term_starts_on", "term_ends_on", "lat", "lng"):
            setattr(lecturer, key, row[key])
        lecturer.free_weekdays = row["free_weekdays"]
        lecturer.topics = row["topics"]
        lecturers.append(lecturer)
    session.flush()
    return lecturers


def _station(session, county: Region, name: str, community: str, rng) -> GuidanceStation:
    station = session.scalar(
        sa.select(GuidanceStation).where(
            GuidanceStation.county_id == county.id, GuidanceStation.name == name
        )
    )
    if station is None:
        station = GuidanceStation(
            county=county,
            name=name,
            community=community,
            address=f"{county.parent.name if county.parent else ''}{county.name}{community}社区",
            lat=round(county.lat + rng.uniform(-0.03, 0.03), 5),
            lng=round(county.lng + rng.uniform(-0.03, 0.03), 5),
        )
        session.add(station)
        session.flush()
    return station


def _school(session, county: Region, name: str, rng) -> School:
    school = session.scalar(
        sa.select(School).where(School.county_id == county.id, School.name == name)
    )
    if school is None:
        stages = "primary"
        if "幼儿园" in name:
            stages = "preschool"
        elif "中学" in name:
            stages = "junior,senior"
        school = School(
            county=county,
            name=name,
            address=f"{county.parent.name if county.parent else ''}{county.name}学府路",
            lat=round(county.lat + rng.uniform(-0.03, 0.03), 5),
            lng=round(county.lng + rng.uniform(-0.03, 0.03), 5),
            stages_csv=stages,
        )
        session.add(school)
        session.flush()
    return school


def _request(session, host, topic: Topic, **values) -> None:
    """Create the sample request for (host, topic) unless it exists."""
    column = LectureRequest.school_id if isinstance(host, School) else LectureRequest.station_id
    found = session.scalar(
        sa.select(LectureRequest.id).where(column == host.id, LectureRequest.topic_id == topic.id)
    )
    if found is not None:
        return
    req = LectureRequest(
        school=host if isinstance(host, School) else None,
        station=host if isinstance(host, GuidanceStation) else None,
        county_id=host.county_id,
        topic=topic,
        place=host.address or host.name,
        **values,
    )
    session.add(req)


def load_lecturers(session, today: date | None = None) -> dict[str, int]:
    today = today or clock.today()
    rng = random.Random(20230823)  # noqa: S311 - reproducible sample data, not secrets
    regions = {r.adcode: r for r in session.scalars(sa.select(Region))}
    topics_by_name = _upsert_topics(session)
    topics = [topics_by_name[name] for name, _en in TOPICS]
    cities = sorted(
        (r for r in regions.values() if r.level is RegionLevel.CITY), key=lambda r: r.adcode
    )
    counts = {"topics": len(topics), "lecturer pools": 0, "lecturers": 0}
    pools_by_region: dict[str, list[Lecturer]] = {}
    for region in cities + [regions[code] for code in COUNTY_POOLS if code in regions]:
        pool = _pool(session, region)
        size = 8 if region.level is RegionLevel.CITY else 4
        lecturers = _upsert_lecturers(
            session, pool, list(_lecturer_rows(region, size, rng, topics))
        )
        pools_by_region[region.adcode] = lecturers
        counts["lecturer pools"] += 1
        counts["lecturers"] += len(lecturers)

    counts["guidance stations"] = counts["schools"] = counts["talk requests"] = 0
    statuses = list(LectureStatus)
    for n, code in enumerate(code for code in COUNTY_POOLS if code in regions):
        county = regions[code]
        hosts = []
        for i in range(3):
            community = _COMMUNITIES[(n * 3 + i) % len(_COMMUNITIES)]
            hosts.append(
                _station(session, county, f"{community}{_STATIONS[i % 3]}", community, rng)
            )
            counts["guidance stations"] += 1
        for name in _SCHOOLS[:3]:
            hosts.append(_school(session, county, f"{county.name}{name}", rng))
            counts["schools"] += 1
        serving = pools_by_region.get(code, []) + pools_by_region.get(code[:4] + "00", [])
        for i, host in enumerate(hosts):
            status = statuses[(n + i) % len(statuses)]
            topic = topics[(n + i) % len(topics)]
            lecturer = serving[i % len(serving)] if serving else None
            if lecturer is None:
                status = LectureStatus.REQUESTED
            wanted = today + timedelta(days=7 + i)
            values = dict(
                wanted_on=wanted,
                expected_audience=40 + 10 * i,
                audience_note="家长" if isinstance(host, School) else "社区居民及祖辈家长",
                status=status,
            )
            if status is LectureStatus.ASSIGNED:
                values.update(lecturer=lecturer, scheduled_on=wanted)
            elif status is LectureStatus.DELIVERED:
                held = today - timedelta(days=10 + i)
                values.update(
                    wanted_on=held,
                    lecturer=lecturer,
                    scheduled_on=held,
                    delivered_on=held,
                    audience_reached=35 + 10 * i,
                    feedback_score=4 + (i % 2),
                    feedback_comment="家长反响热烈，希望下学期再请老师来。",
                )
            elif status is LectureStatus.CANCELLED:
                values.update(cancel_reason="学校临时安排期中考试，改期另约。")
            _request(session, host, topic, **values)
            counts["talk requests"] += 1
    session.flush()
    return counts


@step("lecturers")
def _lecturers_step(session, data_dir, report: SeedReport):
    for name, count in load_lecturers(session).items():
        report.add(name, count)
