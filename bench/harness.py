"""Shared benchmark plumbing: a seeded database, gunicorn, and a request-rate meter.

Figures are compared as ratios against a hello-world route (/healthz) measured in the same
run on the same server, because these machines are shared and noisy.
"""

import contextlib
import http.client
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def env_for(database_url: str) -> dict:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url,
        SECRET_KEY="bench-secret",
        FLASK_APP="webapp",
        PYTHONPATH=str(ROOT),
    )
    env.pop("FLASK_DEBUG", None)
    return env


def seed_database(url: str, synthetic: int) -> float:
    """Upgrade the database at `url` by the migrations and load the seed with `synthetic`
    extra venues (`flask seed --synthetic`); the seconds the seeding took."""
    env = env_for(url)
    flask = [PYTHON, "-m", "flask"]
    subprocess.run([*flask, "db", "upgrade"], env=env, cwd=ROOT, check=True, capture_output=True)
    started = time.perf_counter()
    subprocess.run(
        [*flask, "seed", "--synthetic", str(synthetic)],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - started


def prepare_sqlite(synthetic: int, workdir: Path | None = None) -> str:
    """A SQLite file upgraded by the migrations, with the seed and `synthetic` extra venues."""
    workdir = workdir or Path(tempfile.mkdtemp(prefix="bench-"))
    url = f"sqlite:///{workdir / 'bench.sqlite'}"
    seed_database(url, synthetic)
    return url


@contextlib.contextmanager
def gunicorn(database_url: str, workers: int = 2, port: int | None = None):
    port = port or free_port()
    process = subprocess.Popen(
        [
            PYTHON,
            "-m",
            "gunicorn",
            "-w",
            str(workers),
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "webapp:create_app()",
        ],
        env=env_for(database_url),
        cwd=ROOT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                status, _body = get(base + "/healthz")
                if status == 200:
                    break
            except OSError:
                time.sleep(0.1)
        else:
            raise RuntimeError("gunicorn did not start")
        yield base
    finally:
        process.terminate()
        process.wait(timeout=20)


def get(url: str) -> tuple[int, bytes]:
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        conn.request("GET", parts.path + ("?" + parts.query if parts.query else ""))
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def rate(url: str, seconds: float = 5.0, threads: int = 4) -> tuple[float, int]:
    """Requests per second against `url` from `threads` clients; and how many failed."""
    done = [0]
    failed = [0]
    lock = threading.Lock()
    stop = time.perf_counter() + seconds

    def client():
        while time.perf_counter() < stop:
            status, _ = get(url)
            with lock:
                done[0] += 1
                failed[0] += status != 200

    started = time.perf_counter()
    workers = [threading.Thread(target=client) for _ in range(threads)]
    for t in workers:
        t.start()
    for t in workers:
        t.join()
    return done[0] / (time.perf_counter() - started), failed[0]


def interleaved_ratios(
    base: str, paths: dict[str, str], rounds: int = 5, seconds: float = 2.0, threads: int = 4
) -> dict[str, dict]:
    """Rates of each path against /healthz, measured in alternating short rounds.

    Other work on a shared machine comes and goes; alternating hello-world and each page in
    every round, and taking the median of the per-round ratios, lets that load fall on all of
    them alike.
    """
    import statistics

    ratios = {name: [] for name in paths}
    rates = {name: [] for name in ("hello", *paths)}
    failures = {name: 0 for name in paths}
    for _ in range(rounds):
        hello, _failed = rate(base + "/healthz", seconds=seconds, threads=threads)
        rates["hello"].append(hello)
        for name, path in paths.items():
            rps, failed = rate(base + path, seconds=seconds, threads=threads)
            rates[name].append(rps)
            failures[name] += failed
            ratios[name].append(rps / hello)
    return {
        "hello": {"rps": statistics.median(rates["hello"])},
        **{
            name: {
                "rps": statistics.median(rates[name]),
                "ratio": statistics.median(ratios[name]),
                "failed": failures[name],
            }
            for name in paths
        },
    }
