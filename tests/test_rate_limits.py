"""Login and reset are rate-limited; with Redis the limit holds across app instances (workers)."""

import uuid

import pytest
import redis

from tests.world import dispose
from webapp import create_app

REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture
def make_app(database_url):
    made = []

    def make(storage="memory://", prefix=""):
        made.append(_app(database_url, storage, prefix))
        return made[-1]

    yield make
    for app in made:
        dispose(app)


def _app(database_url, storage="memory://", prefix="", limit="3 per minute"):
    return create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "t",
            "WTF_CSRF_ENABLED": False,
            "SQLALCHEMY_DATABASE_URI": database_url,
            "RATELIMIT_ENABLED": True,
            "RATELIMIT_STORAGE_URI": storage,
            "RATELIMIT_KEY_PREFIX": prefix,
            "LOGIN_RATE_LIMIT": limit,
            "RESET_RATE_LIMIT": limit,
        }
    )


def _redis_available() -> bool:
    try:
        return redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        return False


def test_too_many_login_attempts_get_429(app, make_app):
    client = make_app().test_client()
    codes = [
        client.post("/auth/login", data={"login": "a@example.cn", "password": "x"}).status_code
        for _ in range(4)
    ]
    assert codes == [200, 200, 200, 429]


def test_the_login_limit_also_follows_the_login_name_across_addresses(app, make_app):
    client = make_app().test_client()
    codes = [
        client.post(
            "/auth/login",
            data={"login": "a@example.cn", "password": "x"},
            environ_base={"REMOTE_ADDR": f"10.0.0.{i}"},
        ).status_code
        for i in range(4)
    ]
    assert codes[-1] == 429


def test_too_many_reset_requests_get_429_with_a_chinese_page(app, make_app):
    client = make_app().test_client()
    for _ in range(3):
        client.post("/auth/reset", data={"login": "a@example.cn"})
    response = client.post("/auth/reset", data={"login": "a@example.cn"})
    assert response.status_code == 429


def test_viewing_the_login_page_is_not_limited(app, make_app):
    client = make_app().test_client()
    assert all(client.get("/auth/login").status_code == 200 for _ in range(6))


@pytest.mark.skipif(not _redis_available(), reason="no Redis at 127.0.0.1:6379")
def test_with_redis_the_login_limit_holds_across_two_app_instances(app, make_app):
    prefix = f"test-{uuid.uuid4().hex[:8]}"
    first = make_app(REDIS_URL, prefix).test_client()
    second = make_app(REDIS_URL, prefix).test_client()
    codes = []
    for client in (first, second, first, second):
        response = client.post("/auth/login", data={"login": "b@example.cn", "password": "x"})
        codes.append(response.status_code)
    assert codes == [200, 200, 200, 429]
    store = redis.Redis.from_url(REDIS_URL)
    for key in store.scan_iter(f"{prefix}*"):
        store.delete(key)
