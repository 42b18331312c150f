"""The outbox's job queue: with REDIS_URL set, a message is handed to an RQ worker the moment
the change it reports commits, so it goes out within seconds rather than at the next sweep.

The job only names message ids; the worker claims them like any other deliverer, so a job
that runs twice, or alongside a sweep on another host, still sends each message once. When
Redis is down the job is simply not queued: the once-a-minute sweep sends the message.
"""

import logging

from flask import current_app

log = logging.getLogger(__name__)


def _connection(*, for_worker: bool = False):
    from redis import Redis

    if for_worker:  # the worker blocks on the queue: RQ sets its own read timeout
        return Redis.from_url(current_app.config["REDIS_URL"])
    # short timeouts: a Redis that hangs must not hold up the request that queued a message
    return Redis.from_url(
        current_app.config["REDIS_URL"], socket_connect_timeout=2, socket_timeout=5
    )


def get_queue():
    from rq import Queue

    return Queue(current_app.config["OUTBOX_QUEUE"], connection=_connection())


def enqueue(message_ids: list[int]) -> bool:
    """Queue a delivery job for these messages; False (and logged) when Redis is unreachable."""
    from redis.exceptions import RedisError

    try:
        get_queue().enqueue(deliver_job, list(message_ids), job_timeout=120, result_ttl=0)
    except RedisError as error:
        log.warning("outbox: messages %s left for the sweep: %s", message_ids, error)
        return False
    return True


def deliver_job(message_ids: list[int]) -> int:
    """The RQ job: runs inside the worker started by `flask outbox-worker`."""
    from webapp.services.outbox_delivery import deliver_due

    return deliver_due(ids=message_ids)


def run_worker(*, burst: bool = False) -> None:
    """Work the outbox queue in this process (and this app context) until stopped."""
    from rq import Queue, SimpleWorker

    connection = _connection(for_worker=True)
    queue = Queue(current_app.config["OUTBOX_QUEUE"], connection=connection)
    SimpleWorker([queue], connection=connection).work(burst=burst)
