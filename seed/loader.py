"""Loads the seed data: regions, venues (and, through later steps, people and schools).

Idempotent: every row is upserted by its natural key (region adcode, venue slug), so running
it twice changes nothing. A broken row stops its whole file with the file name and line
number, before anything from that file is written. No network calls.
"""

import csv
import json
from dataclasses import dataclass, field
from datetime import time
from pathlib import Path

import sqlalchemy as sa

from models import (
    AdmissionKind,
    Region,
    RegionLevel,
    Stage,
    Venue,
    VenueCategory,
    VenueLevel,
    VisitorGroup,
)
from webapp.services.catalogue.search import forget_region_menus
from webapp.services.catalogue.venue_values import apply_venue_values

DATA_DIR = Path(__file__).parent / "data"


class SeedError(Exception):
    def __init__(self, path: Path, line: int, message: str):
        super().__init__(f"{path.name}, line {line}: {message}")
        self.path = path
        self.line = line


@dataclass
class SeedReport:
    counts: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def add(self, name: str, n: int) -> None:
        self.counts[name] = self.counts.get(name, 0) + n


# ---------------------------------------------------------------- regions


def _read_regions(path: Path) -> list[dict]:
    rows = []
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        expected = {"adcode", "parent_adcode", "level", "name", "name_en", "lat", "lng"}
        missing = expected - set(reader.fieldnames or [])
        if missing:
            raise SeedError(path, 1, f"missing column(s): {', '.join(sorted(missing))}")
        seen = set()
        for row in reader:
            line = reader.line_num
            try:
                adcode = row["adcode"].strip()
                if not (len(adcode) == 6 and adcode.isdigit()):
                    raise ValueError(f"adcode {adcode!r} is not six digits")
                if adcode in seen:
                    raise ValueError(f"adcode {adcode} appears twice")
                level = RegionLevel(row["level"].strip())
                parent = row["parent_adcode"].strip() or None
                if level is not RegionLevel.PROVINCE and parent not in seen:
                    raise ValueError(f"parent {parent!r} is not listed above this row")
                lat, lng = float(row["lat"]), float(row["lng"])
                if not (-90 <= lat <= 90 and -180 <= lng <= 180):
                    raise ValueError("lat/lng out of range")
                if not row["name"].strip():
                    raise ValueError("name is empty")
            except (ValueError, KeyError, TypeError, AttributeError) as error:
                raise SeedError(path, line, str(error)) from None
            seen.add(adcode)
            rows.append(
                dict(
                    adcode=adcode,
                    parent=parent,
                    level=level,
                    name=row["name"].strip(),
                    name_en=(row["name_en"] or "").strip(),
                    lat=lat,
                    lng=lng,
                )
            )
    return rows


def load_regions(session, path: Path) -> int:
    rows = _read_regions(path)
    existing = {r.adcode: r for r in session.scalars(sa.select(Region))}
    for row in rows:
        region = existing.get(row["adcode"]) or Region(adcode=row["adcode"])
        region.name, region.name_en = row["name"], row["name_en"]
        region.level, region.lat, region.lng = row["level"], row["lat"], row["lng"]
        region.parent = existing[row["parent"]] if row["parent"] else None
        if region.id is None:
            session.add(region)
        existing[row["adcode"]] = region
    session.flush()
    return len(rows)


# ---------------------------------------------------------------- venues


def _parse_time(text: str) -> time:
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


