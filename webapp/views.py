"""What every blueprint's views share: who is asking, and how a service's refusal is shown."""

from flask import flash
from flask_login import current_user

from webapp.services.errors import ServiceError


def current_actor():
    """The signed-in user as a plain model object, as services take it (not the proxy)."""
    return current_user._get_current_object()


def show_service_error(form, error: ServiceError, *, summary: str | None = None) -> None:
    """Show a service's refusal: beside the field it names when the form has one, and at the
    top of the page (its own words, or `summary` when the field already says them)."""
    field = form[error.field] if error.field and error.field in form else None
    if field is not None and field.type in ("HiddenField", "CSRFTokenField"):
        field = None  # nobody would see it there
    if field is not None:
        field.errors = [*(field.errors or []), error.message]
    flash(summary if field is not None and summary else error.message, "error")
