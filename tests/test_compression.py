"""Text answers are gzipped for browsers that accept it (gunicorn serving directly has no
proxy to do it); streamed files, small bodies and browsers without gzip get them plain."""

import gzip
from pathlib import Path

from PIL import Image

from models import db
from tests.factories import make_venue

GZIP = {"Accept-Encoding": "gzip, deflate, br"}
STATIC = Path(__file__).resolve().parent.parent / "static"


def test_static_scripts_and_pages_are_gzipped_when_accepted(client, regions):
    plain = client.get("/static/vendor/leaflet/leaflet.js")
    packed = client.get("/static/vendor/leaflet/leaflet.js", headers=GZIP)
    assert plain.headers.get("Content-Encoding") is None
    assert packed.headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in packed.vary
    assert len(packed.data) < len(plain.data) / 3
    assert gzip.decompress(packed.data) == plain.data
    assert packed.headers["ETag"] != plain.headers["ETag"]
    page = client.get("/", headers=GZIP)
    assert page.headers["Content-Encoding"] == "gzip"
    assert "<html" in gzip.decompress(page.data).decode()


def test_small_or_streamed_or_binary_answers_stay_plain(client, regions):
    make_venue(regions["140110"])
    db.session.commit()
    assert client.get("/healthz", headers=GZIP).headers.get("Content-Encoding") is None
    streamed = client.get("/opendata/venues.geojson", headers=GZIP)
    assert streamed.is_streamed and streamed.headers.get("Content-Encoding") is None
    assert streamed.get_data().lstrip().startswith(b"{")
    png = client.get("/static/img/icon-192.png", headers=GZIP)
    assert png.status_code == 200 and png.headers.get("Content-Encoding") is None


def test_a_venue_map_draws_the_double_size_shadow_on_dense_screens(client, regions):
    venue = make_venue(regions["140110"])
    db.session.commit()
    assert 'shadowRetinaUrl: "marker-shadow-2x.png"' in client.get(f"/venues/{venue.id}").text
    with Image.open(STATIC / "vendor/leaflet/images/marker-shadow-2x.png") as shadow:
        assert shadow.size == (82, 82)
