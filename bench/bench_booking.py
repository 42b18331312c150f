"""Booking benchmark under gunicorn (4 workers), on SQLite and on PostgreSQL.

1. 500 simultaneous booking attempts (1 place each) for a session of 50 places: exactly 50
   must be taken, with no 500s.
2. The booking rate when places are plentiful, in bookings/s, beside the hello-world rate of
   the same run (target: at least 0.10 of hello-world on SQLite).

Usage: .venv/bin/python bench/bench_booking.py [--pg postgresql://postgres@127.0.0.1:5432/postgres]
       [--only sqlite|pg] [--seconds 5] [--threads 8]
Ports 8201-8299.
"""

import argparse
import os
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

PASSWORD = "bench password 123"
PYTHON = sys.executable
GUNICORN = str(Path(PYTHON).with_name("gunicorn"))


def prepare_database(url: str) -> dict:
    """Migrate, then add a venue, a 50-place session, a huge session and a family account."""
    from flask_migrate import upgrade

    from models import Region, RegionLevel, Role, RoleGrant, Session, User, Venue, VenueLevel, db
    from models.user import utcnow
    from webapp import create_app
    from webapp.services.accounts import hash_password

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
        small = Session(
            venue=venue,
            starts_at=starts,
            ends_at=starts + timedelta(hours=2),
            capacity=50,
            green_quota=0,
            taken_general=0,
            taken_green=0,
        )
        big = Session(
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


def count_taken(url: str, session_id: int) -> tuple[int, int]:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        taken = conn.execute(
            sa.text("SELECT taken_general + taken_green FROM sessions WHERE id = :i"),
            {"i": session_id},
        ).scalar()
        held = conn.execute(
            sa.text(
                "SELECT COALESCE(SUM(places), 0) FROM bookings WHERE session_id = :i "
                "AND status IN ('pending', 'confirmed', 'checked_in')"
            ),
            {"i": session_id},
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
        self.proc.wait(timeout=20)


def signed_in(base: str) -> tuple[dict, str]:
    """Cookies and CSRF token of a signed-in family account."""
    client = requests.Session()
    page = client.get(base + "/auth/login").text
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    client.post(
        base + "/auth/login",
        data={"login": "bench@example.cn", "password": PASSWORD, "csrf_token": token},
    )
    api_token = client.get(base + "/api/v1/csrf-token").json()["csrf_token"]
    return client.cookies.get_dict(), api_token


def book_body(session_id: int) -> dict:
    return {
        "session_id": session_id,
        "kind": "family",
        "primary_pupils": 1,
        "contact_name": "基准",
        "contact_phone": "13800138000",
        "idempotency_key": uuid.uuid4().hex,
    }


def burst(base: str, session_id: int, attempts: int) -> Counter:
    cookies, token = signed_in(base)
    barrier = threading.Barrier(attempts)
    statuses: Counter = Counter()
    lock = threading.Lock()

    def attempt():
        client = requests.Session()
        client.cookies.update(cookies)
        barrier.wait()
        try:
            status = client.post(
                base + "/api/v1/bookings",
                json=book_body(session_id),
                headers={"X-CSRFToken": token},
                timeout=120,
            ).status_code
        except requests.RequestException as error:
            status = f"error {type(error).__name__}"
        with lock:
            statuses[status] += 1

    threads = [threading.Thread(target=attempt) for _ in range(attempts)]
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
        client = requests.Session()
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


def run(label: str, url: str, port: int, seconds: float, threads: int) -> dict:
    ids = prepare_database(url)
    with Server(url, port) as server:
        statuses = burst(server.base, ids["small"], 500)
        taken, held = count_taken(url, ids["small"])
        hello_rate, _ = rate(
            server.base,
            seconds,
            threads,
            lambda c: c.get(server.base + "/bench/hello").status_code,
        )
        cookies, token = signed_in(server.base)

        def book(client):
            client.cookies.update(cookies)
            return client.post(
                server.base + "/api/v1/bookings",
                json=book_body(ids["big"]),
                headers={"X-CSRFToken": token},
            ).status_code

        booking_rate, booking_statuses = rate(server.base, seconds, threads, book)
    print(f"\n== {label}")
    print(f"500 simultaneous attempts on a 50-place session: statuses {dict(statuses)}")
    print(
        f"   places taken: {taken}, places held by bookings: {held}  "
        f"({'OK' if taken == held == 50 and 500 not in statuses else 'WRONG'})"
    )
    print(f"hello-world: {hello_rate:.0f} req/s")
    print(
        f"booking (plentiful places): {booking_rate:.0f} bookings/s  statuses "
        f"{dict(booking_statuses)}"
    )
    print(f"ratio booking / hello-world: {booking_rate / hello_rate:.2f}")
    return {"taken": taken, "held": held, "statuses": statuses, "ratio": booking_rate / hello_rate}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--pg", default=os.environ.get("BENCH_PG_URL", ""))
    parser.add_argument("--only", choices=["sqlite", "pg"])
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args()
    if args.only != "pg":
        with tempfile.TemporaryDirectory() as tmp:
            url = f"sqlite:///{tmp}/bench.sqlite"
            run("SQLite (file)", url, 8211, args.seconds, args.threads)
    if args.only != "sqlite" and args.pg:
        base = args.pg.replace("postgresql://", "postgresql+psycopg://", 1)
        name = f"bench_{uuid.uuid4().hex[:10]}"
        admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        try:
            run("PostgreSQL", base.rsplit("/", 1)[0] + "/" + name, 8212, args.seconds, args.threads)
        finally:
            with admin.connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()


if __name__ == "__main__":
    main()
