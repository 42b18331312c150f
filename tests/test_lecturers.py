"""The lecturer pool's rules: directory, pool upkeep, requests, ranking, assignment, figures."""

from datetime import date, datetime, time, timedelta

import pytest
import sqlalchemy as sa

from models import (
    LecturerCategory,
    LectureRequest,
    LectureStatus,
    OutboxMessage,
    Role,
    db,
)
from tests.factories import LECTURE_NOW as NOW
from tests.factories import (
    THURSDAY,
    WEDNESDAY,
    make_lecturer,
    make_request,
    make_school,
    make_station,
    make_topic,
    make_user,
    picture,
    png_declaring,
)
from webapp.services import clock
from webapp.services.errors import PermissionDenied, ServiceError
from webapp.services.lecturers import candidates as ranking
from webapp.services.lecturers.directory import LecturerFilters, search_lecturers
from webapp.services.lecturers.editing import (
    PHOTO_MAX_SIDE,
    LecturerValues,
    prepare_photo,
    retire_lecturer,
    save_lecturer,
)
from webapp.services.lecturers.figures import get_figures, semester_bounds
from webapp.services.lecturers.pools import save_topic
from webapp.services.lecturers.requests import (
    DeliveryValues,
    RequestValues,
    assign_lecturer,
    cancel_request,
    create_request,
    list_requests,
    record_delivery,
)
from webapp.services.lecturers.stations import StationValues, save_station

# messages are translated for the user's language, which lives in the request
pytestmark = pytest.mark.usefixtures("ctx")


@pytest.fixture
def world_builder():
    return pool_world


def pool_world(regions):
    """Taiyuan with its city pool and the Xiaodian county pool, a school and a station."""
    taiyuan, xiaodian, yingze = regions["140100"], regions["140105"], regions["140106"]
    w = type("World", (), {})()
    w.taiyuan, w.xiaodian, w.yingze, w.datong = taiyuan, xiaodian, yingze, regions["140200"]
    w.talk = make_topic("亲子沟通")
    w.safety = make_topic("安全教育")
    w.school = make_school(xiaodian, name="小店区第一实验小学")
    w.station = make_station(xiaodian)
    w.county_bureau = make_user(role=Role.BUREAU_STAFF, region=xiaodian)
    w.city_bureau = make_user(role=Role.BUREAU_STAFF, region=taiyuan)
    w.other_bureau = make_user(role=Role.BUREAU_STAFF, region=yingze)
    w.teacher = make_user(role=Role.SCHOOL_STAFF, school=w.school, phone="13911112222")
    db.session.commit()
    return w


def _request(w, **overrides):
    values = dict(
        host=w.school,
        topic=w.talk,
        wanted_on=WEDNESDAY,
        expected_audience=80,
        place="学校报告厅",
    )
    values.update(overrides)
    return create_request(RequestValues(**values), by=w.teacher, now=NOW)


# ---------------------------------------------------------------- requests


def test_school_staff_request_a_talk_for_their_school(world):
    req = _request(world, wanted_alt_on=THURSDAY, audience_note="三年级家长")
    assert req.status is LectureStatus.REQUESTED
    assert req.county_id == world.xiaodian.id
    assert req.wanted_dates == [WEDNESDAY, THURSDAY]
    assert req.requested_by_id == world.teacher.id
    told = set(db.session.scalars(sa.select(OutboxMessage.recipient)))
    # the county and city bureaus over the school; not the neighbouring county's
    assert told == {world.county_bureau.email, world.city_bureau.email}


def test_a_request_for_a_date_in_the_past_is_refused(world):
    with pytest.raises(ServiceError) as caught:
        _request(world, wanted_on=WEDNESDAY - timedelta(days=3))
    assert caught.value.field == "wanted_on"
    assert db.session.scalar(sa.select(sa.func.count(LectureRequest.id))) == 0


