"""The API's field types, and the one reading of a bad value.

Every JSON and query field of the API is one of pydantic's types or one of these, so the
OpenAPI description, the validation and the message a bad value gets come from one place:
`field_errors` turns pydantic's complaint into {field: [message in the user's language]}.
"""

from datetime import date
from typing import Annotated, TypeVar

from flask_babel import gettext as _
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Strict,
    StringConstraints,
    ValidationError,
)
from pydantic.json_schema import SkipJsonSchema
from pydantic_core import PydanticCustomError

#: a JSON integer: not "2", not true
WholeNumber = Annotated[int, Strict()]


def _iso_date(value):
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise PydanticCustomError("iso_date", "not a YYYY-MM-DD date")


def _blank_is_none(value):
    return None if value == "" else value


T = TypeVar("T")

#: a date written YYYY-MM-DD
IsoDate = Annotated[date, BeforeValidator(_iso_date)]
#: a query parameter that may be left empty (``?stage=`` means no stage)
Blankable = Annotated[T | SkipJsonSchema[None], BeforeValidator(_blank_is_none)]
#: a date in a query string, where an empty value means none
QueryDate = Blankable[IsoDate]
#: a region's six-digit code (adcode) in a query string
Adcode = Blankable[Annotated[str, StringConstraints(pattern=r"^\s*[0-9]{6}\s*$")]]


class Schema(BaseModel):
    """Base of the API's request and response models."""

    model_config = ConfigDict(populate_by_name=True)


def _message(kind: str, ctx: dict) -> str:
    # text that is not a number comes from a query string: worded as the pages' forms word it
    if kind == "int_parsing":
        return _("Not a valid integer value.")
    if kind == "float_parsing":
        return _("Not a valid float value.")
    if kind in ("int_type", "int_from_float"):
        return _("Enter a whole number.")
    if kind in ("float_type", "finite_number"):
        return _("Enter a number.")
    if kind == "missing" or (kind == "string_too_short" and ctx.get("min_length") == 1):
        return _("Required.")
    if kind == "string_type":
        return _("Must be a string.")
    if kind == "iso_date":
        return _("Use YYYY-MM-DD.")
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return _("Send a JSON object.")
    if kind in ("greater_than_equal", "greater_than"):
        return _("At least %(n)s.", n=ctx.get("ge", ctx.get("gt")))
    if kind in ("less_than_equal", "less_than"):
        return _("At most %(n)s.", n=ctx.get("le", ctx.get("lt")))
    if kind == "string_too_long":
        return _("At most %(n)s characters.", n=ctx.get("max_length"))
    if kind == "string_too_short":
        return _("At least %(n)s characters.", n=ctx.get("min_length"))
    if kind in ("enum", "literal_error"):
        values = str(ctx.get("expected", "")).replace("' or '", "', '")
        return _("Not one of the allowed values: %(values)s", values=values)
    if kind == "string_pattern_mismatch":
        return _("Not in the expected form.")
    return _("Not a usable value.")


def field_errors(error: ValidationError) -> dict[str, list[str]]:
    """{field: [message]} for a failed validation, one message per field (the first)."""
    found: dict[str, list[str]] = {}
    for problem in error.errors():
        location = problem.get("loc") or ()
        name = str(location[0]) if location else "body"
        found.setdefault(name, [_message(problem["type"], problem.get("ctx") or {})])
    return found
