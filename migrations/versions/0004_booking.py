"""booking: settings, timetable, sessions, bookings, waitlist

Revision ID: 0004_booking
Revises: 0003_lecturers
Create Date: 2026-11-29 09:07:16.700651

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004_booking'
down_revision = '0003_lecturers'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('booking_settings',
    sa.Column('venue_id', sa.Integer(), nullable=False),
    sa.Column('open_days_ahead', sa.Integer(), nullable=False),
    sa.Column('release_time', sa.Time(), nullable=False),
    sa.Column('green_release_hours', sa.Integer(), nullable=False),
    sa.Column('cancel_cutoff_hours', sa.Integer(), nullable=False),
    sa.Column('preschool_per_teacher', sa.Integer(), nullable=False),
    sa.Column('primary_per_teacher', sa.Integer(), nullable=False),
    sa.Column('junior_per_teacher', sa.Integer(), nullable=False),
    sa.Column('senior_per_teacher', sa.Integer(), nullable=False),
    sa.Column('approval_above', sa.Integer(), nullable=False),
    sa.CheckConstraint('approval_above >= 0', name=op.f('ck_booking_settings_approval_not_negative')),
    sa.CheckConstraint('cancel_cutoff_hours >= 0', name=op.f('ck_booking_settings_cutoff_not_negative')),
    sa.CheckConstraint('green_release_hours >= 0', name=op.f('ck_booking_settings_green_release_not_negative')),
    sa.CheckConstraint('open_days_ahead BETWEEN 1 AND 366', name=op.f('ck_booking_settings_open_days_range')),
    sa.CheckConstraint('preschool_per_teacher > 0 AND primary_per_teacher > 0 AND junior_per_teacher > 0 AND senior_per_teacher > 0', name=op.f('ck_booking_settings_ratios_positive')),
    sa.ForeignKeyConstraint(['venue_id'], ['venues.id'], name=op.f('fk_booking_settings_venue_id_venues'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('venue_id', name=op.f('pk_booking_settings'))
    )
    op.create_table('sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('venue_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('regular', 'open_day', name='session_kind', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('starts_at', sa.DateTime(), nullable=False),
    sa.Column('ends_at', sa.DateTime(), nullable=False),
    sa.Column('title', sa.String(length=120), nullable=False),
    sa.Column('programme', sa.Text(), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('green_quota', sa.Integer(), nullable=False),
    sa.Column('taken_general', sa.Integer(), nullable=False),
    sa.Column('taken_green', sa.Integer(), nullable=False),
    sa.Column('is_cancelled', sa.Boolean(), nullable=False),
    sa.CheckConstraint('capacity > 0', name=op.f('ck_sessions_capacity_positive')),
    sa.CheckConstraint('ends_at > starts_at', name=op.f('ck_sessions_ends_after_starts')),
    sa.CheckConstraint('green_quota >= 0 AND green_quota <= capacity', name=op.f('ck_sessions_quota_range')),
    sa.CheckConstraint('taken_general + taken_green <= capacity', name=op.f('ck_sessions_taken_within_capacity')),
    sa.CheckConstraint('taken_general >= 0 AND taken_green >= 0', name=op.f('ck_sessions_taken_not_negative')),
    sa.ForeignKeyConstraint(['venue_id'], ['venues.id'], name=op.f('fk_sessions_venue_id_venues'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sessions')),
    sa.UniqueConstraint('venue_id', 'starts_at', name='uq_sessions_venue_starts')
    )
    with op.batch_alter_table('sessions', schema=None) as batch_op:
        batch_op.create_index('ix_sessions_starts_at', ['starts_at'], unique=False)

    op.create_table('timetable_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('venue_id', sa.Integer(), nullable=False),
    sa.Column('weekday', sa.SmallInteger(), nullable=False),
    sa.Column('start_time', sa.Time(), nullable=False),
    sa.Column('end_time', sa.Time(), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('green_quota', sa.Integer(), nullable=False),
    sa.CheckConstraint('capacity > 0', name=op.f('ck_timetable_entries_capacity_positive')),
    sa.CheckConstraint('end_time > start_time', name=op.f('ck_timetable_entries_ends_after_starts')),
    sa.CheckConstraint('green_quota >= 0 AND green_quota <= capacity', name=op.f('ck_timetable_entries_quota_range')),
    sa.CheckConstraint('weekday BETWEEN 1 AND 7', name=op.f('ck_timetable_entries_weekday_iso')),
    sa.ForeignKeyConstraint(['venue_id'], ['venues.id'], name=op.f('fk_timetable_entries_venue_id_venues'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_timetable_entries')),
    sa.UniqueConstraint('venue_id', 'weekday', 'start_time', name='uq_timetable_entries_slot')
    )
    op.create_table('bookings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=12), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('visit_on', sa.Date(), nullable=False),
    sa.Column('channel', sa.Enum('general', 'green', name='booking_channel', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('kind', sa.Enum('family', 'school_group', name='booking_kind', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('status', sa.Enum('pending', 'confirmed', 'refused', 'cancelled', 'checked_in', 'no_show', name='booking_status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('booker_id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=True),
    sa.Column('idempotency_key', sa.String(length=64), nullable=False),
    sa.Column('preschool', sa.Integer(), nullable=False),
    sa.Column('primary_pupils', sa.Integer(), nullable=False),
    sa.Column('junior', sa.Integer(), nullable=False),
    sa.Column('senior', sa.Integer(), nullable=False),
    sa.Column('adults', sa.Integer(), nullable=False),
    sa.Column('teachers', sa.Integer(), nullable=False),
    sa.Column('places', sa.Integer(), nullable=False),
    sa.Column('left_behind', sa.Integer(), nullable=False),
    sa.Column('disabled', sa.Integer(), nullable=False),
    sa.Column('orphaned', sa.Integer(), nullable=False),
    sa.Column('special_family', sa.Integer(), nullable=False),
    sa.Column('group_name', sa.String(length=60), nullable=False),
    sa.Column('lead_teacher', sa.String(length=60), nullable=False),
    sa.Column('contact_name', sa.String(length=60), nullable=False),
    sa.Column('contact_phone', sa.String(length=20), nullable=False),
    sa.Column('price_yuan', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=300), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.Column('cancelled_at', sa.DateTime(), nullable=True),
    sa.Column('checked_in_at', sa.DateTime(), nullable=True),
    sa.Column('reminded_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint('left_behind >= 0 AND disabled >= 0 AND orphaned >= 0 AND special_family >= 0', name=op.f('ck_bookings_green_counts_not_negative')),
    sa.CheckConstraint('places = preschool + primary_pupils + junior + senior + adults + teachers', name=op.f('ck_bookings_places_is_sum')),
    sa.CheckConstraint('places > 0', name=op.f('ck_bookings_places_positive')),
    sa.CheckConstraint('preschool >= 0 AND primary_pupils >= 0 AND junior >= 0 AND senior >= 0 AND adults >= 0 AND teachers >= 0', name=op.f('ck_bookings_counts_not_negative')),
    sa.CheckConstraint('price_yuan >= 0', name=op.f('ck_bookings_price_not_negative')),
    sa.ForeignKeyConstraint(['booker_id'], ['users.id'], name=op.f('fk_bookings_booker_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_bookings_school_id_schools'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['session_id'], ['sessions.id'], name=op.f('fk_bookings_session_id_sessions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bookings')),
    sa.UniqueConstraint('booker_id', 'idempotency_key', name='uq_bookings_booker_key'),
    sa.UniqueConstraint('code', name=op.f('uq_bookings_code'))
    )
    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.create_index('ix_bookings_booker_visit', ['booker_id', 'visit_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_bookings_school_id'), ['school_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_bookings_session_id'), ['session_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_bookings_status'), ['status'], unique=False)

    op.create_table('waitlist_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.Enum('general', 'green', name='booking_channel', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('places', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('offered_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint('places > 0', name=op.f('ck_waitlist_entries_places_positive')),
    sa.ForeignKeyConstraint(['session_id'], ['sessions.id'], name=op.f('fk_waitlist_entries_session_id_sessions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_waitlist_entries_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_waitlist_entries')),
    sa.UniqueConstraint('session_id', 'user_id', name='uq_waitlist_entries_session_user')
    )
    with op.batch_alter_table('waitlist_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_waitlist_entries_session_id'), ['session_id'], unique=False)



def downgrade():
    with op.batch_alter_table('waitlist_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_waitlist_entries_session_id'))

    op.drop_table('waitlist_entries')
    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bookings_status'))
        batch_op.drop_index(batch_op.f('ix_bookings_session_id'))
        batch_op.drop_index(batch_op.f('ix_bookings_school_id'))
        batch_op.drop_index('ix_bookings_booker_visit')

    op.drop_table('bookings')
    op.drop_table('timetable_entries')
    with op.batch_alter_table('sessions', schema=None) as batch_op:
        batch_op.drop_index('ix_sessions_starts_at')

    op.drop_table('sessions')
    op.drop_table('booking_settings')