def parse_venue_record(record: dict, regions: dict[str, Region]) -> dict:
    """Check one venue record and turn it into typed values; ValueError says what is wrong."""
    if not isinstance(record, dict):
        raise ValueError("a venue must be a JSON object")
    for key in ("slug", "name", "categories", "level", "county", "address", "lat", "lng"):
        if key not in record or record[key] in (None, ""):
            raise ValueError(f"'{key}' is missing")
    slug = str(record["slug"]).strip()
    if not slug.replace("-", "").isalnum() or slug.lower() != slug or not slug.isascii():
        raise ValueError(f"slug {slug!r} must be lower-case letters, digits and hyphens")
    county = regions.get(str(record["county"]))
    if county is None or county.level is not RegionLevel.COUNTY:
        raise ValueError(f"county {record['county']!r} is not a known county adcode")
    lat, lng = float(record["lat"]), float(record["lng"])
    if not (-90 <= lat <= 90 and -180 <= lng <= 180):
        raise ValueError("lat/lng out of range")
    categories = [VenueCategory(c) for c in record["categories"]]
    if not categories:
        raise ValueError("'categories' is empty")
    admission = {}
    for group_name, rule in (record.get("admission") or {}).items():
        kind = AdmissionKind(rule["kind"])
        price = rule.get("price")
        if kind is not AdmissionKind.FREE and (price is None or float(price) < 0):
            raise ValueError(f"admission for {group_name} needs a price of 0 or more")
        admission[VisitorGroup(group_name)] = (
            kind,
            None if kind is AdmissionKind.FREE else int(round(float(price))),
        )
    hours = []
    for spec in record.get("hours") or []:
        opens, closes = _parse_time(spec["open"]), _parse_time(spec["close"])
        if closes <= opens:
            raise ValueError(f"closing time {spec['close']} is not after opening {spec['open']}")
        for day in spec["days"]:
            if int(day) not in range(1, 8):
                raise ValueError(f"weekday {day} is not 1–7")
            hours.append((int(day), opens, closes))
    courses = []
    for c in record.get("courses") or []:
        stages = [Stage(s).value for s in c.get("stages") or []]
        minutes = int(c.get("minutes") or 60)
        if minutes <= 0 or not c.get("title"):
            raise ValueError("a course needs a title and a positive length")
        courses.append((c["title"], c.get("description", ""), minutes, ",".join(stages)))
    return dict(
        slug=slug,
        name=str(record["name"]).strip(),
        name_en=str(record.get("name_en", "")),
        categories=categories,
        level=VenueLevel(record["level"]),
        county=county,
        address=str(record["address"]).strip(),
        lat=lat,
        lng=lng,
        is_location_approximate=bool(record.get("approximate", False)),
        phone=str(record.get("phone", "")),
        description=str(record.get("description", "")),
        transport=str(record.get("transport", "")),
        is_accessible=bool(record.get("accessible")),
        accessibility=str(record.get("accessibility", "")),
        stages=[Stage(s) for s in record.get("stages") or []],
        admission=admission,
        hours=hours,
        courses=courses,
    )


def _read_venues(path: Path, regions: dict[str, Region]) -> list[dict]:
    parsed, slugs = [], set()
    with path.open(encoding="utf-8") as handle:
        for line_no, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                values = parse_venue_record(json.loads(line), regions)
                if values["slug"] in slugs:
                    raise ValueError(f"slug {values['slug']!r} appears twice")
            except (ValueError, KeyError, TypeError, AttributeError) as error:
                raise SeedError(path, line_no, str(error)) from None
            slugs.add(values["slug"])
            parsed.append(values)
    return parsed


def upsert_venues(session, records: list[dict]) -> int:
    existing = {
        v.slug: v
        for v in session.scalars(
            sa.select(Venue).where(Venue.slug.in_([r["slug"] for r in records]))
        )
    }
    # No autoflush: a half-written venue must not be flushed while its city is looked up.
    with session.no_autoflush:
        for values in records:
            venue = existing.get(values["slug"])
            if venue is None:
                venue = Venue()
                session.add(venue)
            apply_venue_values(venue, values)
    session.flush()
    return len(records)


def regions_by_adcode(session) -> dict[str, Region]:
    return {r.adcode: r for r in session.scalars(sa.select(Region))}


def load_venues(session, path: Path) -> int:
    return upsert_venues(session, _read_venues(path, regions_by_adcode(session)))


# ---------------------------------------------------------------- entry point

#: (name, function(session, data_dir, report)) run in order; later areas add their steps here
STEPS = []


def step(name):
    def register(function):
        STEPS.append((name, function))
        return function

    return register


@step("regions")
def _regions_step(session, data_dir: Path, report: SeedReport):
    report.add("regions", load_regions(session, data_dir / "regions.csv"))


@step("venues")
def _venues_step(session, data_dir: Path, report: SeedReport):
    report.add("venues", load_venues(session, data_dir / "venues.jsonl"))


def load_seed(session, data_dir: Path = DATA_DIR) -> SeedReport:
    """Load every seed file in order and commit; roll back and raise SeedError on a bad row."""
    report = SeedReport()
    try:
        for _name, function in STEPS:
            function(session, Path(data_dir), report)
        session.commit()
    except Exception:
        session.rollback()
        raise
    forget_region_menus()
    return report

from seed import accounts as _accounts  # noqa: E402,F401  (schools and demo accounts steps)
from seed import booking as _booking_steps  # noqa: E402,F401  (registers its seed step)
from seed import lecturers as _lecturers  # noqa: E402,F401  (registers the "lecturers" step)
from seed import open_days as _open_days  # noqa: E402,F401  (demo open days and closed dates)
