"""The schema comes from `flask db upgrade`; it must match what the models declare."""

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from models import db
from seed.loader import DATA_DIR, load_regions
from tests.factories import regions_by_adcode
from tests.world import build_world


def test_migrations_build_the_schema_the_models_declare(app):
    db.drop_all()
    with db.engine.begin() as conn:
        conn.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
    upgrade()
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, db.metadata)
    assert diff == []


def test_migrations_downgrade_to_nothing_and_back(app):
    db.drop_all()
    with db.engine.begin() as conn:
        conn.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
    upgrade()
    downgrade(revision="base")
    assert set(sa.inspect(db.engine).get_table_names()) <= {"alembic_version"}
    upgrade()
    assert "venues" in sa.inspect(db.engine).get_table_names()


def test_a_database_from_before_the_renumbering_upgrades_from_where_it_stood(app):
    # The releases before the renumbering named their last revision 0008_issue14_booking_rules
    db.drop_all()
    with db.engine.begin() as conn:
        conn.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
    upgrade(revision="0010_booking_rules")
    with db.engine.begin() as conn:
        conn.execute(
            sa.text("UPDATE alembic_version SET version_num = :old"),
            {"old": "0008_issue14_booking_rules"},
        )
    upgrade()
    with db.engine.connect() as conn:
        stood = conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar_one()
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(context, db.metadata) == []
    assert not stood.startswith("0008_issue")


def _snapshot() -> dict[str, list[tuple]]:
    """Every row of every table but alembic's, keyed by table, in a stable order."""
    rows = {}
    with db.engine.connect() as conn:
        for name in sorted(sa.inspect(conn).get_table_names()):
            if name == "alembic_version":
                continue
            table = sa.Table(name, sa.MetaData(), autoload_with=conn)
            found = conn.execute(sa.select(table)).all()
            rows[name] = sorted(tuple(str(v) for v in row) for row in found)
    return rows


def test_upgrading_a_populated_database_from_the_previous_release_keeps_every_row(app):
    # The previous release stood at 0008_issue14_booking_rules (now 0010_booking_rules), before
    # the sessions table became slots; its rows must all come through the upgrade.
    db.drop_all()
    with db.engine.begin() as conn:
        conn.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
    upgrade()
    load_regions(db.session, DATA_DIR / "regions.csv")
    build_world(regions_by_adcode())
    db.session.remove()
    before = _snapshot()
    assert before["slots"] and before["bookings"] and before["role_grants"]
    downgrade(revision="0010_booking_rules")
    with db.engine.begin() as conn:
        assert "sessions" in sa.inspect(conn).get_table_names()
        conn.execute(
            sa.text("UPDATE alembic_version SET version_num = :old"),
            {"old": "0008_issue14_booking_rules"},
        )
    upgrade()
    assert _snapshot() == before
    if db.engine.dialect.name == "sqlite":
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA foreign_key_check").all() == []
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
