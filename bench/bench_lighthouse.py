"""Lighthouse (npm, pinned to 12.2.3) on Debian's chromium, mobile defaults, against gunicorn.

Pages: the search page (plain and filtered), a venue page, the map, the family booking form,
a booking's confirmation, 我的预约, the console's Today and a bureau dashboard, each signed in
as the person who would open it. The plainest HTML page (the privacy notice: text only)
measured in the same run is the baseline: each page's largest contentful paint is printed
as a ratio to it (/healthz is plain text, which Lighthouse does not load).

Targets (issue 14): performance >= 95, accessibility 100, best practices 100 on every page;
the search page's HTML plus its CSS and JS under 100 KB compressed. Exits 1 below target.

Each page is measured --runs times (3 by default) and the median of each score is taken:
performance moves with the machine's load, printed (1-minute load average) beside each page.
The pages are served with MAP_TILE_PROVIDER=none (markers on a blank background): this
machine reaches no tile server, and tiles that cannot be fetched only log console errors,
which would cost best-practice points no real visitor sees.

    npm install --prefix bench/.lighthouse lighthouse@12.2.3     # once (the folder is ignored)
    python bench/bench_lighthouse.py [--port 5410] [--runs 3] [--only search,venue]
"""

import argparse
import gzip
import json
import os
import re
import statistics
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import ROOT, get, gunicorn, prepare_sqlite  # noqa: E402

LIGHTHOUSE = ROOT / "bench" / ".lighthouse" / "node_modules" / "lighthouse" / "cli" / "index.js"
CHROME = "/usr/bin/chromium"
SECRET = "bench-secret"  # harness.env_for gives gunicorn this key, so our cookies are valid
TARGETS = {"performance": 95, "accessibility": 100, "best-practices": 100}
SEARCH_PAGE_LIMIT = 100 * 1024


