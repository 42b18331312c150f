"""The catalogue at the size of a province: bulk seeding, the masks the filters read, the
plans of the list's queries, the map's viewport answers and the bounds on what may be asked."""

import gzip

import pytest
import sqlalchemy as sa

import webapp.services.catalogue.maps as maps
from models import RegionLevel, Stage, Venue, VenueCategory, db
from models.venue import venue_categories, venue_stages
from seed.synthetic import add_synthetic_venues
from tests.factories import make_venue
from webapp.extensions import cache
from webapp.services.catalogue.cache import cached_result, current_version
from webapp.services.catalogue.search import VenueFilters, filtered_venue_ids, search_venues


def test_bulk_seeding_makes_the_asked_number_of_venues_in_real_counties(app, regions):
    before = current_version()
    assert add_synthetic_venues(db.session, 300, chunk=120) == 300
    venues = db.session.scalars(sa.select(Venue).where(Venue.slug.like("synthetic-%"))).all()
    assert len(venues) == 300
    for venue in venues:
        assert venue.county.level is RegionLevel.COUNTY
        assert venue.city_id == venue.county.parent_id
        assert venue.name_pinyin and venue.name_pinyin in venue.search_text
        assert venue.categories and venue.stages and venue.admission_rules
        assert venue.opening_hours
    assert current_version() > before
    # a second run adds nothing; a larger one adds only the new ones
    add_synthetic_venues(db.session, 300)
    add_synthetic_venues(db.session, 310)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Venue)) == 310


def test_stage_and_category_masks_follow_the_rows_they_copy(app, regions):
    add_synthetic_venues(db.session, 60)
    venue = make_venue(regions["140105"], stages=[Stage.JUNIOR], categories=[VenueCategory.LIBRARY])
    venue.stages = [Stage.PRIMARY, Stage.SENIOR]
    venue.categories = [VenueCategory.MUSEUM]
    db.session.commit()
    for stage in Stage:
        by_mask = set(db.session.scalars(filtered_venue_ids(VenueFilters(stage=stage))))
        by_rows = set(
            db.session.scalars(
                sa.select(venue_stages.c.venue_id).where(venue_stages.c.stage == stage)
            )
        )
        assert by_mask == by_rows
    for category in VenueCategory:
        by_mask = set(db.session.scalars(filtered_venue_ids(VenueFilters(categories=[category]))))
        by_rows = set(
            db.session.scalars(
                sa.select(venue_categories.c.venue_id).where(
                    venue_categories.c.category == category
                )
            )
        )
        assert by_mask == by_rows
    page = search_venues(VenueFilters(stage=Stage.JUNIOR, county=regions["140105"]))
    assert venue.id not in [hit.venue.id for hit in page.hits]


def _plan(statement) -> str:
    conn = db.session.connection()
    sql = statement.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True})
    if conn.dialect.name == "sqlite":
        rows = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}").all()
        return "\n".join(str(row[-1]) for row in rows)
    # a test's few rows make any plan cheap: ask for the plan the database would pick at a
    # province's size, where scanning the table or sorting a county's rows is what costs
    for setting in ("enable_seqscan", "enable_bitmapscan", "enable_sort"):
        conn.exec_driver_sql(f"SET LOCAL {setting} = off")
    return "\n".join(row[0] for row in conn.exec_driver_sql(f"EXPLAIN {sql}").all())


@pytest.mark.parametrize(
    ("filters", "index"),
    [
        (lambda r: VenueFilters(county=r["140105"]), "ix_venues_county_pinyin"),
        (lambda r: VenueFilters(city=r["140100"]), "ix_venues_city_pinyin"),
        (lambda r: VenueFilters(stage=Stage.PRIMARY), "ix_venues_stage_primary"),
    ],
)
def test_filtered_pages_walk_an_index_in_the_sort_order(app, regions, filters, index):
    add_synthetic_venues(db.session, 50)
    stmt = filtered_venue_ids(filters(regions)).order_by(Venue.name_pinyin, Venue.id).limit(20)
    plan = _plan(stmt)
    assert index in plan
    assert "TEMP B-TREE" not in plan and "Sort" not in plan


def test_counting_a_stage_reads_the_venues_table_alone(app, regions):
    stmt = filtered_venue_ids(VenueFilters(stage=Stage.SENIOR, categories=[VenueCategory.MUSEUM]))
    sql = str(stmt.compile(dialect=db.session.connection().dialect))
    assert "venue_stages" not in sql and "venue_categories" not in sql


# ---------------------------------------------------------------- the map


def test_map_points_are_gzipped_and_a_second_visit_gets_304(client, regions):
    make_venue(regions["140105"])
    db.session.commit()
    first = client.get("/map/points.json", headers={"Accept-Encoding": "gzip"})
    assert first.status_code == 200
    assert first.headers["Content-Encoding"] == "gzip"
    assert b'"points"' in gzip.decompress(first.data)
    tag = first.headers["ETag"]
    again = client.get("/map/points.json", headers={"If-None-Match": tag})
    assert again.status_code == 304 and not again.data
    # a change to the catalogue is a new version: the old tag no longer matches
    make_venue(regions["140105"])
    db.session.commit()
    after = client.get("/map/points.json", headers={"If-None-Match": tag})
    assert after.status_code == 200
    assert after.headers["ETag"] != tag
    assert len(after.get_json()["points"]) == 2


def test_a_crowded_viewport_is_sent_as_clusters_counted_in_sql(client, regions, monkeypatch):
    add_synthetic_venues(db.session, 120)
    monkeypatch.setattr(maps, "MAX_POINTS", 50)
    body = client.get("/map/points.json?bbox=110.0,34.3,114.8,41.0&zoom=7").get_json()
    assert "points" not in body
    assert body["total"] == 120 == sum(c[2] for c in body["clusters"])
    assert len(body["clusters"]) < 120
    # zoomed in on one county: single venues, only those inside the box
    county = regions["140105"]
    box = (county.lng - 0.05, county.lat - 0.05, county.lng + 0.05, county.lat + 0.05)
    query = "bbox=" + ",".join(f"{x:.5f}" for x in box) + "&zoom=14"
    near = client.get(f"/map/points.json?{query}").get_json()
    inside = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Venue)
        .where(Venue.lng.between(box[0], box[2]), Venue.lat.between(box[1], box[3]))
    )
    assert len(near["points"]) == inside
    for _id, lat, lng, _cat in near["points"]:
        assert box[1] <= lat / 1e5 <= box[3] and box[0] <= lng / 1e5 <= box[2]


def test_the_result_cache_is_bounded(app):
    store = cache.cache
    if not hasattr(store, "_cache"):
        pytest.skip("Redis bounds itself (maxmemory)")
    limit = app.config["CACHE_THRESHOLD"]
    for i in range(limit + 200):
        cached_result("bound", f"query {i}", lambda i=i: i)
    assert len(store._cache) <= limit + 1
