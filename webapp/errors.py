"""App-wide error pages: JSON under /api, HTML elsewhere."""

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext as _
from sqlalchemy.exc import DataError
from werkzeug.exceptions import BadRequest, HTTPException


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def init_app(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if _wants_json():
            return jsonify(error=error.name, message=error.description), error.code
        if error.code in (403, 404, 429):
            return render_template(f"errors/{error.code}.html", error=error), error.code
        return render_template("errors/generic.html", error=error), error.code

    @app.errorhandler(OverflowError)
    @app.errorhandler(DataError)
    def out_of_range(error: Exception):
        # A number too large for the database's integer columns (an id pasted wrong, a
        # fuzzer): the input is wrong, not the server.
        from models import db

        db.session.rollback()
        app.logger.warning("Out-of-range input on %s: %s", request.path, error)
        message = _("A number in the request is out of range.")
        if _wants_json():
            return jsonify(error="Bad Request", message=message), 400
        return render_template("errors/generic.html", error=BadRequest(message)), 400

    @app.errorhandler(Exception)
    def server_error(error: Exception):
        app.logger.exception("Unhandled error on %s", request.path)
        from models import db

        db.session.rollback()
        if _wants_json():
            return jsonify(error="Internal Server Error", message=_("Something went wrong.")), 500
        return render_template("errors/500.html"), 500
