"""Open data: the directory as one streamed GeoJSON file, and in Open Referral HSDS 3.0,
validated against HSDS's own JSON schemas (vendored in tests/hsds_schema with their licence)."""

import json
import uuid
from datetime import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from models import AdmissionKind, TimetableEntry, Venue, VenueCategory, VisitorGroup, db
from tests.factories import make_venue
from tests.world import build_world
from webapp.services.catalogue import open_data

SCHEMAS = Path(__file__).parent / "hsds_schema"


def _build_world(regions):
    world = build_world(regions)
    venue = world.venues["a"]
    venue.set_admission(
        {
            VisitorGroup.PRIMARY: (AdmissionKind.FREE, None),
            VisitorGroup.ADULT: (AdmissionKind.FULL, 40),
        }
    )
    venue.phone, venue.is_accessible, venue.accessibility = "0351-7654321", True, "设坡道"
    db.session.add(
        TimetableEntry(
            venue=venue,
            weekday=2,
            start_time=time(9),
            end_time=time(10, 30),
            capacity=40,
            green_quota=5,
        )
    )
    db.session.commit()
    return world


@pytest.fixture
def world_builder():
    """This module's people and places, built by the one `world` fixture."""
    return _build_world


def _schema(name: str) -> dict:
    return json.loads((SCHEMAS / name).read_text(encoding="utf-8"))


def _validator() -> Draft202012Validator:
    resources = [
        (path.name, Resource.from_contents(_schema(path.name), default_specification=DRAFT202012))
        for path in SCHEMAS.glob("*.json")
    ]
    registry = Registry().with_resources(resources)
    return Draft202012Validator(
        _schema("service.json"), registry=registry, format_checker=FormatChecker()
    )


def _undeclared(instance, schema: dict, path: str = "service") -> list[str]:
    """Keys the export writes that the schema does not declare (HSDS's schemas allow any
    key, so a misspelt one would pass validation unnoticed)."""
    found = []
    for key, value in instance.items():
        declared = schema.get("properties", {}).get(key)
        if declared is None:
            found.append(f"{path}.{key}")
            continue
        target = declared.get("items", declared)
        if "$ref" in target and isinstance(value, dict | list):
            for item in value if isinstance(value, list) else [value]:
                found += _undeclared(item, _schema(target["$ref"]), f"{path}.{key}")
    return found


def get(app, url):
    return app.test_client().get(url)


# ---------------------------------------------------------------- GeoJSON


def test_the_whole_directory_is_one_geojson_file_anyone_may_take(app, world):
    response = get(app, "/opendata/venues.geojson")
    assert response.status_code == 200 and response.is_streamed
    assert response.mimetype == "application/geo+json"
    assert "attachment" in response.headers["Content-Disposition"]
    body = json.loads(response.get_data(as_text=True))
    assert body["type"] == "FeatureCollection"
    names = sorted(f["properties"]["name"] for f in body["features"])
    assert names == sorted(["甲馆", "乙馆", "丙馆"])
    feature = next(f for f in body["features"] if f["properties"]["name"] == "甲馆")
    venue = world.venues["a"]
    assert feature["geometry"] == {"type": "Point", "coordinates": [venue.lng, venue.lat]}
    properties = feature["properties"]
    assert properties["county"] == "小店区" and properties["category_names"] == ["博物馆"]
    assert properties["admission"] == "小学生：免费；陪同成人：全价 40元"
    assert properties["url"].endswith(f"/venues/{venue.id}")


@pytest.mark.parametrize("region, names", [("140100", ["乙馆", "甲馆"]), ("140105", ["甲馆"])])
def test_a_regions_geojson_holds_only_that_region(app, world, region, names):
    body = get(app, f"/opendata/venues.geojson?region={region}").get_json()
    assert sorted(f["properties"]["name"] for f in body["features"]) == names


@pytest.mark.parametrize("url", ["/opendata/venues.geojson", "/opendata/hsds.json"])
def test_a_bad_or_unknown_region_is_a_clear_json_error(app, world, url):
    bad = get(app, f"{url}?region=taiyuan")
    assert bad.status_code == 400 and bad.get_json()["errors"]["region"]
    unknown = get(app, f"{url}?region=999999")
    assert unknown.status_code == 404 and unknown.get_json()["message"]


def test_the_file_is_read_a_batch_at_a_time_and_each_batch_let_go(app, world):
    for n in range(5):
        make_venue(world.regions["x"], name=f"批量馆{n}")
    db.session.commit()
    db.session.expunge_all()
    seen = []
    for batch in open_data.iter_venues(None, batch=2):
        assert len(batch) <= 2
        held = {v.id for v in db.session.identity_map.values() if isinstance(v, Venue)}
        assert held == {v.id for v in batch}  # the earlier batches are gone
        seen += [v.id for v in batch]
    assert seen == sorted(db.session.scalars(sa.select(Venue.id)))


def test_a_large_directory_streams_in_pieces(app, world):
    for n in range(open_data.BATCH + 10):
        make_venue(world.regions["y"], name=f"大量馆{n}", slug=f"many-{n}")
    db.session.commit()
    response = get(app, "/opendata/venues.geojson")
    pieces = list(response.response)
    assert len(pieces) >= 4  # head, two batches, tail
    assert len(json.loads(b"".join(pieces))["features"]) == open_data.BATCH + 13


# ---------------------------------------------------------------- HSDS 3.0


