"""Uploaded images are decoded under a pixel bound and stored only as re-encoded copies."""

import time
from io import BytesIO

import pytest
from PIL import Image

from tests.factories import picture, png_declaring
from webapp.services.images import ImageError, prepare_image


@pytest.fixture(autouse=True)
def _request_context(app):
    with app.test_request_context("/?lang=en"):
        yield


def opened(data: bytes) -> Image.Image:
    return Image.open(BytesIO(data))


@pytest.mark.parametrize(
    ("kind", "mime"), [("JPEG", "image/jpeg"), ("PNG", "image/png"), ("WEBP", "image/webp")]
)
def test_each_accepted_format_is_stored_resized_in_its_own_format(kind, mime):
    stored = prepare_image(picture(kind, size=(3000, 1500)), max_side=800)
    assert stored.mime_type == mime
    assert opened(stored.data).format == kind
    assert opened(stored.data).size == (stored.width, stored.height) == (800, 400)


def test_a_small_image_keeps_its_size():
    assert prepare_image(picture("PNG", size=(40, 30))).width == 40


def test_metadata_is_dropped_and_the_camera_orientation_applied():
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: rotate 90° to show
    exif[0x8825] = {2: (37.0, 52.0, 10.0)}  # a GPS latitude
    stored = prepare_image(picture("JPEG", size=(60, 20), exif=exif.tobytes()))
    image = opened(stored.data)
    assert image.size == (20, 60)
    assert not image.getexif()


def test_a_png_declaring_thirty_thousand_pixels_square_is_refused_at_once():
    bomb = png_declaring(30_000, 30_000)
    assert len(bomb) < 200_000
    started = time.perf_counter()
    with pytest.raises(ImageError) as caught:
        prepare_image(bomb)
    assert time.perf_counter() - started < 1
    assert "million pixels" in caught.value.message and caught.value.field == "photo"


def test_a_picture_over_the_pixel_bound_is_refused_with_its_size():
    with pytest.raises(ImageError) as caught:
        prepare_image(png_declaring(6000, 5000))
    assert "6000 × 5000" in caught.value.message and "25 million" in caught.value.message


@pytest.mark.parametrize(
    "data",
    [
        picture("GIF"),
        picture("BMP"),
        b'<svg xmlns="http://www.w3.org/2000/svg"/>',
        b"\x89PNG\r\n\x1a\n" + b"\x00" * 64,
    ],
    ids=["gif", "bmp", "svg", "png-magic-only"],
)
def test_other_formats_and_fakes_are_refused(data):
    with pytest.raises(ImageError, match="JPEG, PNG or WebP|damaged"):
        prepare_image(data)


def test_a_truncated_picture_is_refused_as_damaged():
    whole = picture("JPEG", size=(400, 400), quality=95)
    with pytest.raises(ImageError, match="damaged"):
        prepare_image(whole[: len(whole) // 2])


def test_an_empty_file_is_refused():
    with pytest.raises(ImageError, match="empty"):
        prepare_image(b"")
