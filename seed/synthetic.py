"""Generated venues for tests and benchmarks: plausible, reproducible, spread over Shanxi."""

import random

import sqlalchemy as sa

from models import Region, RegionLevel, VenueCategory
from seed.loader import parse_venue_record, regions_by_adcode, upsert_venues

_PLACES = [
    "红色",
    "科技",
    "自然",
    "文化",
    "少年",
    "农耕",
    "煤海",
    "黄河",
    "太行",
    "汾河",
    "长城",
    "晋商",
]
_KINDS = {
    VenueCategory.MUSEUM: "博物馆",
    VenueCategory.SCIENCE_MUSEUM: "科技馆",
    VenueCategory.MEMORIAL_HALL: "纪念馆",
    VenueCategory.LIBRARY: "图书馆",
    VenueCategory.YOUTH_PALACE: "青少年宫",
    VenueCategory.PATRIOTIC_EDUCATION: "教育基地",
    VenueCategory.STUDY_TRAVEL: "研学基地",
    VenueCategory.ART_GALLERY: "美术馆",
    VenueCategory.SPORTS_VENUE: "体育中心",
    VenueCategory.CHILDREN_CENTRE: "儿童活动中心",
}
_STAGES = ["preschool", "primary", "junior", "senior"]


def synthetic_records(n: int, counties: list[Region], seed: int = 2023) -> list[dict]:
    rng = random.Random(seed)  # noqa: S311 - reproducible test data, not secrets
    records = []
    for i in range(1, n + 1):
        county = rng.choice(counties)
        category, kind = rng.choice(list(_KINDS.items()))
        free = rng.random() < 0.7
        child = {"kind": "free"} if free else {"kind": "discount", "price": rng.choice([5, 10, 20])}
        closed_monday = rng.random() < 0.6
        records.append(
            {
                "slug": f"synthetic-{i}",
                "name": f"{county.name}{rng.choice(_PLACES)}{kind}{i}号",
                "name_en": f"Synthetic venue {i}",
                "categories": [category.value],
                "level": rng.choice(["national", "provincial", "city", "county"]),
                "county": county.adcode,
                "address": f"{county.parent.name}{county.name}示范路{i}号",
                "lat": round(county.lat + rng.uniform(-0.12, 0.12), 5),
                "lng": round(county.lng + rng.uniform(-0.12, 0.12), 5),
                "admission": {
                    "preschool": {"kind": "free"},
                    "primary": child,
                    "junior": child,
                    "senior": child,
                    "adult": {"kind": "full", "price": rng.choice([0, 20, 40, 60])},
                    "teacher": {"kind": "free"},
                },
                "hours": [
                    {
                        "days": [2, 3, 4, 5, 6, 7] if closed_monday else [1, 2, 3, 4, 5, 6, 7],
                        "open": "09:00",
                        "close": "17:00",
                    }
                ],
                "stages": rng.sample(_STAGES, rng.randint(1, 4)),
                "accessible": rng.random() < 0.5,
            }
        )
    return records


def add_synthetic_venues(session, n: int, seed: int = 2023) -> int:
    """Upsert n generated venues (slugs synthetic-1 … synthetic-n) and commit."""
    regions = regions_by_adcode(session)
    counties = list(
        session.scalars(
            sa.select(Region).where(Region.level == RegionLevel.COUNTY).order_by(Region.adcode)
        )
    )
    if not counties:
        raise ValueError("Load the regions first (flask seed).")
    batch = 500
    records = synthetic_records(n, counties, seed)
    for start in range(0, n, batch):
        parsed = [parse_venue_record(r, regions) for r in records[start : start + batch]]
        upsert_venues(session, parsed)
        session.commit()
    return n
