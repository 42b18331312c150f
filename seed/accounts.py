"""Seed steps for schools and demo accounts.

Schools come from seed/data/schools.csv: a plausible, generated set (four a county) whose
coordinates are the county centroid moved a little, marked approximate; replace the file with
real data when it is to hand. `python -m seed.accounts` writes the file again from regions.csv.

Demo accounts, one for every role, are created once with a random password that the seed
command prints (set DEMO_PASSWORD to choose it); running the seed again leaves them alone.
"""

import csv
import hashlib
import os
import secrets
from pathlib import Path

import sqlalchemy as sa

from models import Region, RegionLevel, Role, School, Stage, Venue
from seed.loader import DATA_DIR, SeedError, SeedReport, regions_by_adcode, step
from webapp.services.accounts.credentials import find_user_by_login
from webapp.services.accounts.users import create_user

SCHOOL_COLUMNS = ["county_adcode", "name", "stages", "address", "lat", "lng", "approximate"]

_KINDS = [
    ("第一小学", "primary"),
    ("实验小学", "primary"),
    ("第一中学", "junior,senior"),
    ("实验幼儿园", "preschool"),
]
_ROADS = ["育才路", "学府街", "文化路", "建设路", "迎宾路", "新华街"]


def _offset(text: str, salt: str) -> float:
    """A reproducible offset in [-0.03, 0.03] degrees (about 3 km) from a name."""
    digest = hashlib.sha256((salt + text).encode()).digest()
    return (int.from_bytes(digest[:4], "big") / 0xFFFFFFFF - 0.5) * 0.06


def generate_school_rows(rows: list[dict]) -> list[dict]:
    """Four plausible schools for every county among region rows (regions.csv's columns)."""
    names = {r["adcode"]: r["name"] for r in rows}
    out = []
    for row in rows:
        if row["level"] != "county":
            continue
        city = names.get(row["parent_adcode"], "")
        county = row["name"]
        prefix = city + county if county.endswith("区") else county
        for i, (kind, stages) in enumerate(_KINDS):
            name = prefix + kind
            out.append(
                {
                    "county_adcode": row["adcode"],
                    "name": name,
                    "stages": stages,
                    "address": f"{city}{county}{_ROADS[(i + len(county)) % len(_ROADS)]}"
                    f"{(int(row['adcode']) % 97) + 1 + i * 12}号",
                    "lat": f"{float(row['lat']) + _offset(name, 'lat'):.5f}",
                    "lng": f"{float(row['lng']) + _offset(name, 'lng'):.5f}",
                    "approximate": "1",
                }
            )
    return out


def write_schools_csv(regions_csv: Path, target: Path) -> int:
    with regions_csv.open(encoding="utf-8", newline="") as handle:
        rows = generate_school_rows(list(csv.DictReader(handle)))
    with target.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=SCHOOL_COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    return len(rows)


def _rows_from_regions(regions: dict[str, Region]) -> list[dict]:
    return generate_school_rows(
        [
            {
                "adcode": r.adcode,
                "parent_adcode": r.parent.adcode if r.parent else "",
                "level": r.level.value,
                "name": r.name,
                "lat": r.lat,
                "lng": r.lng,
            }
            for r in sorted(regions.values(), key=lambda r: r.adcode)
        ]
    )


def _parse_school_rows(path: Path, rows, regions: dict[str, Region]) -> list[dict]:
    """Typed school values from CSV-shaped rows of (line number, dict); SeedError on a bad row."""
    parsed, seen = [], set()
    for line, row in rows:
        try:
            county = regions.get((row["county_adcode"] or "").strip())
            if county is None or county.level is not RegionLevel.COUNTY:
                raise ValueError(f"county {row['county_adcode']!r} is not a known county")
            name = (row["name"] or "").strip()
            if not name or len(name) > 120:
                raise ValueError("name is empty or longer than 120 characters")
            if (county.adcode, name) in seen:
                raise ValueError(f"school {name!r} appears twice in {county.name}")
            stages = [Stage(s.strip()).value for s in row["stages"].split(",") if s.strip()]
            if not stages:
                raise ValueError("no stages")
            lat, lng = float(row["lat"]), float(row["lng"])
            if not (-90 <= lat <= 90 and -180 <= lng <= 180):
                raise ValueError("lat/lng out of range")
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            raise SeedError(path, line, str(error)) from None
        seen.add((county.adcode, name))
        parsed.append(
            dict(
                county=county,
                name=name,
                stages_csv=",".join(stages),
                address=(row["address"] or "").strip(),
                lat=lat,
                lng=lng,
                is_location_approximate=str(row["approximate"]).strip() in ("1", "true"),
            )
        )
    return parsed


