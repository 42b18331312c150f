"""The school's "venues for us, nearest first" and the bureau's talk-request page, at size.

Seeds `--venues` synthetic venues (written straight through SQL: the loader's upserts take
minutes at 100k), schools spread over Shanxi and 5,000 lecturers in the pools serving one
county, on SQLite or on the PostgreSQL server `--database` names (a fresh database is made
and dropped). Then it asks each page through the Flask test client, in this process: every
school's page comes from a different school (a different place, so no cache can answer), and
the talk page from several requests (other topics and dates). Prints the medians, the page
size and the process's memory, and exits non-zero below target.

Targets (issue 12): school's page ≤ 50 ms at 100k venues; talk page ≤ 150 ms and ≤ 200 KB
with 5,000 lecturers; memory ≤ 300 MB after the run.

    python bench/bench_school_and_talks.py [--venues 100000] [--lecturers 5000]
        [--database postgresql://postgres@127.0.0.1:5432/postgres] [--schools 30]
"""

import argparse
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

SCHOOL_PAGE_MS = 50
TALK_PAGE_MS = 150
TALK_PAGE_BYTES = 200_000
MEMORY_MB = 300
PASSWORD = "bench password 1"  # noqa: S105 - a throwaway account in a throwaway database
#: 小店区: its own pool, the Taiyuan city pool and the other Taiyuan county pools serve it
HOST_COUNTY = "140105"


def _fresh_postgres(base: str) -> tuple[str, callable]:
    base = base.replace("postgresql://", "postgresql+psycopg://", 1)
    name = f"bench_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))

    def drop():
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return base.rsplit("/", 1)[0] + "/" + name, drop


def _app(url: str):
    from webapp import create_app

    return create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": "bench",
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
            "GEOCODER": "",
        }
    )


def _insert(table, rows, batch: int = 5000) -> None:
    from models import db

    for start in range(0, len(rows), batch):
        db.session.execute(table.insert(), rows[start : start + batch])


def seed_venues(n: int) -> None:
    """`n` synthetic venues and their stages, inserted in batches (ids 1…n)."""
    from models import Region, RegionLevel, Venue, VenueLevel, db
    from models.venue import Stage, stage_bit, venue_stages
    from seed.synthetic import synthetic_records

    counties = list(
        db.session.scalars(
            sa.select(Region).where(Region.level == RegionLevel.COUNTY).order_by(Region.adcode)
        )
    )
    by_adcode = {c.adcode: c for c in counties}
    venues, stages = [], []
    for i, r in enumerate(synthetic_records(n, counties), start=1):
        county = by_adcode[r["county"]]
        venues.append(
            dict(
                id=i,
                slug=r["slug"],
                name=r["name"],
                name_en=r["name_en"],
                search_text=r["name"],
                level=VenueLevel(r["level"]),
                county_id=county.id,
                city_id=county.parent_id,
                address=r["address"],
                lat=r["lat"],
                lng=r["lng"],
                # the catalogue's stage filter reads the mask the model's setter keeps
                stage_mask=sum(stage_bit(Stage(s)) for s in r["stages"]),
            )
        )
        stages += [dict(venue_id=i, stage=Stage(s)) for s in r["stages"]]
    _insert(Venue.__table__, venues)
    _insert(venue_stages, stages)
    db.session.commit()


def _user(email: str, role, **grant):
    from models import RoleGrant, User, db
    from webapp.services.accounts.credentials import hash_password

    user = User(email=email, name=email.split("@")[0], password_hash=hash_password(PASSWORD))
    user.grants.append(RoleGrant(role=role, **grant))
    db.session.add(user)
    return user


def seed_schools(count: int, rng: random.Random) -> list[str]:
    """Schools at random places over the province, each with its own staff account."""
    from models import Region, RegionLevel, Role, School, db

    counties = db.session.scalars(sa.select(Region).where(Region.level == RegionLevel.COUNTY))
    counties = list(counties)
    emails = []
    for i in range(count):
        county = rng.choice(counties)
        school = School(
            name=f"基准小学{i}",
            county=county,
            lat=county.lat + rng.uniform(-0.1, 0.1),
            lng=county.lng + rng.uniform(-0.1, 0.1),
            stages_csv=rng.choice(["primary", "primary,junior", "senior", "preschool"]),
        )
        db.session.add(school)
        emails.append(f"school{i}@bench.cn")
        _user(emails[-1], Role.SCHOOL_STAFF, school=school)
    db.session.commit()
    return emails


