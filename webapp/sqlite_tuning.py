"""SQLite connection settings: foreign keys enforced, WAL and NORMAL sync.

SQLite checks foreign keys only when a connection asks it to (`PRAGMA foreign_keys=ON`), and
the setting lasts for that connection alone; without it a booking for a missing session, or a
venue deleted under its staff, is stored and ON DELETE CASCADE / SET NULL never fire, where
PostgreSQL refuses or cascades. So every connection turns it on, in-memory ones included.
(Migrations turn it off around their table rebuilds: see migrations/env.py.)

A booking is a short write transaction; with SQLite's default rollback journal every commit
waits for several fsyncs, which caps bookings at a few dozen a second. In WAL mode readers do
not block the writer and a commit needs no fsync of the main file; synchronous=NORMAL keeps
the database consistent after a crash (a power cut may lose the last commits).
Applied to each new SQLite connection of the app's engine, from the app factory.
"""

import sqlite3

import sqlalchemy as sa


def tune_sqlite(engine: sa.Engine) -> None:
    if engine.dialect.name != "sqlite":
        return
    in_memory = engine.url.database in (None, "", ":memory:")

    @sa.event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection, _record):
        if isinstance(dbapi_connection, sqlite3.Connection):
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            if not in_memory:
                cursor.execute("PRAGMA journal_mode=WAL")
                cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()
