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

deflate: types.ModuleType
try:  # ISA-L ships wheels for the common platforms; zlib is the portable fallback.
    from isal import isal_zlib as deflate
except ImportError:  # pragma: no cover - depends on the platform
    deflate = zlib
_LEVEL = 1

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
MEDIA_TYPES = {
    "png": "image/png",
    "jpeg": "image/jpeg",
    "webp": "image/webp",
    "gif": "image/gif",
    "svg": "image/svg+xml",
}


def chunk(tag: bytes, data: bytes) -> bytes:
    crc = deflate.crc32(data, deflate.crc32(tag))  # ISA-L's CRC: several times zlib's speed
    return b"".join((struct.pack(">I", len(data)), tag, data, struct.pack(">I", crc)))


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
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", deflate.compress(filtered, _LEVEL))
        + chunk(b"IEND", b"")
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
        if pixels.shape[2] == 4:
            return webp_keeping_alpha(buffer.getvalue(), image.width, image.height)
    else:
        raise ValueError(f"unknown output format {output_format!r}")
    return buffer.getvalue()


# --- WebP: an alpha channel even where every pixel is opaque ------------------------------
# libwebp leaves the alpha channel out when no pixel is transparent (a masked edit of an
# opaque photo), and the file then decodes as RGB, though the answer says "transparent".
# The extended format keeps it: a VP8X header with the alpha flag and an ALPH chunk, whose
# payload is a lossless image stream with the alpha in its green channel (WebP container
# specification). For a fully opaque plane that stream is a few dozen bytes.


def webp_keeping_alpha(data: bytes, width: int, height: int) -> bytes:
    if data[12:16] != b"VP8 ":  # VP8X (alpha kept) or lossless VP8L: nothing to add
        return data
    size = (width - 1).to_bytes(3, "little") + (height - 1).to_bytes(3, "little")
    header = _riff_chunk(b"VP8X", bytes([_WEBP_ALPHA_FLAG, 0, 0, 0]) + size)
    alpha = _riff_chunk(b"ALPH", bytes([_ALPH_LOSSLESS]) + _opaque_alpha_stream(width, height))
    body = b"WEBP" + header + alpha + data[12:]
    return b"RIFF" + struct.pack("<I", len(body)) + body


_WEBP_ALPHA_FLAG = 0x10
_ALPH_LOSSLESS = 0x01  # no preprocessing, no filtering, lossless compression
_VP8L_HEADER = 5  # signature byte, then 14+14+1+3 bits of size, alpha and version


def _riff_chunk(tag: bytes, payload: bytes) -> bytes:
    padding = b"\0" * (len(payload) % 2)
    return tag + struct.pack("<I", len(payload)) + payload + padding


def _opaque_alpha_stream(width: int, height: int) -> bytes:
    """A headerless lossless stream of width×height whose green channel is all 255."""
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (0, 255, 0)).save(buffer, "WEBP", lossless=True)
    data = buffer.getvalue()
    (length,) = struct.unpack("<I", data[16:20])
    return data[20 + _VP8L_HEADER : 20 + length]
