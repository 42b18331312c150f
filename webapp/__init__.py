"""The Flask application factory."""

import os

from flask import Flask
from werkzeug.routing import IntegerConverter

from models import db
from webapp.config import DEV_SECRET_KEY, Config, from_environment
from webapp.extensions import babel, cache, csrf, limiter, login_manager, migrate


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder="../templates",
        static_folder="../static",
    )
    app.config.from_object(Config)
    app.config.update(from_environment())
    app.config.from_pyfile("config.py", silent=True)
    if test_config:
        app.config.from_mapping(test_config)
    _finish_config(app)

    from webapp import request_limits

    request_limits.init_app(app)
    # Ids in URLs beyond a 32-bit integer would overflow PostgreSQL's INTEGER: 404 instead.
    app.url_map.converters["int"] = BoundedIntConverter
    db.init_app(app)
    from webapp.sqlite_tuning import tune_sqlite

    with app.app_context():
        tune_sqlite(db.engine)
    migrate.init_app(
        app, db, directory=os.path.join(app.root_path, "..", "migrations"), render_as_batch=True
    )
    csrf.init_app(app)
    cache.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)

    from webapp import compression, i18n, labels, security

    i18n.init_app(app, babel)
    labels.init_app(app)
    security.init_app(app)
    compression.init_app(app)

    from webapp import errors

    errors.init_app(app)

    _register_blueprints(app)

    from webapp.services import outbox
    from webapp.services.catalogue import cache as catalogue_cache

    catalogue_cache.init_app(app)
    outbox.init_app(app)

    from webapp import cli

    cli.init_app(app)
    return app


class BoundedIntConverter(IntegerConverter):
    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(map, *args, **kwargs)


def _finish_config(app: Flask) -> None:
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        os.makedirs(app.instance_path, exist_ok=True)
        app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite:///" + os.path.join(
            app.instance_path, "practice_bases.sqlite"
        )
    if not app.config.get("VENUE_PHOTO_DIR"):
        app.config["VENUE_PHOTO_DIR"] = os.path.join(app.instance_path, "venue-photos")
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    # Copies: the defaults are class attributes shared by every app in the process.
    options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    # A pooled connection the server dropped (restart, failover, idle timeout) is found
    # and replaced at checkout, instead of failing the next request in each worker.
    options.setdefault("pool_pre_ping", True)
    if uri.startswith("sqlite"):
        # Several gunicorn workers share one file: wait for the writer instead of failing.
        options["connect_args"] = {"timeout": 15, **options.get("connect_args", {})}
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options
    production = not (app.debug or app.testing or os.environ.get("FLASK_DEBUG") == "1")
    if (
        production
        and app.config["SECRET_KEY"] == DEV_SECRET_KEY
        and os.environ.get("ALLOW_DEV_SECRET") != "1"
    ):
        raise RuntimeError(
            "SECRET_KEY must be set in the environment outside development "
            "(set FLASK_DEBUG=1 for a local run)."
        )


def _register_blueprints(app: Flask) -> None:
    from webapp.admin import bp as admin_bp
    from webapp.api import bp as api_bp
    from webapp.auth import bp as auth_bp
    from webapp.booking import bp as booking_bp
    from webapp.bureau import bp as bureau_bp
    from webapp.console import bp as console_bp
    from webapp.directory import bp as directory_bp
    from webapp.lecturers import bp as lecturers_bp
    from webapp.opendata import bp as opendata_bp

    app.register_blueprint(directory_bp)
    app.register_blueprint(auth_bp, url_prefix="/auth")
    app.register_blueprint(api_bp, url_prefix="/api/v1")
    app.register_blueprint(opendata_bp, url_prefix="/opendata")
    app.register_blueprint(bureau_bp, url_prefix="/bureau")
    app.register_blueprint(admin_bp, url_prefix="/admin")
    app.register_blueprint(lecturers_bp, url_prefix="/lecturers")
    app.register_blueprint(booking_bp, url_prefix="/booking")
    app.register_blueprint(console_bp, url_prefix="/console")
