"""Maps: tile providers, and the folium maps that pages embed.

Tiles are the one thing fetched from outside; which provider is a setting. Venues are stored
in WGS-84; AMap tiles are drawn in GCJ-02, so points are shifted on display for them.
"""

from dataclasses import dataclass


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
}


def get_tile_provider(key: str) -> TileProvider:
    return TILE_PROVIDERS.get(key, TILE_PROVIDERS["osm"])


def tile_hosts(key: str) -> tuple[str, ...]:
    return get_tile_provider(key).hosts


def venue_map_html(venue) -> str:  # replaced by the folium map in the map work
    return ""


def directory_map_html(query_string: str) -> str:  # replaced by the folium map in the map work
    return ""
