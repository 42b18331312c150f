"""Keeping venues true: the venue_admin service (county matched offline, placing, rules, access)."""

from dataclasses import replace
from datetime import time, timedelta

import pytest
import sqlalchemy as sa
from geopy.exc import GeocoderUnavailable
from geopy.geocoders import Nominatim
from geopy.location import Location
from geopy.point import Point

from models import (
    AdmissionKind,
    AuditEntry,
    Role,
    Stage,
    Venue,
    VenueCategory,
    VenueLevel,
    VisitorGroup,
    db,
)
from tests.factories import NOW, make_user
from webapp.services.catalogue import editing as venue_admin
from webapp.services.catalogue.venue_values import (
    AdmissionValue,
    ClosureValue,
    CourseValue,
    HoursValue,
    VenueValues,
)
from webapp.services.errors import PermissionDenied, ServiceError

#: the days these tests quote, counted from the one clock's local day (a Wednesday)
TODAY = NOW.date()  # NOW is 10:00 in Shanxi: the same day
A_WEDNESDAY, A_MONDAY = TODAY + timedelta(days=14), TODAY + timedelta(days=12)
TOMORROW, IN_A_MONTH = TODAY + timedelta(days=1), TODAY + timedelta(days=31)
YUNZHOU = "140215"
XIAODIAN = "140105"


pytestmark = pytest.mark.usefixtures("ctx")


@pytest.fixture
def datong_bureau(world, regions):
    user = make_user(Role.BUREAU_STAFF, email="datong@example.cn", region=regions["140200"])
    db.session.commit()
    return user


@pytest.fixture
def geocoder(app, monkeypatch):
    """A configured geocoder whose answers the test decides (the only thing monkeypatched)."""
    app.config["GEOCODER"] = "nominatim"
    answers = {}

    def geocode(self, query, *args, **kwargs):
        answer = answers.get("answer")
        if isinstance(answer, Exception):
            raise answer
        answers.setdefault("queries", []).append(query)
        if answer is None:
            return None
        return Location(query, Point(*answer), {})

    monkeypatch.setattr(Nominatim, "geocode", geocode)
    return answers


def new_values(**overrides) -> VenueValues:
    defaults = dict(
        name="云州区科技馆",
        address="山西省大同市云州区西坪镇府前路8号",
        categories=[VenueCategory.SCIENCE_MUSEUM],
        level=VenueLevel.COUNTY,
        stages=[Stage.PRIMARY, Stage.JUNIOR],
        hours=[HoursValue(d, time(9), time(17)) for d in (2, 3, 4, 5, 6, 7)],
        admission=[AdmissionValue(g, AdmissionKind.FREE) for g in VisitorGroup],
    )
    return VenueValues(**{**defaults, **overrides})


# ---------------------------------------------------------------- creating and placing


def test_a_new_venue_is_placed_in_the_county_its_address_names(world, regions, datong_bureau):
    venue = venue_admin.create_venue(new_values(), by=datong_bureau, now=NOW)
    assert venue.county.adcode == YUNZHOU and venue.city.adcode == "140200"
    # no geocoder configured: the county centroid, marked approximate
    assert venue.is_location_approximate
    assert (venue.lat, venue.lng) == (regions[YUNZHOU].lat, regions[YUNZHOU].lng)
    assert venue.slug == "yunzhouqukejiguan" and venue.is_free_for_children


def test_a_geocoder_that_answers_gives_exact_coordinates(world, datong_bureau, geocoder):
    geocoder["answer"] = (40.0401, 113.3931)
    venue = venue_admin.create_venue(new_values(), by=datong_bureau, now=NOW)
    assert geocoder["queries"] == ["山西省大同市云州区西坪镇府前路8号"]
    assert (venue.lat, venue.lng) == (40.0401, 113.3931)
    assert not venue.is_location_approximate


@pytest.mark.parametrize(
    "answer",
    [None, GeocoderUnavailable("no network"), (31.23, 121.47)],
    ids=["finds-nothing", "unreachable", "answers-a-place-outside-shanxi"],
)
def test_without_a_usable_geocoder_answer_the_county_centroid_is_used_and_marked_approximate(
    world, regions, datong_bureau, geocoder, answer
):
    geocoder["answer"] = answer
    venue = venue_admin.create_venue(new_values(), by=datong_bureau, now=NOW)
    assert venue.is_location_approximate
    assert (venue.lat, venue.lng) == (regions[YUNZHOU].lat, regions[YUNZHOU].lng)


