import json
import re

import pytest

from models import VenueCategory, db
from tests.factories import make_venue
from webapp.services.catalogue.maps import (
    TILE_PROVIDERS,
    display_point,
    select_tile_provider,
    tile_hosts,
    wgs84_to_gcj02,
)

# Published test vectors of the GCJ-02 algorithm (eviltransform): WGS-84 → GCJ-02.
GCJ_VECTORS = [
    ((31.1774276, 121.5272106), (31.17530398364597, 121.531541859215)),  # Shanghai
    ((22.543847, 113.912316), (22.540796131694766, 113.9171764808363)),  # Shenzhen
    ((39.911954, 116.377817), (39.91334545536069, 116.38404722455657)),  # Beijing
]


@pytest.mark.parametrize(("wgs", "gcj"), GCJ_VECTORS)
def test_wgs84_points_in_china_are_shifted_as_gcj02_tiles_draw_them(wgs, gcj):
    assert wgs84_to_gcj02(*wgs) == pytest.approx(gcj, abs=1e-9)


@pytest.mark.parametrize("point", [(39.7392, -104.9903), (-27.4698, 153.0251), (51.5, -0.12)])
def test_points_outside_china_are_not_shifted(point):
    assert wgs84_to_gcj02(*point) == point


def test_a_shanxi_venue_moves_a_few_hundred_metres_on_gcj02_tiles_only():
    from webapp.services.geo import distance_km

    jinci = (37.7063, 112.4368)
    shifted = display_point(*jinci, TILE_PROVIDERS["amap"])
    assert 0.1 < distance_km(jinci, shifted) < 1.0
    assert display_point(*jinci, TILE_PROVIDERS["osm"]) == jinci
    assert display_point(*jinci, TILE_PROVIDERS["tianditu"]) == jinci


@pytest.mark.parametrize(
    ("setting", "key", "drawn", "in_url"),
    [
        ("osm", "", "osm", "tile.openstreetmap.org"),
        ("amap", "", "amap", "autonavi.com"),
        ("tianditu", "abc123", "tianditu", "tk=abc123"),
        ("tianditu", "", "osm", "tile.openstreetmap.org"),
        ("no-such-provider", "", "osm", "tile.openstreetmap.org"),
        ("none", "", "none", ""),
    ],
)
def test_tile_provider_follows_the_setting_and_needs_a_key_for_tianditu(
    app, setting, key, drawn, in_url
):
    app.config.update(MAP_TILE_PROVIDER=setting, TIANDITU_KEY=key)
    provider, url = select_tile_provider(app.config)
    assert provider.key == drawn
    assert in_url in url
    assert "{key}" not in url
    assert tile_hosts(setting) == provider.hosts


def _external_assets(html: str) -> list[str]:
    refs = re.findall(r"<script\b[^>]*\bsrc=[\"']([^\"']+)", html)
    refs += re.findall(r"<link\b[^>]*\bhref=[\"']([^\"']+)", html)
    return [r for r in refs if re.match(r"^(https?:)?//", r)]


def _inline_scripts_without_nonce(response) -> list[str]:
    nonce = re.search(r"'nonce-([^']+)'", response.headers["Content-Security-Policy"]).group(1)
    tags = re.findall(r"<script\b[^>]*>", response.get_data(as_text=True))
    return [t for t in tags if f'nonce="{nonce}"' not in t]


