"""The school's "venues suited to us, nearest first": the same answer as ranking every venue,
from a constant number of statements."""

import random

import pytest
import sqlalchemy as sa

from models import Role, Stage, Venue, db
from tests.factories import make_school, make_user, make_venue
from tests.query_counts import counted_statements
from webapp.services.booking import school_trips
from webapp.services.geo import EARTH_KM_PER_DEGREE, distance_km

#: 小店区, Taiyuan
HOME = (37.736, 112.565)


def _every_suited_venue_ranked(school, limit=20):
    """What the page showed before: every suited venue measured, sorted by distance."""
    stages = set(school.stages)
    venues = db.session.scalars(sa.select(Venue).order_by(Venue.id)).all()
    ranked = sorted(
        (
            (round(distance_km((school.lat, school.lng), (v.lat, v.lng)), 1), v.id)
            for v in venues
            if not stages or stages & set(v.stages)
        ),
    )
    return ranked[:limit]


def _listed(school):
    return [(km, v.id) for v, km in school_trips.list_venues_for_school(school)]


def _north(km: float, east_km: float = 0.0) -> tuple[float, float]:
    lat = HOME[0] + km / EARTH_KM_PER_DEGREE
    return lat, HOME[1] + east_km / (EARTH_KM_PER_DEGREE * 0.79)


@pytest.fixture
def county(regions):
    return regions["140105"]


def _venues(county, points, stages=(Stage.PRIMARY,)):
    made = [make_venue(county, lat=lat, lng=lng, stages=list(stages)) for lat, lng in points]
    db.session.commit()
    return made


def test_the_twenty_nearest_come_in_order_of_distance(county):
    rng = random.Random(12)
    points = [
        (HOME[0] + rng.uniform(-0.6, 0.6), HOME[1] + rng.uniform(-0.6, 0.6)) for _ in range(120)
    ]
    # a dense town of venues sharing spots, as approximate places do
    points += [(HOME[0] + 0.3, HOME[1] - 0.2)] * 15 + [(HOME[0] - 0.25, HOME[1] + 0.1)] * 10
    _venues(county, points)
    for lat, lng in [HOME, (HOME[0] + 0.3, HOME[1] - 0.2), (38.9, 112.0), (35.2, 111.0)]:
        school = make_school(county, lat=lat, lng=lng)
        listed = _listed(school)
        assert len(listed) == 20
        assert listed == _every_suited_venue_ranked(school)
        assert [km for km, _id in listed] == sorted(km for km, _id in listed)


def test_nearer_venues_just_outside_a_full_box_beat_its_far_corners(county):
    # 25 venues in the corners of the 16 km box (about 22 km away), then 20 just north of it
    # at 17 km: a box that merely holds 20 would list the corners
    corners = [_north(15.5, 15.5 + i * 0.01) for i in range(25)]
    _venues(county, corners)
    near = _venues(county, [_north(17 + i * 0.01) for i in range(20)])
    school = make_school(county, lat=HOME[0], lng=HOME[1])
    listed = _listed(school)
    assert [vid for _km, vid in listed] == [v.id for v in near]
    assert listed == _every_suited_venue_ranked(school)


def test_when_the_nearest_are_far_the_box_widens(county):
    far = _venues(county, [_north(150 + i) for i in range(25)])
    school = make_school(county, lat=HOME[0], lng=HOME[1])
    listed = _listed(school)
    assert [vid for _km, vid in listed] == [v.id for v in far[:20]]
    assert listed[0][0] == pytest.approx(150, abs=0.2)


def test_venues_at_one_spot_keep_the_order_of_their_ids(county, monkeypatch):
    # more ties at the edge than one read takes: the second read settles them
    monkeypatch.setattr(school_trips, "CANDIDATE_CAP", 30)
    _venues(county, [_north(3)] * 60)
    school = make_school(county, lat=HOME[0], lng=HOME[1])
    assert _listed(school) == _every_suited_venue_ranked(school)


def test_only_venues_for_the_schools_stages_and_all_of_them_when_few(county):
    suited = _venues(county, [_north(5), _north(40)], stages=(Stage.PRIMARY, Stage.JUNIOR))
    _venues(county, [_north(1)], stages=(Stage.SENIOR,))
    school = make_school(county, lat=HOME[0], lng=HOME[1], stages_csv="primary")
    assert [vid for _km, vid in _listed(school)] == [v.id for v in suited]


def test_a_school_naming_no_stage_is_offered_every_venue(county):
    made = _venues(county, [_north(2)], stages=(Stage.SENIOR,))
    school = make_school(county, lat=HOME[0], lng=HOME[1], stages_csv="")
    assert [vid for _km, vid in _listed(school)] == [made[0].id]


def test_the_number_of_statements_stays_the_same_as_venues_grow(county):
    rng = random.Random(3)

    def spread(n):
        return [
            (HOME[0] + rng.uniform(-1.5, 1.5), HOME[1] + rng.uniform(-1.5, 1.5)) for _ in range(n)
        ]

    _venues(county, spread(40))
    school = make_school(county, lat=HOME[0], lng=HOME[1])
    db.session.commit()
    db.session.refresh(school)
    with counted_statements() as few:
        school_trips.list_venues_for_school(school)
    _venues(county, spread(400))
    db.session.refresh(school)
    with counted_statements() as many:
        listed = school_trips.list_venues_for_school(school)
    assert len(listed) == 20
    assert len(many) == len(few) == 3


def test_the_trips_page_lists_the_nearest_first(client, auth, county):
    far, near = _venues(county, [_north(30), _north(2)])
    school = make_school(county, lat=HOME[0], lng=HOME[1])
    make_user(role=Role.SCHOOL_STAFF, school=school, email="teacher@school.cn")
    db.session.commit()
    auth.login("teacher@school.cn")
    text = client.get("/booking/trips").get_data(as_text=True)
    assert text.index(near.name) < text.index(far.name)
    assert "2.0 km" in text or "2.0 公里" in text