def test_a_second_date_in_the_past_or_equal_to_the_first_is_refused(world):
    with pytest.raises(ServiceError) as caught:
        _request(world, wanted_alt_on=date(2025, 1, 1))
    assert caught.value.field == "wanted_alt_on"
    with pytest.raises(ServiceError):
        _request(world, wanted_alt_on=WEDNESDAY)


@pytest.mark.parametrize("audience", [0, -5, 100_001])
def test_an_impossible_audience_is_refused(world, audience):
    with pytest.raises(ServiceError) as caught:
        _request(world, expected_audience=audience)
    assert caught.value.field == "expected_audience"


def test_school_staff_cannot_ask_for_another_school(world):
    other = make_school(world.xiaodian, name="别的小学")
    with pytest.raises(PermissionDenied):
        _request(world, host=other)


def test_station_requests_are_made_by_the_county_bureau(world):
    values = RequestValues(
        host=world.station, topic=world.talk, wanted_on=WEDNESDAY, expected_audience=30, place=""
    )
    with pytest.raises(PermissionDenied):
        create_request(values, by=world.teacher, now=NOW)
    req = create_request(values, by=world.county_bureau, now=NOW)
    assert req.station_id == world.station.id
    assert req.place == world.station.address


# ---------------------------------------------------------------- ranking


def test_candidates_who_speak_on_the_topic_come_first(world):
    other = make_lecturer(world.xiaodian, name="甲", topics=[world.safety])
    fit = make_lecturer(world.xiaodian, name="乙", topics=[world.talk])
    req = _request(world)
    ranked = ranking.rank_candidates(req, now=NOW)
    assert [c.lecturer for c in ranked] == [fit, other]
    assert ranked[0].has_topic and not ranked[1].has_topic


def test_candidates_free_on_that_weekday_come_before_busy_ones(world):
    busy = make_lecturer(world.xiaodian, name="甲", topics=[world.talk], free_weekdays=[1, 2])
    free = make_lecturer(world.xiaodian, name="乙", topics=[world.talk], free_weekdays=[3])
    ranked = ranking.rank_candidates(_request(world), now=NOW)
    assert [c.lecturer for c in ranked] == [free, busy]
    assert ranked[0].free_on == WEDNESDAY
    assert ranked[1].free_on is None and ranked[1].not_usual_on == [WEDNESDAY]


def test_a_lecturer_booked_that_day_is_not_free(world):
    booked = make_lecturer(world.xiaodian, name="甲", topics=[world.talk])
    other_school = make_school(world.xiaodian)
    make_request(
        other_school,
        world.talk,
        status=LectureStatus.ASSIGNED,
        lecturer=booked,
        scheduled_on=WEDNESDAY,
    )
    free = make_lecturer(world.xiaodian, name="乙", topics=[world.talk])
    ranked = ranking.rank_candidates(_request(world), now=NOW)
    assert [c.lecturer for c in ranked] == [free, booked]
    assert ranked[1].booked_on == [WEDNESDAY]


def test_the_second_wanted_date_counts_when_the_first_is_taken(world):
    lecturer = make_lecturer(world.xiaodian, topics=[world.talk], free_weekdays=[4])
    ranked = ranking.rank_candidates(_request(world, wanted_alt_on=THURSDAY), now=NOW)
    assert ranked[0].lecturer == lecturer and ranked[0].free_on == THURSDAY


def test_own_county_pool_comes_before_the_city_pool_and_other_counties(world):
    neighbour = make_lecturer(world.yingze, name="迎泽讲师", topics=[world.talk])
    city = make_lecturer(world.taiyuan, name="市讲师", topics=[world.talk])
    own = make_lecturer(world.xiaodian, name="小店讲师", topics=[world.talk])
    make_lecturer(world.datong, name="大同讲师", topics=[world.talk])
    ranked = ranking.rank_candidates(_request(world), now=NOW)
    assert [c.lecturer for c in ranked] == [own, city, neighbour]
    assert [c.pool_rank for c in ranked] == [0, 1, 2]


