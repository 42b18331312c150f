"""Maps: tile providers, and the folium maps that pages embed.

Tiles are the one thing fetched from outside; which provider is a setting. Venues are stored
in WGS-84; AMap tiles are drawn in GCJ-02, so points are shifted on display for them. Leaflet
and its cluster plugin are served from static/vendor, never from a CDN, and every inline script
folium writes carries the request's CSP nonce. The directory map draws no folium object per
venue: static/js/map.js fetches compact points and clusters them in the browser.
"""

import math
import re
from dataclasses import dataclass

import folium
import sqlalchemy as sa
from branca.element import Figure, MacroElement
from flask import current_app, url_for
from flask_babel import gettext as _
from folium.elements import JSCSSMixin
from folium.template import Template
from markupsafe import Markup, escape

from models import Venue, VenueCategory, db
from webapp.csp import csp_nonce
from webapp.i18n import current_language
from webapp.labels import CATEGORY_LABELS


@dataclass(frozen=True)
class TileProvider:
    key: str
    url: str
    attribution: str
    #: coordinate system the tiles are drawn in: "wgs84" or "gcj02"
    crs: str
    hosts: tuple[str, ...]
    subdomains: str = "abc"
    needs_key: bool = False


TILE_PROVIDERS = {
    "osm": TileProvider(
        key="osm",
        url="https://tile.openstreetmap.org/{z}/{x}/{y}.png",
        attribution="&copy; OpenStreetMap contributors",
        crs="wgs84",
        hosts=("https://tile.openstreetmap.org",),
        subdomains="",
    ),
    # Tianditu draws in CGCS2000, within centimetres of WGS-84: no shift needed.
    "tianditu": TileProvider(
        key="tianditu",
        url="https://t{s}.tianditu.gov.cn/vec_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0"
        "&LAYER=vec&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles"
        "&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk={key}",
        attribution="&copy; 天地图",
        crs="wgs84",
        hosts=tuple(f"https://t{i}.tianditu.gov.cn" for i in range(8)),
        subdomains="01234567",
        needs_key=True,
    ),
    "amap": TileProvider(
        key="amap",
        url="https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8"
        "&x={x}&y={y}&z={z}",
        attribution="&copy; 高德地图",
        crs="gcj02",
        hosts=tuple(f"https://webrd0{i}.is.autonavi.com" for i in range(1, 5)),
        subdomains="1234",
    ),
    # No background at all: for an intranet without a tile server, and for measurements
    # (bench/bench_lighthouse.py) where tiles that cannot be fetched would only log errors.
    "none": TileProvider(key="none", url="", attribution="", crs="wgs84", hosts=(), subdomains=""),
}


def get_tile_provider(key: str) -> TileProvider:
    return TILE_PROVIDERS.get(key, TILE_PROVIDERS["osm"])


def tile_hosts(key: str) -> tuple[str, ...]:
    """Hosts the page may load tiles from (for the CSP): those of the provider really drawn."""
    provider = get_tile_provider(key)
    if provider.needs_key and not current_app.config.get("TIANDITU_KEY"):
        provider = TILE_PROVIDERS["osm"]
    return provider.hosts


def select_tile_provider(config) -> tuple[TileProvider, str]:
    """The provider the site draws with, and its tile URL ready for Leaflet.

    Rules: MAP_TILE_PROVIDER names it (osm, tianditu, amap, or none: markers on a blank
    background, nothing fetched); an unknown name means OpenStreetMap; Tianditu without
    TIANDITU_KEY cannot serve tiles, so OpenStreetMap is used.
    """
    provider = get_tile_provider(config.get("MAP_TILE_PROVIDER", "osm"))
    if provider.needs_key:
        key = config.get("TIANDITU_KEY", "")
        if not key:
            current_app.logger.warning(
                "MAP_TILE_PROVIDER=%s needs TIANDITU_KEY; using OpenStreetMap", provider.key
            )
            provider = TILE_PROVIDERS["osm"]
            return provider, provider.url
        return provider, provider.url.replace("{key}", key)
    return provider, provider.url


# ---------------------------------------------------------------- WGS-84 → GCJ-02

# The published GCJ-02 algorithm (as in eviltransform): Krasovsky ellipsoid parameters.
_GCJ_A = 6378245.0
_GCJ_EE = 0.00669342162296594323


def is_outside_china(lat: float, lng: float) -> bool:
    return not (72.004 <= lng <= 137.8347 and 0.8293 <= lat <= 55.8271)


