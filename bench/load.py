"""The catalogue under load as a province would give it: wrk, random inputs, gunicorn (2 workers).

Every read path is driven by `wrk` with a Lua script that asks something different on each
request (a random point, a random county/stage/free/category combination), so the catalogue
cache cannot answer it; and once more with one fixed URL, with the cache warm. Each path is
measured in rounds alternating with /healthz (hello-world) on the same server, and compared
as the median of the per-round ratios, so other load on a shared machine falls on both alike.

Targets (issue 12):
- near-me API (cache-busted) ≥ 0.30× hello-world;
- filtered list page (cache-busted) ≥ 0.20× and p95 ≤ 50 ms;
- map: the first screen (page, its local scripts and styles, the first points request) is at
  most 150 KB compressed, and every points request (random viewports and zooms) has p95 ≤ 100 ms;
- every worker's resident memory after the whole run ≤ 300 MB.

    python bench/load.py [--venues 10000|100000] [--database sqlite|postgresql]
                         [--seconds 3] [--rounds 3] [--port 5220]

wrk is Debian's package `wrk`; the script installs it with apt-get when it is missing.
"""

import argparse
import gzip
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.harness import get, gunicorn, seed_database  # noqa: E402

TARGETS = {"near": 0.30, "list": 0.20}
LIST_P95_MS = 50.0
POINTS_P95_MS = 100.0
FIRST_SCREEN_BYTES = 150 * 1024
RSS_LIMIT_MB = 300.0
PG_SERVER = "postgresql://postgres@127.0.0.1:5432"

#: Shanxi, roughly: where random points and viewports fall
LAT_RANGE, LNG_RANGE = (34.6, 40.7), (110.2, 114.5)

_DONE = """
done = function(summary, latency, requests)
  io.write(string.format('{"requests": %d, "seconds": %f, "p95_ms": %f, "errors": %d, '
    .. '"non2xx": %d}\\n', summary.requests, summary.duration / 1e6,
    latency:percentile(95) / 1000, summary.errors.connect + summary.errors.read
    + summary.errors.write + summary.errors.timeout, summary.errors.status))
end
"""

_FIXED = "wrk.path = {path}\n"

_NEAR = """
math.randomseed(os.time())
request = function()
  local lat = {lat0} + math.random() * {dlat}
  local lng = {lng0} + math.random() * {dlng}
  return wrk.format("GET", string.format(
    "/api/v1/venues?near=%.5f,%.5f&radius_km=20", lat, lng))
end
"""

_LIST = """
math.randomseed(os.time())
local counties = {{{counties}}}
local stages = {{"", "preschool", "primary", "junior", "senior"}}
local categories = {{{categories}}}
request = function()
  local parts = {{}}
  if math.random() < 0.8 then
    table.insert(parts, "county=" .. counties[math.random(#counties)])
  end
  local stage = stages[math.random(#stages)]
  if stage ~= "" then table.insert(parts, "stage=" .. stage) end
  if math.random() < 0.5 then table.insert(parts, "free=1") end
  if math.random() < 0.5 then
    table.insert(parts, "category=" .. categories[math.random(#categories)])
  end
  return wrk.format("GET", "/?" .. table.concat(parts, "&"))
end
"""

_POINTS = """
math.randomseed(os.time())
request = function()
  local zoom = math.random(7, 14)
  local half_lat = 3.2 / (2 ^ (zoom - 7))
  local half_lng = 4.5 / (2 ^ (zoom - 7))
  local lat = {lat0} + math.random() * {dlat}
  local lng = {lng0} + math.random() * {dlng}
  local south = math.max(34.5, lat - half_lat)
  local north = math.min(40.8, lat + half_lat)
  local west = math.max(110.1, lng - half_lng)
  local east = math.min(114.6, lng + half_lng)
  return wrk.format("GET", string.format(
    "/map/points.json?bbox=%.4f,%.4f,%.4f,%.4f&zoom=%d", west, south, east, north, zoom),
    {{["Accept-Encoding"] = "gzip"}})
end
"""


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    print("wrk is missing: installing Debian's package…", flush=True)
    subprocess.run(["apt-get", "update", "-qq"], check=True)  # noqa: S607
    subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True)  # noqa: S607
    return shutil.which("wrk") or "wrk"


