import contextvars
import os
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import has_app_context
from flask.testing import FlaskClient

from models import db
from tests.factories import regions_by_adcode
from tests.race_harness import Racers
from tests.tables import Tables
from tests.world import build_world
from webapp import create_app
from webapp.services.catalogue.search import forget_region_menus


def _postgres_url(base: str) -> tuple[str, str]:
    """A fresh database on the server named by TEST_DATABASE_URL, for one test session."""
    name = f"test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return base.rsplit("/", 1)[0] + "/" + name, name


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        yield "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.sqlite")
        return
    base = base.replace("postgresql://", "postgresql+psycopg://", 1)
    url, name = _postgres_url(base)
    yield url
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


class IsolatedClient(FlaskClient):
    """Runs each request in its own app context, as a real server does.

    The `app` fixture keeps an app context pushed so tests can use db.session; without this,
    requests would reuse it and share `g` (the logged-in user, the chosen language) and the
    test's database session. Afterwards the test's session is expired so it reads fresh rows.
    """

    def open(self, *args, **kwargs):
        isolated = contextvars.Context()
        response = isolated.run(super().open, *args, **kwargs)
        if response.is_streamed:
            # a streamed body is made later, as it is read: in the request's own context
            response.response = _ReadIn(isolated, response.response)
        if has_app_context():  # not inside a redirect followed from an isolated request
            db.session.expire_all()
        return response


class _ReadIn:
    """A streamed body read, and closed, in the request's own context (read or not)."""

    def __init__(self, isolated: contextvars.Context, body):
        self.isolated, self.body, self.chunks = isolated, body, None

    def __iter__(self):
        self.chunks = self.isolated.run(iter, self.body)
        return self

    def __next__(self):
        return self.isolated.run(next, self.chunks)

    def close(self):
        if hasattr(self.body, "close"):
            self.isolated.run(self.body.close)


@pytest.fixture(scope="session")
def _tables(database_url):
    """The schema, made once for the whole run; each test leaves its tables empty again."""
    engine = sa.create_engine(database_url, poolclass=sa.pool.NullPool)
    db.metadata.create_all(engine)
    yield Tables(engine)
    engine.dispose()


@pytest.fixture
def app(database_url, _tables):
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test",
            "WTF_CSRF_ENABLED": False,
            "SQLALCHEMY_DATABASE_URI": database_url,
            "RATELIMIT_ENABLED": False,
            "GEOCODER": "",
        }
    )
    app.test_client_class = IsolatedClient
    forget_region_menus()
    with app.app_context():
        yield app
        db.session.remove()
        for engine in db.engines.values():
            engine.dispose()
    _tables.empty()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def regions(app, _tables):
    """The real regions of Shanxi from the seed file (loaded once, then copied back in)."""
    _tables.put_regions(db.session)
    return regions_by_adcode()


class AuthActions:
    def __init__(self, client):
        self._client = client

    def login(self, login, password="correct horse battery"):
        return self._client.post("/auth/login", data={"login": login, "password": password})

    def logout(self):
        return self._client.post("/auth/logout")


@pytest.fixture
def auth(client):
    return AuthActions(client)


@pytest.fixture
def ctx(app):
    """A request context for the whole test: services translate messages for the request's
    language. A module whose every test needs one says `pytestmark = usefixtures("ctx")`."""
    with app.test_request_context():
        yield


@pytest.fixture
def world_builder():
    """What the `world` fixture is built by: the access matrix's world of tests/world.py.
    A module whose tests need other people and places overrides this with its own builder."""
    return build_world


@pytest.fixture
def world(app, regions, world_builder):
    """The people and places of the module's tests (see `world_builder`)."""
    return world_builder(regions)


@pytest.fixture(scope="module")
def racers(database_url):
    """The race tests' pool of worker processes (tests/race_harness.py), one per module."""
    pool = Racers(database_url)
    yield pool
    pool.close()


@pytest.fixture
def seed_dir() -> Path:
    from seed.loader import DATA_DIR

    return DATA_DIR
