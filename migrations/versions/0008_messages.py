"""messages: recipient language, links, retries with backoff, claims across hosts

Users get a preferred language; outbox messages record their language and link, how often
sending failed and when to try next, and the claim a deliverer holds while sending.

Revision ID: 0008_messages
Revises: 0007_desk
Create Date: 2026-12-01 21:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008_messages'
down_revision = '0007_desk'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('locale', sa.String(length=8), server_default='', nullable=False))

    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('locale', sa.String(length=8), server_default='', nullable=False))
        batch_op.add_column(sa.Column('link', sa.String(length=500), server_default='', nullable=False))
        batch_op.add_column(sa.Column('attempts', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('next_attempt_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('claimed_until', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('claim_token', sa.String(length=32), server_default='', nullable=False))
        batch_op.add_column(sa.Column('gave_up_at', sa.DateTime(), nullable=True))
        batch_op.create_index(batch_op.f('ix_outbox_messages_next_attempt_at'), ['next_attempt_at'], unique=False)


def downgrade():
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_messages_next_attempt_at'))
        batch_op.drop_column('gave_up_at')
        batch_op.drop_column('claim_token')
        batch_op.drop_column('claimed_until')
        batch_op.drop_column('next_attempt_at')
        batch_op.drop_column('attempts')
        batch_op.drop_column('link')
        batch_op.drop_column('locale')

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('locale')
