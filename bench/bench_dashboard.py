"""The supervision dashboard over a year of a million bookings, on PostgreSQL.

Targets (issue 11), each against one ``SELECT count(*) FROM bookings`` timed in the same run:
- the whole province's dashboard for the year answers within 3x that count;
- a county's dashboard answers within 1x.

    python bench/bench_dashboard.py [--venues 10000] [--bookings 1000000] [--runs 7]
        [--url postgresql://postgres@127.0.0.1:5432/postgres]

It makes a fresh database on that server (dropped afterwards), builds the data in SQL with
generate_series (minutes at most), rebuilds the rollups as cron would (`flask
refresh-dashboard`), then times `get_dashboard` for the province, three cities and three
counties over three periods (the year, a half year, a quarter), each timing next to a count of
its own. Each run takes other cities, counties and months, so no query repeats another's and
nothing cached answers it. Medians are compared; the load average is printed beside them (the
machine may be shared); the exit status is 1 when a target is missed.

    --keep leaves the database for profiling; --database NAME measures it again.
"""

import argparse
import os
import statistics
import sys
import time
import uuid
from datetime import date, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PROVINCE_TARGET = 3.0
COUNTY_TARGET = 1.0
YEAR = 2025
#: the dashboard is read "now": the end of the benchmark's year, Beijing time
NOW = datetime(YEAR, 12, 31, 4, 0)
#: the periods of run `n`: the year, and a half year and a quarter whose months move from one
#: run to the next, so that no run repeats another's query (nothing cached can answer it)
def periods(n: int) -> dict[str, tuple[date, date]]:
    half, quarter = 1 + n % 7, 1 + (3 * n + 1) % 10
    return {
        "year": (date(YEAR, 1, 1), date(YEAR, 12, 31)),
        "half": (date(YEAR, half, 1), _month_end(half + 5)),
        "quarter": (date(YEAR, quarter, 1), _month_end(quarter + 2)),
    }


def _month_end(month: int) -> date:
    return date(YEAR, month + 1, 1) - timedelta(days=1) if month < 12 else date(YEAR, 12, 31)


_VENUES = """
INSERT INTO venues (slug, name, name_en, name_pinyin, search_text, level, county_id, city_id,
    address, lat, lng, is_location_approximate, phone, description, transport, is_accessible,
    accessibility, is_free_for_children)
SELECT 'bench-' || g, '测试场馆' || g, 'Bench venue ' || g, 'ceshi ' || g, '', 'county',
    c.id, c.parent_id, '测试路' || g || '号', c.lat + (g % 100) * 0.001, c.lng + (g % 37) * 0.001,
    false, '', '', '', g % 3 = 0, '', g % 2 = 0
FROM generate_series(1, :venues) AS g
JOIN (SELECT id, parent_id, lat, lng, row_number() OVER (ORDER BY adcode) - 1 AS n
      FROM regions WHERE level = 'county') AS c ON c.n = g % :counties
"""
_CATEGORIES = """
INSERT INTO venue_categories (venue_id, category)
SELECT id, (ARRAY['museum', 'library', 'memorial_hall', 'science_museum', 'youth_palace',
                  'patriotic_education'])[1 + id % 6] FROM venues
"""
_SCHOOLS = """
INSERT INTO schools (name, county_id, address, lat, lng, is_location_approximate, stages_csv)
SELECT '测试学校' || g, c.id, '', c.lat, c.lng, true, 'primary'
FROM generate_series(1, :schools) AS g
JOIN (SELECT id, lat, lng, row_number() OVER (ORDER BY adcode) - 1 AS n
      FROM regions WHERE level = 'county') AS c ON c.n = g % :counties
"""
_USERS = """
INSERT INTO users (email, name, password_hash, is_enabled, session_version, created_at)
SELECT 'bench' || g || '@example.cn', '用户' || g, 'x', true, 1, now()
FROM generate_series(1, :users) AS g
"""
# two sessions a month per venue, one in four of them an open day
_SESSIONS = """
INSERT INTO slots (venue_id, kind, starts_at, ends_at, title, programme, capacity,
    green_quota, taken_general, taken_green, held_general, held_green, is_cancelled)
SELECT v.id, CASE WHEN k % 4 = 0 THEN 'open_day' ELSE 'regular' END,
    timestamp '2025-01-03 01:00' + (k * 15 + v.id % 7) * interval '1 day',
    timestamp '2025-01-03 03:00' + (k * 15 + v.id % 7) * interval '1 day',
    '', '', 400, 50, 0, 0, 0, 0, k % 23 = 22
FROM venues AS v CROSS JOIN generate_series(0, 23) AS k
"""
_BOOKINGS = """
INSERT INTO bookings (code, slot_id, visit_on, channel, kind, status, booker_id, school_id,
    idempotency_key, preschool, primary_pupils, junior, senior, adults, teachers, places,
    left_behind, disabled, orphaned, special_family, group_name, lead_teacher, contact_name,
    contact_phone, price_yuan, reason, created_at)
SELECT 'B' || g, s.id, (s.starts_at + interval '8 hours')::date,
    CASE WHEN g % 4 = 0 THEN 'green' ELSE 'general' END,
    CASE WHEN g % 20 = 0 THEN 'school_group' ELSE 'family' END,
    (ARRAY['cancelled', 'no_show', 'pending', 'confirmed', 'confirmed', 'confirmed',
           'checked_in', 'checked_in', 'checked_in', 'checked_in'])[1 + g % 10],
    1 + g % :users, CASE WHEN g % 20 = 0 THEN 1 + g % :schools END, 'k' || g,
    (g % 5 = 0)::int, 1 + g % 3, g % 11 % 2, (g % 13 = 0)::int, 1, 0,
    (g % 5 = 0)::int + 1 + g % 3 + g % 11 % 2 + (g % 13 = 0)::int + 1,
    (g % 4 = 0)::int, (g % 8 = 0)::int, 0, (g % 12 = 0)::int,
    '', '', '王女士', '13800138000', 0, '', now()
FROM generate_series(1, :bookings) AS g
JOIN slots AS s ON s.id = 1 + g % :sessions
"""


