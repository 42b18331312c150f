"""Dashboard rollups: bookings and sessions summed per venue (and per school) and month.

The supervision dashboard reads these sums instead of every booking, so a province-wide
dashboard over a year of a million bookings stays fast. ``refresh_rollups`` rebuilds them in SQL
(``INSERT … SELECT … GROUP BY``), run by cron as ``flask refresh-dashboard``; ``recount_months``
computes the same monthly figures straight from the bookings, which a test and
``flask refresh-dashboard --check`` compare with the rollups.

Who counts as booked and who as arrived is decided here once (``booked`` and ``arrived``), so
a later change in how check-ins are recorded (a partial arrival count) changes one place.
"""

from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa

from models import (
    Booking,
    BookingChannel,
    BookingKind,
    BookingStatus,
    CountyMonthRollup,
    RollupRefresh,
    School,
    SchoolMonthRollup,
    Slot,
    SlotKind,
    Venue,
    VenueMonthRollup,
    db,
)
from models.user import utcnow
from webapp.services.clock import local_zone
from webapp.services.transactions import unit_of_work

#: bookings whose places were taken, whether or not the party came
BOOKED_STATUSES = (
    BookingStatus.PENDING,
    BookingStatus.CONFIRMED,
    BookingStatus.CHECKED_IN,
    BookingStatus.NO_SHOW,
)

#: rollup column → the booking column it sums, per visitor group
GROUP_COLUMNS = {
    "preschool": Booking.preschool,
    "primary": Booking.primary_pupils,
    "junior": Booking.junior,
    "senior": Booking.senior,
    "adults": Booking.adults + Booking.teachers,
}
GREEN_CATEGORIES = ("left_behind", "disabled", "orphaned", "special_family")


def booked(amount) -> sa.ColumnElement:
    """`amount` for a booking that holds or held places, else 0."""
    return sa.case((Booking.status.in_(BOOKED_STATUSES), amount), else_=0)


def arrived(amount) -> sa.ColumnElement:
    """`amount` for a booking whose party came (checked in), else 0."""
    return sa.case((Booking.status == BookingStatus.CHECKED_IN, amount), else_=0)


def _is_green():
    return Booking.channel == BookingChannel.GREEN


def month_of_date(column) -> sa.ColumnElement:
    """The first day of the month of a date column, in SQL."""
    if db.engine.dialect.name == "sqlite":
        return sa.func.date(column, "start of month")
    return sa.cast(sa.func.date_trunc("month", sa.cast(column, sa.DateTime)), sa.Date)


