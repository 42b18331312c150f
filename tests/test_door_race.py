"""Two scans of one code at the same moment record one arrival, under real concurrency.

Several processes record an arrival for the same booking at once against the test database
(an SQLite file, or PostgreSQL with TEST_DATABASE_URL): the first arrival (the confirmed ->
checked-in transition) and a later one (adding to the arrived count). With the guards
switched off the harness must see more than one arrival recorded, which proves it can see
a race; with them on, exactly one.
"""

from datetime import timedelta

from models import Booking, BookingChannel, BookingKind, BookingStatus, Role, db
from tests.factories import NOW, make_session, make_user, make_venue
from tests.process_apps import process_context
from webapp.services.clock import local_date

PROCESSES = 4


def _scan_in_process(database_url, venue_id, staff_id, code, seen, guarded, barrier, results):
    from models import User, Venue
    from webapp import create_app
    from webapp.services.booking import door
    from webapp.services.booking import states as booking_states
    from webapp.services.errors import ServiceError

    booking_states._guard = guarded
    door._guard = guarded
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test",
            "SQLALCHEMY_DATABASE_URI": database_url,
            "RATELIMIT_ENABLED": False,
        }
    )
    with app.app_context(), app.test_request_context("/"):
        venue = db.session.get(Venue, venue_id)
        staff = db.session.get(User, staff_id)
        door.look_up(venue, code, by=staff, now=NOW)  # the screen each gate shows
        db.session.rollback()
        barrier.wait()
        try:
            door.record_arrival(venue, code, people=1, seen_arrived=seen, by=staff, now=NOW)
            results.append("recorded")
        except ServiceError as error:
            results.append(type(error).__name__)
        except Exception as error:  # a crash is what the test is looking for
            results.append(f"crash: {error!r}")
        db.session.remove()
        for engine in db.engines.values():
            engine.dispose()


def _race(database_url, *, guarded: bool, arrived: int):
    venue = make_venue()
    staff = make_user(role=Role.VENUE_STAFF, venue=venue)
    family = make_user()
    session = make_session(venue, starts_at=NOW + timedelta(minutes=20))
    booking = Booking(
        code="RACE2345",
        slot_id=session.id,
        visit_on=local_date(session.starts_at),
        channel=BookingChannel.GENERAL,
        kind=BookingKind.FAMILY,
        status=BookingStatus.CHECKED_IN if arrived else BookingStatus.CONFIRMED,
        booker_id=family.id,
        idempotency_key="race-key-0001",
        primary_pupils=2,
        adults=PROCESSES,
        places=PROCESSES + 2,
        arrived=arrived,
        checked_in_at=NOW if arrived else None,
        contact_name="王女士",
        contact_phone="13800138000",
    )
    session.taken_general = booking.places
    db.session.add(booking)
    db.session.commit()
    ids = (venue.id, staff.id, booking.code, booking.id)
    db.session.remove()
    context = process_context()
    with context.Manager() as manager:
        barrier = manager.Barrier(PROCESSES)
        results = manager.list()
        workers = [
            context.Process(
                target=_scan_in_process,
                args=(database_url, *ids[:3], arrived, guarded, barrier, results),
            )
            for _n in range(PROCESSES)
        ]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(timeout=120)
        outcomes = list(results)
    return outcomes, db.session.get(Booking, ids[3])


def test_without_the_guards_the_harness_sees_two_arrivals_recorded(app, database_url):
    outcomes, _booking = _race(database_url, guarded=False, arrived=1)
    assert len(outcomes) == PROCESSES
    assert outcomes.count("recorded") > 1, "no race seen: the harness is not concurrent enough"


def test_two_first_scans_at_once_record_one_arrival(app, database_url):
    outcomes, booking = _race(database_url, guarded=True, arrived=0)
    assert len(outcomes) == PROCESSES
    assert not [o for o in outcomes if o.startswith("crash")]
    assert outcomes.count("recorded") == 1
    assert (booking.status, booking.arrived) == (BookingStatus.CHECKED_IN, 1)


def test_two_later_scans_at_once_add_one_arrival(app, database_url):
    outcomes, booking = _race(database_url, guarded=True, arrived=1)
    assert not [o for o in outcomes if o.startswith("crash")]
    assert outcomes.count("recorded") == 1
    assert booking.arrived == 2