def test_typed_coordinates_in_shanxi_are_kept_exact_without_asking_the_geocoder(
    world, datong_bureau, geocoder
):
    geocoder["answer"] = (40.0, 113.0)
    venue = venue_admin.create_venue(
        new_values(lat=40.0952, lng=113.2901), by=datong_bureau, now=NOW
    )
    assert (venue.lat, venue.lng, venue.is_location_approximate) == (40.0952, 113.2901, False)
    assert "queries" not in geocoder


@pytest.mark.parametrize(
    "lat, lng, words",
    [(39.9042, 116.4074, "不在山西省内"), (113.29, 40.09, "填反")],
    ids=["beijing", "swapped"],
)
def test_typed_coordinates_outside_shanxi_are_refused(world, datong_bureau, lat, lng, words):
    with pytest.raises(ServiceError) as caught:
        venue_admin.create_venue(new_values(lat=lat, lng=lng), by=datong_bureau, now=NOW)
    assert caught.value.field == "lat" and words in caught.value.message
    assert db.session.scalar(sa.select(sa.func.count(Venue.id))) == 3


def test_only_one_coordinate_is_refused(world, datong_bureau):
    with pytest.raises(ServiceError) as caught:
        venue_admin.create_venue(new_values(lat=40.09), by=datong_bureau, now=NOW)
    assert caught.value.field == "lng"


def test_an_address_naming_no_county_needs_the_county_chosen(world, regions, datong_bureau):
    with pytest.raises(ServiceError) as caught:
        venue_admin.create_venue(new_values(address="府前路8号"), by=datong_bureau, now=NOW)
    assert caught.value.field == "county"
    venue = venue_admin.create_venue(
        new_values(address="府前路8号", county=regions["140212"]), by=datong_bureau, now=NOW
    )
    assert venue.county.name == "新荣区"


def test_slugs_of_venues_with_the_same_name_stay_unique(world, datong_bureau):
    first = venue_admin.create_venue(new_values(), by=datong_bureau, now=NOW)
    second = venue_admin.create_venue(new_values(), by=datong_bureau, now=NOW)
    assert (first.slug, second.slug) == ("yunzhouqukejiguan", "yunzhouqukejiguan-2")


def test_a_new_venue_is_audited(world, datong_bureau):
    venue = venue_admin.create_venue(new_values(), by=datong_bureau, now=NOW)
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "venue.create"))
    assert entry.object_id == venue.id and entry.after["county"] == "云州区"
    assert entry.region_id == venue.county_id


# ---------------------------------------------------------------- who may


def test_a_county_bureau_cannot_add_a_venue_in_another_county(world):
    with pytest.raises(PermissionDenied) as caught:
        venue_admin.create_venue(new_values(), by=world.users["county"], now=NOW)
    assert caught.value.field == "county"
    assert db.session.scalar(sa.select(Venue).where(Venue.name == "云州区科技馆")) is None


@pytest.mark.parametrize("role", ["venue_a", "family", "school"])
def test_only_bureau_staff_add_venues(world, role):
    with pytest.raises(PermissionDenied):
        venue_admin.create_venue(
            new_values(address="山西省太原市小店区坞城路1号"), by=world.users[role], now=NOW
        )


def test_venue_staff_cannot_edit_another_venue(world):
    venue = world.venues["a"]
    values = replace(venue_admin.get_venue_values(venue), name="改名")
    with pytest.raises(PermissionDenied):
        venue_admin.update_venue(venue, values, by=world.users["venue_b"], now=NOW)
    db.session.expire_all()
    assert venue.name == "甲馆"


def test_a_county_bureau_cannot_edit_a_venue_of_another_county(world):
    venue = world.venues["b"]  # in 迎泽区; the county user looks after 小店区
    values = replace(venue_admin.get_venue_values(venue), phone="0351-1234567")
    with pytest.raises(PermissionDenied):
        venue_admin.update_venue(venue, values, by=world.users["county"], now=NOW)


