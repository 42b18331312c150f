import json
from pathlib import Path

import pytest
import sqlalchemy as sa

from models import Region, RegionLevel, Venue, VenueCategory, db
from seed.loader import SeedError, load_seed
from seed.synthetic import add_synthetic_venues

WELL_KNOWN = [
    "山西博物院",
    "山西省科学技术馆",
    "中国煤炭博物馆",
    "晋祠博物馆",
    "八路军太行纪念馆",
    "刘胡兰纪念馆",
    "平型关大捷纪念馆",
    "右玉精神展览馆",
    "云冈石窟",
    "太原市图书馆",
]


def count(model, *where):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def snapshot():
    """Every row of every table: a second load must leave them all as they were."""
    return {
        name: sorted(map(tuple, db.session.execute(table.select()).all()), key=repr)
        for name, table in sorted(db.metadata.tables.items())
    }


def test_seed_loads_regions_and_venues_and_runs_twice_without_change(app):
    load_seed(db.session)
    first = snapshot()
    load_seed(db.session)
    assert snapshot() == first
    assert count(Region, Region.level == RegionLevel.CITY) == 11
    assert 110 <= count(Region, Region.level == RegionLevel.COUNTY) <= 125
    assert count(Venue) >= 60


def test_seed_has_the_current_county_divisions(app):
    load_seed(db.session)
    names = set(db.session.scalars(sa.select(Region.name)))
    for current in (
        "平城区",
        "云冈区",
        "云州区",
        "上党区",
        "潞州区",
        "屯留区",
        "潞城区",
        "怀仁市",
        "太谷区",
    ):
        assert current in names
    for abolished in ("大同县", "长治县", "太谷县", "怀仁县"):
        assert abolished not in names


def test_seed_covers_every_city_with_the_well_known_bases(app):
    load_seed(db.session)
    cities_with_venues = set(db.session.scalars(sa.select(Venue.city_id).distinct()))
    assert len(cities_with_venues) == 11
    names = set(db.session.scalars(sa.select(Venue.name)))
    for name in WELL_KNOWN:
        assert any(name in n for n in names), name
    categories = set()
    for venue in db.session.scalars(sa.select(Venue)):
        categories.update(venue.categories)
        assert 34.5 < venue.lat < 40.8 and 110.2 < venue.lng < 114.6, venue.name
        assert venue.county.parent_id == venue.city_id
    assert {VenueCategory.LIBRARY, VenueCategory.MEMORIAL_HALL, VenueCategory.MUSEUM} <= categories


def _copy_seed(seed_dir: Path, tmp_path: Path) -> Path:
    for name in ("regions.csv", "venues.jsonl"):
        (tmp_path / name).write_bytes((seed_dir / name).read_bytes())
    return tmp_path


def test_a_broken_venue_row_names_file_and_line_and_loads_nothing(app, seed_dir, tmp_path):
    data = _copy_seed(seed_dir, tmp_path)
    lines = (data / "venues.jsonl").read_text(encoding="utf-8").splitlines()
    row = json.loads(lines[4])
    row["county"] = "149999"
    lines[4] = json.dumps(row, ensure_ascii=False)
    (data / "venues.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(SeedError) as caught:
        load_seed(db.session, data)
    assert "venues.jsonl, line 5" in str(caught.value)
    assert count(Venue) == 0


@pytest.mark.parametrize(
    "bad_line",
    [
        "{not json",
        '{"slug": "x"}',
        '{"slug": "Bad Slug", "name": "a", "categories": ["museum"], "level": "city",'
        ' "county": "140105", "address": "a", "lat": 37, "lng": 112}',
        '{"slug": "x", "name": "a", "categories": ["zoo"], "level": "city",'
        ' "county": "140105", "address": "a", "lat": 37, "lng": 112}',
        '{"slug": "x", "name": "a", "categories": ["museum"], "level": "city",'
        ' "county": "140105", "address": "a", "lat": 37, "lng": 112,'
        ' "hours": [{"days": [1], "open": "18:00", "close": "09:00"}]}',
    ],
)
def test_each_kind_of_broken_row_is_reported(app, seed_dir, tmp_path, bad_line):
    data = _copy_seed(seed_dir, tmp_path)
    with (data / "venues.jsonl").open("a", encoding="utf-8") as handle:
        handle.write(bad_line + "\n")
    total = len((data / "venues.jsonl").read_text(encoding="utf-8").splitlines())
    with pytest.raises(SeedError, match=f"venues.jsonl, line {total}:"):
        load_seed(db.session, data)
    assert count(Venue) == 0


def test_a_broken_region_row_is_reported(app, seed_dir, tmp_path):
    data = _copy_seed(seed_dir, tmp_path)
    with (data / "regions.csv").open("a", encoding="utf-8") as handle:
        handle.write("14999,140100,county,坏区,Bad,37,112\n")
    with pytest.raises(SeedError, match=r"regions.csv, line \d+: adcode"):
        load_seed(db.session, data)
    assert count(Region) == 0


def test_synthetic_venues_are_added_once(app):
    load_seed(db.session)
    before = count(Venue)
    add_synthetic_venues(db.session, 30)
    add_synthetic_venues(db.session, 30)
    assert count(Venue) == before + 30


def test_seed_command_prints_counts(runner):
    result = runner.invoke(args=["seed", "--synthetic", "5"])
    assert result.exit_code == 0, result.output
    assert "venues:" in result.output and "synthetic venues: 5" in result.output


def test_seed_command_reports_a_broken_file_without_a_traceback(runner, monkeypatch, tmp_path):
    import seed.loader

    (tmp_path / "regions.csv").write_text("adcode,name\n140000,山西\n", encoding="utf-8")
    monkeypatch.setattr(seed.loader, "DATA_DIR", tmp_path)
    monkeypatch.setattr(seed.loader.load_seed, "__defaults__", (tmp_path,))
    result = runner.invoke(args=["seed"])
    assert result.exit_code != 0
    assert "regions.csv, line 1: missing column" in result.output
