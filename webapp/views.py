"""What every blueprint's views share: who is asking, and how a service's refusal is shown."""

from flask import flash
from flask_babel import gettext as _
from flask_login import current_user

from webapp.services.errors import ServiceError


def current_actor():
    """The signed-in user as a plain model object, as services take it (not the proxy)."""
    return current_user._get_current_object()


def _field_named(form, name: str | None):
    """The field a service's `field` names. A form whose services name nested fields by path
    ('hours.3', 'admission.primary') resolves them itself with a `field_for(name)` method."""
    if not name:
        return None
    if hasattr(form, "field_for"):
        field = form.field_for(name)
    else:
        field = form[name] if name in form else None
    if field is not None and field.type in ("HiddenField", "CSRFTokenField"):
        return None  # nobody would see it there
    return field


def show_service_error(
    form, error: ServiceError, *, summary: str | None = None, repeat: bool = True
) -> None:
    """Show a service's refusal: beside the field it names when the form has one, and at the
    top of the page: its own words, or `summary` when the field already says them. With
    `repeat=False` a message shown beside its field is not said again at the top."""
    field = _field_named(form, error.field)
    if field is None:
        flash(error.message, "error")
        return
    field.errors = [*(field.errors or []), error.message]
    if summary:
        flash(summary, "error")
    elif repeat:
        flash(error.message, "error")


def flash_ignored(form) -> None:
    """Say which query-string values were wrong and so left out."""
    if form.errors:
        names = ", ".join(str(form[name].label.text) for name in form.errors)
        flash(
            _("Some filters could not be used and were ignored: %(names)s", names=names), "warning"
        )