def _month_of_session(column) -> sa.ColumnElement:
    """The first day of the local month of a naive-UTC datetime column."""
    offset = datetime.now(UTC).astimezone(local_zone()).utcoffset() or timedelta(0)
    if db.engine.dialect.name == "sqlite":
        hours = int(offset.total_seconds() // 3600)
        return sa.func.date(column, f"{hours:+d} hours", "start of month")
    return sa.cast(sa.func.date_trunc("month", column + offset), sa.Date)


def _sums(**columns):
    return [sa.func.coalesce(sa.func.sum(v), 0).label(k) for k, v in columns.items()]


def booking_sums() -> dict[str, sa.ColumnElement]:
    """Rollup column → SQL expression over bookings, the one definition of every figure."""
    sums: dict[str, sa.ColumnElement] = {"bookings": booked(1)}
    for name, column in GROUP_COLUMNS.items():
        sums[f"booked_{name}"] = booked(column)
    sums["booked_green"] = booked(sa.case((_is_green(), Booking.places), else_=0))
    for name, column in GROUP_COLUMNS.items():
        sums[f"arrived_{name}"] = arrived(column)
    sums["arrived_green"] = arrived(sa.case((_is_green(), Booking.places), else_=0))
    for name in GREEN_CATEGORIES:
        sums[name] = arrived(getattr(Booking, name))
    return sums


SESSION_FIELDS = ("sessions", "open_days", "capacity", "taken")
BOOKING_FIELDS = tuple(booking_sums())
VENUE_FIELDS = SESSION_FIELDS + BOOKING_FIELDS
RUNNING_COLUMNS = ("visitors_booked", "visitors_arrived", "running_booked", "running_arrived")


def _keys(month):
    return (
        Slot.venue_id.label("venue_id"),
        month,
        Venue.county_id.label("county_id"),
        Venue.city_id.label("city_id"),
    )


def _session_part():
    month = _month_of_session(Slot.starts_at).label("month")
    zeros = [sa.literal(0).label(k) for k in BOOKING_FIELDS]
    return (
        sa.select(
            *_keys(month),
            *_sums(
                sessions=sa.literal(1),
                open_days=sa.case((Slot.kind == SlotKind.OPEN_DAY, 1), else_=0),
                capacity=Slot.capacity,
                taken=Slot.taken_general + Slot.taken_green,
            ),
            *zeros,
        )
        .join(Venue, Venue.id == Slot.venue_id)
        .where(Slot.is_cancelled.is_(False))
        .group_by(Slot.venue_id, month, Venue.county_id, Venue.city_id)
    )


def _booking_part():
    month = month_of_date(Booking.visit_on).label("month")
    zeros = [sa.literal(0).label(k) for k in SESSION_FIELDS]
    return (
        sa.select(
            *_keys(month),
            *zeros,
            *_sums(**booking_sums()),
        )
        .join(Slot, Slot.id == Booking.slot_id)
        .join(Venue, Venue.id == Slot.venue_id)
        .where(Booking.status.in_(BOOKED_STATUSES))
        .group_by(Slot.venue_id, month, Venue.county_id, Venue.city_id)
    )


def _venue_rollup_select():
    both = sa.union_all(_session_part(), _booking_part()).subquery()
    keys = [both.c.venue_id, both.c.month, both.c.county_id, both.c.city_id]
    whole = [
        sa.func.sum(sum(both.c[f"{kind}_{g}"] for g in GROUP_COLUMNS))
        for kind in ("booked", "arrived")
    ]
    return sa.select(
        *keys, *whole, sa.literal(0), sa.literal(0), *[sa.func.sum(both.c[k]) for k in VENUE_FIELDS]
    ).group_by(*keys)


def _fill_venue_months() -> None:
    """Give every venue a row for every month the rollups hold, then the running totals.

    With a row per venue and month, a venue's use over a period is its running total at the
    period's last month less the one just before its first.
    """
    r = VenueMonthRollup
    months = sa.select(r.month).distinct().subquery()
    held = sa.select(r.venue_id).where(r.venue_id == Venue.id, r.month == months.c.month)
    zeros = [sa.literal(0)] * (4 + len(VENUE_FIELDS))
    db.session.execute(
        sa.insert(r).from_select(
            ["venue_id", "month", "county_id", "city_id", *RUNNING_COLUMNS, *VENUE_FIELDS],
            sa.select(Venue.id, months.c.month, Venue.county_id, Venue.city_id, *zeros)
            .select_from(Venue)
            .join(months, sa.true())
            .where(~held.exists()),
        )
    )
    order = {"partition_by": r.venue_id, "order_by": r.month}
    running = sa.select(
        r.venue_id,
        r.month,
        sa.func.sum(r.visitors_booked).over(**order).label("booked"),
        sa.func.sum(r.visitors_arrived).over(**order).label("arrived"),
    ).subquery()
    db.session.execute(
        sa.update(r)
        .values(running_booked=running.c.booked, running_arrived=running.c.arrived)
        .where(r.venue_id == running.c.venue_id, r.month == running.c.month)
    )


def _county_rollup_select():
    r = VenueMonthRollup
    keys = [r.county_id, r.month, r.city_id]
    return (
        sa.select(*keys, *[sa.func.sum(getattr(r, k)) for k in VENUE_FIELDS])
        .group_by(*keys)
        # the zero rows that fill the venue grid make no county month of their own
        .having(sa.func.sum(r.sessions) + sa.func.sum(r.bookings) > 0)
    )


def _school_rollup_select():
    month = month_of_date(Booking.visit_on)
    return (
        sa.select(
            Booking.school_id,
            month,
            School.county_id,
            sa.func.count(Booking.id),
            sa.func.coalesce(
                sa.func.sum(
                    Booking.preschool + Booking.primary_pupils + Booking.junior + Booking.senior
                ),
                0,
            ),
        )
        .join(School, School.id == Booking.school_id)
        .where(Booking.kind == BookingKind.SCHOOL_GROUP, Booking.status.in_(BOOKED_STATUSES))
        .group_by(Booking.school_id, month, School.county_id)
    )


def refresh_rollups(*, now: datetime | None = None) -> int:
    """Rebuild every rollup from the bookings and sessions; return the venue-month rows made.

    Rules: the rebuild replaces the rollups in one transaction, so a dashboard read meanwhile
    sees the old sums or the new ones, never a mixture.
    """
    with unit_of_work():
        db.session.execute(sa.delete(VenueMonthRollup))
        db.session.execute(sa.delete(SchoolMonthRollup))
        db.session.execute(sa.delete(CountyMonthRollup))
        columns = ["venue_id", "month", "county_id", "city_id", *RUNNING_COLUMNS, *VENUE_FIELDS]
        db.session.execute(sa.insert(VenueMonthRollup).from_select(columns, _venue_rollup_select()))
        _fill_venue_months()
        db.session.execute(
            sa.insert(CountyMonthRollup).from_select(
                ["county_id", "month", "city_id", *VENUE_FIELDS], _county_rollup_select()
            )
        )
        db.session.execute(
            sa.insert(SchoolMonthRollup).from_select(
                ["school_id", "month", "county_id", "trips", "pupils"], _school_rollup_select()
            )
        )
        refresh = db.session.get(RollupRefresh, 1) or RollupRefresh(id=1)
        refresh.refreshed_at = now or utcnow()
        db.session.add(refresh)
        made = db.session.scalar(sa.select(sa.func.count()).select_from(VenueMonthRollup))
    return int(made or 0)


ROLLUP_TABLES = ("venue_month_rollups", "county_month_rollups", "school_month_rollups")


def vacuum_rollups() -> None:
    """After a rebuild, on PostgreSQL: VACUUM ANALYZE the rollup tables.

    Fresh statistics let the planner see the new rows, and the visibility map lets the
    dashboard's covering indexes answer without reading the table. (VACUUM cannot run inside
    a transaction, hence its own autocommit connection; SQLite needs neither.)
    """
    if db.engine.dialect.name != "postgresql":
        return
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        for table in ROLLUP_TABLES:
            conn.execute(sa.text(f"VACUUM (ANALYZE) {table}"))


def last_refreshed_at() -> datetime | None:
    refresh = db.session.get(RollupRefresh, 1)
    return refresh.refreshed_at if refresh is not None else None


def recount_months(region_clause, start: date, end: date) -> dict[date, dict[str, int]]:
    """The monthly figures of venues matching `region_clause`, counted from the bookings.

    `region_clause` filters the Venue table; months are [start, end] first days.
    """
    both = sa.union_all(
        _session_part().where(region_clause), _booking_part().where(region_clause)
    ).subquery()
    month = both.c.month
    rows = db.session.execute(
        sa.select(month, *[sa.func.sum(both.c[k]).label(k) for k in VENUE_FIELDS])
        .group_by(month)
        .order_by(month)
    ).mappings()
    out: dict[date, dict[str, int]] = {}
    for row in rows:
        key = row["month"] if isinstance(row["month"], date) else date.fromisoformat(row["month"])
        if start <= key <= end:
            out[key] = {k: int(row[k] or 0) for k in VENUE_FIELDS}
    return out


def rollup_months(region_clause=None) -> dict[date, dict[str, int]]:
    """The monthly sums the dashboard reads (all counties unless a clause on the rollup)."""
    r = CountyMonthRollup
    query = sa.select(r.month, *[sa.func.sum(getattr(r, k)).label(k) for k in VENUE_FIELDS])
    if region_clause is not None:
        query = query.where(region_clause)
    rows = db.session.execute(query.group_by(r.month)).mappings()
    return {
        (row["month"] if isinstance(row["month"], date) else date.fromisoformat(row["month"])): {
            k: int(row[k] or 0) for k in VENUE_FIELDS
        }
        for row in rows
    }


def find_rollup_mismatches(venue_clause) -> list[date]:
    """Months whose rollup sums differ from a recount of the bookings and sessions."""
    counted = recount_months(venue_clause, date.min, date.max)
    held = rollup_months()
    return sorted(m for m in counted.keys() | held.keys() if counted.get(m) != held.get(m))


def recount_venue_use(venue_ids, start: date, end: date) -> dict[int, tuple[int, int]]:
    """(visitors booked, visitors who came) per venue with visits on [start, end] dates."""
    everyone = sum(GROUP_COLUMNS.values())
    rows = db.session.execute(
        sa.select(Slot.venue_id, sa.func.sum(booked(everyone)), sa.func.sum(arrived(everyone)))
        .join(Slot, Slot.id == Booking.slot_id)
        .where(Slot.venue_id.in_(venue_ids), Booking.visit_on.between(start, end))
        .group_by(Slot.venue_id)
    ).all()
    return {v: (int(b or 0), int(a or 0)) for v, b, a in rows if b or a}
