from flask import Blueprint

# cli_group=None: `flask generate-sessions` and `flask send-reminders` sit at the top level.
bp = Blueprint("booking", __name__, cli_group=None)


@bp.record_once
def _tune_database(state):
    from models import db
    from webapp.booking.sqlite import tune_sqlite

    with state.app.app_context():
        tune_sqlite(db.engine)


from webapp.booking import cli, routes  # noqa: E402,F401