def seed_lecturers(count: int, rng: random.Random) -> list[int]:
    """`count` lecturers in the pools serving HOST_COUNTY, talks given this term, and a few
    open talk requests there; returns the requests' ids."""
    from models import (
        LecturerCategory,
        LectureRequest,
        LecturerPool,
        LectureStatus,
        Region,
        Role,
        School,
        Topic,
        db,
    )
    from models.lecturer import Lecturer, lecturer_topics
    from webapp.services import clock
    from webapp.services.lecturers.figures import semester_bounds

    host_county = db.session.scalar(sa.select(Region).where(Region.adcode == HOST_COUNTY))
    regions = [host_county.parent, *host_county.parent.children]
    pools = []
    for region in regions:
        pool = LecturerPool(region=region, name=f"{region.name}家庭教育讲师团")
        db.session.add(pool)
        pools.append((pool, region))
    topics = [Topic(name=f"主题{i}", name_en=f"Topic {i}") for i in range(12)]
    db.session.add_all(topics)
    school = School(name="基准讲座小学", county=host_county, lat=host_county.lat,
                    lng=host_county.lng, stages_csv="primary")  # fmt: skip
    db.session.add(school)
    _user("bureau@bench.cn", Role.BUREAU_STAFF, region=host_county)
    db.session.flush()
    lecturers, links = [], []
    categories = list(LecturerCategory)
    for i in range(1, count + 1):
        pool, region = rng.choice(pools)
        at_centre = rng.random() < 0.5  # lecturers without an address sit at the pool's centre
        lecturers.append(
            dict(
                id=i,
                pool_id=pool.id,
                name=f"讲师{rng.randint(1, 3000)}",
                category=rng.choice(categories),
                phone=f"139{i:08d}",
                bio="退休教师，长期从事家庭教育指导。" * 3,
                lat=region.lat + (0 if at_centre else rng.uniform(-0.2, 0.2)),
                lng=region.lng + (0 if at_centre else rng.uniform(-0.2, 0.2)),
                free_weekdays_csv=",".join(map(str, sorted(rng.sample(range(1, 8), 3)))),
            )
        )
        links += [dict(lecturer_id=i, topic_id=t.id) for t in rng.sample(topics, rng.randint(1, 3))]
    _insert(Lecturer.__table__, lecturers)
    _insert(lecturer_topics, links)
    today = clock.today()
    start, _end = semester_bounds(today)
    span = max((today - start).days, 1)
    talks = []
    for _ in range(count):
        day = start + timedelta(days=rng.randrange(span))
        talks.append(
            dict(
                school_id=school.id,
                county_id=host_county.id,
                topic_id=rng.choice(topics).id,
                wanted_on=day,
                expected_audience=50,
                place="报告厅",
                status=LectureStatus.DELIVERED,
                lecturer_id=rng.randint(1, count),
                scheduled_on=day,
                delivered_on=day,
                audience_reached=45,
                feedback_score=5,
            )
        )
    _insert(LectureRequest.__table__, talks)
    open_ids = []
    for k in range(5):
        wanted = today + timedelta(days=3 + k * 4)
        req = LectureRequest(
            school=school, county_id=host_county.id, topic=topics[k], wanted_on=wanted,
            wanted_alt_on=wanted + timedelta(days=1), expected_audience=80, place="报告厅",
        )  # fmt: skip
        db.session.add(req)
        db.session.flush()
        open_ids.append(req.id)
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        with db.engine.begin() as conn:  # ids were given: move the sequences past them
            for table in ("lecturers", "venues"):
                conn.execute(
                    sa.text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                        f"(SELECT coalesce(max(id), 1) FROM {table}))"
                    )
                )
    return open_ids


def _logged_in(app, email: str):
    client = app.test_client()
    response = client.post("/auth/login", data={"login": email, "password": PASSWORD})
    if response.status_code not in (302, 303):
        raise RuntimeError(f"login of {email} failed: {response.status_code}")
    return client


_CPU_MS: list[float] = []


def _timed(client, url: str) -> tuple[float, int, int]:
    """(wall ms, status, bytes); this process's CPU ms go to _CPU_MS (on SQLite that is all
    the work, so it shows what the machine's other load hides)."""
    started, cpu = time.perf_counter(), time.process_time()
    response = client.get(url)
    elapsed = (time.perf_counter() - started) * 1000
    _CPU_MS.append((time.process_time() - cpu) * 1000)
    return elapsed, response.status_code, len(response.get_data())


def memory_mb() -> tuple[float, float]:
    """(resident now, peak resident) of this process in MB."""
    figures = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            figures[key] = int(value.split()[0]) / 1024
    return figures["VmRSS"], figures["VmHWM"]


def _median_report(name: str, times: list[float], cpu: list[float], target_ms: float) -> bool:
    median = statistics.median(times)
    ok = median <= target_ms
    print(
        f"{name}: median {median:.1f} ms, p90 {sorted(times)[int(len(times) * 0.9)]:.1f} ms, "
        f"max {max(times):.1f} ms over {len(times)} requests; "
        f"median CPU in this process {statistics.median(cpu):.1f} ms "
        f"(target ≤ {target_ms} ms) {'OK' if ok else 'BELOW TARGET'}"
    )
    return ok


