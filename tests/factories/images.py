"""Real and crafted image files for upload tests."""

import struct
import zlib
from io import BytesIO

from PIL import Image


def picture(kind: str = "PNG", size=(40, 30), mode="RGB", **save) -> bytes:
    buffer = BytesIO()
    Image.new(mode, size, (200, 30, 30) if mode == "RGB" else None).save(buffer, kind, **save)
    return buffer.getvalue()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_declaring(width: int, height: int) -> bytes:
    """A small, valid-looking PNG whose header claims `width` × `height` pixels."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00" * (1 + width * 3) * 64, 9)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", pixels)
        + _chunk(b"IEND", b"")
    )
