"""Every setting README names is read from the environment when the app is created."""

import pytest

from tests.world import dispose
from webapp import create_app

#: README setting → (value set in the environment, config key, value the app should hold)
SETTINGS = {
    "SECRET_KEY": ("from-the-environment", "SECRET_KEY", "from-the-environment"),
    "MAP_TILE_PROVIDER": ("tianditu", "MAP_TILE_PROVIDER", "tianditu"),
    "TIANDITU_KEY": ("k123", "TIANDITU_KEY", "k123"),
    "GEOCODER": ("nominatim", "GEOCODER", "nominatim"),
    "MAIL_SERVER": ("mail.example.cn", "MAIL_SERVER", "mail.example.cn"),
    "MAIL_PORT": ("2525", "MAIL_PORT", 2525),
    "MAIL_SENDER": ("noreply@example.cn", "MAIL_SENDER", "noreply@example.cn"),
    "LOGIN_RATE_LIMIT": ("2 per minute", "LOGIN_RATE_LIMIT", "2 per minute"),
    "RESET_RATE_LIMIT": ("1 per hour", "RESET_RATE_LIMIT", "1 per hour"),
    "REDIS_URL": ("redis://127.0.0.1:6379/9", "RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379/9"),
    "MAX_CONTENT_LENGTH": ("2000", "MAX_CONTENT_LENGTH", 2000),
    "UPLOAD_MAX_CONTENT_LENGTH": ("3000000", "UPLOAD_MAX_CONTENT_LENGTH", 3_000_000),
    "MAX_JSON_DEPTH": ("5", "MAX_JSON_DEPTH", 5),
    "BOOKING_WINDOW_DAYS": ("14", "BOOKING_WINDOW_DAYS", 14),
    "BOOKING_MAX_ACTIVE_PER_DAY": ("2", "BOOKING_MAX_ACTIVE_PER_DAY", 2),
    "BOOKING_NO_SHOW_LIMIT": ("5", "BOOKING_NO_SHOW_LIMIT", 5),
    "BOOKING_NO_SHOW_WINDOW_DAYS": ("60", "BOOKING_NO_SHOW_WINDOW_DAYS", 60),
    "BOOKING_NO_SHOW_BLOCK_DAYS": ("7", "BOOKING_NO_SHOW_BLOCK_DAYS", 7),
    "BOOKING_WAITLIST_HOLD_HOURS": ("6", "BOOKING_WAITLIST_HOLD_HOURS", 6),
    "MAIL_USERNAME": ("robot", "MAIL_USERNAME", "robot"),
    "MAIL_PASSWORD": ("s3cret", "MAIL_PASSWORD", "s3cret"),
    "MAIL_USE_TLS": ("1", "MAIL_USE_TLS", True),
    "SMS_PROVIDER": ("tencent", "SMS_PROVIDER", "tencent"),
    "SMS_ACCESS_KEY_ID": ("AKID", "SMS_ACCESS_KEY_ID", "AKID"),
    "SMS_ACCESS_KEY_SECRET": ("SK", "SMS_ACCESS_KEY_SECRET", "SK"),
    "SMS_SIGN_NAME": ("山西实践", "SMS_SIGN_NAME", "山西实践"),
    "SMS_TEMPLATE_CODE": ("SMS_1", "SMS_TEMPLATE_CODE", "SMS_1"),
    "SMS_SDK_APP_ID": ("1400000000", "SMS_SDK_APP_ID", "1400000000"),
    "SMS_REGION": ("ap-beijing", "SMS_REGION", "ap-beijing"),
    "SMS_ENDPOINT": ("127.0.0.1:9", "SMS_ENDPOINT", "127.0.0.1:9"),
    "SMS_PROTOCOL": ("http", "SMS_PROTOCOL", "http"),
    "BASE_URL": ("https://sjjd.example.cn", "BASE_URL", "https://sjjd.example.cn"),
    "OUTBOX_QUEUE": ("mail", "OUTBOX_QUEUE", "mail"),
    "OUTBOX_MAX_ATTEMPTS": ("3", "OUTBOX_MAX_ATTEMPTS", 3),
    "OUTBOX_MAX_BACKOFF_MINUTES": ("30", "OUTBOX_MAX_BACKOFF_MINUTES", 30),
    "CONFIRMATION_CODE_MINUTES": ("15", "CONFIRMATION_CODE_MINUTES", 15),
    "CONFIRMATION_MAX_ATTEMPTS": ("3", "CONFIRMATION_MAX_ATTEMPTS", 3),
    "CONFIRMATION_MAX_SENDS": ("2", "CONFIRMATION_MAX_SENDS", 2),
    "CONFIRMATION_RESEND_SECONDS": ("30", "CONFIRMATION_RESEND_SECONDS", 30),
    "PERSONAL_DATA_RETENTION_DAYS": ("90", "PERSONAL_DATA_RETENTION_DAYS", 90),
    "REAL_NAME_RETENTION_DAYS": ("3", "REAL_NAME_RETENTION_DAYS", 3),
    "CHECK_IN_OPENS_MINUTES": ("30", "CHECK_IN_OPENS_MINUTES", 30),
    "CHECK_IN_CLOSES_MINUTES": ("15", "CHECK_IN_CLOSES_MINUTES", 15),
    "NO_SHOW_GRACE_MINUTES": ("120", "NO_SHOW_GRACE_MINUTES", 120),
    "VENUE_PHOTO_DIR": ("/srv/shared/venue-photos", "VENUE_PHOTO_DIR", "/srv/shared/venue-photos"),
}


def make_app(database_url, **config):
    return create_app(
        {"TESTING": True, "WTF_CSRF_ENABLED": False, "SQLALCHEMY_DATABASE_URI": database_url,
         **config}
    )  # fmt: skip


@pytest.mark.parametrize("name", SETTINGS)
def test_each_readme_setting_is_read_from_the_environment(monkeypatch, database_url, name):
    value, key, expected = SETTINGS[name]
    monkeypatch.setenv(name, value)
    app = make_app(database_url)
    try:
        assert app.config[key] == expected
    finally:
        dispose(app)


def test_every_setting_in_the_readme_table_is_covered():
    import re
    from pathlib import Path

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    table = readme.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    named = set(re.findall(r"`([A-Z][A-Z0-9_]+)`", table))
    assert named - set(SETTINGS) <= {"DATABASE_URL", "SESSION_COOKIE_SECURE"}


def test_database_url_from_the_environment_chooses_the_database(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/from-env.sqlite")
    app = create_app({"TESTING": True})
    try:
        assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("from-env.sqlite")
    finally:
        dispose(app)


@pytest.mark.parametrize(
    ("url", "form"),
    [("/auth/login", {"login": "a@example.cn", "password": "x"}), ("/auth/signup", {"name": "x"})],
    ids=["login", "sign-up is limited like login"],
)
def test_a_login_limit_from_the_environment_takes_effect(monkeypatch, database_url, app, url, form):
    monkeypatch.setenv("LOGIN_RATE_LIMIT", "2 per minute")
    limited = make_app(database_url, RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://")
    try:
        client = limited.test_client()
        assert [client.post(url, data=form).status_code for _ in range(3)] == [200, 200, 429]
    finally:
        dispose(limited)


def test_a_body_limit_from_the_environment_takes_effect(monkeypatch, database_url, app):
    monkeypatch.setenv("MAX_CONTENT_LENGTH", "2000")
    small = make_app(database_url)
    try:
        response = small.test_client().post(
            "/auth/login", data={"login": "a", "password": "x" * 3000}
        )
        assert response.status_code == 413
    finally:
        dispose(small)