def test_a_bureau_cannot_move_a_venue_out_of_its_scope(world):
    venue = world.venues["a"]
    values = replace(venue_admin.get_venue_values(venue), county=world.regions["y"])
    with pytest.raises(PermissionDenied) as caught:
        venue_admin.update_venue(venue, values, by=world.users["county"], now=NOW)
    assert caught.value.field == "county"
    db.session.expire_all()
    assert venue.county_id == world.regions["x"].id


def test_a_venue_own_staff_may_correct_its_county(world):
    venue = world.venues["a"]
    values = replace(
        venue_admin.get_venue_values(venue), county=None, address="太原市迎泽区迎泽大街1号"
    )
    venue_admin.update_venue(venue, values, by=world.users["venue_a"], now=NOW)
    assert venue.county.name == "迎泽区"


# ---------------------------------------------------------------- editing


def test_venue_staff_edit_their_venue_page(world):
    venue = world.venues["a"]
    values = replace(
        venue_admin.get_venue_values(venue),
        phone="0351-7654321",
        categories=[VenueCategory.LIBRARY, VenueCategory.STUDY_TRAVEL],
        stages=[Stage.SENIOR],
        hours=[HoursValue(1, time(8, 30), time(12)), HoursValue(3, time(14), time(18))],
        admission=[
            AdmissionValue(VisitorGroup.PRIMARY, AdmissionKind.FREE),
            AdmissionValue(VisitorGroup.ADULT, AdmissionKind.DISCOUNT, 20),
            AdmissionValue(VisitorGroup.TEACHER, AdmissionKind.FULL, 0),
        ],
        courses=[CourseValue("拓印体验", 45, [Stage.PRIMARY], "动手拓印碑文")],
        closures=[ClosureValue(A_WEDNESDAY, "布展")],
        is_accessible=True,
    )
    venue_admin.update_venue(venue, values, by=world.users["venue_a"], now=NOW)
    db.session.expire_all()
    venue = db.session.get(Venue, venue.id)
    assert venue.phone == "0351-7654321" and venue.is_accessible
    assert venue.categories == [VenueCategory.LIBRARY, VenueCategory.STUDY_TRAVEL]
    assert venue.stages == [Stage.SENIOR]
    assert [(h.weekday, h.opens_at, h.closes_at) for h in venue.opening_hours] == [
        (1, time(8, 30), time(12)),
        (3, time(14), time(18)),
    ]
    assert venue.admission_for(VisitorGroup.ADULT).price_yuan == 20
    assert venue.admission_for(VisitorGroup.JUNIOR) is None and not venue.is_free_for_children
    assert [(c.title, c.minutes, c.stages_csv) for c in venue.courses] == [
        ("拓印体验", 45, "primary")
    ]
    assert [(c.closed_on, c.reason) for c in venue.closures] == [(A_WEDNESDAY, "布展")]
    assert not venue.is_open_on(A_WEDNESDAY) and venue.is_open_on(A_MONDAY)


def test_closed_dates_are_added_and_removed_and_past_ones_kept(world):
    venue = world.venues["a"]
    staff = world.users["venue_a"]
    values = venue_admin.get_venue_values(venue)
    values.closures = [ClosureValue(TOMORROW, "检修"), ClosureValue(IN_A_MONTH)]
    venue_admin.update_venue(venue, values, by=staff, now=NOW)
    # a month later the May date is past: kept when listed, the June one removed, a new one added
    later = NOW + timedelta(days=32)
    values = venue_admin.get_venue_values(venue)
    values.closures = [values.closures[0], ClosureValue(TODAY + timedelta(days=61), "闭馆")]
    venue_admin.update_venue(venue, values, by=staff, now=later)
    db.session.expire_all()
    assert [(c.closed_on, c.reason) for c in db.session.get(Venue, venue.id).closures] == [
        (TOMORROW, "检修"),
        (TODAY + timedelta(days=61), "闭馆"),
    ]


def test_a_new_closed_date_already_past_is_refused(world):
    venue = world.venues["a"]
    values = venue_admin.get_venue_values(venue)
    values.closures = [ClosureValue(TODAY - timedelta(days=1), "")]
    with pytest.raises(ServiceError) as caught:
        venue_admin.update_venue(venue, values, by=world.users["venue_a"], now=NOW)
    assert caught.value.field == "closures.0"