def test_nearer_lecturers_rank_before_far_ones_in_the_same_pool(world):
    far = make_lecturer(world.taiyuan, name="远", topics=[world.talk], lat=38.2, lng=112.9)
    near = make_lecturer(world.taiyuan, name="近", topics=[world.talk])
    ranked = ranking.rank_candidates(_request(world), now=NOW)
    assert [c.lecturer for c in ranked] == [near, far]
    assert ranked[0].distance_km < 10 < ranked[1].distance_km


def test_fewer_talks_this_term_ranks_first_among_equals(world):
    busy = make_lecturer(world.xiaodian, name="甲", topics=[world.talk])
    idle = make_lecturer(world.xiaodian, name="乙", topics=[world.talk])
    for day in (date(2025, 2, 20), date(2025, 2, 27)):
        make_request(
            make_school(world.xiaodian),
            world.talk,
            status=LectureStatus.DELIVERED,
            lecturer=busy,
            scheduled_on=day,
            wanted_on=day,
            delivered_on=day,
            audience_reached=50,
            feedback_score=5,
        )
    # a talk last term does not count
    make_request(
        make_school(world.xiaodian),
        world.talk,
        status=LectureStatus.DELIVERED,
        lecturer=idle,
        scheduled_on=date(2024, 12, 1),
        wanted_on=date(2024, 12, 1),
        delivered_on=date(2024, 12, 1),
        audience_reached=50,
        feedback_score=5,
    )
    ranked = ranking.rank_candidates(_request(world), now=NOW)
    assert [(c.lecturer, c.talks_this_term) for c in ranked] == [(idle, 0), (busy, 2)]


def test_retired_lecturers_are_not_candidates(world):
    make_lecturer(world.xiaodian, topics=[world.talk], is_retired=True)
    assert ranking.rank_candidates(_request(world), now=NOW) == []


# ---------------------------------------------------------------- assignment


def test_assigning_tells_the_lecturer_and_the_host(world):
    lecturer = make_lecturer(
        world.xiaodian, name="王建国", topics=[world.talk], phone="13800001111"
    )
    req = _request(world)
    assign_lecturer(req, lecturer, by=world.county_bureau, now=NOW)
    db.session.refresh(req)
    assert req.status is LectureStatus.ASSIGNED
    assert req.lecturer == lecturer and req.scheduled_on == WEDNESDAY
    recipients = set(
        db.session.scalars(
            sa.select(OutboxMessage.recipient).where(
                OutboxMessage.subject.contains(WEDNESDAY.isoformat())
            )
        )
    )
    assert recipients == {"13800001111", world.teacher.email}


def test_a_retired_lecturer_cannot_be_assigned(world):
    lecturer = make_lecturer(world.xiaodian, name="李秀兰", topics=[world.talk], is_retired=True)
    req = _request(world)
    with pytest.raises(ServiceError) as caught:
        assign_lecturer(req, lecturer, by=world.county_bureau, now=NOW)
    assert "李秀兰" in caught.value.message
    assert caught.value.field == "lecturer_id"
    db.session.refresh(req)
    assert req.status is LectureStatus.REQUESTED and req.lecturer is None
    told = db.session.scalars(sa.select(OutboxMessage.recipient)).all()
    assert lecturer.phone not in told and world.teacher.email not in told


def test_a_lecturer_cannot_be_given_two_talks_on_one_day(world):
    lecturer = make_lecturer(world.xiaodian, topics=[world.talk])
    first, second = _request(world), _request(world)
    assign_lecturer(first, lecturer, by=world.county_bureau, now=NOW)
    with pytest.raises(ServiceError, match="已有宣讲安排"):
        assign_lecturer(second, lecturer, on=WEDNESDAY, by=world.county_bureau, now=NOW)


def test_assignment_date_must_be_a_wanted_date(world):
    lecturer = make_lecturer(world.xiaodian, topics=[world.talk])
    req = _request(world)
    with pytest.raises(ServiceError) as caught:
        assign_lecturer(req, lecturer, on=THURSDAY, by=world.county_bureau, now=NOW)
    assert caught.value.field == "on"


