from flask import Blueprint

bp = Blueprint("lecturers", __name__)


@bp.record_once
def _register_labels(state):
    from webapp.lecturers import labels

    labels.init_app(state.app)


from webapp.lecturers import routes  # noqa: E402,F401
