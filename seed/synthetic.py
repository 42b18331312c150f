"""Generated venues for tests and benchmarks: plausible, reproducible, spread over Shanxi."""

import random
from types import SimpleNamespace

import sqlalchemy as sa

from models import (
    AdmissionKind,
    AdmissionRule,
    OpeningHours,
    Region,
    RegionLevel,
    Venue,
    VenueCategory,
)
from models.venue import (
    CHILD_GROUPS,
    category_bits,
    stage_bit,
    venue_categories,
    venue_stages,
)
from seed.loader import parse_venue_record, regions_by_adcode

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


def _venue_rows(records: list[dict], regions: dict[str, Region]):
    """Typed rows for the venues table and its child tables, checked by the seed's own parser."""
    from webapp.services.catalogue.search import search_terms
    from webapp.services.catalogue.venue_values import VENUE_COLUMNS

    for record in records:
        values = parse_venue_record(record, regions)
        county = values["county"]
        row = {key: values[key] for key in VENUE_COLUMNS}
        row["name_pinyin"], row["search_text"] = search_terms(SimpleNamespace(**row))
        row.update(
            county_id=county.id,
            city_id=county.parent_id,
            is_free_for_children=all(
                values["admission"].get(g, (None,))[0] is AdmissionKind.FREE for g in CHILD_GROUPS
            ),
            stage_mask=sum(stage_bit(s) for s in set(values["stages"])),
            category_mask=category_bits(values["categories"]),
        )
        yield row, values


def add_synthetic_venues(session, n: int, seed: int = 2023, chunk: int = 5000) -> int:
    """Add the generated venues synthetic-1 … synthetic-n that are not there yet, and commit.

    Rows go in with bulk INSERTs (executemany, a few thousand rows a statement) rather than
    through the ORM, so 100,000 venues take seconds; the catalogue version moves once.
    """
    from webapp.services.catalogue.cache import touch_catalogue

    regions = regions_by_adcode(session)
    counties = sorted(
        (r for r in regions.values() if r.level is RegionLevel.COUNTY), key=lambda r: r.adcode
    )
    if not counties:
        raise ValueError("Load the regions first (flask seed).")
    existing = set(session.scalars(sa.select(Venue.slug).where(Venue.slug.like("synthetic-%"))))
    records = [r for r in synthetic_records(n, counties, seed) if r["slug"] not in existing]
    venues = Venue.__table__
    insert_venue = venues.insert().returning(venues.c.id, sort_by_parameter_order=True)
    for start in range(0, len(records), chunk):
        pairs = list(_venue_rows(records[start : start + chunk], regions))
        ids = session.execute(insert_venue, [row for row, _values in pairs]).scalars().all()
        categories, stages, rules, hours = [], [], [], []
        for venue_id, (_row, values) in zip(ids, pairs, strict=True):
            categories += [{"venue_id": venue_id, "category": c} for c in set(values["categories"])]
            stages += [{"venue_id": venue_id, "stage": s} for s in set(values["stages"])]
            rules += [
                {"venue_id": venue_id, "visitor_group": g, "kind": kind, "price_yuan": price}
                for g, (kind, price) in values["admission"].items()
            ]
            hours += [
                {"venue_id": venue_id, "weekday": d, "opens_at": o, "closes_at": c}
                for d, o, c in values["hours"]
            ]
        for table, rows in (
            (venue_categories, categories),
            (venue_stages, stages),
            (AdmissionRule.__table__, rules),
            (OpeningHours.__table__, hours),
        ):
            if rows:
                session.execute(table.insert(), rows)
    if records:
        touch_catalogue(session)
        # fresh statistics, or SQLite's planner guesses and may walk the "free" index for a
        # county's page instead of the county's own
        session.execute(sa.text("ANALYZE"))
    session.commit()
    return n
