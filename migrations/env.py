import logging
from logging.config import fileConfig

import sqlalchemy as sa
from alembic import context
from flask import current_app

# this is the Alembic Config object, which provides
# access to the values within the .ini file in use.
config = context.config

# Interpret the config file for Python logging.
# This line sets up loggers basically.
fileConfig(config.config_file_name)
logger = logging.getLogger('alembic.env')


def get_engine():
    return current_app.extensions['migrate'].db.engine


def get_engine_url():
    try:
        return get_engine().url.render_as_string(hide_password=False).replace(
            '%', '%%')
    except AttributeError:
        return str(get_engine().url).replace('%', '%%')


# add your model's MetaData object here
# for 'autogenerate' support
# from myapp import mymodel
# target_metadata = mymodel.Base.metadata
config.set_main_option('sqlalchemy.url', get_engine_url())
target_db = current_app.extensions['migrate'].db

# other values from the config, defined by the needs of env.py,
# can be acquired:
# my_important_option = config.get_main_option("my_important_option")
# ... etc.


def get_metadata():
    if hasattr(target_db, 'metadatas'):
        return target_db.metadatas[None]
    return target_db.metadata


def run_migrations_offline():
    """Run migrations in 'offline' mode.

    This configures the context with just a URL
    and not an Engine, though an Engine is acceptable
    here as well.  By skipping the Engine creation
    we don't even need a DBAPI to be available.

    Calls to context.execute() here emit the given string to the
    script output.

    """
    url = config.get_main_option("sqlalchemy.url")
    context.configure(
        url=url, target_metadata=get_metadata(), literal_binds=True
    )

    with context.begin_transaction():
        context.run_migrations()


#: Revision ids the releases before the renumbering wrote into alembic_version (their files
#: ran 0001 → 0002 → 0004 → 0003 → 0007 → 0008 ×3 → 0009 → 0010): a database made by one of
#: those releases is told its new name before upgrading, so no upgrade loses its place.
RENAMED_REVISIONS = {
    '0004_lecturers': '0003_lecturers',
    '0003_booking': '0004_booking',
    '0007_holds': '0005_holds',
    '0008_issue11_supervision': '0006_supervision',
    '0008_issue10_desk': '0007_desk',
    '0008_issue14_messages': '0008_messages',
    '0009_issue14_personal_data': '0009_personal_data',
    '0008_issue14_booking_rules': '0010_booking_rules',
}


def rename_old_revisions(connection):
    if not sa.inspect(connection).has_table('alembic_version'):
        return
    for old, new in RENAMED_REVISIONS.items():
        connection.execute(
            sa.text('UPDATE alembic_version SET version_num = :new WHERE version_num = :old'),
            {'new': new, 'old': old},
        )


# SQLite enforces foreign keys on the app's connections (webapp/sqlite_tuning.py), but a batch
# migration rebuilds a table by copying it to a new one, dropping the old one and renaming: with
# foreign keys on, that DROP would delete or refuse the rows of every table pointing at it. So,
# as Alembic's batch documentation advises, they are off while migrations run (the pragma is a
# no-op inside a transaction, hence before it begins) and `PRAGMA foreign_key_check` proves
# every reference still holds before the migrations' transaction commits.
def foreign_keys_off(connection):
    connection.exec_driver_sql('PRAGMA foreign_keys=OFF')
    connection.commit()


def foreign_keys_on(connection):
    connection.rollback()
    connection.exec_driver_sql('PRAGMA foreign_keys=ON')
    connection.commit()


def check_foreign_keys(connection):
    broken = connection.exec_driver_sql('PRAGMA foreign_key_check').all()
    if broken:
        rows = ', '.join(f'{table} row {rowid} -> {parent}' for table, rowid, parent, _ in broken)
        raise RuntimeError(f'foreign keys broken after the migrations: {rows}')


def run_migrations_online():
    """Run migrations in 'online' mode.

    In this scenario we need to create an Engine
    and associate a connection with the context.

    """

    # this callback is used to prevent an auto-migration from being generated
    # when there are no changes to the schema
    # reference: http://alembic.zzzcomputing.com/en/latest/cookbook.html
    def process_revision_directives(context, revision, directives):
        if getattr(config.cmd_opts, 'autogenerate', False):
            script = directives[0]
            if script.upgrade_ops.is_empty():
                directives[:] = []
                logger.info('No changes in schema detected.')

    conf_args = current_app.extensions['migrate'].configure_args
    if conf_args.get("process_revision_directives") is None:
        conf_args["process_revision_directives"] = process_revision_directives

    connectable = get_engine()

    with connectable.begin() as connection:
        rename_old_revisions(connection)

    with connectable.connect() as connection:
        sqlite = connection.dialect.name == 'sqlite'
        if sqlite:
            foreign_keys_off(connection)
        try:
            context.configure(
                connection=connection,
                target_metadata=get_metadata(),
                **conf_args
            )

            with context.begin_transaction():
                context.run_migrations()
                if sqlite:
                    check_foreign_keys(connection)
        finally:
            if sqlite:
                foreign_keys_on(connection)


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
