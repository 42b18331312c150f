"""Uploaded images (lecturer photos, venue photos): decoded, bounded, re-encoded.

Magic bytes prove nothing: a 100 KB PNG can declare 30,000 × 30,000 pixels and take gigabytes
to decode. An upload is opened with Pillow restricted to JPEG, PNG and WebP, its declared
size is checked before any pixel is decoded, and only a re-encoded copy (resized, EXIF
orientation applied, metadata such as GPS position dropped) is ever stored or served.
"""

import warnings
from dataclasses import dataclass
from io import BytesIO

from flask_babel import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from webapp.services.errors import ServiceError

#: Pillow format → MIME type, for the formats accepted and stored
FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
#: pixels an upload may declare (about 6000 × 4000, a large phone photo)
MAX_PIXELS = 25_000_000
#: the longest side of a stored image
MAX_SIDE = 1600
MAX_UPLOAD_BYTES = 8 * 1024 * 1024


class ImageError(ServiceError):
    """The upload is not an image we can take; the message says why."""

    status_code = 422


@dataclass(frozen=True)
class StoredImage:
    data: bytes
    mime_type: str
    width: int
    height: int


def _open(data: bytes, *, field: str, max_pixels: int) -> Image.Image:
    if not data:
        raise ImageError(_("The image file is empty."), field=field)
    if len(data) > MAX_UPLOAD_BYTES:
        raise ImageError(
            _("The image file is larger than %(mb)s MB.", mb=MAX_UPLOAD_BYTES // 1024 // 1024),
            field=field,
        )
    try:
        with warnings.catch_warnings():
            # Pillow's own bomb check only warns below twice its limit: make it refuse
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(BytesIO(data), formats=list(FORMATS))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageError(_too_many_pixels(max_pixels), field=field) from None
    except UnidentifiedImageError:
        raise ImageError(_("The image must be a JPEG, PNG or WebP picture."), field=field) from None
    except (OSError, ValueError, SyntaxError):
        raise ImageError(_("The image is damaged and cannot be read."), field=field) from None
    if image.width * image.height > max_pixels or min(image.size) < 1:
        raise ImageError(
            _("The image is %(width)s × %(height)s pixels.", width=image.width, height=image.height)
            + " "
            + _too_many_pixels(max_pixels),
            field=field,
        )
    return image


def _too_many_pixels(max_pixels: int) -> str:
    return _(
        "At most %(megapixels)s million pixels are accepted: make the picture smaller.",
        megapixels=max_pixels // 1_000_000,
    )


def prepare_image(
    data: bytes, *, field: str = "photo", max_side: int = MAX_SIDE, max_pixels: int = MAX_PIXELS
) -> StoredImage:
    """The upload decoded and re-encoded in its own format, its longest side at most
    `max_side` (the first frame of an animation).

    Rules: JPEG, PNG or WebP by content, not by name; at most `max_pixels` declared pixels
    and MAX_UPLOAD_BYTES; the EXIF orientation is applied and all metadata dropped.
    Raises: ImageError naming `field`.
    """
    image = _open(data, field=field, max_pixels=max_pixels)
    kind = image.format
    try:
        if kind == "JPEG":
            # decode at a reduced scale straight away when the picture is far larger
            image.draft("RGB", (max_side, max_side))
        image = ImageOps.exif_transpose(image)
        has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
        image = image.convert("RGBA" if has_alpha and kind != "JPEG" else "RGB")
        image.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
        out = BytesIO()
        if kind == "JPEG":
            image.save(out, "JPEG", quality=85, optimize=True, progressive=True)
        elif kind == "PNG":
            image.save(out, "PNG", optimize=True)
        else:
            image.save(out, "WEBP", quality=85)
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        # truncated or corrupt data only shows when the pixels are decoded
        raise ImageError(_("The image is damaged and cannot be read."), field=field) from None
    return StoredImage(out.getvalue(), FORMATS[kind], image.width, image.height)
