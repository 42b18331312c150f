"""The processes of the race tests, and the app each builds: on the test database, unthrottled.

The processes are forked from one fork server that has imported the app once (and made, but
never connected, a throwaway app, which loads every blueprint); each so starts in a moment
instead of importing everything again, as `spawn` makes it do. As with `spawn`, a process
inherits nothing of the test process: no app, no connection, no module state.
"""

import multiprocessing

_context = None


def process_context():
    """The multiprocessing context the race tests start their processes (and managers) with."""
    global _context
    if _context is None:
        _context = multiprocessing.get_context("forkserver")
        _context.set_forkserver_preload(["tests.process_warm_up"])
    return _context


def app_for_process(database_url: str, **config):
    from webapp import create_app

    return create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test",
            "SQLALCHEMY_DATABASE_URI": database_url,
            "RATELIMIT_ENABLED": False,
            **config,
        }
    )


def run_together(target, arg_tuples, *, timeout: float = 120) -> list:
    """One process per argument tuple, each calling `target(*args, barrier, results)`; all
    wait at one barrier, then go. Returns what they appended to `results`."""
    context = process_context()
    with context.Manager() as manager:
        barrier = manager.Barrier(len(arg_tuples))
        results = manager.list()
        workers = [
            context.Process(target=target, args=(*args, barrier, results)) for args in arg_tuples
        ]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(timeout=timeout)
        return list(results)
