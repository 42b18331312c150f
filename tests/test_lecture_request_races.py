"""Every pair of talk-request moves that can meet, fired from several processes at once.

Four worker processes (tests/race_harness.py) act on the same talk requests at the same
moment, on the test database (SQLite, or PostgreSQL with TEST_DATABASE_URL): two bureau users
assigning, an assignment meeting the host's cancellation, and the host recording the talk as
given while it is cancelled. One checker says what may stand: one move wins (assigning and then
cancelling is a valid order, so both may stand there, and the lecturer is then told), the
others get the refusal for the state they found, and the messages and talk counts that move
with a move move once. The control runs switch the compare-and-set off and the same checker
must see the race, which proves the harness is concurrent enough to catch one.
"""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from models import LectureRequest, LectureStatus, OutboxMessage, Role, User, db
from tests.factories import (
    LECTURE_NOW,
    WEDNESDAY,
    make_lecturer,
    make_request,
    make_school,
    make_topic,
    make_user,
)
from webapp.services.lecturers import requests as lecture_requests

L = LectureStatus
TARGETS = 3
MOVES_TO = {"assign_a": L.ASSIGNED, "assign_b": L.ASSIGNED, "cancel_talk": L.CANCELLED}
MOVES_TO["record_talk"] = L.DELIVERED


@pytest.fixture
def talks(app, regions):
    """A Xiaodian school asking for talks, its county's and its city's bureau staff, and a
    way to make TARGETS requests, each with two lecturers of its own who could give it."""
    with app.test_request_context("/"):
        xiaodian, taiyuan = regions["140105"], regions["140100"]
        school = make_school(xiaodian, name="小店区第一实验小学")
        host = make_user(role=Role.SCHOOL_STAFF, school=school, phone="13911112222")
        bureau_a = make_user(role=Role.BUREAU_STAFF, region=xiaodian)
        bureau_b = make_user(role=Role.BUREAU_STAFF, region=taiyuan)
        topic = make_topic("亲子沟通")
        db.session.commit()
        ids = {"host_id": host.id, "bureau_a": bureau_a.id, "bureau_b": bureau_b.id}

        def make(*, assigned: bool, now):
            targets = []
            for _n in range(TARGETS):
                a, b = make_lecturer(xiaodian), make_lecturer(xiaodian)
                req = make_request(school, topic, requested_by_id=host.id)
                db.session.commit()
                if assigned:
                    lecture_requests.assign_lecturer(
                        req, a, on=WEDNESDAY, by=bureau_a, now=LECTURE_NOW
                    )
                targets.append(
                    {
                        **ids,
                        "request_id": req.id,
                        "lecturer_a": a.id,
                        "lecturer_b": b.id,
                        "phones": {a.id: a.phone, b.id: b.phone},
                        "on": WEDNESDAY,
                        "now": now,
                    }
                )
            db.session.remove()
            return targets

        yield make


def _told(phone: str) -> int:
    return db.session.scalar(
        sa.select(sa.func.count(OutboxMessage.id)).where(OutboxMessage.recipient == phone)
    )


#: the refusals a request can meet in these races, in the user's language
REFUSALS = {
    "RequestConflict: 该申请已被他人处理，请刷新",
    "ServiceError: 该申请已结束：已完成或已取消。",
    "ServiceError: 只有已指派讲师的宣讲才能登记为已完成。",
    "already assigned",
}


