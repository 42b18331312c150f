from flask import Blueprint

bp = Blueprint("directory", __name__)

from webapp.directory import routes  # noqa: E402,F401
