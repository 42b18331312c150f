"""One person's bookings meeting: the per-day limit under real concurrency.

Several processes book, at the same moment, one person into different sessions of one venue
on one day (the limit: one a day). Each reads the person's bookings before it takes places;
only the second look, behind the session's and the person's locks, sees the others. With it
switched off the harness must see two bookings stand (proof it can see the race); with it
on, exactly one stands and the rest are told about the limit.
"""

import uuid
from datetime import timedelta

import sqlalchemy as sa

from models import Booking, Role, RoleGrant, Slot, User, db
from models.booking import TAKING_STATUSES
from tests.factories import NOW, family_request, make_session, make_venue
from tests.process_apps import app_for_process, run_together

PROCESSES = 6


def _book_in_process(database_url, slot_id, user_id, guarded, barrier, results):
    import time

    from webapp.services.booking import requests
    from webapp.services.errors import ServiceError

    requests._guard = guarded
    app = app_for_process(database_url)
    with app.app_context(), app.test_request_context("/"):
        session = db.session.get(Slot, slot_id)
        user = db.session.get(User, user_id)
        db.session.rollback()
        barrier.wait()
        if not guarded:
            time.sleep(0.01)
        try:
            requests.create_booking(session, family_request(key=uuid.uuid4().hex), by=user, now=NOW)
            outcome = "booked"
        except ServiceError as error:
            outcome = f"{type(error).__name__}:{error.field}"
        except Exception as error:  # a crash is what the test is looking for
            outcome = f"crash: {error!r}"
        db.session.remove()
        for engine in db.engines.values():
            engine.dispose()
    results.append(outcome)


def _race(database_url, guarded: bool):
    venue = make_venue()
    first = NOW + timedelta(days=3)
    sessions = [
        make_session(venue, starts_at=first + timedelta(minutes=30 * n), capacity=10)
        for n in range(PROCESSES)
    ]
    user = User(
        email=f"daily-{uuid.uuid4().hex[:6]}@example.cn",
        password_hash="unused",
        grants=[RoleGrant(role=Role.FAMILY)],
    )
    db.session.add(user)
    db.session.commit()
    slot_ids, user_id = [s.id for s in sessions], user.id
    db.session.remove()
    outcomes = run_together(
        _book_in_process, [(database_url, slot_id, user_id, guarded) for slot_id in slot_ids]
    )
    standing = db.session.scalar(
        sa.select(sa.func.count(Booking.id)).where(
            Booking.booker_id == user_id, Booking.status.in_(TAKING_STATUSES)
        )
    )
    taken = db.session.scalar(
        sa.select(sa.func.sum(Slot.taken_general)).where(Slot.id.in_(slot_ids))
    )
    return outcomes, standing, taken


def test_without_the_second_look_the_harness_sees_two_bookings_in_a_day(app, database_url):
    outcomes, standing, _taken = _race(database_url, guarded=False)
    assert len(outcomes) == PROCESSES
    assert standing > 1, "no race seen: the harness is not concurrent enough"


def test_one_persons_simultaneous_bookings_on_one_day_leave_one_standing(app, database_url):
    outcomes, standing, taken = _race(database_url, guarded=True)
    assert len(outcomes) == PROCESSES
    assert not [o for o in outcomes if o.startswith("crash")]
    assert outcomes.count("booked") == standing == 1
    assert taken == 2  # one party of two; the refused ones gave their places back
    assert set(outcomes) <= {"booked", "BookingError:account", "Busy:None"}