def test_a_lecturer_from_another_city_cannot_be_assigned(world):
    lecturer = make_lecturer(world.datong, topics=[world.talk])
    with pytest.raises(ServiceError, match="不服务本县"):
        assign_lecturer(_request(world), lecturer, by=world.county_bureau, now=NOW)


def test_only_bureau_staff_over_the_hosts_county_can_assign(world):
    lecturer = make_lecturer(world.taiyuan, topics=[world.talk])
    req = _request(world)
    for outsider in (world.other_bureau, world.teacher):
        with pytest.raises(PermissionDenied):
            assign_lecturer(req, lecturer, by=outsider, now=NOW)
    # the city bureau is above the county: it may
    assign_lecturer(req, lecturer, by=world.city_bureau, now=NOW)
    assert req.status is LectureStatus.ASSIGNED


def test_a_cancelled_request_cannot_be_assigned(world):
    lecturer = make_lecturer(world.xiaodian, topics=[world.talk])
    req = _request(world)
    cancel_request(req, "期中考试", by=world.teacher, now=NOW)
    with pytest.raises(ServiceError, match="已结束"):
        assign_lecturer(req, lecturer, by=world.county_bureau, now=NOW)


# ---------------------------------------------------------------- delivery and cancelling


def _assigned(world):
    lecturer = make_lecturer(world.xiaodian, topics=[world.talk], phone="13800002222")
    req = _request(world)
    assign_lecturer(req, lecturer, by=world.county_bureau, now=NOW)
    return req


def test_the_host_records_the_talk_as_delivered(world):
    req = _assigned(world)
    later = datetime.combine(THURSDAY, time(9))
    values = DeliveryValues(WEDNESDAY, 75, 5, "很实用")
    record_delivery(req, values, by=world.teacher, now=later)
    db.session.refresh(req)
    assert req.status is LectureStatus.DELIVERED
    assert (req.delivered_on, req.audience_reached, req.feedback_score) == (WEDNESDAY, 75, 5)


@pytest.mark.parametrize(
    "values, field",
    [
        (DeliveryValues(THURSDAY + timedelta(days=1), 75, 5), "delivered_on"),
        (DeliveryValues(WEDNESDAY, -1, 5), "audience_reached"),
        (DeliveryValues(WEDNESDAY, 75, 6), "feedback_score"),
        (DeliveryValues(WEDNESDAY, 75, 0), "feedback_score"),
    ],
)
def test_a_delivery_with_bad_values_is_refused(world, values, field):
    req = _assigned(world)
    with pytest.raises(ServiceError) as caught:
        record_delivery(req, values, by=world.teacher, now=datetime.combine(THURSDAY, time(9)))
    assert caught.value.field == field
    db.session.refresh(req)
    assert req.status is LectureStatus.ASSIGNED


def test_a_talk_without_a_lecturer_cannot_be_recorded_as_delivered(world):
    req = _request(world)
    with pytest.raises(ServiceError):
        record_delivery(req, DeliveryValues(WEDNESDAY, 10, 4), by=world.teacher, now=NOW)


def test_cancelling_needs_a_reason_and_tells_the_assigned_lecturer(world):
    req = _assigned(world)
    with pytest.raises(ServiceError) as caught:
        cancel_request(req, "  ", by=world.teacher, now=NOW)
    assert caught.value.field == "reason"
    cancel_request(req, "学校停电", by=world.teacher, now=NOW)
    assert req.status is LectureStatus.CANCELLED and req.cancel_reason == "学校停电"
    bodies = db.session.scalars(
        sa.select(OutboxMessage.body).where(OutboxMessage.recipient == "13800002222")
    ).all()
    assert any("学校停电" in b for b in bodies)


def test_requests_listed_are_those_in_the_users_scope(world):
    mine = _request(world)
    other_county_school = make_school(world.yingze)
    theirs = make_request(other_county_school, world.talk)
    assert list_requests(by=world.county_bureau) == [mine]
    assert list_requests(by=world.other_bureau) == [theirs]
    assert set(list_requests(by=world.city_bureau)) == {mine, theirs}
    assert list_requests(by=world.teacher) == [mine]
    family = make_user(role=Role.FAMILY)
    assert list_requests(by=family) == []


