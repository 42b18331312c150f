"""booking rules shown where people book: arrival time, what to bring, seniors alone

A venue's booking settings gain the minutes before a session visitors should arrive, what
they should bring, and whether senior-secondary pupils may come on a family booking without
an adult (every other party with children needs one).

Revision ID: 0010_booking_rules
Revises: 0009_personal_data
Create Date: 2026-12-01 21:45:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010_booking_rules'
down_revision = '0009_personal_data'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('booking_settings', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('arrive_minutes_before', sa.Integer(), server_default='15', nullable=False)
        )
        batch_op.add_column(
            sa.Column('what_to_bring', sa.String(length=200), server_default='', nullable=False)
        )
        batch_op.add_column(
            sa.Column('is_senior_alone_allowed', sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.create_check_constraint(
            batch_op.f('ck_booking_settings_arrival_range'), 'arrive_minutes_before BETWEEN 0 AND 240'
        )


def downgrade():
    with op.batch_alter_table('booking_settings', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_booking_settings_arrival_range'), type_='check')
        batch_op.drop_column('is_senior_alone_allowed')
        batch_op.drop_column('what_to_bring')
        batch_op.drop_column('arrive_minutes_before')
