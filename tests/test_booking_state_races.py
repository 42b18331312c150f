"""Every pair of transitions that can meet on one booking, fired from several processes at once.

Four worker processes (tests/race_harness.py) act on the same bookings at the same moment,
on the test database (an SQLite file, or PostgreSQL with TEST_DATABASE_URL). For each pair:
exactly one change wins (approving and then cancelling is a valid order, so both may stand
there), every other request gets the clear refusal for the state the booking is in, and the
recount behind `flask check-bookings` finds no difference. The control run switches the
compare-and-set off and must see the race, which proves the harness is concurrent enough.
"""

from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask_babel import gettext as _

from models import Booking, BookingChannel, BookingStatus, OutboxMessage, Role, WaitlistEntry, db
from models.booking import TAKING_STATUSES
from tests.factories import (
    NOW,
    family_request,
    make_school,
    make_session,
    make_user,
    make_venue,
    school_request,
)
from tests.race_harness import WORKERS
from webapp.services.booking import capacity, requests
from webapp.services.booking import states as booking_states
from webapp.services.clock import to_local

S = BookingStatus
TARGETS = 3
#: the state each action moves a booking to
MOVES_TO = {
    "cancel_by_booker": S.CANCELLED,
    "cancel_by_staff": S.CANCELLED,
    "approve": S.CONFIRMED,
    "refuse": S.REFUSED,
    "check_in": S.CHECKED_IN,
    "no_show": S.NO_SHOW,
}


@pytest.fixture
def place(app):
    with app.test_request_context("/"):
        venue = make_venue()
        school = make_school(venue.county, stages_csv="primary,junior")
        place = {
            "venue": venue,
            "school": school,
            "staff": make_user(role=Role.VENUE_STAFF, venue=venue),
            "teacher": make_user(role=Role.SCHOOL_STAFF, school=school),
        }
        db.session.commit()
        place["staff_id"] = place["staff"].id
        yield place


def _book(place, *, pending: bool, starts_in: timedelta, filler: bool):
    """TARGETS bookings (confirmed families, or school groups waiting for approval), each in
    its own session; a filler booking keeps a double give-back from going below zero."""
    targets = []
    for _n in range(TARGETS):
        session = make_session(place["venue"], starts_at=NOW + starts_in, capacity=120, hours=2)
        starts_in += timedelta(minutes=5)
        db.session.commit()
        if filler:
            requests.create_booking(
                session, family_request(), by=make_user(role=Role.FAMILY), now=NOW
            )
        if pending:
            booking = requests.create_booking(
                session,
                school_request(place["school"], primary_pupils=44, teachers=3),
                by=place["teacher"],
                now=NOW,
            )
            assert booking.status is S.PENDING
        else:
            booking = requests.create_booking(
                session, family_request(), by=make_user(role=Role.FAMILY), now=NOW
            )
        targets.append(booking.id)
    return targets


def _targets(place, ids, *, now, later=None):
    staff_id = place["staff_id"]
    return [{"booking_id": i, "staff_id": staff_id, "now": now, "later": later or now} for i in ids]


class _Seen:
    """A stand-in booking in a given state, to word the refusal it would give."""

    def __init__(self, status, checked_in_at):
        self.status = status
        self.checked_in_at = checked_in_at


def _door_refusals(booking) -> set[str]:
    """The door's words for the same refusals (check-in goes through services/booking/door)."""
    said = {
        _("This booking was cancelled or refused."),
        _("This booking was marked as not come."),
    }
    if booking.checked_in_at is not None:
        said.add(
            _(
                "Already checked in at %(when)s (%(n)d people).",
                when=to_local(booking.checked_in_at).strftime("%H:%M"),
                n=booking.arrived,
            )
        )
    return {f"BookingError: {words}" for words in said}


def _check_race(results, ids, *, both_may_win=()):
    assert all(not out.startswith("crash") for r in results for _a, out in r), results
    for booking_id, seen in zip(ids, results, strict=True):
        booking = db.session.get(Booking, booking_id)
        winners = [action for action, out in seen if out == "ok"]
        if sorted(winners) == sorted(both_may_win):
            assert booking.status is MOVES_TO[both_may_win[-1]]
        else:
            assert len(winners) == 1, seen
            assert booking.status is MOVES_TO[winners[0]]
        passed = {S.CANCELLED, S.CONFIRMED, S.CHECKED_IN, S.REFUSED, S.NO_SHOW}
        refusals = {
            f"StateConflict: {booking_states.refusal(_Seen(s, booking.checked_in_at), to)}"
            for s in passed
            for to in MOVES_TO.values()
        } | _door_refusals(booking)
        for action, out in seen:
            if out != "ok":
                assert out in refusals or out == "nothing to mark", (action, out)
    assert capacity.recount() == []


