"""Overbooking under real concurrency, the pretix way.

Several processes book the same session at the same moment against the test database (an
SQLite file, or PostgreSQL with TEST_DATABASE_URL). With the capacity guard switched off the
harness must see an oversell, which proves it can see a race; with the guard on, never.
"""

import uuid
from datetime import timedelta

import sqlalchemy as sa

from models import Booking, BookingChannel, Role, RoleGrant, Slot, User, WaitlistEntry, db
from models.booking import TAKING_STATUSES
from tests.factories import NOW, family_request, make_session, make_venue
from tests.process_apps import app_for_process, process_context

PROCESSES = 8
ATTEMPTS_PER_PROCESS = 4
CAPACITY = 10  # each attempt asks for 2 places: at most 5 bookings fit


def _book_in_process(database_url, slot_id, user_ids, guarded, barrier, results):
    from webapp.services.booking import capacity, requests
    from webapp.services.errors import ServiceError

    capacity._guard = guarded
    app = app_for_process(database_url)
    outcomes = []
    with app.app_context(), app.test_request_context("/"):
        session = db.session.get(Slot, slot_id)
        users = [db.session.get(User, uid) for uid in user_ids]
        db.session.rollback()
        barrier.wait()
        for user in users:
            try:
                requests.create_booking(
                    session,
                    family_request(primary_pupils=1, adults=1, key=uuid.uuid4().hex),
                    by=user,
                    now=NOW,
                )
                outcomes.append("booked")
            except ServiceError as error:
                outcomes.append(type(error).__name__)
            except Exception as error:  # a crash is what the test is looking for
                outcomes.append(f"crash: {error!r}")
        db.session.remove()
        for engine in db.engines.values():
            engine.dispose()
    results.extend(outcomes)


def _race(database_url, guarded: bool, hold: int = 0):
    venue = make_venue()
    session = make_session(venue, capacity=CAPACITY, held_general=hold)
    users = [
        User(
            email=f"racer{i}-{uuid.uuid4().hex[:6]}@example.cn",
            password_hash="unused",
            grants=[RoleGrant(role=Role.FAMILY)],
        )
        for i in range(PROCESSES * ATTEMPTS_PER_PROCESS)
    ]
    db.session.add_all(users)
    db.session.flush()
    if hold:  # places held for the first racer, offered them from the waiting list
        db.session.add(
            WaitlistEntry(
                slot_id=session.id,
                user_id=users[0].id,
                channel=BookingChannel.GENERAL,
                places=hold,
                created_at=NOW,
                offered_at=NOW,
                held_places=hold,
                held_until=NOW + timedelta(hours=1),
            )
        )
    db.session.commit()
    slot_id, user_ids = session.id, [u.id for u in users]
    db.session.remove()
    context = process_context()
    with context.Manager() as manager:
        barrier = manager.Barrier(PROCESSES)
        results = manager.list()
        workers = [
            context.Process(
                target=_book_in_process,
                args=(
                    database_url,
                    slot_id,
                    user_ids[i::PROCESSES],
                    guarded,
                    barrier,
                    results,
                ),
            )
            for i in range(PROCESSES)
        ]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(timeout=120)
        outcomes = list(results)
    held = db.session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(Booking.places), 0)).where(
            Booking.slot_id == slot_id, Booking.status.in_(TAKING_STATUSES)
        )
    )
    row = db.session.get(Slot, slot_id)
    taken, held_now = row.taken, row.held_general
    others = db.session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(Booking.places), 0)).where(
            Booking.slot_id == slot_id,
            Booking.status.in_(TAKING_STATUSES),
            Booking.booker_id != user_ids[0],
        )
    )
    if hold:
        return outcomes, held, taken, held_now, others
    return outcomes, held, taken


def test_without_the_guard_the_harness_sees_an_oversell(app, database_url):
    outcomes, held, _taken = _race(database_url, guarded=False)
    assert len(outcomes) == PROCESSES * ATTEMPTS_PER_PROCESS
    assert held > CAPACITY, "no race seen: the harness is not concurrent enough"


def test_simultaneous_bookings_from_many_processes_never_exceed_capacity(app, database_url):
    outcomes, held, taken = _race(database_url, guarded=True)
    assert len(outcomes) == PROCESSES * ATTEMPTS_PER_PROCESS
    assert not [o for o in outcomes if o.startswith("crash")]
    assert held == taken == CAPACITY
    assert outcomes.count("booked") == CAPACITY // 2
    assert set(outcomes) <= {"booked", "SessionFull", "Busy"}


def test_places_held_for_a_waiting_entry_are_never_taken_by_the_crowd(app, database_url):
    outcomes, booked, taken, still_held, others = _race(database_url, guarded=True, hold=2)
    assert len(outcomes) == PROCESSES * ATTEMPTS_PER_PROCESS
    assert not [o for o in outcomes if o.startswith("crash")]
    assert others <= CAPACITY - 2  # nobody else got the held places
    assert booked == taken and taken + still_held == CAPACITY
