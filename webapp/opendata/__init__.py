"""Open data (/opendata): the whole directory, or a region's, as files anyone may take in."""

from flask import Blueprint

bp = Blueprint("opendata", __name__)

from webapp.opendata import routes  # noqa: E402,F401