#: how long before the sessions the race is: check-ins race within the door's window
SOON, LATER = timedelta(minutes=30), timedelta(hours=4)
PAIRS = {
    "cancel x cancel": (["cancel_by_booker"] * WORKERS, False, (), LATER),
    "booker cancel x staff cancel": (["cancel_by_booker", "cancel_by_staff"] * 2, False, (), LATER),
    "approve x cancel": (
        ["approve", "cancel_by_booker"] * 2,
        True,
        ("approve", "cancel_by_booker"),
        LATER,
    ),
    "approve x refuse": (["approve", "refuse"] * 2, True, (), LATER),
    "check-in x check-in": (["check_in"] * WORKERS, False, (), SOON),
    "check-in x cancel": (["check_in", "cancel_by_staff"] * 2, False, (), SOON),
}


@pytest.mark.parametrize("pair", PAIRS)
def test_two_changes_at_once_leave_one_standing(app, place, racers, pair):
    actions, pending, both_may_win, starts_in = PAIRS[pair]
    with app.test_request_context("/"):
        ids = _book(place, pending=pending, starts_in=starts_in, filler=False)
        db.session.remove()
        results = racers.race(actions, _targets(place, ids, now=NOW))
        _check_race(results, ids, both_may_win=both_may_win)


def test_no_show_and_check_in_at_once_leave_one_standing(app, place, racers):
    with app.test_request_context("/"):
        ids = _book(place, pending=False, starts_in=SOON, filler=False)
        # each at the moment its session ends: no-shows may be marked, the door not yet closed
        ends = [db.session.get(Booking, i).slot.ends_at for i in ids]
        db.session.remove()
        targets = [
            target
            for booking_id, end in zip(ids, ends, strict=True)
            for target in _targets(place, [booking_id], now=end, later=end)
        ]
        results = racers.race(["no_show", "check_in"] * 2, targets)
        _check_race(results, ids)


def _held_session(place, lapse_at, *, minute: int = 0):
    """A full session of 4: 2 places booked, 2 held until `lapse_at` for a waiting holder,
    and the next person in line waiting for 2."""
    starts_at = lapse_at + timedelta(days=1, minutes=minute)
    session = make_session(place["venue"], capacity=4, starts_at=starts_at)
    db.session.commit()
    requests.create_booking(
        session, family_request(adults=1), by=make_user(role=Role.FAMILY), now=NOW
    )
    holder, next_in_line = make_user(role=Role.FAMILY), make_user(role=Role.FAMILY)
    entry = dict(slot_id=session.id, channel=BookingChannel.GENERAL, places=2)
    db.session.add_all(
        [
            WaitlistEntry(
                user_id=holder.id,
                created_at=NOW - timedelta(hours=2),
                offered_at=NOW,
                held_places=2,
                held_until=lapse_at,
                **entry,
            ),
            WaitlistEntry(user_id=next_in_line.id, created_at=NOW - timedelta(hours=1), **entry),
        ]
    )
    session.held_general = 2
    db.session.commit()
    return session.id, holder.id, next_in_line.id


def test_a_hold_lapsing_as_its_holder_books_goes_one_way_only(app, place, racers):
    """The holder books in the last second of the hold while cron releases lapsed holds:
    either the holder has the places, or the next in line is offered them; never both."""
    with app.test_request_context("/"):
        targets = []
        for n in range(TARGETS):
            lapse_at = NOW + timedelta(hours=1, minutes=10 * n)
            slot_id, holder_id, next_id = _held_session(place, lapse_at)
            targets.append(
                {
                    "slot_id": slot_id,
                    "holder_id": holder_id,
                    "next_id": next_id,
                    "places": 2,
                    "now": lapse_at - timedelta(seconds=1),
                    "lapse_at": lapse_at,
                }
            )
        db.session.remove()
        results = racers.race(["take_hold", "lapse_holds"] * 2, targets)
        for target, seen in zip(targets, results, strict=True):
            assert all(not out.startswith("crash") for _a, out in seen), seen
            booked = db.session.scalar(
                sa.select(sa.func.count(Booking.id)).where(
                    Booking.slot_id == target["slot_id"],
                    Booking.booker_id == target["holder_id"],
                    Booking.status.in_(TAKING_STATUSES),
                )
            )
            offered_next = db.session.scalar(
                sa.select(WaitlistEntry.held_places).where(
                    WaitlistEntry.slot_id == target["slot_id"],
                    WaitlistEntry.user_id == target["next_id"],
                )
            )
            takes = [out for action, out in seen if action == "take_hold"]
            assert (booked, offered_next, takes.count("ok")) in {(1, 0, 1), (0, 2, 0)}, seen
            for out in takes:
                assert out == "ok" or out.startswith(("SessionFull: ", "BookingError: ")), out
        assert capacity.recount() == []


