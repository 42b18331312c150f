"""The booking benchmark's mixed run: bookings, double cancellations, approvals and check-ins
fired together for a while against gunicorn, then `check-bookings` on what they left.

Everything goes through the real routes with the full rules (many family accounts, the
per-day limit on): families book through the JSON API and cancel each new booking twice at
the same moment; two staff clients approve the same pending school groups at once; two more
check the same codes in at once. Any 500, or any difference `check-bookings` finds, is a miss.
"""

import random
import threading
import time
import uuid
from collections import Counter
from datetime import time as time_of_day
from datetime import timedelta

import requests

PASSWORD = "bench password 123"
DAYS = 20
ACCOUNTS = 60
PENDING = 60
CHECK_INS = 200


def prepare_mixed(url: str) -> dict:
    """Families, a venue's staff, DAYS days of sessions, pending school groups, and confirmed
    bookings for today to check in (rows written directly, counters to match)."""
    from models import (
        Booking,
        BookingChannel,
        BookingKind,
        BookingStatus,
        Role,
        RoleGrant,
        Slot,
        User,
        Venue,
        db,
    )
    from models.user import utcnow
    from webapp import create_app
    from webapp.services.accounts.credentials import hash_password
    from webapp.services.booking.requests import new_code
    from webapp.services.clock import local_date, to_utc

    app = create_app({"SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": url, "TESTING": True})
    with app.app_context():
        venue = db.session.scalar(db.select(Venue).where(Venue.slug == "bench-venue"))
        secret = hash_password(PASSWORD)
        families = [
            User(email=f"family{n}@example.cn", password_hash=secret, grants=[])
            for n in range(ACCOUNTS)
        ]
        for user in families:
            user.grants.append(RoleGrant(role=Role.FAMILY))
        staff = User(email="staff@example.cn", password_hash=secret)
        staff.grants.append(RoleGrant(role=Role.VENUE_STAFF, venue_id=venue.id))
        db.session.add_all([*families, staff])
        now = utcnow()
        first = local_date(now) + timedelta(days=1)
        future = []
        for n in range(DAYS):
            starts = to_utc(first + timedelta(days=n), time_of_day(10))
            future.append(
                Slot(
                    venue=venue,
                    starts_at=starts,
                    ends_at=starts + timedelta(hours=2),
                    capacity=10**6,
                    green_quota=0,
                    taken_general=0,
                    taken_green=0,
                )
            )
        today_at = to_utc(local_date(now), time_of_day(23, 30))
        if today_at <= now:  # late in the local day: the check-ins' session has just started
            today_at = now - timedelta(minutes=5)
        today = Slot(
            venue=venue,
            starts_at=today_at,
            ends_at=today_at + timedelta(minutes=20),
            capacity=10**6,
            green_quota=0,
            taken_general=2 * CHECK_INS,
            taken_green=44 * PENDING,
        )
        db.session.add_all([*future, today])
        db.session.flush()
        rows = []
        for n in range(CHECK_INS + PENDING):
            pending = n >= CHECK_INS
            rows.append(
                Booking(
                    code=new_code(),
                    slot_id=today.id,
                    visit_on=local_date(today.starts_at),
                    channel=BookingChannel.GREEN if pending else BookingChannel.GENERAL,
                    kind=BookingKind.SCHOOL_GROUP if pending else BookingKind.FAMILY,
                    status=BookingStatus.PENDING if pending else BookingStatus.CONFIRMED,
                    booker_id=families[n % ACCOUNTS].id,
                    idempotency_key=uuid.uuid4().hex,
                    primary_pupils=40 if pending else 1,
                    teachers=4 if pending else 0,
                    adults=0 if pending else 1,
                    places=44 if pending else 2,
                    contact_name="基准",
                    contact_phone="13800138000",
                    created_at=now,
                )
            )
        db.session.add_all(rows)
        db.session.commit()
        ids = {
            "venue": venue.id,
            "future": [s.id for s in future],
            "check_in": [b.code for b in rows[:CHECK_INS]],
            "pending": [b.code for b in rows[CHECK_INS:]],
            "families": [u.email for u in families],
        }
        db.session.remove()
        for engine in db.engines.values():
            engine.dispose()
    return ids


