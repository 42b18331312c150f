"""The OpenAPI 3 description, assembled from the fragments each API module registers."""

from flask import jsonify

from webapp.api import bp

_PATHS: dict = {}
_SCHEMAS: dict = {
    "Error": {
        "type": "object",
        "required": ["error", "message"],
        "properties": {
            "error": {"type": "string"},
            "message": {"type": "string"},
            "errors": {
                "type": "object",
                "description": "Problems by parameter name",
                "additionalProperties": {"type": "array", "items": {"type": "string"}},
            },
        },
    }
}


def register(paths: dict, schemas: dict | None = None) -> None:
    """Add path items (and component schemas) to the description."""
    _PATHS.update(paths)
    _SCHEMAS.update(schemas or {})


def error_response(description: str) -> dict:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


#: answers any operation can give, whatever its own rules (request limits, rate limits)
_COMMON_RESPONSES = {
    "400": error_response("Malformed request: bad JSON, JSON nested too deeply, a form part "
                          "without a name, or a character that is not allowed"),  # fmt: skip
    "414": {"description": "The address is too long (answered by the web server)"},
    "429": error_response("Too many requests: wait and try again"),
    "503": error_response("Busy or the database unreachable: try again"),
}
#: answers an operation that takes a body can give
_BODY_RESPONSES = {"413": error_response("The body is larger than MAX_CONTENT_LENGTH")}


def _with_common_responses(paths: dict) -> dict:
    done = {}
    for path, item in sorted(paths.items()):
        done[path] = {}
        for method, operation in item.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                done[path][method] = operation
                continue
            extra = {**_COMMON_RESPONSES}
            if method in ("post", "put", "patch"):
                extra.update(_BODY_RESPONSES)
            done[path][method] = {**operation, "responses": {**extra, **operation["responses"]}}
    return done


def build_spec() -> dict:
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Shanxi practice bases API",
            "version": "1.0.0",
            "description": "Practice bases, green-channel booking and the lecturer pool.",
        },
        "servers": [{"url": "/api/v1"}],
        "paths": _with_common_responses(_PATHS),
        "components": {"schemas": _SCHEMAS},
    }


@bp.route("/openapi.json")
def openapi_json():
    return jsonify(build_spec())
