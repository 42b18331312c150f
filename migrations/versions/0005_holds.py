"""waiting-list holds: places offered to a waiting entry are held for it

Sessions count held places per channel (held_general, held_green) inside the capacity check;
a waiting-list entry records how many places are held for it and until when.

Revision ID: 0005_holds
Revises: 0004_booking
Create Date: 2026-11-29 11:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005_holds'
down_revision = '0004_booking'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('sessions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('held_general', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('held_green', sa.Integer(), server_default='0', nullable=False))
        batch_op.create_check_constraint(
            batch_op.f('ck_sessions_held_not_negative'), 'held_general >= 0 AND held_green >= 0'
        )
        batch_op.create_check_constraint(
            batch_op.f('ck_sessions_held_within_capacity'),
            'taken_general + taken_green + held_general + held_green <= capacity',
        )

    with op.batch_alter_table('waitlist_entries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('held_places', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('held_until', sa.DateTime(), nullable=True))
        batch_op.create_check_constraint(
            batch_op.f('ck_waitlist_entries_held_places_range'),
            'held_places >= 0 AND held_places <= places',
        )


def downgrade():
    with op.batch_alter_table('waitlist_entries', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_waitlist_entries_held_places_range'), type_='check')
        batch_op.drop_column('held_until')
        batch_op.drop_column('held_places')

    with op.batch_alter_table('sessions', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_sessions_held_within_capacity'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_sessions_held_not_negative'), type_='check')
        batch_op.drop_column('held_green')
        batch_op.drop_column('held_general')
