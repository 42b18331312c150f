"""Access decorators. What a role may do is decided in webapp.services.permissions."""

from functools import wraps

from flask import abort
from flask_login import current_user

from models import Role


def role_required(*roles: Role):
    """Let in signed-in users holding any of `roles` (administrators always); others get 403."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            from webapp.extensions import login_manager

            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not (current_user.is_admin or any(current_user.has_role(r) for r in roles)):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator
