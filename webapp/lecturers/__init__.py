from flask import Blueprint

from webapp.lecturers import labels

bp = Blueprint("lecturers", __name__)


@bp.record_once
def _register_labels(state):
    labels.init_app(state.app)


from webapp.lecturers import (  # noqa: E402,F401
    pool_routes,
    request_routes,
    roster_routes,
    routes,
    station_routes,
)
