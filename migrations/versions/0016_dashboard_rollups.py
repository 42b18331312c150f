"""dashboard rollups: indexes by region and month, covering what the dashboard reads

The supervision dashboard reads the rollups by a region (county or city) and a range of
months, and ranks a region's venues from two months of running totals. The single-column
indexes on month, county and city give way to (region, month) ones; the month index of the
venue rollups carries the running totals (INCLUDE, on PostgreSQL) so ranking every venue of the
province is an index-only scan.

Revision ID: 0016_dashboard_rollups
Revises: 0015_catalogue_indexes
Create Date: 2026-12-02 04:30:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0016_dashboard_rollups'
down_revision = '0015_catalogue_indexes'
branch_labels = None
depends_on = None

RUNNING = ['visitors_booked', 'visitors_arrived', 'running_booked', 'running_arrived']


def upgrade():
    op.drop_index('ix_venue_month_rollups_month', table_name='venue_month_rollups')
    op.drop_index('ix_venue_month_rollups_county_id', table_name='venue_month_rollups')
    op.drop_index('ix_venue_month_rollups_city_id', table_name='venue_month_rollups')
    op.create_index('ix_venue_month_rollups_month_venue', 'venue_month_rollups',
                    ['month', 'venue_id'], postgresql_include=RUNNING)
    op.create_index('ix_venue_month_rollups_county_month', 'venue_month_rollups',
                    ['county_id', 'month'])
    op.create_index('ix_venue_month_rollups_city_month', 'venue_month_rollups',
                    ['city_id', 'month'])
    op.drop_index('ix_county_month_rollups_city_id', table_name='county_month_rollups')
    op.create_index('ix_county_month_rollups_city_month', 'county_month_rollups',
                    ['city_id', 'month'])
    op.create_index('ix_county_month_rollups_month', 'county_month_rollups', ['month'])
    op.drop_index('ix_school_month_rollups_county_id', table_name='school_month_rollups')
    op.create_index('ix_school_month_rollups_county_month', 'school_month_rollups',
                    ['county_id', 'month'], postgresql_include=['school_id', 'trips'])
    op.create_index('ix_school_month_rollups_month', 'school_month_rollups',
                    ['month'], postgresql_include=['school_id', 'trips'])


def downgrade():
    op.drop_index('ix_school_month_rollups_month', table_name='school_month_rollups')
    op.drop_index('ix_school_month_rollups_county_month', table_name='school_month_rollups')
    op.create_index('ix_school_month_rollups_county_id', 'school_month_rollups', ['county_id'])
    op.drop_index('ix_county_month_rollups_month', table_name='county_month_rollups')
    op.drop_index('ix_county_month_rollups_city_month', table_name='county_month_rollups')
    op.create_index('ix_county_month_rollups_city_id', 'county_month_rollups', ['city_id'])
    op.drop_index('ix_venue_month_rollups_city_month', table_name='venue_month_rollups')
    op.drop_index('ix_venue_month_rollups_county_month', table_name='venue_month_rollups')
    op.drop_index('ix_venue_month_rollups_month_venue', table_name='venue_month_rollups')
    op.create_index('ix_venue_month_rollups_city_id', 'venue_month_rollups', ['city_id'])
    op.create_index('ix_venue_month_rollups_county_id', 'venue_month_rollups', ['county_id'])
    op.create_index('ix_venue_month_rollups_month', 'venue_month_rollups', ['month'])
