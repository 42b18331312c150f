from flask import Blueprint

# cli_group=None: the account commands sit at the top level (`flask create-admin`)
bp = Blueprint("auth", __name__, cli_group=None)

from webapp.auth import cli, routes  # noqa: E402,F401
