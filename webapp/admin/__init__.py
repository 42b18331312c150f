"""Site administration: accounts and the outbox of messages not delivered by a sender."""

from flask import Blueprint

bp = Blueprint("admin", __name__)

from webapp.admin import routes  # noqa: E402,F401
