"""Booking benchmark under gunicorn (4 workers), on SQLite and on PostgreSQL.

Every figure uses the full rules: many family accounts, the per-day limit on.

1. 500 simultaneous booking attempts (1 place each, from 60 accounts) for a session of 50
   places: exactly 50 must be taken, with no 500s.
2. The booking rate when places are plentiful (each account books one place a day, across
   the days), in bookings/s, beside the hello-world rate of the same run (target: at least
   0.10 of hello-world on SQLite).
3. The mixed run (`--seconds`, 60 by default): bookings, double cancellations of the same
   bookings, approvals and check-ins together (bench/mixed_run.py); then check-bookings.

Exits 1 on a miss: a wrong count, any 500, any check-bookings difference, a rate below target.
Usage: .venv/bin/python bench/bench_booking.py [--pg postgresql://postgres@127.0.0.1:5432/postgres]
       [--only sqlite|pg] [--seconds 60] [--rate-seconds 5] [--threads 8] [--port 8211]
Ports 8211 and 8212 unless --port is given (then it and the next).
"""

import argparse
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from datetime import timedelta
from pathlib import Path

import requests
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.mixed_run import PASSWORD, mixed, prepare_mixed, sign_in  # noqa: E402

TARGET_RATIO = 0.10
PYTHON = sys.executable
GUNICORN = str(Path(PYTHON).with_name("gunicorn"))


def prepare_database(url: str) -> dict:
    """Migrate, then add a venue, a 50-place session, a huge session and a family account."""
    from flask_migrate import upgrade

    from models import Region, RegionLevel, Role, RoleGrant, Slot, User, Venue, VenueLevel, db
    from models.user import utcnow
    from webapp import create_app
    from webapp.services.accounts.credentials import hash_password

    app = create_app({"SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": url, "TESTING": True})
    with app.app_context():
        upgrade()
        city = Region(adcode="149901", name="基准市", level=RegionLevel.CITY, lat=37.8, lng=112.5)
        county = Region(
            adcode="149902",
            name="基准区",
            level=RegionLevel.COUNTY,
            lat=37.8,
            lng=112.5,
            parent=city,
        )
        venue = Venue(
            slug="bench-venue",
            name="基准场馆",
            level=VenueLevel.PROVINCIAL,
            county=county,
            city=city,
            address="基准路1号",
            lat=37.8,
            lng=112.5,
        )
        starts = utcnow() + timedelta(days=2)
        small = Slot(
            venue=venue,
            starts_at=starts,
            ends_at=starts + timedelta(hours=2),
            capacity=50,
            green_quota=0,
            taken_general=0,
            taken_green=0,
        )
        big = Slot(
            venue=venue,
            starts_at=starts + timedelta(hours=3),
            ends_at=starts + timedelta(hours=5),
            capacity=10**9,
            green_quota=0,
            taken_general=0,
            taken_green=0,
        )
        user = User(email="bench@example.cn", password_hash=hash_password(PASSWORD))
        user.grants.append(RoleGrant(role=Role.FAMILY))
        db.session.add_all([city, county, venue, small, big, user])
        db.session.commit()
        ids = {"small": small.id, "big": big.id}
        db.session.remove()
        for engine in db.engines.values():
            engine.dispose()
    return ids


def count_taken(url: str, slot_id: int) -> tuple[int, int]:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        taken = conn.execute(
            sa.text("SELECT taken_general + taken_green FROM slots WHERE id = :i"),
            {"i": slot_id},
        ).scalar()
        held = conn.execute(
            sa.text(
                "SELECT COALESCE(SUM(places), 0) FROM bookings WHERE session_id = :i "
                "AND status IN ('pending', 'confirmed', 'checked_in')"
            ),
            {"i": slot_id},
        ).scalar()
    engine.dispose()
    return taken, held


class Server:
    def __init__(self, url: str, port: int):
        self.url, self.port = url, port
        self.base = f"http://127.0.0.1:{port}"

    def __enter__(self):
        env = {
            **os.environ,
            "BENCH_DATABASE_URL": self.url,
            "PYTHONPATH": str(ROOT),
            # the benchmark talks plain HTTP to 127.0.0.1: Secure cookies would never come back
            "SESSION_COOKIE_SECURE": "0",
        }
        env.pop("FLASK_DEBUG", None)
        self.proc = subprocess.Popen(
            [
                GUNICORN,
                "-w",
                "4",
                "-b",
                f"127.0.0.1:{self.port}",
                "--backlog",
                "2048",
                "--timeout",
                "60",
                "--log-level",
                "warning",
                "bench.booking_app:app",
            ],
            cwd=ROOT,
            env=env,
        )
        for _ in range(100):
            try:
                if requests.get(self.base + "/bench/hello", timeout=1).ok:
                    return self
            except requests.RequestException:
                time.sleep(0.2)
        raise RuntimeError("gunicorn did not start")

    def __exit__(self, *exc):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:  # workers stuck on a request: do not hide the error
            self.proc.kill()
            self.proc.wait(timeout=20)


def book_body(slot_id: int) -> dict:
    return {
        "session_id": slot_id,
        "kind": "family",
        "primary_pupils": 1,
        "adults": 1,  # a child comes with an adult (issue 14)
        "contact_name": "基准",
        "contact_phone": "13800138000",
        "idempotency_key": uuid.uuid4().hex,
    }


