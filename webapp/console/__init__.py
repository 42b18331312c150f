from flask import Blueprint

bp = Blueprint("console", __name__)

from webapp.console import routes, timetable_routes, venue_pages  # noqa: E402,F401
