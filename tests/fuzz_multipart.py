"""Hypothesis strategies for hostile multipart/form-data bodies, shared by the fuzz test
(``test_fuzz_multipart.py``) and the long campaign (``bench/fuzz_campaign.py``).

A body is built from parts a real client would send (model, prompt, images, mask) mixed
with what a broken or hostile one might: odd boundaries, bare LF line ends, truncation,
junk part headers, many parts, strange filenames, bytes that are not UTF-8 or not images.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from hypothesis import strategies as st
from PIL import Image


def _png(size: tuple[int, int], mode: str) -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, (10, 200, 30, 128)[: len(mode)]).save(buffer, "PNG")
    return buffer.getvalue()


IMAGES = [_png((32, 32), "RGBA"), _png((48, 16), "RGB"), _png((8, 8), "L")]
BOUNDARY_CHARS = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'()+_,-./:=? "
FIELD_NAMES = ["model", "prompt", "n", "size", "quality", "response_format", "background",
               "output_format", "output_compression", "input_fidelity", "stream",
               "partial_images", "user", "image", "image[]", "image[0]", "mask"]  # fmt: skip
FIELD_VALUES = ["gpt-image-1", "dall-e-2", "dall-e-3", "a red fox", "2", "0", "-1", "11",
                "1024x1024", "256x256", "auto", "low", "png", "webp", "jpeg", "transparent",
                "true", "false", "3", "", "null", "1e9"]  # fmt: skip


@dataclass
class Body:
    content_type: str
    data: bytes


def _text() -> st.SearchStrategy[str]:
    return st.text(st.characters(codec="utf-8", exclude_characters="\r\n"), max_size=40)


def _raw_bytes() -> st.SearchStrategy[bytes]:
    """Non-UTF-8 and control bytes included."""
    return st.binary(max_size=64)


@st.composite
def _part(draw: st.DrawFn, eol: bytes) -> bytes:
    name = draw(st.one_of(st.sampled_from(FIELD_NAMES), _text()))
    is_file = draw(st.booleans())
    disposition = f'form-data; name="{name}"'.encode("utf-8", "replace")
    if draw(st.integers(0, 9)) == 0:  # a disposition without a name, or none that parses
        disposition = draw(st.sampled_from([b"form-data", b"attachment", b"", b"form-data; name"]))
    headers = [b"Content-Disposition: " + disposition]
    if is_file:
        filename = draw(
            st.one_of(
                st.sampled_from(["in.png", "", "../../etc/passwd", 'a"b.png', "x" * 300]),
                _text(),
            )
        )
        headers[0] += b'; filename="' + filename.encode("utf-8", "replace") + b'"'
        kind = draw(
            st.sampled_from(
                [None, "image/png", "image/webp", "application/octet-stream", "", "image/pn g"]
            )
        )
        if kind is not None:
            headers.append(b"Content-Type: " + kind.encode())
        value = draw(st.one_of(st.sampled_from(IMAGES), _raw_bytes()))
    else:
        value = draw(
            st.one_of(
                st.sampled_from(FIELD_VALUES).map(str.encode),
                _text().map(str.encode),
                _raw_bytes(),
            )
        )
    junk = draw(st.lists(_raw_bytes().filter(lambda b: b"\r" not in b and b"\n" not in b),
                         max_size=2))  # fmt: skip
    headers += [b"X-" + j for j in junk]
    return eol.join(headers) + eol + eol + value


@st.composite
def multipart_bodies(draw: st.DrawFn) -> Body:
    boundary = draw(
        st.one_of(
            st.text(st.sampled_from(BOUNDARY_CHARS), min_size=1, max_size=70).filter(
                lambda b: not b.endswith(" ")
            ),
            st.sampled_from(["x" * 200, "----", 'a"b', "é", ""]),
        )
    )
    eol = draw(st.sampled_from([b"\r\n", b"\r\n", b"\r\n", b"\n"]))
    parts = draw(st.lists(_part(eol), max_size=8))
    if draw(st.booleans()):  # a request that could succeed, so the fuzz reaches the renderer
        image = draw(st.sampled_from(IMAGES))
        parts[:0] = [
            b'Content-Disposition: form-data; name="prompt"' + eol + eol + b"a fox",
            b'Content-Disposition: form-data; name="image"; filename="in.png"' + eol
            + b"Content-Type: image/png" + eol + eol + image,
        ]  # fmt: skip
    many = draw(st.sampled_from([0, 0, 0, 50, 1500]))  # past the part limit too
    parts += [b'Content-Disposition: form-data; name="f"' + eol + eol + b"v"] * many
    delimiter = b"--" + boundary.encode("utf-8", "replace")
    preamble = draw(st.sampled_from([b"", b"preamble junk" + eol]))
    data = preamble + b"".join(delimiter + eol + part + eol for part in parts)
    data += delimiter + b"--" + eol + draw(st.sampled_from([b"", b"epilogue"]))
    if draw(st.integers(0, 4)) == 0:  # cut off anywhere
        data = data[: draw(st.integers(0, len(data)))]
    header_boundary = draw(
        st.sampled_from([boundary, boundary, f'"{boundary}"', boundary + "-other", None])
    )
    content_type = "multipart/form-data"
    if header_boundary is not None:
        content_type += f"; boundary={header_boundary}"
    content_type += draw(st.sampled_from(["", "; charset=utf-8", "; charset=latin-1; x=y"]))
    return Body(content_type, data)
