"""Shared fixtures for browser tests: a live server on the real seed, chromium, pages, axe.

The live server runs the real app in a background thread on a free localhost port, against
its own database built by the migrations (as `flask db upgrade` does) and filled by the real
seed (`seed.loader.load_seed`). Pages refuse every request to a host other than localhost,
so map tiles are never fetched from outside. Mark browser tests with @pytest.mark.browser.

    def test_something(live_server, page):
        page.goto(live_server + "/map")
        assert_accessible(page)
"""

import os
import re
import socket
import threading
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

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
PHONE_VIEWPORT = {"width": 375, "height": 740}
#: anything not served by the live server: tiles, CDNs, fonts
_OUTSIDE = re.compile(r"^(?!https?://(127\.0\.0\.1|localhost)(:\d+)?/)")


def pytest_collection_modifyitems(items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def live_database_url(tmp_path_factory):
    """A database of the live server's own: a SQLite file, or a fresh PostgreSQL database."""
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        yield "sqlite:///" + str(tmp_path_factory.mktemp("live") / "live.sqlite")
        return
    base = base.replace("postgresql://", "postgresql+psycopg://", 1)
    name = f"live_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    yield base.rsplit("/", 1)[0] + "/" + name
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def live_app(live_database_url, tmp_path_factory):
    """The app the live server runs, with its schema from the migrations and the real seed."""
    from flask_migrate import upgrade

    from models import db
    from seed.loader import DATA_DIR, load_seed
    from webapp import create_app

    missing = [n for n in ("regions.csv", "venues.jsonl") if not (DATA_DIR / n).exists()]
    if missing:
        pytest.fail(f"seed data missing in {DATA_DIR}: {', '.join(missing)}")
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "browser-tests",
            "SQLALCHEMY_DATABASE_URI": live_database_url,
            "RATELIMIT_ENABLED": False,
            "GEOCODER": "",
            "MAP_TILE_PROVIDER": "osm",
            "VENUE_PHOTO_DIR": str(tmp_path_factory.mktemp("venue-photos")),
        }
    )
    with app.app_context():
        upgrade()
        load_seed(db.session, DATA_DIR)
        db.session.commit()
        db.session.remove()
    yield app
    with app.app_context():
        for engine in db.engines.values():
            engine.dispose()


@pytest.fixture(scope="session")
def live_server(live_app):
    """Base URL ("http://127.0.0.1:<port>") of the real app served in a background thread."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", _free_port(), live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)
    server.server_close()


@pytest.fixture(scope="session")
def browser():
    """Debian's chromium driven by Playwright (no browser download)."""
    if not Path(CHROMIUM).exists():
        message = f"browser tests need {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def _new_page(browser, live_server, **context_options):
    context = browser.new_context(base_url=live_server, locale="zh-CN", **context_options)
    context.route(_OUTSIDE, lambda route: route.abort())
    context.set_default_timeout(15_000)
    page = context.new_page()
    #: console messages about the Content-Security-Policy: a blocked script or style
    page.csp_errors = []
    page.on(
        "console",
        lambda msg: (
            page.csp_errors.append(msg.text) if "Content Security Policy" in msg.text else None
        ),
    )
    return context, page


@pytest.fixture
def page(browser, live_server):
    """A desktop page (1280×800) whose requests to other hosts are aborted."""
    context, page = _new_page(browser, live_server, viewport={"width": 1280, "height": 800})
    yield page
    context.close()


@pytest.fixture
def phone_page(browser, live_server):
    """A 375×740 phone page (is_mobile, touch) whose requests to other hosts are aborted."""
    context, page = _new_page(
        browser, live_server, viewport=PHONE_VIEWPORT, is_mobile=True, has_touch=True
    )
    yield page
    context.close()


#: the Taiyuan city bureau officer of the bureau journeys (dashboard, venue import)
CITY_OFFICER, OFFICER_PASSWORD = "bureau.ty.journeys@example.cn", "correct horse battery"


@pytest.fixture(scope="session")
def city_officer(live_app) -> str:
    """A Taiyuan city bureau officer on the live server; their login."""
    from models import Region, Role, User, db
    from tests.factories import make_user

    with live_app.app_context(), live_app.test_request_context("/"):
        taiyuan = db.session.scalar(sa.select(Region).where(Region.adcode == "140100"))
        if db.session.scalar(sa.select(User).where(User.email == CITY_OFFICER)) is None:
            make_user(
                role=Role.BUREAU_STAFF,
                region=taiyuan,
                email=CITY_OFFICER,
                password=OFFICER_PASSWORD,
            )
            db.session.commit()
        db.session.remove()
    return CITY_OFFICER


def sign_in(page, login: str, password: str = OFFICER_PASSWORD) -> None:
    """Sign in afresh on the login page (no earlier session's cookies)."""
    page.context.clear_cookies()
    page.goto("/auth/login")
    page.fill("#login", login)
    page.fill("#password", password)
    page.locator("form.narrow-form button[type=submit]").click()


_SERIOUS = ("serious", "critical")


def assert_accessible(page) -> None:
    """Run axe-core on the page; fail on any violation of impact serious or critical."""
    from axe_playwright_python.sync_playwright import Axe

    # Fading popups and transitions would be judged half-transparent: let them finish.
    page.evaluate(
        "() => Promise.all(document.getAnimations().map(a => a.finished.catch(() => null)))"
    )
    results = Axe().run(page)
    bad = [v for v in results.response["violations"] if v.get("impact") in _SERIOUS]
    if bad:
        lines = [f"{len(bad)} serious/critical accessibility violation(s) on {page.url}:"]
        for violation in bad:
            targets = ", ".join(
                " ".join(map(str, node.get("target", []))) for node in violation["nodes"][:5]
            )
            lines.append(
                f"- [{violation['impact']}] {violation['id']}: {violation['help']} ({targets})"
            )
        pytest.fail("\n".join(lines), pytrace=False)


def open_map(page, path="/map"):
    """Open the map and wait until it has drawn its clusters or pins."""
    page.goto(path)
    expect(page.locator(".marker-cluster, .venue-pin").first).to_be_visible()


def zoom_until_pins_show(page):
    """Click the biggest visible cluster until single venue pins appear."""
    pins = page.locator(".venue-pin")
    for _ in range(12):
        if pins.count() and pins.first.is_visible():
            return
        page.locator(".marker-cluster").first.click()
        page.wait_for_timeout(400)
    expect(pins.first).to_be_visible()
