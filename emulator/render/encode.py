"""Encode pixels as PNG, JPEG or WebP bytes.

PNG is written here rather than by Pillow: Pillow tries every row filter on every row,
which costs more than the whole picture. Our pictures are built from flat blocks, so the
"Up" filter alone turns most rows into zeros, and ISA-L's deflate (``isal``) compresses
them several times faster than zlib. The result is an ordinary PNG any decoder reads.
JPEG and WebP go through Pillow with ``output_compression`` as the encoder's quality, as
the API uses it (lower is smaller).
"""

from __future__ import annotations

import io
import struct
import types
import zlib

import numpy as np
from PIL import Image

_deflate: types.ModuleType
try:  # ISA-L ships wheels for the common platforms; zlib is the portable fallback.
    from isal import isal_zlib as _deflate
except ImportError:  # pragma: no cover - depends on the platform
    _deflate = zlib
_LEVEL = 1

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
MEDIA_TYPES = {"png": "image/png", "jpeg": "image/jpeg", "webp": "image/webp"}


def _chunk(tag: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))


def encode_png(pixels: np.ndarray) -> bytes:
    height, width, channels = pixels.shape
    rows = pixels.reshape(height, width * channels)
    filtered = np.empty((height, width * channels + 1), np.uint8)
    filtered[0, 0] = 0  # first row: no filter
    filtered[0, 1:] = rows[0]
    filtered[1:, 0] = 2  # then "Up": each byte minus the byte above it
    np.subtract(rows[1:], rows[:-1], out=filtered[1:, 1:])
    colour_type = 6 if channels == 4 else 2
    header = struct.pack(">IIBBBBB", width, height, 8, colour_type, 0, 0, 0)
    return (
        PNG_SIGNATURE
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", _deflate.compress(filtered, _LEVEL))
        + _chunk(b"IEND", b"")
    )


def encode(pixels: np.ndarray, output_format: str, compression: int = 100) -> bytes:
    """Bytes of ``pixels`` in ``output_format``; ``compression`` (0-100) is JPEG/WebP quality."""
    if output_format == "png":
        return encode_png(pixels)
    image = Image.fromarray(pixels, "RGBA" if pixels.shape[2] == 4 else "RGB")
    buffer = io.BytesIO()
    if output_format == "jpeg":  # JPEG has no alpha (strict mode never asks for it)
        image.convert("RGB").save(buffer, "JPEG", quality=compression)
    elif output_format == "webp":
        image.save(buffer, "WEBP", quality=compression, method=0)
    else:
        raise ValueError(f"unknown output format {output_format!r}")
    return buffer.getvalue()
