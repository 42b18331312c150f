"""Access decorators. What a role may do is decided in webapp.services.permissions."""

import logging
from collections.abc import Callable
from functools import wraps

from flask import abort, g, request
from flask_login import current_user

from webapp.extensions import login_manager
from webapp.services import permissions

log = logging.getLogger("webapp.security")


def _login_first():
    return login_manager.unauthorized()


_MISSING = object()


def require(action: str, obj=_MISSING, *, missing=None, denied=None):
    """A view's access check, in one place: anonymous visitors are sent to sign in (401 for
    the API), a missing object (None) is a 404, a refusal is a 403 and is logged. Returns the
    object so a view can write ``venue = require("venue.edit", db.session.get(Venue, id))``.
    `missing` and `denied`, when given, are the 404's and the 403's message."""
    if not current_user.is_authenticated:
        abort(_login_first())
    if obj is None:
        abort(404, description=missing)
    target = None if obj is _MISSING else obj
    if not permissions.can(current_user, action, target):
        log.warning(
            "denied %s on %s to user %s at %s",
            action,
            getattr(target, "id", None),
            current_user.id,
            request.path,
        )
        abort(403, description=denied)
    return target


def permission_required(action: str, load: Callable | None = None, *, missing=None, denied=None):
    """Let a view run only when the user may do `action` (see services.permissions and
    `require` above). `load`, when given, receives the view's URL arguments and returns the
    object the action is about, or None (404). The object is left in ``g.permission_object``.

        @bp.route("/venues/<int:venue_id>/edit")
        @permission_required("venue.edit", lambda venue_id: db.session.get(Venue, venue_id))
        def edit(venue_id): ...
    """

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return _login_first()
            target = load(**kwargs) if load is not None else _MISSING
            g.permission_object = require(action, target, missing=missing, denied=denied)
            return view(*args, **kwargs)

        return wrapped

    return decorator
