"""The JSON API (/api/v1): thin, calling the same services as the pages."""

from flask import Blueprint

bp = Blueprint("api", __name__)

from webapp.api import bookings, desk, lecturers, openapi, venues  # noqa: E402,F401
