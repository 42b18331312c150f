"""venue imports awaiting confirmation

A bureau's venue spreadsheet is kept between its preview and its confirmation (several
workers answer requests, so nothing is kept in one process's memory).

Revision ID: 0011_venue_imports
Revises: 0010_booking_rules
Create Date: 2026-12-02 02:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011_venue_imports'
down_revision = '0010_booking_rules'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'venue_imports',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('filename', sa.String(length=200), nullable=False),
        sa.Column('content', sa.LargeBinary(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('applied_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ['user_id'], ['users.id'],
            name=op.f('fk_venue_imports_user_id_users'), ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_venue_imports')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_venue_imports_token_hash')),
    )
    with op.batch_alter_table('venue_imports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_venue_imports_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('venue_imports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_venue_imports_user_id'))
    op.drop_table('venue_imports')
