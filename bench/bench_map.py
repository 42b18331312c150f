"""The /map page at 10,000 venues: bytes sent, and time to first clusters in chromium.

Targets (issue 2), on SQLite under gunicorn with 2 sync workers:
- everything the map page needs (page, local scripts/styles/images, points.json), as served
  over the wire, stays under 600 KB;
- first clusters show within 2.5x the time a map of a single venue takes, measured in the
  same run (runs alternate between the two servers; medians compared).

    python bench/bench_map.py [--venues 10000] [--runs 7]

Tiles are not fetched (requests to other hosts are aborted), as in the browser tests.
"""

import argparse
import contextlib
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BYTES_BUDGET = 600 * 1024
RATIO_TARGET = 2.5
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
FIRST_MARKS = ".marker-cluster, .venue-pin"


def prepare(path: Path, venues: int) -> str:
    """A SQLite database made by the migrations, with Shanxi's regions and `venues` venues."""
    from flask_migrate import upgrade

    from models import db
    from seed.loader import DATA_DIR, load_regions
    from seed.synthetic import add_synthetic_venues
    from webapp import create_app

    url = f"sqlite:///{path}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True, "SECRET_KEY": "bench"})
    with app.app_context():
        upgrade()
        load_regions(db.session, DATA_DIR / "regions.csv")
        db.session.commit()
        # no autoflush: a half-written venue must not be flushed while its region loads
        with db.session.no_autoflush:
            add_synthetic_venues(db.session, venues)
        db.session.remove()
        for engine in db.engines.values():
            engine.dispose()
    return url


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def gunicorn(database_url: str, workers: int = 2):
    port = _free_port()
    env = dict(os.environ, DATABASE_URL=database_url, SECRET_KEY="bench-secret")
    env["PYTHONPATH"] = str(ROOT)
    env.pop("FLASK_DEBUG", None)
    process = subprocess.Popen(  # noqa: S603 - fixed argv
        [sys.executable, "-m", "gunicorn", "-w", str(workers), "-b", f"127.0.0.1:{port}"]
        + ["--log-level", "warning", "webapp:create_app()"],
        env=env,
        cwd=ROOT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                with urllib.request.urlopen(base + "/map/points.json", timeout=5):  # noqa: S310
                    break
            except OSError:
                time.sleep(0.1)
        else:
            raise RuntimeError("gunicorn did not start")
        yield base
    finally:
        process.terminate()
        process.wait(timeout=20)


def _context(browser, base):
    context = browser.new_context(base_url=base, viewport={"width": 1280, "height": 800})
    context.route(re.compile(r"^(?!http://127\.0\.0\.1:\d+/)"), lambda route: route.abort())
    return context


def first_clusters_ms(browser, base: str) -> float:
    """Milliseconds from navigation to the first cluster or pin on /map, with a cold cache."""
    context = _context(browser, base)
    page = context.new_page()
    started = time.perf_counter()
    page.goto("/map", wait_until="commit")
    page.wait_for_selector(FIRST_MARKS, state="visible", timeout=60_000)
    elapsed = (time.perf_counter() - started) * 1000
    context.close()
    return elapsed


def bytes_on_the_wire(browser, base: str) -> list[tuple[str, int]]:
    """(path, bytes as transferred: headers + encoded body) of every request /map makes."""
    context = _context(browser, base)
    page = context.new_page()
    finished = []
    page.on("requestfinished", lambda request: finished.append(request))
    page.goto("/map")
    page.wait_for_selector(FIRST_MARKS, state="visible", timeout=60_000)
    page.wait_for_load_state("networkidle")
    rows = []
    for request in finished:
        sizes = request.sizes()
        path = request.url[len(base) :]
        rows.append((path, sizes["responseBodySize"] + sizes["responseHeadersSize"]))
    context.close()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--venues", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    workdir = Path(tempfile.mkdtemp(prefix="bench-map-"))
    print(f"preparing {args.venues} synthetic venues and a single-venue database…")
    many_url = prepare(workdir / "many.sqlite", args.venues)
    one_url = prepare(workdir / "one.sqlite", 1)

    with gunicorn(many_url) as many, gunicorn(one_url) as one, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        rows = bytes_on_the_wire(browser, many)
        first_clusters_ms(browser, many)  # warm both servers' workers
        first_clusters_ms(browser, one)
        times_many, times_one = [], []
        for _ in range(args.runs):
            times_many.append(first_clusters_ms(browser, many))
            times_one.append(first_clusters_ms(browser, one))
        browser.close()

    total = sum(size for _path, size in rows)
    print(f"\n/map with {args.venues} venues, bytes as served (headers + body):")
    for path, size in sorted(rows, key=lambda r: -r[1]):
        print(f"  {size / 1024:8.1f} KB  {path}")
    verdict = "ok" if total < BYTES_BUDGET else "OVER BUDGET"
    print(f"  {total / 1024:8.1f} KB  total (budget {BYTES_BUDGET // 1024} KB): {verdict}")

    med_many, med_one = statistics.median(times_many), statistics.median(times_one)
    ratio = med_many / med_one
    print(f"\nfirst clusters in chromium, median of {args.runs} cold loads:")
    print(f"  {med_one:8.0f} ms  single venue   (runs: {', '.join(f'{t:.0f}' for t in times_one)})")
    print(
        f"  {med_many:8.0f} ms  {args.venues} venues (runs: "
        f"{', '.join(f'{t:.0f}' for t in times_many)})"
    )
    verdict = "ok" if ratio < RATIO_TARGET else "TOO SLOW"
    print(f"  ratio {ratio:.2f}x (target < {RATIO_TARGET}x): {verdict}")


if __name__ == "__main__":
    main()