def _violations(results, targets, *, assigned_before: bool) -> list[str]:
    """What a race left that no order of the same requests one after another could leave."""
    found = []
    for target, seen in zip(targets, results, strict=True):
        req = db.session.get(LectureRequest, target["request_id"])
        won = [action for action, out in seen if out == "ok"]
        where = f"request {req.id}: {seen}"
        found += [f"{where}: crash" for _a, out in seen if out.startswith("crash")]
        found += [f"{where}: refusal {out!r}" for _a, out in seen if out not in REFUSALS | {"ok"}]
        assigns = [a for a in won if a.startswith("assign")]
        cancels, records = won.count("cancel_talk"), won.count("record_talk")
        if len(assigns) > 1 or cancels > 1 or records > 1 or (cancels and records):
            found.append(f"{where}: more than one won")
            continue
        # who was assigned, and how often each lecturer was told
        lecturer_id = req.lecturer_id
        if assigns:
            lecturer_id = target["lecturer_a" if assigns[0] == "assign_a" else "lecturer_b"]
        if cancels and assigns and req.status is not L.CANCELLED:
            found.append(f"{where}: the assignment landed after the cancellation")
        elif won and not (cancels and assigns) and req.status is not MOVES_TO[won[0]]:
            found.append(f"{where}: {req.status} is not what {won[0]} moved it to")
        if req.lecturer_id != lecturer_id:
            found.append(f"{where}: lecturer {req.lecturer_id}, but {lecturer_id} was assigned")
        for other, phone in target["phones"].items():
            expected = 0
            if other == lecturer_id:
                # told when assigned, cancelled, and when the talk is recorded as given
                expected = int(assigned_before) + len(assigns) + cancels + records
            if _told(phone) != expected:
                found.append(f"{where}: lecturer {other} told {_told(phone)}×, not {expected}×")
        # the talk counts: a delivered talk has its figures, a cancelled one has none
        if (req.status is L.DELIVERED) != (req.audience_reached is not None):
            found.append(f"{where}: status {req.status} with audience {req.audience_reached}")
        if (req.status is L.CANCELLED) != bool(req.cancel_reason):
            found.append(f"{where}: status {req.status} with reason {req.cancel_reason!r}")
    delivered = db.session.scalar(
        sa.select(sa.func.count(LectureRequest.id)).where(
            LectureRequest.id.in_([t["request_id"] for t in targets]),
            LectureRequest.status == L.DELIVERED,
        )
    )
    records = sum(out == "ok" for seen in results for a, out in seen if a == "record_talk")
    if delivered != records:
        found.append(f"{delivered} talks delivered, {records} recordings won")
    return found


#: pair → (the workers' actions, whether the requests are assigned first, the race's `now`)
PAIRS = {
    "assign x assign": (["assign_a", "assign_b"] * 2, False, LECTURE_NOW),
    "assign x cancel": (["assign_a", "cancel_talk"] * 2, False, LECTURE_NOW),
    "record x cancel": (["record_talk", "cancel_talk"] * 2, True, LECTURE_NOW + timedelta(days=3)),
}


@pytest.mark.parametrize("pair", PAIRS)
def test_two_moves_of_one_talk_at_once_leave_one_standing(app, talks, racers, pair):
    actions, assigned, now = PAIRS[pair]
    targets = talks(assigned=assigned, now=now)
    results = racers.race(actions, targets)
    with app.test_request_context("/"):
        assert _violations(results, targets, assigned_before=assigned) == []
        for seen in results:
            assert [out for _a, out in seen].count("ok") >= 1, seen


@pytest.mark.parametrize("pair", PAIRS)
def test_without_the_compare_and_set_the_harness_sees_the_talk_races(app, talks, racers, pair):
    actions, assigned, now = PAIRS[pair]
    targets = talks(assigned=assigned, now=now)
    results = racers.race(actions, targets, guarded=False)
    with app.test_request_context("/"):
        assert _violations(results, targets, assigned_before=assigned), (
            f"no race seen: the harness is not concurrent enough ({results})"
        )


def test_a_move_that_lost_the_race_is_a_conflict_that_changes_nothing(app, talks):
    """The loser is told someone else handled the request (the API answers 409, the page
    shows the message) and nothing of its move stays: neither the state nor a message."""
    target = talks(assigned=False, now=LECTURE_NOW)[0]
    with app.test_request_context("/"):
        req = db.session.get(LectureRequest, target["request_id"])
        assert req.status is L.REQUESTED
        # another bureau user assigns between this request's read and its write
        db.session.execute(
            sa.update(LectureRequest)
            .where(LectureRequest.id == req.id)
            .values(status=L.ASSIGNED, lecturer_id=target["lecturer_b"], scheduled_on=WEDNESDAY)
            .execution_options(synchronize_session=False)
        )
        host = db.session.get(User, target["host_id"])
        with pytest.raises(lecture_requests.RequestConflict) as caught:
            lecture_requests.cancel_request(req, "学校停电", by=host, now=LECTURE_NOW)
        assert caught.value.status_code == 409
        assert caught.value.message == "该申请已被他人处理，请刷新"
        db.session.expire_all()
        assert db.session.get(LectureRequest, target["request_id"]).status is L.REQUESTED
        assert db.session.scalar(sa.select(sa.func.count(OutboxMessage.id))) == 0