def _seed(url: str, args) -> None:
    """Schema, regions and the data, in a child process: the parent's memory is the worker's."""
    from flask_migrate import upgrade

    from models import db
    from seed.loader import DATA_DIR, load_regions

    app = _app(url)
    rng = random.Random(2026)
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        load_regions(db.session, DATA_DIR / "regions.csv")
        db.session.commit()
        seed_venues(args.venues)
        seed_schools(args.schools, rng)
        seed_lecturers(args.lecturers, rng)
        db.session.remove()
        if db.engine.dialect.name == "postgresql":  # as autovacuum would have by now
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(sa.text("VACUUM ANALYZE"))
        for engine in db.engines.values():
            engine.dispose()


def _open_requests(app) -> list[int]:
    from models import LectureRequest, LectureStatus, db

    with app.app_context():
        ids = db.session.scalars(
            sa.select(LectureRequest.id).where(LectureRequest.status == LectureStatus.REQUESTED)
        ).all()
        db.session.remove()
    return list(ids)


def measure(app, args) -> bool:
    clients = [_logged_in(app, f"school{i}@bench.cn") for i in range(args.schools)]
    for client in clients[:2]:  # warm the templates and the connection pool
        client.get("/booking/trips")
    school_times = []
    _CPU_MS.clear()
    for _round in range(args.rounds):
        for client in clients:
            elapsed, status, _size = _timed(client, "/booking/trips")
            if status != 200:
                raise RuntimeError(f"/booking/trips answered {status}")
            school_times.append(elapsed)
    school_cpu = list(_CPU_MS)
    bureau = _logged_in(app, "bureau@bench.cn")
    open_ids = _open_requests(app)
    bureau.get(f"/lecturers/requests/{open_ids[0]}")
    talk_times, sizes = [], []
    _CPU_MS.clear()
    for _round in range(args.rounds):
        for request_id in open_ids:
            for page in ("", "?page=2"):
                elapsed, status, size = _timed(bureau, f"/lecturers/requests/{request_id}{page}")
                if status != 200:
                    raise RuntimeError(f"the talk page answered {status}")
                talk_times.append(elapsed)
                sizes.append(size)
    talk_cpu = list(_CPU_MS)
    hello = [_timed(bureau, "/healthz")[0] for _ in range(50)]
    print(
        f"for scale, /healthz through the same client: median {statistics.median(hello):.2f} ms "
        f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)"
    )
    ok = _median_report(
        f"school's page at {args.venues} venues", school_times, school_cpu, SCHOOL_PAGE_MS
    )
    ok &= _median_report(
        f"talk-request page with {args.lecturers} lecturers", talk_times, talk_cpu, TALK_PAGE_MS
    )
    size_ok = max(sizes) <= TALK_PAGE_BYTES
    print(
        f"talk-request page size: largest {max(sizes) / 1000:.1f} KB "
        f"(target ≤ {TALK_PAGE_BYTES / 1000:.0f} KB) {'OK' if size_ok else 'BELOW TARGET'}"
    )
    rss, peak = memory_mb()
    memory_ok = rss <= MEMORY_MB
    print(
        f"worker memory after the run: {rss:.0f} MB resident, peak {peak:.0f} MB "
        f"(target ≤ {MEMORY_MB} MB) {'OK' if memory_ok else 'BELOW TARGET'}"
    )
    return ok and size_ok and memory_ok


def run(args) -> bool:
    import multiprocessing

    drop = None
    if args.database.startswith("postgresql"):
        url, drop = _fresh_postgres(args.database)
    else:
        folder = Path(tempfile.mkdtemp(prefix="bench-school-"))
        url = f"sqlite:///{folder / 'bench.sqlite'}"

        def drop():
            shutil.rmtree(folder, ignore_errors=True)

    kind = url.split(":")[0].split("+")[0]
    try:
        started = time.perf_counter()
        seeding = multiprocessing.get_context("fork").Process(target=_seed, args=(url, args))
        seeding.start()
        seeding.join()
        if seeding.exitcode != 0:
            raise RuntimeError("seeding failed")
        print(
            f"{kind}: seeded {args.venues} venues, {args.schools} schools, "
            f"{args.lecturers} lecturers in {time.perf_counter() - started:.0f} s",
            flush=True,
        )
        app = _app(url)
        try:
            return measure(app, args)
        finally:
            from models import db

            with app.app_context():
                for engine in db.engines.values():
                    engine.dispose()
    finally:
        if drop is not None:
            drop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--venues", type=int, default=100_000)
    parser.add_argument("--lecturers", type=int, default=5_000)
    parser.add_argument("--schools", type=int, default=30)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--database", default="sqlite", help="sqlite, or a postgresql:// URL")
    args = parser.parse_args()
    sys.exit(0 if run(args) else 1)


if __name__ == "__main__":
    main()
