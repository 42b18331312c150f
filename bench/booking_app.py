"""The app as the booking benchmark serves it under gunicorn: real config, plus a hello route.

BENCH_DATABASE_URL names the database; the per-day booking limit is lifted so that one
signed-in client can make many bookings.
"""

import os

from webapp import create_app

app = create_app(
    {
        "SECRET_KEY": os.environ.get("BENCH_SECRET_KEY", "bench-secret-not-dev"),
        "SQLALCHEMY_DATABASE_URI": os.environ["BENCH_DATABASE_URL"],
        "RATELIMIT_ENABLED": False,
        "BOOKING_MAX_ACTIVE_PER_DAY": 10**9,
    }
)


@app.route("/bench/hello")
def hello():
    return "hello"