def test_the_hsds_export_validates_against_the_hsds_schemas(app, world):
    response = get(app, "/opendata/hsds.json")
    assert response.status_code == 200 and response.is_streamed
    body = json.loads(response.get_data(as_text=True))
    assert body["total_items"] == 3 and body["size"] == 3 and len(body["contents"]) == 3
    assert body["first_page"] and body["last_page"] and not body["empty"]
    validator = _validator()
    for service in body["contents"]:
        errors = sorted(validator.iter_errors(service), key=lambda e: e.path)
        assert errors == [], [f"{list(e.path)}: {e.message}" for e in errors]
        assert _undeclared(service, _schema("service.json")) == []


def test_a_hsds_service_carries_the_venues_details(app, world):
    body = get(app, "/opendata/hsds.json?region=140105").get_json()
    [service] = body["contents"]
    venue = world.venues["a"]
    assert service["name"] == "甲馆" and service["status"] == "active"
    assert service["organization"]["name"] == "甲馆"
    assert service["organization_id"] == service["organization"]["id"]
    # eligibility: the venue suits every stage, 3 to 18
    assert (service["minimum_age"], service["maximum_age"]) == (3, 18)
    assert service["eligibility_description"] == "适合学段：学前、小学、初中、高中"
    # cost options from the admission policy
    costs = [(c["option"], c["amount"], c["amount_description"]) for c in service["cost_options"]]
    assert costs == [("小学生", 0, "免费"), ("陪同成人", 40, "全价")]
    # the weekly timetable's session is a schedule of the service
    [session] = service["schedules"]
    assert (session["freq"], session["byday"], session["opens_at"], session["closes_at"]) == (
        "WEEKLY",
        "TU",
        "09:00+08:00",
        "10:30+08:00",
    )
    assert "绿色通道 5 人" in session["description"]
    [at] = service["service_at_locations"]
    location = at["location"]
    assert (location["latitude"], location["longitude"]) == (venue.lat, venue.lng)
    assert location["addresses"][0]["region"] == "小店区"
    assert location["accessibility"][0]["details"] == "设坡道"
    assert sorted(s["byday"] for s in location["schedules"]) == ["FR", "SA", "SU", "TH", "TU", "WE"]
    assert service["languages"][0]["code"] == "zh"
    assert service["phones"][0]["number"] == "0351-7654321"


def test_hsds_ids_are_uuids_that_stay_the_same_between_exports(app, world):
    first = get(app, "/opendata/hsds.json").get_json()["contents"]
    second = get(app, "/opendata/hsds.json").get_json()["contents"]
    assert [s["id"] for s in first] == [s["id"] for s in second]
    ids = [s["id"] for s in first] + [s["organization"]["id"] for s in first]
    assert len(set(ids)) == len(ids)
    assert all(uuid.UUID(i) for i in ids)


def test_an_empty_region_is_an_empty_list(app, world):
    body = get(app, "/opendata/hsds.json?region=140212").get_json()
    assert body["contents"] == [] and body["empty"] and body["total_items"] == 0


def test_the_schema_check_has_teeth(app, world):
    [service] = get(app, "/opendata/hsds.json?region=140105").get_json()["contents"]
    service["status"] = "open"
    location = service["service_at_locations"][0]["location"]
    del location["location_type"]
    location["accessibilitys"] = location.pop("accessibility")
    messages = [e.message for e in _validator().iter_errors(service)]
    assert any("'open' is not one of" in m for m in messages)
    assert any("'location_type' is a required property" in m for m in messages)
    assert _undeclared(service, _schema("service.json")) == [
        "service.service_at_locations.location.accessibilitys"
    ]


def test_hsds_categories_are_attributes_of_one_taxonomy(app, world):
    venue = world.venues["a"]
    venue.categories = [VenueCategory.MUSEUM, VenueCategory.PATRIOTIC_EDUCATION]
    db.session.commit()
    body = get(app, "/opendata/hsds.json").get_json()
    service = next(s for s in body["contents"] if s["name"] == "甲馆")
    terms = [(a["link_id"], a["link_entity"], a["taxonomy_term"]["code"],
              a["taxonomy_term"]["name"]) for a in service["attributes"]]
    assert sorted(terms) == sorted([
        (service["id"], "service", "museum", "博物馆"),
        (service["id"], "service", "patriotic_education", "爱国主义教育基地"),
    ])
    every = [a for s in body["contents"] for a in s["attributes"]]
    assert len({a["taxonomy_term"]["taxonomy_id"] for a in every}) == 1  # one taxonomy
    museum = {a["taxonomy_term_id"] for a in every if a["taxonomy_term"]["code"] == "museum"}
    assert len(museum) == 1  # a category is the same term whichever venue it describes
    assert all(a["taxonomy_term_id"] == a["taxonomy_term"]["id"] for a in every)
    errors = list(_validator().iter_errors(service))
    assert errors == [], [e.message for e in errors]


@pytest.mark.parametrize(
    "address, code",
    [
        ("太原市小店区长风街1号（邮编：030006）", "030006"),
        ("太原市迎泽区迎泽大街 030001", "030001"),
        ("太原市小店区长风街1号，电话 0351-7654321", ""),
        ("太原市小店区长风街1号", ""),
    ],
)
def test_hsds_addresses_carry_the_postal_code_the_address_writes(app, world, address, code):
    world.venues["a"].address = address
    db.session.commit()
    [service] = get(app, "/opendata/hsds.json?region=140105").get_json()["contents"]
    [written] = service["service_at_locations"][0]["location"]["addresses"]
    assert written["postal_code"] == code  # the key stays, as HSDS requires it
    assert list(_validator().iter_errors(service)) == []