def test_saving_unchanged_values_keeps_exact_coordinates(world):
    venue = world.venues["a"]
    venue.lat, venue.lng = 37.8, 112.6
    db.session.commit()
    venue_admin.update_venue(
        venue, venue_admin.get_venue_values(venue), by=world.users["venue_a"], now=NOW
    )
    assert (venue.lat, venue.lng, venue.is_location_approximate) == (37.8, 112.6, False)


def test_a_venue_at_its_county_centre_is_placed_again_when_saved(world, geocoder):
    venue = world.venues["a"]
    venue.is_location_approximate = True
    db.session.commit()
    geocoder["answer"] = (37.79, 112.58)
    values = venue_admin.get_venue_values(venue)
    assert values.lat is None  # the centroid is not offered as if it were exact
    venue_admin.update_venue(venue, values, by=world.users["county"], now=NOW)
    assert (venue.lat, venue.lng, venue.is_location_approximate) == (37.79, 112.58, False)


def test_an_edit_is_audited_with_values_before_and_after(world):
    venue = world.venues["a"]
    values = replace(venue_admin.get_venue_values(venue), name="甲馆新名")
    venue_admin.update_venue(venue, values, by=world.users["city"], now=NOW)
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "venue.update"))
    assert entry.before["name"] == "甲馆" and entry.after["name"] == "甲馆新名"
    assert entry.actor_label == "city@example.cn"


def test_an_edit_renames_the_pinyin_search_text(world):
    venue = world.venues["a"]
    values = replace(venue_admin.get_venue_values(venue), name="晋祠博物馆")
    venue_admin.update_venue(venue, values, by=world.users["venue_a"], now=NOW)
    assert venue.name_pinyin == "jincibowuguan" and "jcbwg" in venue.search_text
    assert venue.slug == "venue-a"


# ---------------------------------------------------------------- bad values, named


def _refused(world, **changes) -> ServiceError:
    venue = world.venues["a"]
    values = replace(venue_admin.get_venue_values(venue), **changes)
    with pytest.raises(ServiceError) as caught:
        venue_admin.update_venue(venue, values, by=world.users["venue_a"], now=NOW)
    db.session.expire_all()
    assert venue.name == "甲馆"  # nothing written
    return caught.value


@pytest.mark.parametrize(
    "kind, price",
    [(AdmissionKind.DISCOUNT, None), (AdmissionKind.FULL, -5), (AdmissionKind.DISCOUNT, 2.5)],
    ids=["no-price", "negative", "not-whole-yuan"],
)
def test_a_bad_price_is_refused_naming_the_group(world, kind, price):
    error = _refused(
        world,
        name="改名",
        admission=[AdmissionValue(VisitorGroup.JUNIOR, kind, price)],
    )
    assert error.field == "admission.junior"
    assert "初中生" in error.message


@pytest.mark.parametrize(
    "opens, closes, words",
    [(time(17), time(9), "关门时间必须晚于开门时间"), (time(9), None, "请填写开门和关门时间")],
    ids=["closes-before-opening", "no-closing-time"],
)
def test_bad_opening_hours_are_refused_naming_the_day(world, opens, closes, words):
    error = _refused(world, name="改名", hours=[HoursValue(3, opens, closes)])
    assert error.field == "hours.3"
    assert "周三" in error.message and words in error.message


@pytest.mark.parametrize(
    "changes, field",
    [
        (dict(name="  "), "name"),
        (dict(address=""), "address"),
        (dict(categories=[]), "categories"),
        (dict(level=None), "level"),
        (dict(phone="1" * 41), "phone"),
        (dict(courses=[CourseValue("", 30)]), "courses.0"),
        (dict(courses=[CourseValue("讲座", 0)]), "courses.0"),
        (
            dict(closures=[ClosureValue(IN_A_MONTH), ClosureValue(IN_A_MONTH)]),
            "closures.1",
        ),
    ],
    ids=[
        "name",
        "address",
        "categories",
        "level",
        "phone",
        "course-title",
        "course-minutes",
        "closure-twice",
    ],
)
def test_other_bad_values_are_refused_naming_the_field(world, changes, field):
    assert _refused(world, **{"name": "改名", **changes}).field == field


def test_messages_are_in_english_when_chosen(app, world):
    with app.test_request_context("/?lang=en"):
        error = _refused(world, name="改名", hours=[HoursValue(3, time(17), time(9))])
    assert error.message == "Opening hours, Wednesday: closing time must be after opening time."
