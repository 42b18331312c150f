"""supervision: guidance activities and the dashboard's monthly rollups

Schools and stations record their own family-education guidance activities; the dashboard
reads per-venue and per-school monthly sums rebuilt by `flask refresh-dashboard`.

Revision ID: 0006_supervision
Revises: 0005_holds
Create Date: 2026-12-01 21:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006_supervision'
down_revision = '0005_holds'
branch_labels = None
depends_on = None

_GUIDANCE_KINDS = ('parent_school', 'parents_meeting', 'open_day', 'consultation', 'other')
_VENUE_SUMS = (
    'sessions', 'open_days', 'capacity', 'taken', 'bookings',
    'booked_preschool', 'booked_primary', 'booked_junior', 'booked_senior', 'booked_adults',
    'booked_green',
    'arrived_preschool', 'arrived_primary', 'arrived_junior', 'arrived_senior',
    'arrived_adults', 'arrived_green',
    'left_behind', 'disabled', 'orphaned', 'special_family',
)


def upgrade():
    op.create_table(
        'guidance_activities',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('school_id', sa.Integer(), nullable=True),
        sa.Column('station_id', sa.Integer(), nullable=True),
        sa.Column('county_id', sa.Integer(), nullable=False),
        sa.Column('held_on', sa.Date(), nullable=False),
        sa.Column(
            'kind',
            sa.Enum(*_GUIDANCE_KINDS, name='guidance_kind', native_enum=False,
                    create_constraint=True, length=15),
            nullable=False,
        ),
        sa.Column('topic', sa.String(length=120), nullable=False),
        sa.Column('parents', sa.Integer(), nullable=False),
        sa.Column('recorded_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.CheckConstraint('(school_id IS NULL) <> (station_id IS NULL)',
                           name=op.f('ck_guidance_activities_one_host')),
        sa.CheckConstraint('parents >= 0', name=op.f('ck_guidance_activities_parents_not_negative')),
        sa.ForeignKeyConstraint(['county_id'], ['regions.id'],
                                name=op.f('fk_guidance_activities_county_id_regions')),
        sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], ondelete='SET NULL',
                                name=op.f('fk_guidance_activities_recorded_by_id_users')),
        sa.ForeignKeyConstraint(['school_id'], ['schools.id'], ondelete='CASCADE',
                                name=op.f('fk_guidance_activities_school_id_schools')),
        sa.ForeignKeyConstraint(['station_id'], ['guidance_stations.id'], ondelete='CASCADE',
                                name=op.f('fk_guidance_activities_station_id_guidance_stations')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_guidance_activities')),
    )
    op.create_index('ix_guidance_activities_county_held', 'guidance_activities',
                    ['county_id', 'held_on'])
    op.create_index(op.f('ix_guidance_activities_school_id'), 'guidance_activities', ['school_id'])
    op.create_index(op.f('ix_guidance_activities_station_id'), 'guidance_activities',
                    ['station_id'])

    op.create_table(
        'venue_month_rollups',
        sa.Column('venue_id', sa.Integer(), nullable=False),
        sa.Column('month', sa.Date(), nullable=False),
        sa.Column('county_id', sa.Integer(), nullable=False),
        sa.Column('city_id', sa.Integer(), nullable=False),
        sa.Column('visitors_booked', sa.Integer(), nullable=False),
        sa.Column('visitors_arrived', sa.Integer(), nullable=False),
        sa.Column('running_booked', sa.Integer(), nullable=False),
        sa.Column('running_arrived', sa.Integer(), nullable=False),
        *[sa.Column(name, sa.Integer(), nullable=False) for name in _VENUE_SUMS],
        sa.ForeignKeyConstraint(['venue_id'], ['venues.id'], ondelete='CASCADE',
                                name=op.f('fk_venue_month_rollups_venue_id_venues')),
        sa.PrimaryKeyConstraint('venue_id', 'month', name=op.f('pk_venue_month_rollups')),
    )
    op.create_index(op.f('ix_venue_month_rollups_month'), 'venue_month_rollups', ['month'])
    op.create_index(op.f('ix_venue_month_rollups_county_id'), 'venue_month_rollups',
                    ['county_id'])
    op.create_index(op.f('ix_venue_month_rollups_city_id'), 'venue_month_rollups', ['city_id'])

    op.create_table(
        'county_month_rollups',
        sa.Column('county_id', sa.Integer(), nullable=False),
        sa.Column('month', sa.Date(), nullable=False),
        sa.Column('city_id', sa.Integer(), nullable=False),
        *[sa.Column(name, sa.Integer(), nullable=False) for name in _VENUE_SUMS],
        sa.PrimaryKeyConstraint('county_id', 'month', name=op.f('pk_county_month_rollups')),
    )
    op.create_index(op.f('ix_county_month_rollups_city_id'), 'county_month_rollups',
                    ['city_id'])

    op.create_table(
        'school_month_rollups',
        sa.Column('school_id', sa.Integer(), nullable=False),
        sa.Column('month', sa.Date(), nullable=False),
        sa.Column('county_id', sa.Integer(), nullable=False),
        sa.Column('trips', sa.Integer(), nullable=False),
        sa.Column('pupils', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['school_id'], ['schools.id'], ondelete='CASCADE',
                                name=op.f('fk_school_month_rollups_school_id_schools')),
        sa.PrimaryKeyConstraint('school_id', 'month', name=op.f('pk_school_month_rollups')),
    )
    op.create_index(op.f('ix_school_month_rollups_county_id'), 'school_month_rollups',
                    ['county_id'])

    op.create_table(
        'rollup_refreshes',
        sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('refreshed_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_rollup_refreshes')),
    )


def downgrade():
    op.drop_table('rollup_refreshes')
    op.drop_index(op.f('ix_school_month_rollups_county_id'), table_name='school_month_rollups')
    op.drop_table('school_month_rollups')
    op.drop_index(op.f('ix_county_month_rollups_city_id'), table_name='county_month_rollups')
    op.drop_table('county_month_rollups')
    op.drop_index(op.f('ix_venue_month_rollups_city_id'), table_name='venue_month_rollups')
    op.drop_index(op.f('ix_venue_month_rollups_county_id'), table_name='venue_month_rollups')
    op.drop_index(op.f('ix_venue_month_rollups_month'), table_name='venue_month_rollups')
    op.drop_table('venue_month_rollups')
    op.drop_index(op.f('ix_guidance_activities_station_id'), table_name='guidance_activities')
    op.drop_index(op.f('ix_guidance_activities_school_id'), table_name='guidance_activities')
    op.drop_index('ix_guidance_activities_county_held', table_name='guidance_activities')
    op.drop_table('guidance_activities')
