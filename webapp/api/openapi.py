"""The OpenAPI 3 description and the request/response validation, from one definition.

Each view is decorated with ``@spec.validate(...)`` naming its pydantic models (webapp.api.schemas);
spectree checks the request against them before the view runs and the answer after, and
writes the description served at /api/v1/openapi.json from the same models. A bad request gets
the API's one error shape (webapp.api.errors) in the user's language; access checks are
decorators placed above ``@spec.validate``, so a stranger is told 401/403 before any 400.
"""

import copy
import logging

from flask import abort, current_app, jsonify
from flask_babel import gettext as _
from spectree import Response, SecurityScheme, SecuritySchemeData, SpecTree

from webapp.api import bp
from webapp.api.errors import bad_request, json_error
from webapp.api.fields import field_errors
from webapp.api.schemas.common import Error

log = logging.getLogger(__name__)
PREFIX = "/api/v1"


def _refuse_bad_request(req, resp, error, instance, adapter):
    if error is not None:
        abort(bad_request(field_errors(error)))


def _refuse_bad_answer(req, resp, error, instance, adapter):
    # The view answered something its own description does not allow: a bug. Tests (and the
    # fuzzer) turn it into a failure; in production the client still gets its answer and
    # the log says what drifted, rather than a working request becoming a 500.
    if error is not None:
        log.error("Answer of %s does not match its description: %s", req.path, error)
        if current_app.testing:
            abort(json_error(500, _("Something went wrong.")))


spec = SpecTree(
    "flask",
    mode="strict",
    title="Shanxi practice bases API",
    version="1.0.0",
    description="Practice bases, green-channel booking and the lecturer pool.",
    page_templates={},
    before=_refuse_bad_request,
    after=_refuse_bad_answer,
    validation_error_status=400,
    validation_error_model=Error,
    naming_strategy=lambda model: model.__name__,
    nested_naming_strategy=lambda _parent, child: child,
    security_schemes=[
        SecurityScheme(
            name="csrf",
            data=SecuritySchemeData(
                type="apiKey",
                field_in="header",
                name="X-CSRFToken",
                description="The signed-in session's CSRF token: GET /csrf-token, or "
                "csrf_token in any page's form",
            ),
        )
    ],
)

#: the `security` of an operation that changes something (a POST)
CSRF = {"csrf": []}

#: answers any operation can give, whatever its own rules (request limits, rate limits)
_COMMON = {
    "HTTP_400": (
        Error,
        "Malformed request: bad JSON, JSON nested too deeply, a form part without a name, a "
        "character that is not allowed, or a parameter not as described; `errors` names it",
    ),
    "HTTP_414": (None, "The address is too long (answered by the web server)"),
    "HTTP_429": (Error, "Too many requests: wait and try again"),
    "HTTP_503": (Error, "Busy or the database unreachable: try again"),
}
#: answers an operation that takes a body can give
_BODY = {"HTTP_413": (Error, "The body is larger than MAX_CONTENT_LENGTH")}


def answers(*, body: bool = False, **codes) -> Response:
    """An operation's answers: its own (HTTP_200=Model, HTTP_404="No such venue", …) over
    the common ones. A plain string is an error answer with that description."""
    own = {
        code: (Error, value) if isinstance(value, str) else value for code, value in codes.items()
    }
    return Response(**{**_COMMON, **(_BODY if body else {}), **own})


def validate_post(operation_id: str, **codes):
    """`spec.validate` for a POST that sends a JSON body and the CSRF token (X-CSRFToken):
    its own answers over the common ones and the body's, and the CSRF security."""
    return spec.validate(resp=answers(body=True, **codes), security=CSRF, operation_id=operation_id)


def build_spec() -> dict:
    """The description, with paths relative to the API's server (/api/v1)."""
    generated = copy.deepcopy(spec.spec)
    generated["servers"] = [{"url": PREFIX}]
    generated["paths"] = {
        path.removeprefix(PREFIX): item for path, item in sorted(generated["paths"].items())
    }
    if not generated.get("tags"):
        generated.pop("tags", None)
    return generated


@bp.route("/openapi.json")
def openapi_json():
    return jsonify(build_spec())


def json_body(body):
    """The validated JSON body, or a 400 when the request sent none (a form, say)."""
    if body is None:
        abort(json_error(400, _("Send a JSON object."), "body"))
    return body
