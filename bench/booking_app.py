"""The app as the booking benchmark serves it under gunicorn: real config, plus a hello route.

BENCH_DATABASE_URL names the database; the booking rules are the real ones (the per-day
limit on), so the benchmark books from many accounts.
"""

import os

from webapp import create_app

app = create_app(
    {
        "SECRET_KEY": os.environ.get("BENCH_SECRET_KEY", "bench-secret-not-dev"),
        "SQLALCHEMY_DATABASE_URI": os.environ["BENCH_DATABASE_URL"],
        "RATELIMIT_ENABLED": False,
    }
)


@app.route("/bench/hello")
def hello():
    return "hello"
