"""Bounds on what one request may carry: its size, its JSON nesting and its form parts.

The whole site takes at most MAX_CONTENT_LENGTH bytes; the few views that take a file are
marked with `@upload_route` and take UPLOAD_MAX_CONTENT_LENGTH. Both are enforced by the
request object itself, so they hold before Flask-WTF's CSRF check reads the form.
"""

from collections.abc import Callable

from flask import Flask, Request, current_app
from flask.json.provider import DefaultJSONProvider
from flask_babel import gettext as _
from werkzeug.exceptions import BadRequest

_UPLOAD_FLAG = "is_upload_route"


def upload_route(view: Callable) -> Callable:
    """Let this view take a body up to UPLOAD_MAX_CONTENT_LENGTH (put it under @bp.route)."""
    setattr(view, _UPLOAD_FLAG, True)
    return view


class BoundedRequest(Request):
    """A request whose body limit depends on the view it is routed to, and whose form may
    not hold a part without a name."""

    @property
    def max_content_length(self) -> int | None:
        if self._max_content_length is not None:
            return self._max_content_length
        if not current_app:
            return super().max_content_length
        view = current_app.view_functions.get(self.endpoint) if self.endpoint else None
        if getattr(view, _UPLOAD_FLAG, False):
            return current_app.config["UPLOAD_MAX_CONTENT_LENGTH"]
        return current_app.config["MAX_CONTENT_LENGTH"]

    @max_content_length.setter
    def max_content_length(self, value: int | None) -> None:
        self._max_content_length = value

    def _load_form_data(self) -> None:
        super()._load_form_data()
        # werkzeug keys a multipart part without a name under None, which nothing downstream
        # expects (Flask-WTF's CSRF lookup fails on it)
        if None in self.form or None in self.files:
            for name in ("form", "files"):
                kept = [(k, v) for k, v in self.__dict__[name].items(multi=True) if k is not None]
                self.__dict__[name] = self.parameter_storage_class(kept)
            raise BadRequest(description=_("Every part of the form must have a name."))


class JSONTooDeep(BadRequest):
    pass


def json_depth(value) -> int:
    """How deeply lists and objects nest in a parsed JSON value (a scalar is 0)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        children = item.values() if isinstance(item, dict) else item
        if isinstance(item, dict | list):
            deepest = max(deepest, depth)
            stack.extend((child, depth + 1) for child in children)
    return deepest


class BoundedJSONProvider(DefaultJSONProvider):
    """JSON whose nesting is bounded: deeper input is a 400, not a RecursionError."""

    def loads(self, s, **kwargs):
        try:
            value = super().loads(s, **kwargs)
        except RecursionError:
            value = None
            too_deep = True
        else:
            too_deep = json_depth(value) > current_app.config["MAX_JSON_DEPTH"]
        if too_deep:
            # not a ValueError, so get_json(silent=True) cannot swallow it into "no body"
            raise JSONTooDeep(description=_("The JSON in the request is nested too deeply."))
        return value


def init_app(app: Flask) -> None:
    app.request_class = BoundedRequest
    app.json = BoundedJSONProvider(app)
