"""Response headers that every page carries (the CSP among them, with the nonce of webapp.csp)."""

import os
from datetime import timedelta

from flask import Flask, abort, current_app, g, request, session
from flask_babel import gettext as _

from webapp.csp import csp_nonce
from webapp.services.catalogue.maps import tile_hosts


def _tile_hosts() -> str:
    return " ".join(tile_hosts(current_app.config["MAP_TILE_PROVIDER"]))


def _has_nul(values) -> bool:
    return any("\x00" in value for value in values)


def _is_signed_in() -> bool:
    """Whether the request came from a signed-in user, without asking the database.

    current_user.is_authenticated may reload the user (expired by the request's commit);
    after a completed booking a database hiccup must not turn the answer into an error.
    """
    user = g.get("_login_user")
    if user is not None:
        return not user.is_anonymous
    return "_user_id" in session


def is_production(app: Flask) -> bool:
    return not (app.debug or app.testing or os.environ.get("FLASK_DEBUG") == "1")


def _configure_cookies(app: Flask) -> None:
    """Session and remember-me cookies: HttpOnly, SameSite=Lax, and Secure in production.

    Production means not debug and not testing; SESSION_COOKIE_SECURE=0 in the environment
    lets a deployment behind plain HTTP on a closed intranet opt out.
    """
    config = app.config
    config["SESSION_COOKIE_HTTPONLY"] = config["REMEMBER_COOKIE_HTTPONLY"] = True
    config.setdefault("SESSION_COOKIE_SAMESITE", "Lax")
    config.setdefault("REMEMBER_COOKIE_SAMESITE", "Lax")
    config.setdefault("REMEMBER_COOKIE_DURATION", timedelta(days=30))
    config.setdefault("PERMANENT_SESSION_LIFETIME", timedelta(hours=12))
    if is_production(app) and os.environ.get("SESSION_COOKIE_SECURE") != "0":
        config["SESSION_COOKIE_SECURE"] = config["REMEMBER_COOKIE_SECURE"] = True


def init_app(app: Flask) -> None:
    app.jinja_env.globals["csp_nonce"] = csp_nonce
    _configure_cookies(app)

    @app.before_request
    def refuse_nul_characters():
        # PostgreSQL cannot store NUL in text; no person types one. Refuse it at the door
        # so that no form or API field can turn it into a database error.
        if _has_nul(request.args.values()) or _has_nul(request.form.values()):
            abort(400, description=_("The request contains a character that is not allowed."))
        if request.is_json and b"\\u0000" in request.get_data(cache=True):
            abort(400, description=_("The request contains a character that is not allowed."))

    @app.after_request
    def set_security_headers(response):
        headers = response.headers
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("X-Frame-Options", "SAMEORIGIN")
        headers.setdefault("Permissions-Policy", "camera=(), microphone=(), payment=()")
        if current_app.config.get("SESSION_COOKIE_SECURE"):
            headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        if request.endpoint != "static" and (
            request.blueprint in ("auth", "bureau", "admin") or _is_signed_in()
        ):
            # personal pages must not linger in shared caches or the back-forward cache
            headers.setdefault("Cache-Control", "no-store")
        headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; "
            f"script-src 'self' 'nonce-{csp_nonce()}'; "
            "style-src 'self' 'unsafe-inline'; "
            f"img-src 'self' data: blob: {_tile_hosts()}; "
            "connect-src 'self'; "
            "font-src 'self'; "
            "object-src 'none'; base-uri 'self'; form-action 'self'; "
            "frame-ancestors 'self'",
        )
        return response
