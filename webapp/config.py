"""Version-controlled defaults. Anything secret or machine-specific comes from the environment."""

import os


def _database_url():
    url = os.environ.get("DATABASE_URL")
    if not url:
        return None
    # Heroku-style URLs still say postgres://, which SQLAlchemy 2 refuses.
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def _int_env(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    return int(value) if value.strip().isdigit() else default


#: for local runs only; create_app refuses it outside development
DEV_SECRET_KEY = "dev"  # noqa: S105


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY", DEV_SECRET_KEY)
    SQLALCHEMY_DATABASE_URI = _database_url()  # None → SQLite in the instance folder
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}

    BABEL_DEFAULT_LOCALE = "zh"
    BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"
    LANGUAGES = ("zh", "en")

    #: map tiles are the one thing fetched from outside; osm | tianditu | amap | none
    MAP_TILE_PROVIDER = os.environ.get("MAP_TILE_PROVIDER", "osm")
    TIANDITU_KEY = os.environ.get("TIANDITU_KEY", "")
    #: optional geopy geocoder used when staff place a venue: "" (offline) | nominatim
    GEOCODER = os.environ.get("GEOCODER", "")
    GEOCODER_USER_AGENT = os.environ.get("GEOCODER_USER_AGENT", "shanxi-practice-bases")

    VENUES_PER_PAGE = 20
    NEAR_DEFAULT_RADIUS_KM = 20

    REDIS_URL = os.environ.get("REDIS_URL", "")
    #: rendered catalogue results; entries are keyed by the catalogue's version, so a worker's
    #: own cache never serves a page older than the last committed venue change
    CACHE_TYPE = "RedisCache" if os.environ.get("REDIS_URL") else "SimpleCache"
    CACHE_REDIS_URL = os.environ.get("REDIS_URL", "")
    CACHE_DEFAULT_TIMEOUT = 600
    #: entries per worker (SimpleCache drops old ones past it): memory bounded by this, not
    #: by how many different queries arrive
    CACHE_THRESHOLD = 500
    RATELIMIT_STORAGE_URI = os.environ.get("REDIS_URL") or "memory://"
    RATELIMIT_HEADERS_ENABLED = True

    #: bytes a request may carry; views marked @upload_route take UPLOAD_MAX_CONTENT_LENGTH
    MAX_CONTENT_LENGTH = _int_env("MAX_CONTENT_LENGTH", 1024 * 1024)
    UPLOAD_MAX_CONTENT_LENGTH = _int_env("UPLOAD_MAX_CONTENT_LENGTH", 8 * 1024 * 1024)
    #: where venue photos are kept (a directory all workers and hosts share); "" → the
    #: instance folder's venue-photos/
    VENUE_PHOTO_DIR = os.environ.get("VENUE_PHOTO_DIR", "")
    #: how deeply lists and objects may nest in a JSON body
    MAX_JSON_DEPTH = _int_env("MAX_JSON_DEPTH", 32)

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    # Secure cookies: switched on in production by webapp.security (SESSION_COOKIE_SECURE=0
    # in the environment opts out, for plain HTTP on a closed intranet).
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_SECURE = False

    MAIL_SERVER = os.environ.get("MAIL_SERVER", "")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "25") or 25)
    MAIL_SENDER = os.environ.get("MAIL_SENDER", "noreply@localhost")
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME", "")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD", "")
    MAIL_USE_TLS = os.environ.get("MAIL_USE_TLS", "") == "1"

    #: "" (messages by SMS stay in the outbox) | aliyun | tencent
    SMS_PROVIDER = os.environ.get("SMS_PROVIDER", "")
    SMS_ACCESS_KEY_ID = os.environ.get("SMS_ACCESS_KEY_ID", "")
    SMS_ACCESS_KEY_SECRET = os.environ.get("SMS_ACCESS_KEY_SECRET", "")
    SMS_SIGN_NAME = os.environ.get("SMS_SIGN_NAME", "")
    #: an approved template taking the variables subject, body and link
    SMS_TEMPLATE_CODE = os.environ.get("SMS_TEMPLATE_CODE", "")
    #: Tencent only: the SmsSdkAppId and the API region
    SMS_SDK_APP_ID = os.environ.get("SMS_SDK_APP_ID", "")
    SMS_REGION = os.environ.get("SMS_REGION", "ap-guangzhou")
    #: the provider's default endpoint when empty; "host:port" for a private gateway
    SMS_ENDPOINT = os.environ.get("SMS_ENDPOINT", "")
    SMS_PROTOCOL = os.environ.get("SMS_PROTOCOL", "https")

    #: where links in messages point: the site's public address
    BASE_URL = os.environ.get("BASE_URL", "http://localhost:5000")
    OUTBOX_QUEUE = os.environ.get("OUTBOX_QUEUE", "outbox")
    OUTBOX_MAX_ATTEMPTS = _int_env("OUTBOX_MAX_ATTEMPTS", 10)
    OUTBOX_MAX_BACKOFF_MINUTES = _int_env("OUTBOX_MAX_BACKOFF_MINUTES", 360)

    # Booking rules (issue 4); each can be overridden in the environment.
    BOOKING_WINDOW_DAYS = _int_env("BOOKING_WINDOW_DAYS", 30)
    BOOKING_MAX_ACTIVE_PER_DAY = _int_env("BOOKING_MAX_ACTIVE_PER_DAY", 1)
    BOOKING_NO_SHOW_LIMIT = _int_env("BOOKING_NO_SHOW_LIMIT", 3)
    BOOKING_NO_SHOW_WINDOW_DAYS = _int_env("BOOKING_NO_SHOW_WINDOW_DAYS", 90)
    BOOKING_NO_SHOW_BLOCK_DAYS = _int_env("BOOKING_NO_SHOW_BLOCK_DAYS", 30)
    BOOKING_MAX_FAMILY_PARTY = _int_env("BOOKING_MAX_FAMILY_PARTY", 10)
    BOOKING_WAITLIST_HOLD_HOURS = _int_env("BOOKING_WAITLIST_HOLD_HOURS", 12)

    #: the code that confirms a new account's mobile number or e-mail: minutes it lasts,
    #: wrong entries it takes, codes one sign-up may be sent, seconds between two sends
    CONFIRMATION_CODE_MINUTES = _int_env("CONFIRMATION_CODE_MINUTES", 10)
    CONFIRMATION_MAX_ATTEMPTS = _int_env("CONFIRMATION_MAX_ATTEMPTS", 5)
    CONFIRMATION_MAX_SENDS = _int_env("CONFIRMATION_MAX_SENDS", 5)
    CONFIRMATION_RESEND_SECONDS = _int_env("CONFIRMATION_RESEND_SECONDS", 60)

    #: contact names and phones of bookings are removed this many days after the visit
    PERSONAL_DATA_RETENTION_DAYS = _int_env("PERSONAL_DATA_RETENTION_DAYS", 180)
    #: adult visitors' real-name entries (where a venue requires them) go sooner
    REAL_NAME_RETENTION_DAYS = _int_env("REAL_NAME_RETENTION_DAYS", 7)