@pytest.mark.parametrize("provider", ["osm", "amap", "tianditu", "none"])
def test_no_page_loads_a_script_or_stylesheet_from_another_site(app, client, regions, provider):
    app.config.update(MAP_TILE_PROVIDER=provider, TIANDITU_KEY="k")
    venue = make_venue(regions["140110"], lat=37.7063, lng=112.4368)
    db.session.commit()
    for path in ("/", "/map", "/map?category=museum", f"/venues/{venue.id}"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert _external_assets(response.get_data(as_text=True)) == [], path
        assert _inline_scripts_without_nonce(response) == [], path


def test_map_pages_use_the_vendored_leaflet_and_cluster_plugin(client, regions):
    venue = make_venue(regions["140110"])
    db.session.commit()
    directory = client.get("/map").get_data(as_text=True)
    assert "/static/vendor/leaflet/leaflet.js" in directory
    assert "/static/vendor/leaflet.markercluster/leaflet.markercluster.js" in directory
    assert "/static/vendor/leaflet.markercluster/MarkerCluster.Default.css" in directory
    assert "/static/js/map.js" in directory
    page = client.get(f"/venues/{venue.id}").get_data(as_text=True)
    assert "/static/vendor/leaflet/leaflet.js" in page
    assert "L.marker(" in page
    for path in (
        "vendor/leaflet/leaflet.js",
        "vendor/leaflet/leaflet.css",
        "vendor/leaflet/images/marker-icon.png",
        "vendor/leaflet.markercluster/leaflet.markercluster.js",
        "vendor/leaflet.markercluster/MarkerCluster.css",
        "js/map.js",
        "css/map.css",
    ):
        response = client.get(f"/static/{path}")
        assert response.status_code == 200, path
        response.close()


def test_directory_map_holds_no_venue_and_fetches_points_with_the_same_filters(client, regions):
    for i in range(30):
        make_venue(regions["140110"], name=f"地图测试馆{i}")
    db.session.commit()
    html = client.get("/map?category=museum&free=1").get_data(as_text=True)
    assert "地图测试馆" not in html
    assert "L.marker(" not in html
    assert '"pointsUrl": "/map/points.json?category=museum\\u0026free=1"' in html


def test_filters_cannot_break_out_of_the_map_script(client, regions):
    html = client.get("/map?q=%3C/script%3E%3Cscript%3Ealert(1)%3C/script%3E").get_data(
        as_text=True
    )
    assert "<script>alert(1)" not in html
    assert "</script><script>" not in html


def test_venue_page_marks_the_venue_where_the_tiles_draw_it(app, client, regions):
    venue = make_venue(regions["140110"], lat=37.7063, lng=112.4368)
    db.session.commit()
    assert "[37.7063, 112.4368]" in client.get(f"/venues/{venue.id}").get_data(as_text=True)

    app.config["MAP_TILE_PROVIDER"] = "amap"
    html = client.get(f"/venues/{venue.id}").get_data(as_text=True)
    lat, lng = wgs84_to_gcj02(37.7063, 112.4368)
    assert f"[{lat}, {lng}]" in html
    assert "[37.7063, 112.4368]" not in html


def test_points_json_lists_matching_venues_as_compact_integers(client, regions):
    museum = make_venue(regions["140110"], lat=37.7063, lng=112.4368)
    library = make_venue(
        regions["140105"], categories=[VenueCategory.LIBRARY], lat=37.8, lng=112.55
    )
    db.session.commit()
    data = client.get("/map/points.json").get_json()
    assert data["categories"] == ["library", "museum"]
    assert sorted(data["points"]) == sorted(
        [[museum.id, 3770630, 11243680, 1], [library.id, 3780000, 11255000, 0]]
    )
    only = client.get("/map/points.json?category=library").get_json()
    assert only == {"categories": ["library"], "points": [[library.id, 3780000, 11255000, 0]]}


@pytest.mark.parametrize(
    "query",
    [
        "category=nope",
        "open_on=yesterday",
        "near=north",
        "radius_km=-5",
        "city=abc",
        "county=14",
        "near_county=x",
    ],
)
def test_unusable_map_filters_show_all_venues_instead_of_failing(client, regions, query):
    make_venue(regions["140110"])
    db.session.commit()
    assert client.get(f"/map?{query}").status_code == 200
    response = client.get(f"/map/points.json?{query}")
    assert response.status_code == 200
    assert len(response.get_json()["points"]) == 1


def _map_options(html: str) -> dict:
    return json.loads(re.search(r"ShanxiMap\.showVenues\(\w+, (\{.*\})\);", html).group(1))


def test_map_texts_are_chinese_by_default_and_english_on_request(client, regions):
    chinese = client.get("/map").get_data(as_text=True)
    assert "图例" in chinese
    assert _map_options(chinese)["text"]["open"] == "查看场馆详情"
    assert _map_options(chinese)["labels"]["museum"] == "博物馆"
    english = client.get("/map?lang=en").get_data(as_text=True)
    assert "Legend" in english
    assert _map_options(english)["text"]["open"] == "Open the venue page"
    assert _map_options(english)["lang"] == "en"


def test_with_no_tile_provider_the_maps_fetch_no_tiles_and_allow_no_tile_host(app, client, regions):
    app.config.update(MAP_TILE_PROVIDER="none")
    venue = make_venue(regions["140110"])
    db.session.commit()
    for path in ("/map", f"/venues/{venue.id}"):
        response = client.get(path)
        page = response.get_data(as_text=True)
        assert response.status_code == 200 and "L.tileLayer" not in page, path
        assert "openstreetmap" not in response.headers["Content-Security-Policy"]
    assert "L.marker(" in client.get(f"/venues/{venue.id}").get_data(as_text=True)
