"""Chinese first, English second: the chosen language is remembered in a cookie."""

import os

from flask import Flask, request
from flask_babel import get_locale
from flask_wtf.i18n import translations as wtforms_translations
from wtforms import Form

LANG_COOKIE = "lang"


def select_locale() -> str:
    from flask import current_app, has_request_context

    if not has_request_context():
        # command line and background work speak the default language
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    languages = current_app.config["LANGUAGES"]
    wanted = request.args.get("lang") or request.cookies.get(LANG_COOKIE)
    if wanted in languages:
        return wanted
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def current_language() -> str:
    return str(get_locale() or "zh")


def region_label(region, lang: str | None = None) -> str:
    """A region's name in the user's language; a county comes with its city ("太原市 · 小店区")."""
    lang = lang or current_language()
    name = region.display_name(lang)
    parent = region.parent
    if parent is not None and region.level.value == "county":
        return f"{parent.display_name(lang)} · {name}"
    return name


def remember_language(response, code: str) -> None:
    response.set_cookie(LANG_COOKIE, code, max_age=365 * 24 * 3600, samesite="Lax", httponly=True)


def init_app(app: Flask, babel) -> None:
    base = os.path.abspath(os.path.join(app.root_path, "..", "translations"))
    # One catalogue per area keeps parallel work from colliding in a single .po file.
    dirs = (
        sorted(
            os.path.join(base, name)
            for name in os.listdir(base)
            if os.path.isdir(os.path.join(base, name))
        )
        if os.path.isdir(base)
        else []
    )
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", ";".join(dirs) or base)
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.globals["current_language"] = current_language
    app.jinja_env.globals["region_label"] = region_label

    @app.after_request
    def remember_language_from_query(response):
        wanted = request.args.get("lang")
        if wanted in app.config["LANGUAGES"] and request.cookies.get(LANG_COOKIE) != wanted:
            remember_language(response, wanted)
        return response


class QueryForm(Form):
    """A form read from the query string (no CSRF token) whose built-in WTForms messages
    ("Not a valid integer value.") speak the user's language, as FlaskForm's do."""

    class Meta:
        def get_translations(self, form):
            return wtforms_translations
