"""The schema comes from `flask db upgrade`; it must match what the models declare."""

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from models import db


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
