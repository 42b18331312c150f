"""The API's error answers: one JSON shape for every endpoint.

{"error": <HTTP reason>, "message": <text in the user's language>, "errors": {field: [text]}}
"""

from flask import jsonify
from flask_babel import gettext as _
from werkzeug.http import HTTP_STATUS_CODES

from webapp.services.errors import ServiceError


def json_error(status: int, message: str, field: str | None = None, errors: dict | None = None):
    body = {"error": HTTP_STATUS_CODES.get(status, "Error"), "message": message}
    if field:
        errors = {**(errors or {}), field: [message]}
    if errors:
        body["errors"] = {name: [str(text) for text in texts] for name, texts in errors.items()}
    response = jsonify(body)
    response.status_code = status
    if status == 503:
        response.headers["Retry-After"] = "1"
    return response


def service_error(error: ServiceError):
    """A rule said no: its status, its message, and the field it names."""
    return json_error(error.status_code, error.message, error.field)


def bad_request(errors: dict):
    """Form errors, by parameter: the message names every bad parameter."""
    names = ", ".join(sorted(errors))
    return json_error(400, _("Invalid parameter(s): %(names)s", names=names), errors=errors)