def sign_in(base: str, email: str) -> requests.Session:
    """A client signed in through the login form, carrying the CSRF token for the API."""
    client = requests.Session()
    page = client.get(base + "/auth/login").text
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    client.post(
        base + "/auth/login", data={"login": email, "password": PASSWORD, "csrf_token": token}
    )
    client.headers["X-CSRFToken"] = client.get(base + "/api/v1/csrf-token").json()["csrf_token"]
    return client


def recount(url: str) -> list[str]:
    from models import db
    from webapp import create_app
    from webapp.services.booking import capacity

    app = create_app({"SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": url, "TESTING": True})
    with app.app_context():
        differences = [str(d) for d in capacity.recount()]
        db.session.remove()
        for engine in db.engines.values():
            engine.dispose()
    return differences


class Tally:
    def __init__(self):
        self.counts: Counter = Counter()
        self.lock = threading.Lock()

    def add(self, what: str, status) -> None:
        with self.lock:
            self.counts[(what, status)] += 1


def _book_and_cancel_twice(base, client, slot_ids, tally, stop):
    """Book a place on each day in turn (one a day: the limit), then cancel it from two
    threads at once; a day freed by the cancel can be booked again."""
    days = list(slot_ids)
    random.shuffle(days)
    while time.monotonic() < stop:
        for slot_id in days:
            if time.monotonic() >= stop:
                return
            body = {
                "session_id": slot_id,
                "kind": "family",
                "primary_pupils": 1,
                "adults": 1,
                "contact_name": "基准",
                "contact_phone": "13800138000",
                "idempotency_key": uuid.uuid4().hex,
            }
            made = client.post(base + "/api/v1/bookings", json=body)
            tally.add("book", made.status_code)
            if made.status_code != 201:
                continue
            code = made.json()["code"]
            barrier = threading.Barrier(2)

            def cancel(code=code, barrier=barrier):
                barrier.wait()
                status = client.post(base + f"/api/v1/bookings/{code}/cancel", json={}).status_code
                tally.add("cancel", status)

            pair = [threading.Thread(target=cancel) for _n in range(2)]
            for t in pair:
                t.start()
            for t in pair:
                t.join()


def _staff_twice(base, clients, venue_id, codes, what, tally, stop):
    """Two staff clients post the same approvals (or check-ins) at the same moment."""
    for code in codes:
        if time.monotonic() >= stop:
            return
        barrier = threading.Barrier(len(clients))

        def post(client, code=code, barrier=barrier):
            token = client.headers["X-CSRFToken"]
            barrier.wait()
            if what == "approve":
                url, data = f"/console/bookings/{code}/approve", {"csrf_token": token}
            else:
                url, data = (
                    f"/console/venues/{venue_id}/check-in",
                    {"code": code, "csrf_token": token},
                )
            tally.add(what, client.post(base + url, data=data, allow_redirects=False).status_code)

        pair = [threading.Thread(target=post, args=(c,)) for c in clients]
        for t in pair:
            t.start()
        for t in pair:
            t.join()


def mixed(base: str, url: str, ids: dict, seconds: float, families: int = 6) -> dict:
    """Run the mix for `seconds`; returns the counts by (action, status) and the recount."""
    tally = Tally()
    family_clients = [sign_in(base, email) for email in ids["families"][:families]]
    staff = [sign_in(base, "staff@example.cn") for _n in range(2)]
    stop = time.monotonic() + seconds
    threads = [
        threading.Thread(
            target=_book_and_cancel_twice, args=(base, client, ids["future"], tally, stop)
        )
        for client in family_clients
    ]
    threads.append(
        threading.Thread(
            target=_staff_twice,
            args=(base, staff, ids["venue"], ids["pending"], "approve", tally, stop),
        )
    )
    threads.append(
        threading.Thread(
            target=_staff_twice,
            args=(base, staff, ids["venue"], ids["check_in"], "check_in", tally, stop),
        )
    )
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return {"counts": tally.counts, "differences": recount(url)}
