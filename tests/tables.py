"""The test database's tables, made once per run and emptied after each test.

Creating and dropping every table for each test cost more than most tests themselves
(PostgreSQL above all), so the schema is made once per session and each test ends by emptying
what it wrote: on PostgreSQL a DELETE of just the tables that hold rows and a restart of just
the id sequences that were used (both known from one query), on SQLite a DELETE of every table
(ids then start again at 1, as no table uses AUTOINCREMENT). A test that drops the
schema (the migration tests) gets it made again.

The regions of the seed file are loaded once and copied back in, with the same ids, for each
test that asks for them.
"""

import sqlalchemy as sa

from models import Region, db


class Tables:
    def __init__(self, engine: sa.Engine):
        self.engine = engine
        self._region_rows: list[dict] | None = None

    # ------------------------------------------------------------ emptying

    def empty(self) -> None:
        try:
            self._empty()
        except sa.exc.DBAPIError:
            # a missing or changed table (a test dropped the schema), or a lock that never came
            self._forget_other_connections()
            self._remake()

    def _empty(self) -> None:
        if self.engine.dialect.name == "postgresql":
            self._empty_used()
            return
        with self.engine.begin() as conn:
            for table in reversed(db.metadata.sorted_tables):
                conn.execute(table.delete())

    def _empty_used(self) -> None:
        """One query finds the tables holding rows and the id sequences that were used; one
        batch deletes those rows (children first) and starts those sequences at 1 again.
        (DELETE of a few rows is far quicker than TRUNCATE, which makes every table anew.)"""
        tables = db.metadata.sorted_tables
        probes = " UNION ALL ".join(
            f"SELECT 'table', '{t.name}' WHERE EXISTS (SELECT 1 FROM \"{t.name}\")"
            for t in tables
        )
        sequences = (
            "SELECT 'sequence', quote_ident(schemaname) || '.' || quote_ident(sequencename)"
            " FROM pg_sequences WHERE schemaname = current_schema() AND last_value IS NOT NULL"
        )
        with self.engine.begin() as conn:
            conn.execute(sa.text("SET LOCAL lock_timeout = '10s'"))
            found = conn.execute(sa.text(f"{probes} UNION ALL {sequences}")).all()
            full = {name for kind, name in found if kind == "table"}
            statements = [f'DELETE FROM "{t.name}"' for t in reversed(tables) if t.name in full]
            statements += [
                f"SELECT setval('{name}', 1, false)" for kind, name in found if kind == "sequence"
            ]
            if statements:
                conn.exec_driver_sql("; ".join(statements))

    def _remake(self) -> None:
        with self.engine.begin() as conn:
            db.metadata.drop_all(conn)
            conn.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
        db.metadata.create_all(self.engine)

    def _forget_other_connections(self) -> None:
        """Ends connections a test left open (they would hold locks) on PostgreSQL."""
        if self.engine.dialect.name != "postgresql":
            return
        with self.engine.begin() as conn:
            conn.execute(
                sa.text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            )

    # ------------------------------------------------------------ the seed's regions

    def put_regions(self, session) -> None:
        """The seed file's regions, as `load_regions` writes them into empty tables."""
        from seed.loader import DATA_DIR, load_regions

        table = Region.__table__
        is_empty = not session.scalar(sa.select(sa.func.count()).select_from(table))
        if self._region_rows is not None and is_empty:
            session.execute(table.insert(), self._region_rows)
            if session.get_bind().dialect.name == "postgresql":
                session.execute(
                    sa.text("SELECT setval(pg_get_serial_sequence('regions', 'id'), max(id)) "
                            "FROM regions")
                )
            session.commit()
            return
        load_regions(session, DATA_DIR / "regions.csv")
        session.commit()
        if is_empty:
            rows = session.execute(table.select().order_by(table.c.id))
            self._region_rows = [dict(row._mapping) for row in rows]