def prepare(database: str, venues: int, workdir: Path) -> tuple[str, callable]:
    """A database made by the migrations and `flask seed --synthetic`, and how to drop it."""
    if database == "sqlite":
        url = f"sqlite:///{workdir / 'load.sqlite'}"

        def drop():
            shutil.rmtree(workdir, ignore_errors=True)
    else:
        import psycopg

        name = f"bench_load_{os.getpid()}"
        with psycopg.connect(PG_SERVER + "/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
        url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"

        def drop():
            with psycopg.connect(PG_SERVER + "/postgres", autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            shutil.rmtree(workdir, ignore_errors=True)

    seconds = seed_database(url, venues)
    print(f"seeded {venues} synthetic venues in {seconds:.1f} s", flush=True)
    if database == "postgresql":
        import psycopg

        with psycopg.connect(url.replace("+psycopg", ""), autocommit=True) as conn:
            conn.execute("VACUUM ANALYZE")
    return url, drop


def region_codes(url: str) -> list[str]:
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    with engine.connect() as conn:
        codes = conn.scalars(
            sa.text("SELECT adcode FROM regions WHERE level = 'county' ORDER BY adcode")
        ).all()
    engine.dispose()
    return list(codes)


def wrk_run(wrk: str, base: str, script: str, seconds: float, workdir: Path) -> dict:
    path = workdir / f"s{random.randrange(1 << 30)}.lua"  # noqa: S311 - a file name
    path.write_text(script, encoding="utf-8")
    out = subprocess.run(
        [
            wrk,
            "-t2",
            "-c8",
            f"-d{max(1, round(seconds))}s",
            "--timeout",
            "10s",
            "-s",
            str(path),
            base,
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    path.unlink()
    figures = json.loads(out.strip().splitlines()[-1])
    figures["rps"] = figures["requests"] / figures["seconds"]
    return figures


def worker_rss_mb(port: int) -> list[float]:
    """Resident memory of each gunicorn worker serving on `port` (not the master)."""
    mark = f"127.0.0.1:{port}".encode()
    procs = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if mark not in (entry / "cmdline").read_bytes():
                continue
            status = (entry / "status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        procs[int(entry.name)] = (
            int(fields["PPid"].strip()),
            int(fields.get("VmRSS", "0 kB").split()[0]) / 1024,
        )
    return [rss for _pid, (ppid, rss) in procs.items() if ppid in procs]


def first_screen_bytes(base: str) -> tuple[int, dict]:
    """Compressed bytes of the map page, its local scripts and styles, and its first points."""

    def fetch(path: str) -> tuple[int, bytes]:
        request = urllib.request.Request(base + path, headers={"Accept-Encoding": "gzip"})
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - localhost
            raw = response.read()
            sent = len(raw)
            if response.headers.get("Content-Encoding") != "gzip":
                # what a server in front (nginx gzip_static) would send for a static file
                sent = len(gzip.compress(raw, 6))
            else:
                raw = gzip.decompress(raw)
            return sent, raw

    parts = {}
    size, html = fetch("/map")
    parts["/map"] = size
    text = html.decode("utf-8")
    for link in re.findall(r'(?:src|href)="(/static/[^"]+\.(?:js|css))"', text):
        parts[link] = fetch(link)[0]
    first = re.search(r'"pointsUrl": ?"([^"]+)"', text)
    points = (first.group(1) if first else "/map/points.json").replace("\\u0026", "&")
    sep = "&" if "?" in points else "?"
    first_points = f"{points}{sep}bbox=110.1,34.5,114.6,40.8&zoom=7"
    parts[first_points] = fetch(first_points)[0]
    return sum(parts.values()), parts


def drain(base: str) -> None:
    """Wait until the workers have finished what the last wrk run left queued (a sync worker
    answers a request whose client has gone), so that it does not count against the next."""
    for _ in range(120):
        started = time.perf_counter()
        get(base + "/healthz")
        if time.perf_counter() - started < 0.2:
            return
        time.sleep(0.5)


def measure(wrk, base, scripts, rounds, seconds, workdir) -> dict:
    figures = {name: [] for name in scripts}
    # wrk's first run against a fresh server may see no answer at all: warm up, not measured
    for script in (_FIXED.format(path='"/healthz"'), *scripts.values()):
        wrk_run(wrk, base, script + _DONE, 1, workdir)
    for _ in range(rounds):
        for name, script in scripts.items():
            drain(base)
            hello = wrk_run(wrk, base, _FIXED.format(path='"/healthz"') + _DONE, seconds, workdir)
            drain(base)
            run = wrk_run(wrk, base, script + _DONE, seconds, workdir)
            run["ratio"] = run["rps"] / hello["rps"] if hello["rps"] else 0.0
            run["hello_rps"] = hello["rps"]
            figures[name].append(run)
    return {
        name: {
            "rps": statistics.median(r["rps"] for r in runs),
            "hello_rps": statistics.median(r["hello_rps"] for r in runs),
            "ratio": statistics.median(r["ratio"] for r in runs),
            "p95_ms": statistics.median(r["p95_ms"] for r in runs),
            "bad": sum(r["errors"] + r["non2xx"] for r in runs),
        }
        for name, runs in figures.items()
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--venues", type=int, default=10_000)
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--seconds", type=int, default=3, help="seconds of one wrk run")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--port", type=int, default=0, help="gunicorn's port (default: free)")
    args = parser.parse_args()

    wrk = ensure_wrk()
    workdir = Path(tempfile.mkdtemp(prefix="bench-load-"))
    print(
        f"{args.database}, {args.venues} venues; load average {os.getloadavg()[0]:.2f}",
        flush=True,
    )
    url, drop = prepare(args.database, args.venues, workdir)
    try:
        counties = region_codes(url)
        box = dict(
            lat0=LAT_RANGE[0],
            dlat=LAT_RANGE[1] - LAT_RANGE[0],
            lng0=LNG_RANGE[0],
            dlng=LNG_RANGE[1] - LNG_RANGE[0],
        )
        from models import VenueCategory

        scripts = {
            "near-me API, random point": _NEAR.format(**box),
            "list, random county/stage/free/category": _LIST.format(
                counties=", ".join(f'"{c}"' for c in counties),
                categories=", ".join(f'"{c.value}"' for c in VenueCategory),
            ),
            "map points, random viewport/zoom": _POINTS.format(**box),
            "near-me API, warm (one URL)": _FIXED.format(
                path='"/api/v1/venues?near=37.87060,112.54890&radius_km=20"'
            ),
            "list, warm (one URL)": _FIXED.format(path='"/?county=140105&stage=primary&free=1"'),
        }
        with gunicorn(url, workers=2, port=args.port or None) as base:
            port = int(base.rsplit(":", 1)[1])
            for path in ("/healthz", "/", "/map", "/api/v1/venues?near=37.8,112.5"):
                get(base + path)
            screen, parts = first_screen_bytes(base)
            results = measure(wrk, base, scripts, args.rounds, args.seconds, workdir)
            rss = worker_rss_mb(port)
    finally:
        drop()

    load = os.getloadavg()
    print(f"load average after: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    ok = True

    def verdict(good: bool) -> str:
        nonlocal ok
        ok &= good
        return "ok" if good else "BELOW TARGET"

    for name, r in results.items():
        line = (
            f"{name:42s} {r['rps']:8.1f} req/s  hello {r['hello_rps']:7.1f}  "
            f"ratio {r['ratio']:.3f}  p95 {r['p95_ms']:6.1f} ms  bad {r['bad']}"
        )
        good = r["bad"] == 0
        if name.startswith("near-me API, random"):
            good &= r["ratio"] >= TARGETS["near"]
            line += f"  (target ≥ {TARGETS['near']})"
        elif name.startswith("list, random"):
            good &= r["ratio"] >= TARGETS["list"] and r["p95_ms"] <= LIST_P95_MS
            line += f"  (target ≥ {TARGETS['list']}, p95 ≤ {LIST_P95_MS:.0f} ms)"
        elif name.startswith("map points"):
            good &= r["p95_ms"] <= POINTS_P95_MS
            line += f"  (target p95 ≤ {POINTS_P95_MS:.0f} ms)"
        print(f"{line}  {verdict(good)}")
    print(
        f"map first screen: {screen / 1024:.1f} KB compressed (target ≤ "
        f"{FIRST_SCREEN_BYTES // 1024} KB)  {verdict(screen <= FIRST_SCREEN_BYTES)}"
    )
    for part, size in sorted(parts.items(), key=lambda p: -p[1])[:6]:
        print(f"    {size / 1024:7.1f} KB  {part}")
    print(
        "worker RSS after the run: "
        + ", ".join(f"{mb:.0f} MB" for mb in rss)
        + f" (target ≤ {RSS_LIMIT_MB:.0f} MB)  {verdict(bool(rss) and max(rss) <= RSS_LIMIT_MB)}"
    )
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
