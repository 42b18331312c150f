"""Response headers that every page carries, and the per-request CSP nonce."""

import secrets

from flask import Flask, abort, current_app, g, request
from flask_babel import gettext as _


def csp_nonce() -> str:
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


def _tile_hosts() -> str:
    from webapp.services.maps import tile_hosts

    return " ".join(tile_hosts(current_app.config["MAP_TILE_PROVIDER"]))


def _has_nul(values) -> bool:
    return any("\x00" in value for value in values)


def init_app(app: Flask) -> None:
    app.jinja_env.globals["csp_nonce"] = csp_nonce

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
