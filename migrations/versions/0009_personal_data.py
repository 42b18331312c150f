"""personal data: optional real-name entry for adult visitors, and its purge

Venues may require each adult visitor's name and identity document (masked number and keyed
digest only); bookings record when their contact data was purged after the retention period.

Revision ID: 0009_personal_data
Revises: 0008_messages
Create Date: 2026-12-01 21:50:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009_personal_data'
down_revision = '0008_messages'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('booking_settings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('requires_real_name', sa.Boolean(), server_default=sa.false(), nullable=False))

    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('personal_data_purged_at', sa.DateTime(), nullable=True))

    op.create_table(
        'booking_visitors',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('booking_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=60), nullable=False),
        sa.Column(
            'document',
            sa.Enum('resident_id', 'travel_permit', 'passport', name='identity_document', native_enum=False, create_constraint=True, length=13),
            nullable=False,
        ),
        sa.Column('masked_number', sa.String(length=30), nullable=False),
        sa.Column('number_digest', sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(['booking_id'], ['bookings.id'], name=op.f('fk_booking_visitors_booking_id_bookings'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_booking_visitors')),
    )
    with op.batch_alter_table('booking_visitors', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_booking_visitors_booking_id'), ['booking_id'], unique=False)


def downgrade():
    with op.batch_alter_table('booking_visitors', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_booking_visitors_booking_id'))
    op.drop_table('booking_visitors')

    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.drop_column('personal_data_purged_at')

    with op.batch_alter_table('booking_settings', schema=None) as batch_op:
        batch_op.drop_column('requires_real_name')