def _transform_lat(x: float, y: float) -> float:
    ret = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (160.0 * math.sin(y / 12.0 * math.pi) + 320 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    return ret


def _transform_lng(x: float, y: float) -> float:
    ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    return ret


def wgs84_to_gcj02(lat: float, lng: float) -> tuple[float, float]:
    """A WGS-84 point as drawn on GCJ-02 tiles (AMap, Tencent); unchanged outside China.

    static/js/map.js holds the same function for the directory map.
    """
    if is_outside_china(lat, lng):
        return lat, lng
    d_lat = _transform_lat(lng - 105.0, lat - 35.0)
    d_lng = _transform_lng(lng - 105.0, lat - 35.0)
    rad_lat = lat / 180.0 * math.pi
    magic = 1 - _GCJ_EE * math.sin(rad_lat) ** 2
    sqrt_magic = math.sqrt(magic)
    d_lat = (d_lat * 180.0) / ((_GCJ_A * (1 - _GCJ_EE)) / (magic * sqrt_magic) * math.pi)
    d_lng = (d_lng * 180.0) / (_GCJ_A / sqrt_magic * math.cos(rad_lat) * math.pi)
    return lat + d_lat, lng + d_lng


def display_point(lat: float, lng: float, provider: TileProvider) -> tuple[float, float]:
    """Where a stored WGS-84 point is drawn on the given provider's tiles."""
    if provider.crs == "gcj02":
        return wgs84_to_gcj02(lat, lng)
    return lat, lng


# ---------------------------------------------------------------- colours and legend

#: one colour per category, distinct enough side by side, dark enough for white text
CATEGORY_COLOURS = {
    VenueCategory.PATRIOTIC_EDUCATION: "#c62828",
    VenueCategory.RULE_OF_LAW: "#4527a0",
    VenueCategory.STUDY_TRAVEL: "#2e7d32",
    VenueCategory.SCIENCE_POPULARISATION: "#00838f",
    VenueCategory.LIBRARY: "#1565c0",
    VenueCategory.MUSEUM: "#6d4c41",
    VenueCategory.CULTURAL_CENTRE: "#ad1457",
    VenueCategory.INTANGIBLE_HERITAGE: "#8e24aa",
    VenueCategory.ART_GALLERY: "#d84315",
    VenueCategory.MEMORIAL_HALL: "#37474f",
    VenueCategory.SCIENCE_MUSEUM: "#283593",
    VenueCategory.PERFORMANCE_VENUE: "#6a1b9a",
    VenueCategory.SPORTS_VENUE: "#827717",
    VenueCategory.NATIONAL_PARK: "#004d40",
    VenueCategory.YOUTH_PALACE: "#e65100",
    VenueCategory.CHILDREN_CENTRE: "#9e5d00",
}

_SHANXI_CENTRE = (37.6, 112.3)


def _category_style() -> str:
    rules = "".join(
        f".venue-pin-{c.value}{{background:{colour}}}" for c, colour in CATEGORY_COLOURS.items()
    )
    return f"<style>.venue-pin,.venue-swatch{{background:#555}}{rules}</style>"


def _category_labels() -> dict[str, str]:
    return {c.value: str(label) for c, label in CATEGORY_LABELS.items()}


# ---------------------------------------------------------------- folium, served locally


def _static(filename: str) -> str:
    return url_for("static", filename=filename)


class LocalMap(folium.Map):
    """folium.Map drawing with the vendored Leaflet, embeddable in a page.

    folium's own header sets html/body to full height and disables pinch zoom (an axe
    violation); this template keeps only the map's own size. Leaflet ships no double-size
    marker shadow: vendor/leaflet/images/marker-shadow-2x.png is its shadow scaled up.
    """

    _template = Template(
        """
        {% macro header(this, kwargs) %}
            <style>#{{ this.get_name() }} {position:relative;width:100%;}
            .leaflet-control-attribution a {text-decoration:underline;}</style>
        {% endmacro %}
        {% macro html(this, kwargs) %}
            <div class="folium-map" id={{ this.get_name()|tojson }}></div>
        {% endmacro %}
        {% macro script(this, kwargs) %}
            // phones have dense screens: the marker's shadow too at twice its size
            L.Icon.Default.mergeOptions({shadowRetinaUrl: "marker-shadow-2x.png"});
            var {{ this.get_name() }} = L.map(
                {{ this.get_name()|tojson }},
                {center: {{ this.location|tojson }}, crs: L.CRS.{{ this.crs }},
                 ...{{ this.options|tojavascript }}}
            );
        {% endmacro %}
        """
    )

    @property
    def default_js(self):
        return [("leaflet", _static("vendor/leaflet/leaflet.js"))]

    @property
    def default_css(self):
        return [("leaflet_css", _static("vendor/leaflet/leaflet.css"))]


class VenueClusters(JSCSSMixin, MacroElement):
    """Every matching venue, fetched as compact points and clustered by static/js/map.js."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            ShanxiMap.showVenues({{ this._parent.get_name() }}, {{ this.options|tojson }});
        {% endmacro %}
        """
    )

    def __init__(self, options: dict):
        super().__init__()
        self._name = "VenueClusters"
        self.options = options

    @property
    def default_js(self):
        return [
            ("markercluster", _static("vendor/leaflet.markercluster/leaflet.markercluster.js")),
            ("shanxi_map", _static("js/map.js")),
        ]

    @property
    def default_css(self):
        return [
            ("markercluster_css", _static("vendor/leaflet.markercluster/MarkerCluster.css")),
            (
                "markercluster_default_css",
                _static("vendor/leaflet.markercluster/MarkerCluster.Default.css"),
            ),
            ("shanxi_map_css", _static("css/map.css")),
        ]