# ---------------------------------------------------------------- the pool


def _values(region, **overrides):
    values = dict(
        name="赵德厚", pool_region=region, category=LecturerCategory.VETERAN, phone="13700003333"
    )
    values.update(overrides)
    return LecturerValues(**values)


def test_bureau_staff_add_lecturers_to_pools_in_their_region(world):
    lecturer = save_lecturer(None, _values(world.xiaodian), by=world.county_bureau)
    assert lecturer.pool.region == world.xiaodian
    assert (lecturer.lat, lecturer.lng) == (world.xiaodian.lat, world.xiaodian.lng)
    with pytest.raises(PermissionDenied):
        save_lecturer(None, _values(world.taiyuan), by=world.county_bureau)
    with pytest.raises(PermissionDenied):
        save_lecturer(None, _values(world.xiaodian), by=world.other_bureau)
    # the city bureau keeps the county pools of its city too
    save_lecturer(None, _values(world.xiaodian, name="钱立新"), by=world.city_bureau)


def test_the_same_lecturer_cannot_be_added_twice_to_a_pool(world):
    save_lecturer(None, _values(world.xiaodian), by=world.county_bureau)
    with pytest.raises(ServiceError) as caught:
        save_lecturer(None, _values(world.xiaodian), by=world.county_bureau)
    assert "赵德厚" in caught.value.message


def test_retiring_takes_a_lecturer_out_of_the_directory(world):
    lecturer = make_lecturer(world.xiaodian, name="孙守仁")
    retire_lecturer(lecturer, by=world.county_bureau)
    found = search_lecturers(LecturerFilters())
    assert lecturer not in found.lecturers
    with pytest.raises(PermissionDenied):
        retire_lecturer(lecturer, by=world.other_bureau, is_retired=False)


@pytest.mark.parametrize(
    "data, ok",
    [
        (picture("PNG"), True),
        (picture("JPEG"), True),
        (picture("WEBP"), True),
        (picture("GIF"), False),
        (b"", False),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, False),
        (png_declaring(30_000, 30_000), False),
    ],
)
def test_photos_must_be_jpeg_png_or_webp_within_the_pixel_bound(data, ok):
    if ok:
        photo = prepare_photo(data)
        assert photo.mime_type.startswith("image/")
        assert max(photo.width, photo.height) <= PHOTO_MAX_SIDE
    else:
        with pytest.raises(ServiceError) as caught:
            prepare_photo(data)
        assert caught.value.field == "photo"


def test_topics_are_kept_by_bureau_staff_and_names_are_unique(world):
    save_topic(None, "网络素养", "Online literacy", by=world.county_bureau)
    with pytest.raises(ServiceError):
        save_topic(None, "网络素养", by=world.city_bureau)
    with pytest.raises(PermissionDenied):
        save_topic(None, "新主题", by=world.teacher)


def test_stations_are_kept_by_the_county_bureau(world):
    values = StationValues(name="建设社区站", community="建设社区", county=world.xiaodian)
    station = save_station(None, values, by=world.county_bureau)
    assert (station.lat, station.lng) == (world.xiaodian.lat, world.xiaodian.lng)
    with pytest.raises(PermissionDenied):
        save_station(None, values, by=world.other_bureau)
    with pytest.raises(ServiceError) as caught:
        save_station(None, values, by=world.county_bureau)
    assert caught.value.field == "name"


# ---------------------------------------------------------------- directory filters


def test_directory_filters_by_city_county_pool_category_and_topic(world):
    county = make_lecturer(world.xiaodian, topics=[world.talk])
    city = make_lecturer(
        world.taiyuan, topics=[world.safety], category=LecturerCategory.LABOUR_MODEL
    )
    datong = make_lecturer(world.datong, topics=[world.talk])

    def names(**kw):
        return set(search_lecturers(LecturerFilters(**kw)).lecturers)

    assert names(city=world.taiyuan) == {county, city}
    assert names(county=world.xiaodian) == {county}
    assert names(pool=datong.pool) == {datong}
    assert names(category=LecturerCategory.LABOUR_MODEL) == {city}
    assert names(topic=world.talk) == {county, datong}


