"""lecturer pool, topics, guidance stations, lecture requests

The family-education lecturer pool (issue 5): pools per city or county, lecturers and their
topics, community guidance stations, and talks requested by schools and stations.

Revision ID: 0003_lecturers
Revises: 0002_auth
Create Date: 2026-11-29 09:07:08.689718

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0003_lecturers'
down_revision = '0002_auth'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('topics',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('name_en', sa.String(length=100), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_topics')),
    sa.UniqueConstraint('name', name=op.f('uq_topics_name'))
    )
    op.create_table('guidance_stations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('community', sa.String(length=120), nullable=False),
    sa.Column('county_id', sa.Integer(), nullable=False),
    sa.Column('address', sa.String(length=200), nullable=False),
    sa.Column('lat', sa.Float(), nullable=False),
    sa.Column('lng', sa.Float(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('lat BETWEEN -90 AND 90', name=op.f('ck_guidance_stations_lat_range')),
    sa.CheckConstraint('lng BETWEEN -180 AND 180', name=op.f('ck_guidance_stations_lng_range')),
    sa.ForeignKeyConstraint(['county_id'], ['regions.id'], name=op.f('fk_guidance_stations_county_id_regions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_guidance_stations')),
    sa.UniqueConstraint('county_id', 'name', name='uq_guidance_stations_county_name')
    )
    with op.batch_alter_table('guidance_stations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_guidance_stations_county_id'), ['county_id'], unique=False)

    op.create_table('lecturer_pools',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('region_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['region_id'], ['regions.id'], name=op.f('fk_lecturer_pools_region_id_regions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lecturer_pools')),
    sa.UniqueConstraint('region_id', name=op.f('uq_lecturer_pools_region_id'))
    )
    op.create_table('lecturers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('pool_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('category', sa.Enum('retired_cadre', 'veteran', 'retired_expert', 'retired_teacher', 'retired_model_worker', 'labour_model', 'moral_model', 'role_model_of_the_times', 'civic_virtue', 'esteemed_artist', 'university_expert', 'young_teacher', 'other', name='lecturer_category', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('bio', sa.Text(), nullable=False),
    sa.Column('photo', sa.LargeBinary(), nullable=True),
    sa.Column('photo_type', sa.String(length=20), nullable=False),
    sa.Column('term_starts_on', sa.Date(), nullable=True),
    sa.Column('term_ends_on', sa.Date(), nullable=True),
    sa.Column('free_weekdays_csv', sa.String(length=20), nullable=False),
    sa.Column('phone', sa.String(length=20), nullable=False),
    sa.Column('address', sa.String(length=200), nullable=False),
    sa.Column('is_retired', sa.Boolean(), nullable=False),
    sa.Column('lat', sa.Float(), nullable=False),
    sa.Column('lng', sa.Float(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('term_ends_on IS NULL OR term_starts_on IS NULL OR term_ends_on >= term_starts_on', name=op.f('ck_lecturers_term_order')),
    sa.ForeignKeyConstraint(['pool_id'], ['lecturer_pools.id'], name=op.f('fk_lecturers_pool_id_lecturer_pools')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lecturers')),
    sa.UniqueConstraint('pool_id', 'name', 'phone', name='uq_lecturers_pool_name_phone')
    )
    with op.batch_alter_table('lecturers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lecturers_category'), ['category'], unique=False)
        batch_op.create_index(batch_op.f('ix_lecturers_is_retired'), ['is_retired'], unique=False)
        batch_op.create_index(batch_op.f('ix_lecturers_pool_id'), ['pool_id'], unique=False)

    op.create_table('lecture_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=True),
    sa.Column('station_id', sa.Integer(), nullable=True),
    sa.Column('county_id', sa.Integer(), nullable=False),
    sa.Column('topic_id', sa.Integer(), nullable=False),
    sa.Column('wanted_on', sa.Date(), nullable=False),
    sa.Column('wanted_alt_on', sa.Date(), nullable=True),
    sa.Column('expected_audience', sa.Integer(), nullable=False),
    sa.Column('audience_note', sa.String(length=200), nullable=False),
    sa.Column('place', sa.String(length=200), nullable=False),
    sa.Column('status', sa.Enum('requested', 'assigned', 'delivered', 'cancelled', name='lecture_status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('lecturer_id', sa.Integer(), nullable=True),
    sa.Column('scheduled_on', sa.Date(), nullable=True),
    sa.Column('delivered_on', sa.Date(), nullable=True),
    sa.Column('audience_reached', sa.Integer(), nullable=True),
    sa.Column('feedback_score', sa.SmallInteger(), nullable=True),
    sa.Column('feedback_comment', sa.Text(), nullable=False),
    sa.Column('cancel_reason', sa.Text(), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('assigned_at', sa.DateTime(), nullable=True),
    sa.Column('delivered_at', sa.DateTime(), nullable=True),
    sa.Column('cancelled_at', sa.DateTime(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("status NOT IN ('assigned', 'delivered') OR (lecturer_id IS NOT NULL AND scheduled_on IS NOT NULL)", name=op.f('ck_lecture_requests_assigned_has_lecturer')),
    sa.CheckConstraint('(school_id IS NULL) <> (station_id IS NULL)', name=op.f('ck_lecture_requests_one_host')),
    sa.CheckConstraint('audience_reached IS NULL OR audience_reached >= 0', name=op.f('ck_lecture_requests_reached_not_negative')),
    sa.CheckConstraint('expected_audience > 0', name=op.f('ck_lecture_requests_audience_positive')),
    sa.CheckConstraint('feedback_score IS NULL OR feedback_score BETWEEN 1 AND 5', name=op.f('ck_lecture_requests_score_range')),
    sa.ForeignKeyConstraint(['county_id'], ['regions.id'], name=op.f('fk_lecture_requests_county_id_regions')),
    sa.ForeignKeyConstraint(['lecturer_id'], ['lecturers.id'], name=op.f('fk_lecture_requests_lecturer_id_lecturers'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['requested_by_id'], ['users.id'], name=op.f('fk_lecture_requests_requested_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_lecture_requests_school_id_schools'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['station_id'], ['guidance_stations.id'], name=op.f('fk_lecture_requests_station_id_guidance_stations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['topic_id'], ['topics.id'], name=op.f('fk_lecture_requests_topic_id_topics')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lecture_requests'))
    )
    with op.batch_alter_table('lecture_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lecture_requests_county_id'), ['county_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_lecture_requests_delivered_on'), ['delivered_on'], unique=False)
        batch_op.create_index('ix_lecture_requests_lecturer_day', ['lecturer_id', 'scheduled_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_lecture_requests_school_id'), ['school_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_lecture_requests_station_id'), ['station_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_lecture_requests_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_lecture_requests_topic_id'), ['topic_id'], unique=False)

    op.create_table('lecturer_topics',
    sa.Column('lecturer_id', sa.Integer(), nullable=False),
    sa.Column('topic_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['lecturer_id'], ['lecturers.id'], name=op.f('fk_lecturer_topics_lecturer_id_lecturers'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['topic_id'], ['topics.id'], name=op.f('fk_lecturer_topics_topic_id_topics'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('lecturer_id', 'topic_id', name=op.f('pk_lecturer_topics'))
    )
    with op.batch_alter_table('lecturer_topics', schema=None) as batch_op:
        batch_op.create_index('ix_lecturer_topics_topic_id', ['topic_id'], unique=False)



def downgrade():
    with op.batch_alter_table('lecturer_topics', schema=None) as batch_op:
        batch_op.drop_index('ix_lecturer_topics_topic_id')

    op.drop_table('lecturer_topics')
    with op.batch_alter_table('lecture_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lecture_requests_topic_id'))
        batch_op.drop_index(batch_op.f('ix_lecture_requests_status'))
        batch_op.drop_index(batch_op.f('ix_lecture_requests_station_id'))
        batch_op.drop_index(batch_op.f('ix_lecture_requests_school_id'))
        batch_op.drop_index('ix_lecture_requests_lecturer_day')
        batch_op.drop_index(batch_op.f('ix_lecture_requests_delivered_on'))
        batch_op.drop_index(batch_op.f('ix_lecture_requests_county_id'))

    op.drop_table('lecture_requests')
    with op.batch_alter_table('lecturers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lecturers_pool_id'))
        batch_op.drop_index(batch_op.f('ix_lecturers_is_retired'))
        batch_op.drop_index(batch_op.f('ix_lecturers_category'))

    op.drop_table('lecturers')
    op.drop_table('lecturer_pools')
    with op.batch_alter_table('guidance_stations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_guidance_stations_county_id'))

    op.drop_table('guidance_stations')
    op.drop_table('topics')