_SCRIPT_TAG = re.compile(r"<script(?![^>]*\bnonce=)")


def _embed(fmap: folium.Map) -> str:
    """The map's links, container and script as one HTML fragment for a page's body.

    Every <script> gets the CSP nonce; external links all point at /static.
    """
    figure = fmap.get_root()
    assert isinstance(figure, Figure)  # noqa: S101 - folium always roots a Map in a Figure
    figure.header._children.pop("meta_http", None)
    for child in list(figure._children.values()):
        child.render()
    header = figure.header.render()
    body = figure.html.render()
    script = figure.script.render()
    html = f"{header}\n{body}\n<script>\n{script}\n</script>"
    return _SCRIPT_TAG.sub(f'<script nonce="{csp_nonce()}"', html)


def _tile_layer(fmap: folium.Map) -> TileProvider:
    provider, url = select_tile_provider(current_app.config)
    if not url:  # "none": no tiles, nothing fetched from outside
        return provider
    folium.TileLayer(
        tiles=url,
        attr=provider.attribution,
        subdomains=provider.subdomains or "abc",
        max_zoom=18,
        name=provider.key,
    ).add_to(fmap)
    return provider


# ---------------------------------------------------------------- the two maps


def venue_map_html(venue) -> str:
    """A small map of one venue with a single marker, as an HTML fragment."""
    provider, _url = select_tile_provider(current_app.config)
    point = display_point(venue.lat, venue.lng, provider)
    fmap = LocalMap(
        location=point,
        zoom_start=13 if venue.is_location_approximate else 15,
        tiles=None,
        scroll_wheel_zoom=False,
    )
    _tile_layer(fmap)
    name = venue.display_name(current_language())
    folium.Marker(location=point, title=name, alt=name).add_to(fmap)
    return Markup(_embed(fmap))  # noqa: S704 - built from folium templates, names escaped


def directory_map_html(query_string: str) -> str:
    """The map of every venue matching the filters in `query_string`, as an HTML fragment.

    The page holds no venue data: static/js/map.js fetches /map/points.json with the same
    query string, clusters the points in the browser, colours them by category and fetches
    a venue's details from /api/v1/venues/<id> when its popup opens.
    """
    provider, _url = select_tile_provider(current_app.config)
    fmap = LocalMap(
        location=_SHANXI_CENTRE,
        zoom_start=7,
        tiles=None,
        prefer_canvas=False,
        min_zoom=MIN_ZOOM,
        max_zoom=MAX_ZOOM,
    )
    _tile_layer(fmap)
    points_url = url_for("directory.map_points")
    if query_string:
        points_url += "?" + query_string
    options = {
        "pointsUrl": points_url,
        "venueApi": url_for("api.get_venue", venue_id=0).rsplit("/", 1)[0] + "/",
        "venuePage": url_for("directory.venue", venue_id=0).rsplit("/", 1)[0] + "/",
        "lang": current_language(),
        "gcj02": provider.crs == "gcj02",
        "bounds": list(PROVINCE_BOUNDS),
        "minZoom": MIN_ZOOM,
        "maxZoom": MAX_ZOOM,
        "legendId": "map-legend",
        "statusId": "map-status",
        "labels": _category_labels(),
        "text": {
            "loading": _("Loading…"),
            "count": _("%(n)s venues on the map", n="{n}"),
            "none": _("No venue matches these filters."),
            "failed": _("The venues could not be loaded. Please reload the page."),
            "open": _("Open the venue page"),
            "venue": _("Venue"),
            "cluster": _("%(n)s venues here: zoom in", n="{n}"),
        },
    }
    VenueClusters(options).add_to(fmap)
    # gettext outside the f-string, where the message extractor can see it
    loading, legend_heading = escape(_("Loading…")), escape(_("Legend"))
    legend = (
        f'<p id="map-status" class="map-status" role="status" aria-live="polite">'
        f"{loading}</p>"
        f'<section class="map-legend-box" aria-labelledby="map-legend-heading">'
        f'<h2 id="map-legend-heading" class="map-legend-heading">{legend_heading}</h2>'
        f'<ul id="map-legend" class="map-legend"></ul></section>'
    )
    return Markup(  # noqa: S704 - built from folium templates and escaped text
        _category_style() + _embed(fmap) + legend
    )


