import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from models import VenueCategory, db
from tests.factories import make_venue


@pytest.fixture
def venues(regions):
    made = [
        make_venue(
            regions["140105"],
            name="山西省科学技术馆",
            categories=[VenueCategory.SCIENCE_MUSEUM],
            lat=37.8157,
            lng=112.5420,
        ),
        make_venue(regions["140213"], name="大同市博物馆", lat=40.0768, lng=113.3420),
    ]
    db.session.commit()
    return made


def test_list_is_a_geojson_feature_collection_with_total(client, venues):
    body = client.get("/api/v1/venues?city=140100").get_json()
    assert body["type"] == "FeatureCollection"
    assert body["total"] == 1
    feature = body["features"][0]
    assert feature["geometry"] == {"type": "Point", "coordinates": [112.5420, 37.8157]}
    props = feature["properties"]
    assert props["name"] == "山西省科学技术馆"
    assert props["city"] == "太原市" and props["county"] == "小店区"
    assert props["categories"] == ["science_museum"]
    assert props["free_for_children"] is True
    assert "distance_km" not in props


def test_near_adds_distance_and_radius_limits(client, venues):
    body = client.get("/api/v1/venues?near=37.8420,112.5870&radius_km=20").get_json()
    assert body["total"] == 1
    assert 4 < body["features"][0]["properties"]["distance_km"] < 6


def test_english_names_of_places_with_lang(client, venues):
    body = client.get("/api/v1/venues?city=140100&lang=en").get_json()
    assert body["features"][0]["properties"]["city"] == "Taiyuan"


@pytest.mark.parametrize(
    "query, bad",
    [
        ("open_on=2026-02-30", "open_on"),
        ("near=abc", "near"),
        ("near=91,112", "near"),
        ("radius_km=-1", "radius_km"),
        ("near=37.87,112.55&radius_km=501", "radius_km"),
        ("city=999999", "city"),
        ("county=140213&city=140100", "county"),
        ("stage=university", "stage"),
        ("category=zoo", "category"),
        ("free=maybe", "free"),
        ("page=0", "page"),
        ("page=501", "page"),
        ("per_page=1000", "per_page"),
        ("per_page=101", "per_page"),
        # the map's viewport: inverted, out of range, larger than the province; its zoom
        ("/map/points.json?bbox=114,35,110,40", "bbox"),
        ("/map/points.json?bbox=112,38,113,37", "bbox"),
        ("/map/points.json?bbox=112,37,200,38", "bbox"),
        ("/map/points.json?bbox=112,-95,113,38", "bbox"),
        ("/map/points.json?bbox=100,30,120,45", "bbox"),
        ("/map/points.json?bbox=north", "bbox"),
        ("/map/points.json?zoom=3", "zoom"),
        ("/map/points.json?zoom=25", "zoom"),
        ("/map/points.json?zoom=far", "zoom"),
    ],
)
def test_a_bad_parameter_gets_a_400_naming_it(client, venues, query, bad):
    response = client.get(query if query.startswith("/") else f"/api/v1/venues?{query}")
    assert response.status_code == 400
    body = response.get_json()
    assert bad in body["errors"] and bad in body["message"]


def test_one_venue_has_its_details(client, venues):
    body = client.get(f"/api/v1/venues/{venues[0].id}").get_json()
    assert body["properties"]["name"] == "山西省科学技术馆"
    assert body["properties"]["opening_hours"][0] == {
        "weekday": 2,
        "opens_at": "09:00",
        "closes_at": "17:00",
    }
    assert body["properties"]["admission"]["primary"] == {"kind": "free", "price_yuan": None}


def test_unknown_venue_is_a_json_404(client, venues):
    response = client.get("/api/v1/venues/424242")
    assert response.status_code == 404
    assert response.get_json()["error"] == "Not Found"


def test_openapi_description_lists_the_venue_endpoints(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    assert {"/venues", "/venues/{venue_id}"} <= set(spec["paths"])


@pytest.fixture
def api_schema(app, venues):
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_fuzzing_the_api_finds_no_server_error(case):
    case.call_and_validate(checks=[not_a_server_error])


def test_a_nul_character_in_a_parameter_is_refused_not_a_server_error(client, venues):
    response = client.get("/api/v1/venues?q=a%00b")
    assert response.status_code == 400
    response = client.get("/?q=a%00b")
    assert response.status_code == 400
