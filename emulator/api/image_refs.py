"""Image references in a JSON edit body (``{"image_url": …}`` or ``{"file_id": …}``) turned
into the same uploaded files a multipart edit carries, so both bodies share every later check.

- ``data:`` URLs are decoded in place;
- URLs of the emulator's own images (``/_emulator/images/img-….png``, any host) are read
  from its image store;
- ``file_id`` names a file uploaded to the Files API;
- any other URL is refused unless ``--fetch-image-urls`` is on; then it is fetched over
  http(s) with a time limit and a size limit.
"""

from __future__ import annotations

import base64
import binascii
import io
import urllib.error
import urllib.request
from dataclasses import dataclass
from urllib.parse import unquote_to_bytes, urlsplit

from ..contract import errors
from ..contract.params import json_type_name
from ..contract.parts import FormFile
from ..contract.specs import MiB
from ..testdouble.stores import FileStore, ImageStore
from .image_urls import FILES_PATH

MAX_URL_CHARS = 20_971_520  # the schema's maxLength for image_url
FETCH_MAX_BYTES = 50 * MiB + 1  # one byte over the largest image limit: enough to refuse it
FETCH_SECONDS = 10.0


@dataclass(frozen=True)
class Sources:
    """Where references may point: the emulator's stores, and whether the network is allowed."""

    images: ImageStore
    files: FileStore
    fetch_urls: bool


def reference_parts(reference: object, param: str) -> tuple[str, str]:
    """The key (``image_url`` or ``file_id``) and value of a well-shaped reference, or the
    API's error naming ``param``: the one shape check of a reference."""
    if not isinstance(reference, dict) or len(reference) != 1:
        raise errors.invalid_image_reference(param)
    ((key, value),) = reference.items()
    if key not in ("image_url", "file_id"):
        raise errors.invalid_image_reference(param)
    if not isinstance(value, str):
        raise errors.invalid_type(f"{param}.{key}", "a string", json_type_name(value))
    return key, value


def resolve(reference: object, param: str, sources: Sources) -> FormFile:
    """The referenced image as an uploaded file named ``param`` (e.g. ``images[0]``)."""
    key, value = reference_parts(reference, param)
    name = f"{param}.{key}"
    if key == "file_id":
        stored = sources.files.get(value)
        if stored is None:
            raise errors.no_such_file(value, param=name)
        return as_file(param, stored.filename, stored.content_type, stored.data)
    if len(value) > MAX_URL_CHARS:
        raise errors.string_too_long(name, MAX_URL_CHARS, len(value))
    if value.startswith("data:"):
        return _data_url(value, param, name)
    parts = urlsplit(value)
    if parts.scheme in ("http", "https") and parts.path.startswith(FILES_PATH + "/"):
        own = sources.images.get(parts.path.rsplit("/", 1)[1])
        if own is not None:
            return as_file(param, parts.path.rsplit("/", 1)[1], own.media_type, own.data)
        raise errors.image_download_failed(name, value, "the image is no longer available")
    if parts.scheme not in ("http", "https"):
        raise errors.image_download_failed(
            name, value, "only http, https and data: URLs are supported"
        )
    if not sources.fetch_urls:
        raise errors.image_url_not_fetched(name, value)
    return _fetched(value, param, name)


def as_file(param: str, filename: str, content_type: str | None, data: bytes) -> FormFile:
    """Bytes as the uploaded file named ``param`` that a multipart edit would carry."""
    file = FormFile(param, filename, content_type, io.BytesIO(data), size=len(data))
    file.file.seek(0)
    return file


def _data_url(url: str, param: str, name: str) -> FormFile:
    header, comma, payload = url[5:].partition(",")
    if not comma:
        raise errors.image_download_failed(name, url, "the data: URL has no comma before its data")
    media_type, *options = header.split(";")
    try:
        if "base64" in options:
            data = base64.b64decode(payload, validate=True)
        else:
            data = unquote_to_bytes(payload)
    except (binascii.Error, ValueError):
        raise errors.image_download_failed(
            name, url, "the data: URL's base64 data is not valid"
        ) from None
    return as_file(param, f"{param}.bin", media_type or None, data)


def _fetched(url: str, param: str, name: str) -> FormFile:
    request = urllib.request.Request(url, headers={"User-Agent": "openai-images-emulator"})
    try:
        with urllib.request.urlopen(request, timeout=FETCH_SECONDS) as response:
            data = response.read(FETCH_MAX_BYTES)
            content_type = response.headers.get_content_type()
    except urllib.error.HTTPError as error:
        raise errors.image_download_failed(name, url, f"HTTP {error.code} {error.reason}") from None
    except (urllib.error.URLError, TimeoutError, OSError, ValueError) as error:
        reason = getattr(error, "reason", None) or error
        raise errors.image_download_failed(name, url, str(reason)) from None
    if len(data) >= FETCH_MAX_BYTES:  # read no further than that
        raise errors.image_download_failed(
            name, url, f"the image is larger than {FETCH_MAX_BYTES - 1} bytes"
        )
    return as_file(param, urlsplit(url).path.rsplit("/", 1)[-1] or "image", content_type, data)
