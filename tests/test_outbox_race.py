"""No message sent twice when several deliverers run at once (several hosts, or a queue
worker beside the cron sweep).

Deliverer processes start together against the test database (an SQLite file, or PostgreSQL
with TEST_DATABASE_URL) and send through one SMTP stand-in that records every mail. With the
claim switched off the harness must see a message sent twice, which proves it can see the
race; with the claim on, every message arrives exactly once.
"""

from collections import Counter

from models import db
from models.user import utcnow
from tests.process_apps import app_for_process, process_context
from tests.standins import SmtpStandIn
from webapp.services import outbox

DELIVERERS = 3
MESSAGES = 45
NOW = utcnow()


def _deliver_in_process(database_url, smtp_port, guarded, barrier, results):
    from webapp.services import outbox_delivery

    outbox_delivery._claim_guard = guarded
    app = app_for_process(database_url, MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_port)
    sent = 0
    with app.app_context():
        db.session.execute(db.select(1))  # connect before the start line
        db.session.rollback()
        barrier.wait()
        try:
            while batch := outbox_delivery.deliver_due(now=NOW, limit=5):
                sent += batch
        except Exception as error:  # a crash is what the test is looking for
            results.append(f"crash: {error!r}")
        db.session.remove()
        for engine in db.engines.values():
            engine.dispose()
    results.append(sent)


def _race(database_url, guarded: bool):
    for i in range(MESSAGES):
        outbox.send_message(f"parent{i}@example.cn", f"消息 {i}", "正文", now=NOW)
    db.session.commit()
    db.session.remove()
    context = process_context()
    with SmtpStandIn() as server, context.Manager() as manager:
        barrier = manager.Barrier(DELIVERERS)
        results = manager.list()
        workers = [
            context.Process(
                target=_deliver_in_process,
                args=(database_url, server.port, guarded, barrier, results),
            )
            for _ in range(DELIVERERS)
        ]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(timeout=120)
        outcomes = list(results)
    received = Counter(mail["to"][0] for mail in server.mails)
    return outcomes, received


def test_without_the_claim_the_harness_sees_a_message_sent_twice(app, database_url):
    _outcomes, received = _race(database_url, guarded=False)
    assert max(received.values()) > 1, "no race seen: the harness is not concurrent enough"


def test_simultaneous_deliverers_send_each_message_exactly_once(app, database_url):
    outcomes, received = _race(database_url, guarded=True)
    assert not [o for o in outcomes if isinstance(o, str)], outcomes
    assert len(received) == MESSAGES and set(received.values()) == {1}
    assert sum(outcomes) == MESSAGES
    assert outbox.deliver_unsent() == (0, 0)
