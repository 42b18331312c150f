"""Catalogue speed with 10,000 synthetic venues on SQLite under gunicorn (2 sync workers).

Targets (issue 2): the filtered list page and /api/v1/venues?near=…&radius_km=20 each serve at
least 0.30 of the hello-world rate measured in the same run; near-me computes distances only
for venues inside an SQL bounding box (counted here in-process).

    python bench/bench_catalogue.py [--venues 10000] [--seconds 5]
"""

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import gunicorn, interleaved_ratios, prepare_sqlite, rate  # noqa: E402

TARGET = 0.30


def count_distance_calls(database_url: str) -> tuple[int, int]:
    import sqlalchemy as sa

    import webapp.services.catalogue.search as service
    from models import Venue, db
    from webapp import create_app
    from webapp.services.catalogue.search import VenueFilters, search_venues

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "TESTING": True})
    calls = [0]
    real = service.distance_km

    def counting(a, b):
        calls[0] += 1
        return real(a, b)

    service.distance_km = counting
    try:
        with app.app_context():
            total = db.session.scalar(sa.select(sa.func.count()).select_from(Venue))
            search_venues(VenueFilters(near=(37.8706, 112.5489), radius_km=20))
    finally:
        service.distance_km = real
    return calls[0], total


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--venues", type=int, default=10_000)
    parser.add_argument("--seconds", type=float, default=2.0, help="length of one round")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    print(f"preparing SQLite with the seed and {args.venues} synthetic venues…", flush=True)
    url = prepare_sqlite(args.venues)
    calls, total = count_distance_calls(url)
    print(f"near-me distance computations: {calls} of {total} venues (bounding box first)")

    pages = {
        "list (city + stage + free)": "/?city=140100&stage=primary&free=1",
        "api near 20 km": "/api/v1/venues?near=37.8706,112.5489&radius_km=20",
    }
    with gunicorn(url, workers=2) as base:
        rate(base + "/healthz", seconds=1)  # warm both workers
        for path in pages.values():
            rate(base + path, seconds=1)
        results = interleaved_ratios(base, pages, rounds=args.rounds, seconds=args.seconds)
    print(f"hello-world: {results['hello']['rps']:8.1f} req/s (median of {args.rounds} rounds)")
    ok = True
    for name in pages:
        r = results[name]
        good = r["ratio"] >= TARGET and r["failed"] == 0
        ok &= good
        print(
            f"{name:28s} {r['rps']:8.1f} req/s  ratio {r['ratio']:.2f} (target {TARGET})"
            f"  failed {r['failed']}  {'ok' if good else 'BELOW TARGET'}"
        )
    sys.exit(0 if ok and calls < total else 1)


if __name__ == "__main__":
    main()
