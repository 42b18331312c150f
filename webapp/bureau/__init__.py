"""The bureau console: accounts awaiting approval, invitations, schools and the audit log."""

from flask import Blueprint

bp = Blueprint("bureau", __name__)

from webapp.bureau import routes, venue_routes  # noqa: E402,F401
