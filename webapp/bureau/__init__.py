"""The bureau console: accounts awaiting approval, invitations, schools and the audit log."""

from flask import Blueprint

# cli_group=None: `flask refresh-dashboard` sits at the top level, beside the other cron jobs
bp = Blueprint("bureau", __name__, cli_group=None)

from webapp.bureau import (  # noqa: E402,F401
    cli,
    dashboard_routes,
    directory_routes,
    guidance_routes,
    import_routes,
    routes,
    venue_routes,
)
