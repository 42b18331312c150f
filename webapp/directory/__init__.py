from flask import Blueprint

bp = Blueprint("directory", __name__)

from webapp.directory import open_days_page, photos, routes  # noqa: E402,F401
