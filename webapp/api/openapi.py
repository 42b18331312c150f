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


def build_spec() -> dict:
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Shanxi practice bases API",
            "version": "1.0.0",
            "description": "Practice bases, green-channel booking and the lecturer pool.",
        },
        "servers": [{"url": "/api/v1"}],
        "paths": dict(sorted(_PATHS.items())),
        "components": {"schemas": _SCHEMAS},
    }


@bp.route("/openapi.json")
def openapi_json():
    return jsonify(build_spec())
