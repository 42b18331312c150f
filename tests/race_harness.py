"""One harness for the pairwise race tests: fire two actions on the same rows at once
(bookings, talk requests).

A pool of worker processes (started as tests/process_apps.py says, each with its own app and
database connections, as gunicorn workers have) is started once per test module. Each race
hands every worker one action and the same list of targets; the workers meet at a barrier,
then work through the targets in the same order, so every target meets every action at once.
Each worker reports, per target, "ok" or the class and message of the refusal it got (a
crash is reported as such: it is what the tests look for).
"""

import os
from concurrent.futures import ProcessPoolExecutor

from tests.process_apps import process_context

WORKERS = 4
_app = None
_barrier = None


def _start_worker(database_url: str, barrier) -> None:
    global _app, _barrier
    _barrier = barrier
    from webapp import create_app

    _app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test",
            "SQLALCHEMY_DATABASE_URI": database_url,
            "RATELIMIT_ENABLED": False,
        }
    )


def _set_guards(on: bool) -> None:
    from webapp.services.accounts import confirmation
    from webapp.services.booking import capacity
    from webapp.services.booking import states as booking_states
    from webapp.services.lecturers import requests as lecture_requests

    booking_states._guard = on
    capacity._guard = on
    confirmation._guard = on
    lecture_requests._guard = on


def _ping() -> int:
    _barrier.wait(timeout=120)
    return os.getpid()


def _fire(action: str, targets: list, guarded: bool) -> list[str]:
    from models import db
    from tests import race_actions
    from webapp.services.errors import ServiceError

    _set_guards(guarded)
    outcomes = []
    with _app.app_context(), _app.test_request_context("/"):
        run = getattr(race_actions, action)
        _barrier.wait(timeout=120)
        for target in targets:
            try:
                outcomes.append(run(**target))
            except ServiceError as error:
                outcomes.append(f"{type(error).__name__}: {error.message}")
            except Exception as error:  # a crash is what the tests are looking for
                outcomes.append(f"crash: {error!r}")
            db.session.rollback()
            db.session.expire_all()
        db.session.remove()
        for engine in db.engines.values():
            engine.dispose()
    _set_guards(True)
    return outcomes


class Racers:
    """The worker pool; `race` fires actions (one per worker) on the same targets at once."""

    def __init__(self, database_url: str):
        context = process_context()
        self.pool = ProcessPoolExecutor(
            max_workers=WORKERS,
            mp_context=context,
            initializer=_start_worker,
            initargs=(database_url, context.Barrier(WORKERS)),
        )
        # every worker up and its app built before the first race
        pids = {f.result(timeout=180) for f in [self.pool.submit(_ping) for _n in range(WORKERS)]}
        assert len(pids) == WORKERS

    def race(self, actions: list[str], targets: list[dict], *, guarded: bool = True):
        """Per target, the list of (action, outcome) of every worker."""
        assert len(actions) == WORKERS
        futures = [self.pool.submit(_fire, a, targets, guarded) for a in actions]
        results = [f.result(timeout=120) for f in futures]
        return [
            [(action, results[w][t]) for w, action in enumerate(actions)]
            for t in range(len(targets))
        ]

    def close(self):
        self.pool.shutdown()