#: the settings README names, read again when an app is created (Config read them when this
#: module was first imported; a process may set its environment later): name → parser
_STRING_SETTINGS = (
    "SECRET_KEY",
    "MAP_TILE_PROVIDER",
    "TIANDITU_KEY",
    "GEOCODER",
    "GEOCODER_USER_AGENT",
    "MAIL_SERVER",
    "MAIL_SENDER",
    "LOGIN_RATE_LIMIT",
    "RESET_RATE_LIMIT",
    "MAIL_USERNAME",
    "MAIL_PASSWORD",
    "SMS_PROVIDER",
    "SMS_ACCESS_KEY_ID",
    "SMS_ACCESS_KEY_SECRET",
    "SMS_SIGN_NAME",
    "SMS_TEMPLATE_CODE",
    "SMS_SDK_APP_ID",
    "SMS_REGION",
    "SMS_ENDPOINT",
    "SMS_PROTOCOL",
    "BASE_URL",
    "OUTBOX_QUEUE",
    "VENUE_PHOTO_DIR",
)
_INT_SETTINGS = (
    "MAIL_PORT",
    "MAX_CONTENT_LENGTH",
    "UPLOAD_MAX_CONTENT_LENGTH",
    "MAX_JSON_DEPTH",
    "BOOKING_WINDOW_DAYS",
    "BOOKING_MAX_ACTIVE_PER_DAY",
    "BOOKING_NO_SHOW_LIMIT",
    "BOOKING_NO_SHOW_WINDOW_DAYS",
    "BOOKING_NO_SHOW_BLOCK_DAYS",
    "BOOKING_MAX_FAMILY_PARTY",
    "BOOKING_WAITLIST_HOLD_HOURS",
    "OUTBOX_MAX_ATTEMPTS",
    "OUTBOX_MAX_BACKOFF_MINUTES",
    "CONFIRMATION_CODE_MINUTES",
    "CONFIRMATION_MAX_ATTEMPTS",
    "CONFIRMATION_MAX_SENDS",
    "CONFIRMATION_RESEND_SECONDS",
    "PERSONAL_DATA_RETENTION_DAYS",
    "REAL_NAME_RETENTION_DAYS",
    "CHECK_IN_OPENS_MINUTES",
    "CHECK_IN_CLOSES_MINUTES",
    "NO_SHOW_GRACE_MINUTES",
)


def from_environment() -> dict:
    """The settings set in the environment now, as config keys (unset ones are left out).

    DATABASE_URL becomes SQLALCHEMY_DATABASE_URI; REDIS_URL also moves the cache and the
    rate-limit storage to Redis. A number that does not parse keeps its default.
    """
    found = {name: os.environ[name] for name in _STRING_SETTINGS if os.environ.get(name)}
    for name in _INT_SETTINGS:
        if os.environ.get(name, "").strip().isdigit():
            found[name] = int(os.environ[name])
    if os.environ.get("MAIL_USE_TLS") is not None:
        found["MAIL_USE_TLS"] = os.environ["MAIL_USE_TLS"] == "1"
    if _database_url():
        found["SQLALCHEMY_DATABASE_URI"] = _database_url()
    redis_url = os.environ.get("REDIS_URL")
    if redis_url:
        found.update(
            REDIS_URL=redis_url,
            CACHE_TYPE="RedisCache",
            CACHE_REDIS_URL=redis_url,
            RATELIMIT_STORAGE_URI=redis_url,
        )
    return found
