"""slots: the booking `sessions` table becomes `slots` (场次), every row kept

The model was called Session, a word that collides with db.session, Flask's session and the
seed's session argument. The table, its constraints and indexes, and the columns that point
at it (bookings.session_id, waitlist_entries.session_id) take the new name; no row moves.
The JSON API still calls the field session_id.

Revision ID: 0012_slots
Revises: 0011_venue_imports
Create Date: 2026-12-02 01:40:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0012_slots'
down_revision = '0011_venue_imports'
branch_labels = None
depends_on = None

CHECKS = (
    'quota_range', 'taken_within_capacity', 'capacity_positive', 'ends_after_starts',
    'taken_not_negative', 'session_kind', 'held_not_negative', 'held_within_capacity',
)


def _rename(old, new):
    """Rename the table and what hangs from it; `old`/`new` are 'sessions'/'slots' or back."""
    old_col, new_col = ('session_id', 'slot_id') if old == 'sessions' else ('slot_id', 'session_id')
    old_word, new_word = ('session', 'slot') if old == 'sessions' else ('slot', 'session')
    op.rename_table(old, new)
    postgres = op.get_bind().dialect.name == 'postgresql'
    if postgres:
        # PostgreSQL keeps constraint and index names through a table rename: rename them too
        for check in CHECKS:
            op.execute(f'ALTER TABLE {new} RENAME CONSTRAINT ck_{old}_{check} TO ck_{new}_{check}')
        for kind in ('pk', 'fk'):
            name = f'{kind}_{old}' if kind == 'pk' else f'fk_{old}_venue_id_venues'
            op.execute(f'ALTER TABLE {new} RENAME CONSTRAINT {name} TO {name.replace(old, new, 1)}')
    with op.batch_alter_table(new) as batch_op:
        batch_op.drop_constraint(f'uq_{old}_venue_starts', type_='unique')
        batch_op.create_unique_constraint(f'uq_{new}_venue_starts', ['venue_id', 'starts_at'])
        batch_op.drop_index(f'ix_{old}_starts_at')
        batch_op.create_index(f'ix_{new}_starts_at', ['starts_at'])
    for table in ('bookings', 'waitlist_entries'):
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_index(f'ix_{table}_{old_col}')
            batch_op.drop_constraint(f'fk_{table}_{old_col}_{old}', type_='foreignkey')
            if table == 'waitlist_entries':
                batch_op.drop_constraint(f'uq_waitlist_entries_{old_word}_user', type_='unique')
            batch_op.alter_column(old_col, new_column_name=new_col)
        with op.batch_alter_table(table) as batch_op:
            batch_op.create_index(f'ix_{table}_{new_col}', [new_col])
            batch_op.create_foreign_key(
                f'fk_{table}_{new_col}_{new}', new, [new_col], ['id'], ondelete='CASCADE'
            )
            if table == 'waitlist_entries':
                batch_op.create_unique_constraint(
                    f'uq_waitlist_entries_{new_word}_user', [new_col, 'user_id']
                )


def upgrade():
    _rename('sessions', 'slots')


def downgrade():
    _rename('slots', 'sessions')
