"""One confirmation code entered from several processes at the same moment confirms once.

Four worker processes (tests/race_harness.py) enter the right code of the same sign-up at
once, on the test database (an SQLite file, or PostgreSQL with TEST_DATABASE_URL): exactly
one confirms, every other gets "already used", and the ticket is spent once. The control run
switches the compare-and-set off and must see more than one confirmation of one code, which
proves the harness is concurrent enough to catch the race.
"""

import re

import pytest
import sqlalchemy as sa

from models import ConfirmationCode, OutboxMessage, User, db
from tests.factories import NOW
from tests.race_harness import WORKERS, Racers
from webapp.services.accounts import confirmation, signup

TARGETS = 6
GOOD = "Bright-Fen-River-22"


@pytest.fixture(scope="module")
def racers(database_url):
    pool = Racers(database_url)
    yield pool
    pool.close()


def _sign_ups(first_number: int) -> list[dict]:
    """TARGETS new sign-ups, each with its ticket and the code sent to it."""
    targets = []
    for n in range(TARGETS):
        phone = f"1380000{first_number + n:04d}"
        result = signup.sign_up_family("王芳", phone, GOOD, now=NOW)
        body = db.session.scalar(
            sa.select(OutboxMessage.body).where(OutboxMessage.recipient == phone)
        )
        code = re.search(r"\b(\d{6})\b", body).group(1)
        targets.append({"ticket": result.ticket, "code": code, "now": NOW, "user": result.user.id})
    db.session.remove()
    return targets


def _winners(results) -> list[int]:
    assert all(not out.startswith("crash") for r in results for _a, out in r), results
    return [sum(out == "ok" for _a, out in seen) for seen in results]


def test_one_code_entered_four_times_at_once_confirms_once(app, racers):
    with app.test_request_context("/"):
        targets = _sign_ups(1000)
        results = racers.race(["confirm_code"] * WORKERS, targets)
        assert _winners(results) == [1] * TARGETS, results
        used = confirmation._used().message
        for seen in results:
            for _action, out in seen:
                assert out == "ok" or out == f"CodeError: {used}", out
        for target in targets:
            assert db.session.get(User, target["user"]).is_confirmed
        spent = db.session.scalars(sa.select(ConfirmationCode.used_at)).all()
        assert len(spent) == TARGETS and all(spent)


def test_control_without_the_compare_and_set_the_race_is_seen(app, racers):
    with app.test_request_context("/"):
        targets = _sign_ups(2000)
        results = racers.race(["confirm_code"] * WORKERS, targets, guarded=False)
        assert max(_winners(results)) > 1, results