def test_without_the_compare_and_set_the_harness_sees_the_race(app, place, racers):
    with app.test_request_context("/"):
        ids = _book(place, pending=False, starts_in=timedelta(hours=4), filler=True)
        db.session.remove()
        results = racers.race(
            ["cancel_by_booker"] * WORKERS, _targets(place, ids, now=NOW), guarded=False
        )
        outs = [[out for _a, out in seen] for seen in results]
        doubled = [o for o in outs if o.count("ok") > 1 or any(x.startswith("crash") for x in o)]
        assert doubled or capacity.recount(), "no race seen: the harness is not concurrent enough"


# ---------------------------------------------------------------- the waiting list and cron


def test_freed_places_go_to_the_earliest_waiting_entries_first(app, place, racers):
    """Three bookings are cancelled while people not on the list try to book: the six freed
    places are held for the three earliest entries, and nobody else gets them."""
    with app.test_request_context("/"):
        session = make_session(place["venue"], capacity=10)
        db.session.commit()
        booked = [_book_one(session) for _n in range(5)]
        waiting = [make_user(role=Role.FAMILY) for _n in range(4)]
        for n, user in enumerate(waiting):
            db.session.add(
                WaitlistEntry(
                    slot_id=session.id,
                    user_id=user.id,
                    channel=BookingChannel.GENERAL,
                    places=2,
                    created_at=NOW - timedelta(minutes=10 - n),
                )
            )
        outsider = make_user(role=Role.FAMILY)
        db.session.commit()
        targets = [
            {"booking_id": b, "slot_id": session.id, "outsider_id": outsider.id, "now": NOW}
            for b in booked[:3]
        ]
        slot_id, waiting_ids, outsider_id = session.id, [u.id for u in waiting], outsider.id
        db.session.remove()
        results = racers.race(["cancel_by_booker", "outsider_books"] * 2, targets)
        assert all(not out.startswith("crash") for r in results for _a, out in r), results
        held = dict(
            db.session.execute(
                sa.select(WaitlistEntry.user_id, WaitlistEntry.held_places).where(
                    WaitlistEntry.slot_id == slot_id
                )
            ).all()
        )
        assert [held[u] for u in waiting_ids] == [2, 2, 2, 0]
        assert not db.session.scalar(
            sa.select(sa.func.count(Booking.id)).where(Booking.booker_id == outsider_id)
        )
        assert capacity.recount() == []


def _book_one(session):
    return requests.create_booking(
        session, family_request(), by=make_user(role=Role.FAMILY), now=NOW
    ).id


def test_two_hosts_sending_reminders_at_once_send_each_once(app, place, racers):
    with app.test_request_context("/"):
        for n in range(3):
            session = make_session(place["venue"], starts_at=NOW + timedelta(days=1, minutes=n))
            db.session.commit()
            for _n in range(2):
                _book_one(session)
        db.session.remove()
        results = racers.race(["send_reminders"] * WORKERS, [{"now": NOW}])
        sent = [int(out.removeprefix("sent ")) for _a, out in results[0]]
        assert sum(sent) == 6, results
        reminded = db.session.scalars(
            sa.select(OutboxMessage.user_id).where(OutboxMessage.subject.like("%提醒%"))
        ).all()
        assert len(reminded) == len(set(reminded)) == 6


def test_two_hosts_releasing_holds_at_once_release_each_once(app, place, racers):
    lapse_at = NOW + timedelta(hours=1)
    with app.test_request_context("/"):
        for n in range(3):
            _held_session(place, lapse_at, minute=n)
        db.session.remove()
        results = racers.race(["release_holds"] * WORKERS, [{"lapse_at": lapse_at}])
        released = [int(out.removeprefix("released ")) for _a, out in results[0]]
        assert sum(released) == 3, results
        assert capacity.recount() == []