def _read_schools(path: Path, regions: dict[str, Region]) -> list[dict]:
    """Schools from the CSV file, or generated from the regions when there is no file."""
    if not path.exists():
        rows = _rows_from_regions(regions)
        return _parse_school_rows(path, enumerate(rows, start=2), regions)
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = set(SCHOOL_COLUMNS) - set(reader.fieldnames or [])
        if missing:
            raise SeedError(path, 1, f"missing column(s): {', '.join(sorted(missing))}")
        return _parse_school_rows(path, ((reader.line_num, row) for row in reader), regions)


def load_schools(session, path: Path) -> int:
    rows = _read_schools(path, regions_by_adcode(session))
    existing = {(s.county_id, s.name): s for s in session.scalars(sa.select(School))}
    for values in rows:
        school = existing.get((values["county"].id, values["name"]))
        if school is None:
            school = School()
            session.add(school)
        for key, value in values.items():
            setattr(school, key, value)
    session.flush()
    return len(rows)


@step("schools")
def _schools_step(session, data_dir: Path, report: SeedReport):
    report.add("schools", load_schools(session, data_dir / "schools.csv"))


def _demo_accounts(session) -> list[tuple[str, str, Role, dict]]:
    regions = regions_by_adcode(session)
    county, city, province = regions.get("140105"), regions.get("140100"), regions.get("140000")
    school = None
    if county is not None:
        school = session.scalar(
            sa.select(School).where(School.county_id == county.id).order_by(School.name)
        )
    venues = list(session.scalars(sa.select(Venue).order_by(Venue.slug).limit(2)))
    wanted = [
        ("demo-admin@example.cn", "演示管理员", Role.ADMIN, {}),
        ("demo-family@example.cn", "演示家长", Role.FAMILY, {}),
        ("demo-school@example.cn", "演示学校老师", Role.SCHOOL_STAFF, {"school": school}),
        ("demo-county@example.cn", "小店区教育局演示", Role.BUREAU_STAFF, {"region": county}),
        ("demo-city@example.cn", "太原市教育局演示", Role.BUREAU_STAFF, {"region": city}),
        ("demo-province@example.cn", "省教育厅演示", Role.BUREAU_STAFF, {"region": province}),
    ]
    for i, venue in enumerate(venues):
        wanted.append(
            (
                f"demo-venue-{'ab'[i]}@example.cn",
                f"演示场馆{'甲乙'[i]}工作人员",
                Role.VENUE_STAFF,
                {"venue": venue, "is_manager": True},
            )
        )
    return wanted


@step("accounts")
def _accounts_step(session, data_dir: Path, report: SeedReport):
    fixed = os.environ.get("DEMO_PASSWORD")
    created_count = 0
    for login, name, role, scope in _demo_accounts(session):
        if any(key != "is_manager" and value is None for key, value in scope.items()):
            report.notes.append(f"demo account {login}: skipped, its {role.value} scope is missing")
            continue
        if find_user_by_login(login) is not None:
            report.notes.append(f"demo account {login} ({role.value}): already there, unchanged")
            continue
        password = fixed or secrets.token_urlsafe(9)
        create_user(login, password, role=role, name=name, check_password=False, **scope)
        created_count += 1
        report.notes.append(f"demo account {login} ({role.value}) password: {password}")
    report.add("demo accounts", created_count)


if __name__ == "__main__":
    count = write_schools_csv(DATA_DIR / "regions.csv", DATA_DIR / "schools.csv")
    print(f"wrote {count} schools")