def burst(clients: list, base: str, slot_id: int, attempts: int) -> Counter:
    """`attempts` booking requests at one moment, spread over the accounts' clients."""
    barrier = threading.Barrier(attempts)
    statuses: Counter = Counter()
    lock = threading.Lock()

    def attempt(n):
        client = requests.Slot()
        client.cookies.update(clients[n % len(clients)].cookies.get_dict())
        client.headers.update(clients[n % len(clients)].headers)
        barrier.wait()
        try:
            status = client.post(
                base + "/api/v1/bookings", json=book_body(slot_id), timeout=120
            ).status_code
        except requests.RequestException as error:
            status = f"error {type(error).__name__}"
        with lock:
            statuses[status] += 1

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(attempts)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return statuses


def rate(base: str, seconds: float, threads: int, make_request) -> tuple[float, Counter]:
    stop = time.monotonic() + seconds
    statuses: Counter = Counter()
    lock = threading.Lock()

    def loop():
        client = requests.Slot()
        local: Counter = Counter()
        while time.monotonic() < stop:
            local[make_request(client)] += 1
        with lock:
            statuses.update(local)

    workers = [threading.Thread(target=loop) for _ in range(threads)]
    started = time.monotonic()
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    elapsed = time.monotonic() - started
    ok = sum(n for s, n in statuses.items() if s in (200, 201))
    return ok / elapsed, statuses


def run(label: str, url: str, port: int, seconds: float, rate_seconds: float, threads: int):
    """One database's figures; returns the list of misses (empty when all is well)."""
    ids = prepare_database(url)
    mixed_ids = prepare_mixed(url)
    misses = []
    with Server(url, port) as server:
        clients = [sign_in(server.base, email) for email in mixed_ids["families"]]
        statuses = burst(clients, server.base, ids["small"], 500)
        taken, held = count_taken(url, ids["small"])
        hello_rate, _ = rate(
            server.base,
            rate_seconds,
            threads,
            lambda c: c.get(server.base + "/bench/hello").status_code,
        )
        # each account books one place a day: (account, day) pairs, shuffled, never reused
        pairs = [(c, day) for day in mixed_ids["future"] for c in clients]
        random.shuffle(pairs)
        pairs_lock = threading.Lock()

        def book(_client):
            with pairs_lock:
                if not pairs:
                    return "no pairs left"
                client, day = pairs.pop()
            return client.post(server.base + "/api/v1/bookings", json=book_body(day)).status_code

        booking_rate, booking_statuses = rate(server.base, rate_seconds, threads, book)
        result = mixed(server.base, url, mixed_ids, seconds)
    print(f"\n== {label}")
    print(f"500 simultaneous attempts on a 50-place session: statuses {dict(statuses)}")
    burst_ok = taken == held == 50 and 500 not in statuses
    print(
        f"   places taken: {taken}, places held by bookings: {held}  "
        f"({'OK' if burst_ok else 'WRONG'})"
    )
    if not burst_ok:
        misses.append("burst")
    print(f"hello-world: {hello_rate:.0f} req/s")
    print(
        f"booking ({len(clients)} accounts, one a day each, limit on): {booking_rate:.0f} "
        f"bookings/s  statuses {dict(booking_statuses)}"
    )
    ratio = booking_rate / hello_rate
    print(f"ratio booking / hello-world: {ratio:.2f} (target {TARGET_RATIO:.2f} on SQLite)")
    if label.startswith("SQLite") and ratio < TARGET_RATIO:
        misses.append("booking rate")
    if 500 in booking_statuses:
        misses.append("500 while booking")
    print(f"mixed run, {seconds:.0f} s: requests by (action, status):")
    for (what, status), n in sorted(result["counts"].items(), key=str):
        print(f"   {what:9} {status}: {n}")
    if any(status == 500 for _what, status in result["counts"]):
        misses.append("500 in the mixed run")
    print(f"check-bookings: {len(result['differences'])} difference(s)")
    for line in result["differences"]:
        print(f"   {line}")
    if result["differences"]:
        misses.append("check-bookings difference")
    print("RESULT:", "OK" if not misses else "MISSED " + ", ".join(misses))
    return misses


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--pg", default=os.environ.get("BENCH_PG_URL", ""))
    parser.add_argument("--only", choices=["sqlite", "pg"])
    parser.add_argument("--seconds", type=float, default=60, help="length of the mixed run")
    parser.add_argument("--rate-seconds", type=float, default=5)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--port", type=int, default=8211)
    args = parser.parse_args()
    misses = []
    if args.only != "pg":
        with tempfile.TemporaryDirectory() as tmp:
            url = f"sqlite:///{tmp}/bench.sqlite"
            misses += run(
                "SQLite (file)", url, args.port, args.seconds, args.rate_seconds, args.threads
            )
    if args.only != "sqlite" and args.pg:
        base = args.pg.replace("postgresql://", "postgresql+psycopg://", 1)
        name = f"bench_{uuid.uuid4().hex[:10]}"
        admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        try:
            url = base.rsplit("/", 1)[0] + "/" + name
            misses += run(
                "PostgreSQL", url, args.port + 1, args.seconds, args.rate_seconds, args.threads
            )
        finally:
            with admin.connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
    sys.exit(1 if misses else 0)


if __name__ == "__main__":
    main()
