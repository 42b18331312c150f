"""venue desk: partial arrival at the door; open days' audience and sign-up note

Bookings count the people recorded at the door (a party may arrive in parts); sessions carry
an open day's audience (school stages) and sign-up note.

Revision ID: 0007_desk
Revises: 0006_supervision
Create Date: 2026-12-01 21:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007_desk'
down_revision = '0006_supervision'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('arrived', sa.Integer(), server_default='0', nullable=False))
        batch_op.create_check_constraint(
            batch_op.f('ck_bookings_arrived_within_places'), 'arrived >= 0 AND arrived <= places'
        )
    # bookings checked in before partial arrival existed came as a whole party
    op.execute("UPDATE bookings SET arrived = places WHERE status = 'checked_in'")

    with op.batch_alter_table('sessions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('audience', sa.String(length=40), server_default='', nullable=False))
        batch_op.add_column(sa.Column('signup_note', sa.String(length=300), server_default='', nullable=False))


def downgrade():
    with op.batch_alter_table('sessions', schema=None) as batch_op:
        batch_op.drop_column('signup_note')
        batch_op.drop_column('audience')

    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_bookings_arrived_within_places'), type_='check')
        batch_op.drop_column('arrived')
