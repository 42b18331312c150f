from flask import Blueprint

bp = Blueprint("console", __name__)

from webapp.console import (  # noqa: E402,F401
    desk_labels,
    door_routes,
    export_routes,
    open_day_routes,
    routes,
    timetable_routes,
    today_routes,
    venue_pages,
    venue_photo_routes,
)
