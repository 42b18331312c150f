"""phone confirmation: accounts prove their mobile number or e-mail with a one-time code

`users.is_confirmed` says an account's contact was proved; every account made before this
revision (seeded, demo, invited or signed up) counts as confirmed, so no upgrade stops anyone
from booking. `confirmation_codes` keeps the codes sent at sign-up, hashed.

Revision ID: 0014_phone_confirmation
Revises: 0013_venue_photos
Create Date: 2026-12-02 04:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0014_phone_confirmation'
down_revision = '0013_venue_photos'
branch_labels = None
depends_on = None


def upgrade():
    # ADD COLUMN only (no table rebuild on SQLite): the default confirms every existing row
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('is_confirmed', sa.Boolean(), server_default=sa.true(), nullable=False)
        )

    op.create_table(
        'confirmation_codes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('ticket_hash', sa.String(length=64), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('is_decoy', sa.Boolean(), nullable=False),
        sa.Column('code_hash', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('sent_at', sa.DateTime(), nullable=False),
        sa.Column('expires_at', sa.DateTime(), nullable=False),
        sa.Column('sends', sa.Integer(), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('used_at', sa.DateTime(), nullable=True),
        sa.CheckConstraint('attempts >= 0', name=op.f('ck_confirmation_codes_attempts_not_negative')),
        sa.CheckConstraint('sends >= 1', name=op.f('ck_confirmation_codes_sends_positive')),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_confirmation_codes_user_id_users'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_confirmation_codes')),
        sa.UniqueConstraint('ticket_hash', name=op.f('uq_confirmation_codes_ticket_hash')),
    )
    with op.batch_alter_table('confirmation_codes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_confirmation_codes_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('confirmation_codes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_confirmation_codes_user_id'))
    op.drop_table('confirmation_codes')

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('is_confirmed')
