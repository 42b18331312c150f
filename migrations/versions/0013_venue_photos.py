"""venue photos

Photos of a venue: the files live outside the database (VENUE_PHOTO_DIR), named by a hash of
their bytes; this table keeps which venue each belongs to, its order and its size.

Revision ID: 0013_venue_photos
Revises: 0012_slots
Create Date: 2026-12-02 04:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013_venue_photos'
down_revision = '0012_slots'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'venue_photos',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('venue_id', sa.Integer(), nullable=False),
        sa.Column('file_name', sa.String(length=80), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('width', sa.Integer(), nullable=False),
        sa.Column('height', sa.Integer(), nullable=False),
        sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
        sa.Column('uploaded_at', sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            'width > 0 AND height > 0', name=op.f('ck_venue_photos_size_positive')
        ),
        sa.ForeignKeyConstraint(
            ['uploaded_by_id'], ['users.id'],
            name=op.f('fk_venue_photos_uploaded_by_id_users'), ondelete='SET NULL',
        ),
        sa.ForeignKeyConstraint(
            ['venue_id'], ['venues.id'],
            name=op.f('fk_venue_photos_venue_id_venues'), ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_venue_photos')),
        sa.UniqueConstraint('venue_id', 'file_name', name='uq_venue_photos_file'),
    )
    with op.batch_alter_table('venue_photos', schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f('ix_venue_photos_uploaded_by_id'), ['uploaded_by_id'], unique=False
        )
        batch_op.create_index(batch_op.f('ix_venue_photos_venue_id'), ['venue_id'], unique=False)


def downgrade():
    with op.batch_alter_table('venue_photos', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_venue_photos_venue_id'))
        batch_op.drop_index(batch_op.f('ix_venue_photos_uploaded_by_id'))
    op.drop_table('venue_photos')
