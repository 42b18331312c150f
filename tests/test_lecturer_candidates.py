"""Suggested lecturers for a talk request: ranked by the database, a page at a time."""

import random
from datetime import date, timedelta

import pytest

from models import LectureStatus, Role, db
from tests.factories import (
    LECTURE_NOW,
    THURSDAY,
    WEDNESDAY,
    make_lecturer,
    make_request,
    make_school,
    make_topic,
    make_user,
)
from tests.query_counts import counted_statements
from webapp.services import clock
from webapp.services.lecturers import candidates as ranking


@pytest.fixture
def world_builder():
    return candidates_world


def candidates_world(regions):
    """Xiaodian's school asking for talks, its bureau, and two topics."""
    w = type("World", (), {})()
    w.xiaodian, w.taiyuan, w.yingze = regions["140105"], regions["140100"], regions["140106"]
    w.talk = make_topic("亲子沟通")
    w.safety = make_topic("安全教育")
    w.school = make_school(w.xiaodian, name="小店区第一实验小学")
    w.bureau = make_user(role=Role.BUREAU_STAFF, region=w.xiaodian, email="bureau@xd.cn")
    db.session.commit()
    return w


def _mixed_lecturers(w, n, seed=5):
    """Lecturers differing in every way the ranking looks at, many of them at the same spot."""
    rng = random.Random(seed)
    made = []
    for i in range(n):
        region = rng.choice([w.xiaodian, w.xiaodian, w.taiyuan, w.yingze])
        spot = rng.choice([None, None, (region.lat + 0.05, region.lng), (37.9, 112.4)])
        extra = {} if spot is None else {"lat": spot[0], "lng": spot[1]}
        lecturer = make_lecturer(
            region,
            name=f"讲师{rng.randint(1, 30):02d}",
            phone=f"1390000{i:04d}",
            topics=rng.choice([[w.talk], [w.safety], [w.talk, w.safety]]),
            free_weekdays=rng.sample(range(1, 8), rng.randint(1, 4)),
            **extra,
        )
        if rng.random() < 0.2:
            make_request(
                make_school(w.xiaodian),
                w.talk,
                status=LectureStatus.ASSIGNED,
                lecturer=lecturer,
                scheduled_on=rng.choice([WEDNESDAY, THURSDAY]),
            )
        for _ in range(rng.choice([0, 0, 1, 2])):
            day = date(2025, 2, 10) + timedelta(days=rng.randint(0, 18))
            make_request(
                make_school(w.xiaodian),
                w.talk,
                status=LectureStatus.DELIVERED,
                lecturer=lecturer,
                scheduled_on=day,
                wanted_on=day,
                delivered_on=day,
                audience_reached=40,
                feedback_score=4,
            )
        made.append(lecturer)
    db.session.commit()
    return made


def _talk(w, **overrides):
    overrides.setdefault("wanted_alt_on", THURSDAY)
    return make_request(w.school, w.talk, **overrides)


def test_the_database_ranks_as_the_rules_say(world):
    _mixed_lecturers(world, 70)
    ranked = ranking.rank_candidates(_talk(world), now=LECTURE_NOW)
    assert len(ranked) == 70
    assert [c.sort_key for c in ranked] == sorted(c.sort_key for c in ranked)
    assert any(c.talks_this_term for c in ranked) and any(c.booked_on for c in ranked)


def test_pages_of_twenty_follow_the_ranking_and_say_when_more_follow(world):
    _mixed_lecturers(world, 45)
    req = _talk(world)
    whole = [c.lecturer.id for c in ranking.rank_candidates(req, now=LECTURE_NOW)]
    pages = [ranking.list_candidates(req, page=p, now=LECTURE_NOW) for p in (1, 2, 3, 4)]
    assert [len(p.candidates) for p in pages] == [20, 20, 5, 0]
    assert [p.has_more for p in pages] == [True, True, False, False]
    assert [c.lecturer.id for p in pages for c in p.candidates] == whole


def test_paging_out_of_bounds_is_brought_inside(world):
    _mixed_lecturers(world, 3)
    found = ranking.list_candidates(_talk(world), page=0, per_page=10_000, now=LECTURE_NOW)
    assert (found.page, found.per_page) == (1, ranking.MAX_PER_PAGE)
    assert len(found.candidates) == 3 and not found.has_more


def test_the_number_of_statements_stays_the_same_as_pools_grow(world):
    _mixed_lecturers(world, 8, seed=1)
    req = _talk(world)
    db.session.commit()
    db.session.refresh(req)
    with counted_statements() as few:
        ranking.list_candidates(req, now=LECTURE_NOW)
    _mixed_lecturers(world, 80, seed=2)
    db.session.refresh(req)
    with counted_statements() as many:
        found = ranking.list_candidates(req, now=LECTURE_NOW)
    assert len(found.candidates) == 20
    assert len(many) == len(few) <= 10


# ---------------------------------------------------------------- the page and the API


def _next_wednesday() -> date:
    d = clock.today() + timedelta(days=1)
    while d.isoweekday() != 3:
        d += timedelta(days=1)
    return d


@pytest.fixture
def open_talk(world):
    for i in range(25):
        make_lecturer(world.xiaodian, name=f"讲师{i:02d}", topics=[world.talk])
    req = make_request(world.school, world.talk, wanted_on=_next_wednesday())
    db.session.commit()
    return req


def _shown(text: str) -> int:
    return text.count('class="candidate"')


def test_the_assign_page_shows_twenty_and_a_link_to_more(client, auth, open_talk):
    auth.login("bureau@xd.cn")
    first = client.get(f"/lecturers/requests/{open_talk.id}").get_data(as_text=True)
    assert _shown(first) == 20
    assert f"/lecturers/requests/{open_talk.id}?page=2" in first
    second = client.get(f"/lecturers/requests/{open_talk.id}?page=2").get_data(as_text=True)
    assert _shown(second) == 5
    assert 'class="more-candidates"' not in second and 'start="21"' in second
    assert "讲师00" in first and "讲师24" in second


@pytest.mark.parametrize("query", ["per_page=1000", "per_page=abc", "page=abc", "page=100000"])
def test_bad_paging_on_the_assign_page_is_ignored_with_a_warning(client, auth, open_talk, query):
    auth.login("bureau@xd.cn")
    response = client.get(f"/lecturers/requests/{open_talk.id}?{query}")
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert _shown(text) == 20
    assert "部分筛选条件无法使用，已忽略" in text or "could not be used" in text


def test_the_api_pages_candidates(client, auth, open_talk):
    auth.login("bureau@xd.cn")
    body = client.get(f"/api/v1/lecture-requests/{open_talk.id}/candidates?per_page=10&page=3")
    body = body.get_json()
    assert (body["page"], body["per_page"], body["has_more"]) == (3, 10, False)
    assert len(body["candidates"]) == 5


@pytest.mark.parametrize(
    "query, field",
    [("per_page=1000", "per_page"), ("per_page=x", "per_page"), ("page=0", "page")],
)
def test_bad_paging_on_the_api_is_a_clear_400(client, auth, open_talk, query, field):
    auth.login("bureau@xd.cn")
    response = client.get(f"/api/v1/lecture-requests/{open_talk.id}/candidates?{query}")
    assert response.status_code == 400
    assert field in response.get_data(as_text=True)
