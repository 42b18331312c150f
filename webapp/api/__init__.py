"""The JSON API (/api/v1): thin, calling the same services as the pages.

Requests and answers are described and checked by one set of models (webapp.api.schemas,
through webapp.api.openapi); access goes through webapp.auth.decorators like the pages'.
"""

from flask import Blueprint

from webapp.extensions import login_manager

bp = Blueprint("api", __name__)

# a visitor who is not signed in gets a JSON 401 here (webapp.errors), not the login page
login_manager.blueprint_login_views["api"] = None

from webapp.api import bookings, desk, lecturers, openapi, venues  # noqa: E402,F401
