"""App-wide error pages: JSON under /api, HTML elsewhere."""

from flask import Flask, jsonify, make_response, render_template, request
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DataError, OperationalError
from werkzeug.exceptions import BadRequest, HTTPException, ServiceUnavailable


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def error_title(code: int) -> str:
    """A short heading for an HTTP error, in the user's language."""
    titles = {
        400: _("Bad request"),
        401: _("Please log in"),
        403: _("Not allowed"),
        404: _("Not found"),
        405: _("Method not allowed"),
        413: _("Too large"),
        429: _("Too many attempts"),
        503: _("Temporarily unavailable"),
    }
    return titles.get(code, _("The request could not be handled."))


def error_message(error: HTTPException) -> str:
    """What went wrong, in the user's language.

    A description given to abort() is already translated and is kept; werkzeug's built-in
    English descriptions, Flask-Limiter's limit text and Flask-WTF's CSRF wording are replaced.
    """
    if isinstance(error, CSRFError):
        return _("The form has expired. Please reload the page and try again.")
    default = type(error).description
    if error.code != 429 and error.description and error.description != default:
        return str(error.description)
    messages = {
        400: _("The request could not be handled."),
        401: _("Log in first."),
        403: _("Your account may not open this page."),
        404: _(
            "We could not find that page. It may have been removed, or the address may be "
            "mistyped."
        ),
        405: _("This address does not accept that kind of request."),
        413: _too_large(),
        429: _("Please wait a few minutes and try again."),
    }
    return messages.get(error.code, _("The request could not be handled."))


def _too_large() -> str:
    limit = request.max_content_length
    if not limit:
        return _("What you sent is too large.")
    return _(
        "What you sent is larger than %(size)s, the most this address accepts.",
        size=format_decimal(round(limit / 1024 / 1024, 1)) + " MB",
    )


def init_app(app: Flask) -> None:
    app.jinja_env.globals["error_title"] = error_title
    app.jinja_env.globals["error_message"] = error_message

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if _wants_json():
            return jsonify(error=error.name, message=error_message(error)), error.code
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

    @app.errorhandler(OperationalError)
    def database_unavailable(error: OperationalError):
        # the connection dropped mid-request (pool_pre_ping covers it at checkout): a
        # "try again" answer, and the next request gets a fresh connection
        from models import db

        app.logger.warning("Database unavailable on %s: %s", request.path, error)
        try:
            db.session.rollback()
        except OperationalError:
            db.session.close()
        message = _("The database could not be reached just now. Please try again.")
        if _wants_json():
            response = jsonify(error="Service Unavailable", message=message)
        else:
            try:
                response = make_response(
                    render_template("errors/generic.html", error=ServiceUnavailable(message))
                )
            except OperationalError:  # the page itself needs the database (the signed-in user)
                db.session.close()
                response = make_response(message)
                response.mimetype = "text/plain"
        response.status_code = 503
        response.headers["Retry-After"] = "5"
        return response

    @app.errorhandler(Exception)
    def server_error(error: Exception):
        app.logger.exception("Unhandled error on %s", request.path)
        from models import db

        db.session.rollback()
        if _wants_json():
            return jsonify(error="Internal Server Error", message=_("Something went wrong.")), 500
        return render_template("errors/500.html"), 500