# ---------------------------------------------------------------- figures


def _delivered(host, topic, lecturer, day, reached=50):
    return make_request(
        host,
        topic,
        status=LectureStatus.DELIVERED,
        lecturer=lecturer,
        scheduled_on=day,
        wanted_on=day,
        delivered_on=day,
        audience_reached=reached,
        feedback_score=5,
    )


def test_figures_count_talks_people_and_list_hosts_behind_the_notice(world):
    lecturer = make_lecturer(world.xiaodian, topics=[world.talk])
    make_lecturer(world.taiyuan, category=LecturerCategory.LABOUR_MODEL)
    make_lecturer(world.xiaodian, is_retired=True)
    busy_school = make_school(world.xiaodian, name="达标小学")
    _delivered(busy_school, world.talk, lecturer, date(2025, 2, 10), 100)
    _delivered(busy_school, world.talk, lecturer, date(2025, 2, 20), 120)
    _delivered(world.station, world.talk, lecturer, date(2025, 1, 10), 30)
    _delivered(make_school(world.yingze), world.talk, lecturer, date(2025, 2, 21), 999)

    figures = get_figures(
        world.xiaodian, date(2025, 1, 1), date(2025, 3, 3), by=world.county_bureau, now=NOW
    )
    assert figures.talks_given == 3
    assert figures.people_reached == 250
    assert (figures.schools_served, figures.stations_served) == (1, 1)
    assert figures.lecturers_by_category == [(LecturerCategory.RETIRED_TEACHER, 1)]
    behind = {s.name: n for s, n in figures.schools_behind}
    assert "达标小学" not in behind and behind[world.school.name] == 0
    assert [(s, n) for s, n in figures.stations_behind] == [(world.station, 1)]

    city = get_figures(
        world.taiyuan, date(2025, 1, 1), date(2025, 3, 3), by=world.city_bureau, now=NOW
    )
    assert city.talks_given == 4
    assert dict(city.lecturers_by_category)[LecturerCategory.LABOUR_MODEL] == 1
    with pytest.raises(PermissionDenied):
        get_figures(
            world.taiyuan, date(2025, 1, 1), date(2025, 3, 3), by=world.county_bureau, now=NOW
        )


def test_semesters_run_february_to_july_and_august_to_january():
    assert semester_bounds(date(2025, 3, 3)) == (date(2025, 2, 1), date(2025, 7, 31))
    assert semester_bounds(date(2025, 1, 15)) == (date(2024, 8, 1), date(2025, 1, 31))
    assert semester_bounds(date(2025, 9, 1)) == (date(2025, 8, 1), date(2026, 1, 31))


def test_seed_step_is_idempotent_and_covers_every_state(regions):
    from models import Lecturer, LecturerPool, RegionLevel
    from seed.lecturers import load_lecturers

    today = clock.today()
    first = load_lecturers(db.session, today)
    db.session.commit()
    counts = lambda: (  # noqa: E731
        db.session.scalar(sa.select(sa.func.count(Lecturer.id))),
        db.session.scalar(sa.select(sa.func.count(LectureRequest.id))),
    )
    before = counts()
    second = load_lecturers(db.session, today + timedelta(days=3))
    db.session.commit()
    assert counts() == before and first == second
    states = set(db.session.scalars(sa.select(LectureRequest.status)))
    assert states == set(LectureStatus)
    city_pools = db.session.scalar(
        sa.select(sa.func.count(LecturerPool.id)).where(
            LecturerPool.region_id.in_(
                sa.select(sa.literal_column("id"))
                .select_from(sa.table("regions"))
                .where(sa.literal_column("level") == RegionLevel.CITY.value)
            )
        )
    )
    assert city_pools == 11
