from flask import Blueprint

# cli_group=None: `flask generate-sessions` and `flask send-reminders` sit at the top level.
bp = Blueprint("booking", __name__, cli_group=None)


from webapp.booking import cli, routes  # noqa: E402,F401
