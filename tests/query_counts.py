"""Counting the SQL statements a piece of code sends: for "constant as the data grows" tests."""

from contextlib import contextmanager

import sqlalchemy as sa

from models import db


@contextmanager
def counted_statements():
    """Yields a list that gets one item per statement sent while the block runs."""
    seen = []

    def count(_conn, _cursor, statement, *_args):
        seen.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
