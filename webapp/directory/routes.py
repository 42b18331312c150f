import gzip
import json
import time
from urllib.parse import urlsplit

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from models.user import utcnow
from webapp.api.errors import bad_request
from webapp.directory import bp
from webapp.directory.forms import MapViewForm, VenueFilterForm
from webapp.i18n import current_language, remember_language
from webapp.services import preferences
from webapp.services.catalogue import search as venue_service
from webapp.services.catalogue.cache import cached_result, current_version
from webapp.services.catalogue.maps import directory_map_html, venue_map_html, viewport_points
from webapp.services.clock import local_date


def _parse_filters() -> tuple[VenueFilterForm, venue_service.VenueFilters, str | None]:
    """The usable filters, and a notice naming the ones that were not."""
    form = VenueFilterForm(request.args)
    form.validate()
    notice = None
    if form.errors:
        names = ", ".join(str(form[name].label.text) for name in form.errors)
        notice = _("Some filters could not be used and were ignored: %(names)s", names=names)
    return form, form.to_filters(), notice


def _read_filters() -> tuple[VenueFilterForm, venue_service.VenueFilters]:
    form, filters, notice = _parse_filters()
    if notice:
        flash(notice, "warning")
    return form, filters


@bp.route("/")
def index():
    lang = current_language()

    def render_body():
        form, filters, notice = _parse_filters()
        cities, counties = venue_service.list_region_options(lang)
        result = venue_service.search_venues(
            filters,
            page=form.page_number,
            per_page=form.per_page_number(current_app.config["VENUES_PER_PAGE"]),
        )
        html = render_template(
            "directory/_index_body.html",
            form=form,
            filters=filters,
            result=result,
            cities=cities,
            counties=counties,
        )
        return html, notice

    # The body depends on the query and the language only, so it is cached whole (filters
    # are parsed only on a miss); the page around it (account, messages, CSP nonce) is not.
    # The weekend links in the body name dates: a new day is a new page.
    today = local_date(utcnow())
    key = f"{lang}|{today.isoformat()}|{request.query_string!r}"
    if request.args.get("places_on"):
        # places left change with every booking, which does not move the catalogue version
        key += f"|{int(time.time() // venue_service.PLACES_LEFT_FRESH_SECONDS)}"
    body, notice = cached_result("list", key, render_body)
    if notice:
        flash(notice, "warning")
    return render_template("directory/index.html", body_html=Markup(body))  # noqa: S704


@bp.route("/venues/<int:venue_id>")
def venue(venue_id: int):
    found = venue_service.get_venue(venue_id)
    if found is None:
        abort(404)
    return render_template("directory/venue.html", venue=found, map_html=venue_map_html(found))


@bp.route("/map")
def map_page():
    form, filters = _read_filters()
    cities, counties = venue_service.list_region_options(current_language())
    return render_template(
        "directory/map.html",
        form=form,
        filters=filters,
        cities=cities,
        counties=counties,
        map_html=directory_map_html(request.query_string.decode()),
    )


@bp.route("/map/points.json")
def map_points():
    """The viewport's venues or clusters (maps.viewport_points), gzipped, with an ETag that is the
    catalogue version: a second visit to an unchanged catalogue gets 304 Not Modified."""
    view_form = MapViewForm(request.args)
    if not view_form.validate():
        return bad_request(view_form.errors)
    form = VenueFilterForm(request.args)
    form.validate()  # as on the page: an unusable filter is left out, not refused
    filters, view = form.to_filters(), view_form.to_view()
    tag = f"catalogue-{current_version()}"
    if filters.places_on is not None:
        tag += f"-{int(time.time() // venue_service.PLACES_LEFT_FRESH_SECONDS)}"
    if request.if_none_match.contains(tag):
        response = current_app.response_class(status=304)
    else:

        def build() -> bytes:
            body = json.dumps(viewport_points(filters, view), separators=(",", ":"))
            return gzip.compress(body.encode("utf-8"), compresslevel=6)

        packed = cached_result("map-points", f"{filters.cache_key()}|{view!r}", build)
        if "gzip" in request.accept_encodings:
            response = current_app.response_class(packed, mimetype="application/json")
            response.headers["Content-Encoding"] = "gzip"
        else:
            response = current_app.response_class(
                gzip.decompress(packed), mimetype="application/json"
            )
    response.set_etag(tag)
    response.headers["Cache-Control"] = "no-cache"
    response.vary.add("Accept-Encoding")
    return response


@bp.route("/sw.js")
def service_worker():
    """The offline-ticket service worker, served from the root so that it may keep
    /booking/b/… pages; always revalidated, so a new version reaches phones at once."""
    response = current_app.send_static_file("js/ticket-sw.js")
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Content-Type"] = "text/javascript; charset=utf-8"
    return response


@bp.route("/healthz")
def healthz():
    """For load balancers and monitoring; also the benchmarks' hello-world baseline."""
    return "ok", 200, {"Content-Type": "text/plain; charset=utf-8"}


@bp.route("/language/<code>")
def set_language(code: str):
    target = request.args.get("next") or url_for("directory.index")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/"):
        target = url_for("directory.index")
    if code not in current_app.config["LANGUAGES"]:
        abort(404)
    response = redirect(target)
    remember_language(response, code)
    if current_user.is_authenticated:
        preferences.remember_locale(current_user, code)
    return response