def build(url: str, venues: int, bookings: int) -> float:
    from models import db
    from seed.loader import DATA_DIR, load_regions
    from webapp import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True, "SECRET_KEY": "bench"})
    started = time.perf_counter()
    with app.app_context():
        db.create_all()
        load_regions(db.session, DATA_DIR / "regions.csv")
        db.session.commit()
        counties = db.session.scalar(
            sa.text("SELECT count(*) FROM regions WHERE level = 'county'")
        )
        params = {"venues": venues, "counties": counties, "schools": 2000, "users": 1000}
        for statement in (_VENUES, _CATEGORIES, _SCHOOLS, _USERS, _SESSIONS):
            db.session.execute(sa.text(statement), params)
        params["sessions"] = db.session.scalar(sa.text("SELECT count(*) FROM slots"))
        params["bookings"] = bookings
        db.session.execute(sa.text(_BOOKINGS), params)
        db.session.commit()
    return time.perf_counter() - started


def _timed(fn) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def measure(url: str, runs: int) -> dict:
    from models import Region, RegionLevel, Role, db
    from tests.factories import make_user
    from webapp import create_app
    from webapp.services.supervision import dashboard, rollups

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True, "SECRET_KEY": "bench"})
    with app.app_context(), app.test_request_context("/"):
        refresh = _timed(lambda: (rollups.refresh_rollups(now=NOW), rollups.vacuum_rollups()))
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(sa.text("VACUUM ANALYZE"))
        admin = make_user(Role.ADMIN, email=f"bench-admin-{uuid.uuid4().hex[:8]}@example.cn")
        db.session.commit()
        province = db.session.scalar(sa.select(Region).where(Region.level == RegionLevel.PROVINCE))
        cities = db.session.scalars(
            sa.select(Region).where(Region.level == RegionLevel.CITY).order_by(Region.adcode)
        ).all()
        counties = db.session.scalars(
            sa.select(Region).where(Region.level == RegionLevel.COUNTY).order_by(Region.adcode)
        ).all()
        count_sql = sa.text("SELECT count(*) FROM bookings")
        times: dict[str, list[float]] = {"count": [], "province": [], "city": [], "county": []}
        load = [os.getloadavg()]
        for run in range(runs):
            # different cities and counties each run, spread over the province
            cases = {
                "province": [province],
                "city": [cities[(run * 5 + k * 4) % len(cities)] for k in range(3)],
                "county": [counties[(run * 37 + k * 41) % len(counties)] for k in range(3)],
            }
            for level, regions in cases.items():
                for region in regions:
                    for start, end in periods(run).values():
                        times["count"].append(
                            _timed(lambda: db.session.execute(count_sql).scalar())
                        )
                        times[level].append(_timed(lambda r=region, s=start, e=end: (
                            dashboard.get_dashboard(r, s, e, by=admin, now=NOW))))
                        db.session.rollback()
        load.append(os.getloadavg())
        figures = dashboard.get_dashboard(province, *periods(0)["year"], by=admin, now=NOW)
        total = db.session.execute(count_sql).scalar()
    return {
        "refresh": refresh, "times": times, "figures": figures, "bookings": total, "load": load,
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--venues", type=int, default=10_000)
    parser.add_argument("--bookings", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--keep", action="store_true",
                        help="leave the database built (its name is printed) for profiling")
    parser.add_argument("--database", help="measure an earlier --keep database, not building")
    args = parser.parse_args()
    base = args.url.replace("postgresql://", "postgresql+psycopg://", 1)
    name = args.database or f"bench_dashboard_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    if not args.database:
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = base.rsplit("/", 1)[0] + "/" + name
    try:
        built = 0.0 if args.database else build(url, args.venues, args.bookings)
        result = measure(url, args.runs)
    finally:
        if args.keep or args.database:
            print(f"database kept: {name}")
        else:
            with admin.connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    times = result["times"]
    baseline = statistics.median(times["count"])
    print(f"venues {args.venues}, bookings {result['bookings']}; built in {built:.1f} s; "
          f"rollups rebuilt in {result['refresh']:.1f} s")
    (before, *_rest), (after, *_rest2) = result["load"]
    print(f"load average (1 min) {before:.2f} before the timed runs, {after:.2f} after "
          f"({os.cpu_count()} cores)")
    print(f"baseline SELECT count(*) FROM bookings: median {baseline * 1000:.1f} ms "
          f"over {len(times['count'])} runs")
    figures = result["figures"]
    arrived = sum(figures.totals[f"arrived_{g}"] for g in ("preschool", "primary", "junior",
                                                           "senior", "adults"))
    print(f"province, {YEAR}: {figures.totals['bookings']} bookings counted, "
          f"{arrived} visitors arrived")
    failed = False
    for level, target in (("province", PROVINCE_TARGET), ("city", None),
                          ("county", COUNTY_TARGET)):
        median = statistics.median(times[level])
        ratio = median / baseline
        verdict = "" if target is None else (" ok" if ratio <= target else " MISSED")
        goal = f" (target <= {target:g}x)" if target is not None else ""
        print(f"{level:8} dashboard: median {median * 1000:.1f} ms = {ratio:.2f}x count{goal}"
              f"{verdict}")
        failed |= target is not None and ratio > target
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
