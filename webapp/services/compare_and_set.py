"""The one compare-and-set every state change goes through.

`compare_and_set(Model, row_id, seen={...}, values={...})` issues one
`UPDATE … SET values WHERE id = :id AND <each seen column> = <what the caller read>` and says
whether it changed the row. Two requests that read the same row and both try to move it meet
here: the first UPDATE matches, the second finds the row changed and matches nothing, so
exactly one wins. Booking states (booking/states.py) and talk requests
(lecturers/requests.py) each keep their own table of allowed moves and their own wording of a
lost race; this is only the UPDATE and its row count. It flushes nothing and commits nothing:
the caller's unit of work holds the move and whatever moves with it.
"""

import time as time_module

import sqlalchemy as sa

from models import db


def compare_and_set(model, row_id: int, *, seen: dict, values: dict, guarded: bool = True) -> bool:
    """True when the row still held every `seen` value and now holds `values`.

    `guarded=False` is only for the race tests' control runs: the `seen` condition is dropped
    and the window between the caller's read and the write widened, so a test can show that
    without the compare-and-set its harness sees the race.
    """
    where = [model.id == row_id]
    if guarded:
        for name, value in seen.items():
            column = getattr(model, name)
            where.append(column.is_(None) if value is None else column == value)
    else:
        time_module.sleep(0.05)
    result = db.session.execute(
        sa.update(model).where(*where).values(**values).execution_options(synchronize_session=False)
    )
    return result.rowcount == 1
