"""gzip for text answers (pages, CSS, JS, JSON, SVG) when the browser accepts it.

A reverse proxy usually compresses; gunicorn serving the site directly (an intranet, the
benchmarks) does not, and a phone on a slow line then fetches Leaflet's 145 KB whole.
Streamed answers (the open-data files, exports) pass untouched, as do ranges, small bodies
and anything already encoded. Static files are compressed once per file version and kept.
"""

import gzip
from functools import lru_cache

from flask import request

MIN_SIZE = 500
_TEXT = (
    "text/",
    "application/javascript",
    "application/json",
    "application/manifest+json",
    "image/svg+xml",
)


@lru_cache(maxsize=64)
def _compressed_static(path: str, etag: str | None, body: bytes) -> bytes:
    return gzip.compress(body, compresslevel=6, mtime=0)


def _wants_gzip() -> bool:
    return "gzip" in request.headers.get("Accept-Encoding", "").lower()


def compress(response):
    if (
        response.status_code != 200
        or (response.is_streamed and not response.direct_passthrough)
        or "Content-Encoding" in response.headers
        or "Content-Range" in response.headers
        or not (response.mimetype or "").startswith(_TEXT)
    ):
        return response
    response.vary.add("Accept-Encoding")
    if not _wants_gzip():
        return response
    static = request.endpoint == "static"
    response.direct_passthrough = False
    body = response.get_data()
    if len(body) < MIN_SIZE:
        return response
    if static:
        etag, _weak = response.get_etag()
        data = _compressed_static(request.path, etag, body)
    else:
        data = gzip.compress(body, compresslevel=6, mtime=0)
    response.set_data(data)
    response.headers["Content-Encoding"] = "gzip"
    etag, weak = response.get_etag()
    if etag:  # a different body: not the same entity tag as the plain one
        response.set_etag(etag + "-gz", weak=weak)
    return response


def init_app(app) -> None:
    app.after_request(compress)