# ---------------------------------------------------------------- what the map asks for

#: Shanxi with a margin (west, south, east, north): the largest viewport the map may ask for
PROVINCE_BOUNDS = (110.0, 34.3, 114.8, 41.0)
MIN_ZOOM, MAX_ZOOM = 6, 18
#: a viewport with more matching venues than this is sent as clusters, whatever the zoom
MAX_POINTS = 1500
#: one cluster cell is this many screen pixels wide at the zoom asked for
CLUSTER_CELL_PX = 64


@dataclass(frozen=True)
class MapView:
    west: float
    south: float
    east: float
    north: float
    zoom: int

    @classmethod
    def province(cls, zoom: int = 7) -> "MapView":
        return cls(*PROVINCE_BOUNDS, zoom)

    @property
    def cell_degrees(self) -> float:
        return CLUSTER_CELL_PX * 360.0 / (256 * 2**self.zoom)


def _category_codes(mask: int) -> str:
    """The first of a venue's categories (in the model's order) from its category_mask."""
    for i, category in enumerate(VenueCategory):
        if mask & (1 << i):
            return category.value
    return ""


def _cell(column, size: float, offset: float):
    """The grid cell number of a coordinate: floor((x + offset) / size), on both databases."""
    scaled = (column + offset) / size
    if db.session.get_bind().dialect.name == "sqlite":
        # x + offset is never negative, so truncation is the floor; SQLite may lack floor()
        return sa.cast(scaled, sa.Integer)
    return sa.func.floor(scaled)


def viewport_points(filters, view: MapView) -> dict:
    """The matching venues inside the viewport, as compact integers for static/js/map.js.

    Rules: at most MAX_POINTS venues are sent one by one,
    {"categories": [code, …], "points": [[id, lat×1e5, lng×1e5, category index], …]};
    a viewport holding more is sent as grid clusters counted in SQL,
    {"clusters": [[lat×1e5, lng×1e5, venues, id of the venue when alone else 0], …],
    "total": venues}, with cells CLUSTER_CELL_PX wide at the zoom asked for. No answer
    lists every venue of a province-sized catalogue.
    """
    from webapp.services.catalogue.search import filtered_venue_ids

    inside = filtered_venue_ids(filters).where(
        Venue.lat.between(view.south, view.north), Venue.lng.between(view.west, view.east)
    )
    rows = db.session.execute(
        inside.add_columns(Venue.category_mask).order_by(None).limit(MAX_POINTS + 1)
    ).all()
    if len(rows) <= MAX_POINTS:
        codes = [_category_codes(row.category_mask) for row in rows]
        categories = sorted(set(codes))
        index = {code: i for i, code in enumerate(categories)}
        return {
            "categories": categories,
            "points": [
                [row.id, round(row.lat * 1e5), round(row.lng * 1e5), index[code]]
                for row, code in zip(rows, codes, strict=True)
            ],
        }
    size = view.cell_degrees
    sub = inside.subquery()
    gx = _cell(sub.c.lng, size, 180.0).label("gx")
    gy = _cell(sub.c.lat, size, 90.0).label("gy")
    cells = db.session.execute(
        sa.select(
            sa.func.count().label("n"),
            sa.func.avg(sub.c.lat).label("lat"),
            sa.func.avg(sub.c.lng).label("lng"),
            sa.func.min(sub.c.id).label("first"),
        ).group_by(gx, gy)
    ).all()
    return {
        "clusters": [
            [round(c.lat * 1e5), round(c.lng * 1e5), c.n, c.first if c.n == 1 else 0]
            for c in cells
        ],
        "total": sum(c.n for c in cells),
    }