def prepare_people(url: str) -> dict:
    """A family with a coming booking, a venue's staff and a city bureau's staff; returns
    their session cookies and the ids the pages need."""
    from flask_migrate import upgrade  # noqa: F401 - the database is already migrated

    from models import (
        BookingKind,
        Region,
        RegionLevel,
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
    from webapp.services.booking import party as party_service
    from webapp.services.booking import requests, slots

    app = create_app({"SECRET_KEY": SECRET, "SQLALCHEMY_DATABASE_URI": url, "TESTING": True})
    with app.app_context(), app.test_request_context("/"):
        slots.generate_sessions(now=utcnow())
        venue = db.session.scalars(
            db.select(Venue).join(Slot, Slot.venue_id == Venue.id).order_by(Venue.id)
        ).first()
        session = db.session.scalars(
            db.select(Slot)
            .where(Slot.venue_id == venue.id, Slot.starts_at > utcnow() + timedelta(hours=6))
            .order_by(Slot.starts_at)
        ).first()
        city = db.session.scalars(
            db.select(Region).where(Region.level == RegionLevel.CITY).order_by(Region.adcode)
        ).first()
        people = {}
        for key, grant in {
            "family": RoleGrant(role=Role.FAMILY),
            "staff": RoleGrant(role=Role.VENUE_STAFF, venue=venue),
            "bureau": RoleGrant(role=Role.BUREAU_STAFF, region=city),
        }.items():
            user = User(email=f"lh-{key}@example.cn", name="测试", password_hash=hash_password("x"))
            user.grants.append(grant)
            db.session.add(user)
            people[key] = user
        db.session.commit()
        request = party_service.BookingRequest(
            kind=BookingKind.FAMILY,
            party=party_service.Party(primary_pupils=1, adults=1),
            contact_name="王女士",
            contact_phone="13800138000",
            idempotency_key="lighthouse-bench-1",
        )
        booking = requests.create_booking(session, request, by=people["family"], now=utcnow())
        cookies = {}
        for key, user in people.items():
            client = app.test_client()
            with client.session_transaction() as flask_session:
                flask_session["_user_id"] = user.get_id()
                flask_session["_fresh"] = True
            cookies[key] = client.get_cookie("session").value
        ids = {"venue": venue.id, "session": session.id, "code": booking.code}
        db.session.remove()
        for engine in db.engines.values():
            engine.dispose()
    return {"cookies": cookies, "ids": ids}


def pages(ids: dict) -> dict[str, tuple[str, str | None]]:
    """name -> (path, who is signed in)."""
    return {
        "search": ("/", None),
        "search (city, Saturday, free)": ("/?city=140100&free=1&places_on=", None),
        "venue page": (f"/venues/{ids['venue']}", None),
        "map": ("/map", None),
        "booking form": (f"/booking/sessions/{ids['session']}/family", "family"),
        "confirmation": (f"/booking/b/{ids['code']}", "family"),
        "我的预约": ("/booking/mine", "family"),
        "console Today": (f"/console/venues/{ids['venue']}", "staff"),
        "bureau dashboard": ("/bureau/", "bureau"),
    }


SAVE_DIR: Path | None = None  # --save: keep each run's JSON report there


def lighthouse(url: str, cookie: str | None) -> dict:
    command = [
        "node", str(LIGHTHOUSE), url, "--output=json", "--output-path=stdout", "--quiet",
        "--only-categories=performance,accessibility,best-practices",
        "--chrome-flags=--headless=new --no-sandbox --disable-gpu",
    ]  # fmt: skip
    if cookie:
        command.append("--extra-headers=" + json.dumps({"Cookie": f"session={cookie}"}))
    env = {**os.environ, "CHROME_PATH": CHROME}
    done = subprocess.run(  # noqa: S603 - our own fixed command
        command, capture_output=True, text=True, env=env, timeout=300, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"lighthouse failed on {url}: {done.stderr[-800:]}")
    report = json.loads(done.stdout)
    if SAVE_DIR is not None:
        name = re.sub(r"[^A-Za-z0-9]+", "_", url.split("/", 3)[-1]) or "root"
        count = len(list(SAVE_DIR.glob(f"{name}.*.json")))
        (SAVE_DIR / f"{name}.{count}.json").write_text(done.stdout)
    scores = {k: round((v["score"] or 0) * 100) for k, v in report["categories"].items()}
    lcp = report["audits"]["largest-contentful-paint"]["numericValue"]
    failing = [
        a["id"]
        for a in report["audits"].values()
        if a.get("score") is not None and a["score"] < 1 and a.get("scoreDisplayMode") == "binary"
    ]
    return {"scores": scores, "lcp_ms": lcp, "failing": failing}


def median_of(url: str, cookie: str | None, runs: int) -> dict:
    """`runs` Lighthouse runs of one page: the median of each score and of the LCP, and the
    audits failing in any run."""
    results = [lighthouse(url, cookie) for _ in range(runs)]
    scores = {
        key: round(statistics.median(r["scores"][key] for r in results))
        for key in results[0]["scores"]
    }
    failing = sorted({a for r in results for a in r["failing"]})
    lcp = statistics.median(r["lcp_ms"] for r in results)
    every = [r["scores"]["performance"] for r in results]
    return {"scores": scores, "lcp_ms": lcp, "failing": failing, "performance_runs": every}


def compressed_size(base: str, path: str) -> int:
    """gzip bytes of the page's HTML plus every stylesheet and script it links."""
    status, html = get(base + path)
    assert status == 200, path
    total = len(gzip.compress(html))
    text = html.decode()
    for asset in re.findall(r'(?:href|src)="(/static/[^"]+\.(?:css|js))"', text):
        _status, body = get(base + asset)
        total += len(gzip.compress(body))
    return total


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=5410, help="gunicorn port")
    parser.add_argument("--only", default="", help="comma-separated page names to measure")
    parser.add_argument("--runs", type=int, default=3, help="runs per page (median taken)")
    parser.add_argument("--save", default="", help="folder to keep the JSON reports in")
    args = parser.parse_args()
    global SAVE_DIR
    if args.save:
        SAVE_DIR = Path(args.save)
        SAVE_DIR.mkdir(parents=True, exist_ok=True)
    os.environ["MAP_TILE_PROVIDER"] = "none"  # gunicorn's environment: see the docstring
    if not LIGHTHOUSE.exists():
        print("install Lighthouse first: npm install --prefix bench/.lighthouse lighthouse@12.2.3")
        return 2
    print("preparing SQLite with the seed…", flush=True)
    url = prepare_sqlite(0)
    prepared = prepare_people(url)
    wanted = [n.strip() for n in args.only.split(",") if n.strip()]
    ok = True
    with gunicorn(url, workers=2, port=args.port) as base:
        size = compressed_size(base, "/")
        print(f"search page HTML+CSS+JS: {size / 1024:.1f} KB compressed (limit 100 KB)")
        ok &= size < SEARCH_PAGE_LIMIT
        baseline = median_of(base + "/auth/privacy", None, args.runs)
        print(f"baseline /auth/privacy: LCP {baseline['lcp_ms']:.0f} ms (median of {args.runs})")
        print(f"{'page':32} perf a11y  bp   LCP ms  LCP/baseline  load  perf runs  failing audits")
        for name, (path, who) in pages(prepared["ids"]).items():
            if wanted and name not in wanted:
                continue
            cookie = prepared["cookies"].get(who) if who else None
            result = median_of(base + path, cookie, args.runs)
            s = result["scores"]
            ratio = result["lcp_ms"] / max(baseline["lcp_ms"], 1)
            runs = "/".join(str(p) for p in result["performance_runs"])
            print(
                f"{name:32} {s['performance']:4} {s['accessibility']:4} {s['best-practices']:4}"
                f" {result['lcp_ms']:8.0f} {ratio:12.2f} {os.getloadavg()[0]:5.1f}  {runs:9}"
                f"  {' '.join(result['failing'][:6])}",
                flush=True,
            )
            ok &= all(s[k] >= v for k, v in TARGETS.items())
    print("PASS" if ok else "FAIL: below target")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
