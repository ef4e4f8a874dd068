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
from ..contract.errors import APIError
from ..contract.specs import MiB
from ..testdouble.file_store import FileStore
from ..testdouble.image_store import ImageStore
from ..transport.multipart import FormFile
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


def invalid_reference(param: str) -> APIError:
    return APIError(
        400,
        f"Invalid '{param}': expected an object with exactly one of 'image_url' or 'file_id'.",
        param=param,
        code="invalid_value",
    )


def _download_error(param: str, url: str, why: str) -> APIError:
    shown = url if len(url) <= 200 else url[:200] + "…"
    return APIError(
        400, f"Error while downloading {shown}: {why}.", param=param, code="invalid_image_url"
    )


def _not_fetched(param: str, url: str) -> APIError:
    shown = url if len(url) <= 200 else url[:200] + "…"
    return APIError(
        400,
        f"The emulator does not fetch image URLs from the network: '{shown}' is neither a "
        "data: URL nor one of the emulator's own image URLs. Start it with "
        "--fetch-image-urls (IMAGES_EMULATOR_FETCH_IMAGE_URLS=true) to fetch it.",
        param=param,
        code="invalid_image_url",
    )


def resolve(reference: object, param: str, sources: Sources) -> FormFile:
    """The referenced image as an uploaded file named ``param`` (e.g. ``images[0]``)."""
    if not isinstance(reference, dict) or len(reference) != 1:
        raise invalid_reference(param)
    ((key, value),) = reference.items()
    if key not in ("image_url", "file_id"):
        raise invalid_reference(param)
    name = f"{param}.{key}"
    if not isinstance(value, str):
        raise errors.invalid_type(name, "a string", "a non-string value")
    if key == "file_id":
        stored = sources.files.get(value)
        if stored is None:
            raise APIError(404, f"No such File object: {value}", param=name)
        return _file(param, stored.filename, stored.content_type, stored.data)
    if len(value) > MAX_URL_CHARS:
        raise errors.string_too_long(name, MAX_URL_CHARS, len(value))
    if value.startswith("data:"):
        return _data_url(value, param, name)
    parts = urlsplit(value)
    if parts.scheme in ("http", "https") and parts.path.startswith(FILES_PATH + "/"):
        own = sources.images.get(parts.path.rsplit("/", 1)[1])
        if own is not None:
            return _file(param, parts.path.rsplit("/", 1)[1], own.media_type, own.data)
        raise _download_error(name, value, "the image is no longer available")
    if parts.scheme not in ("http", "https"):
        raise _download_error(name, value, "only http, https and data: URLs are supported")
    if not sources.fetch_urls:
        raise _not_fetched(name, value)
    return _fetched(value, param, name)


def _file(param: str, filename: str, content_type: str | None, data: bytes) -> FormFile:
    file = FormFile(param, filename, content_type, io.BytesIO(data), size=len(data))
    file.file.seek(0)
    return file


def _data_url(url: str, param: str, name: str) -> FormFile:
    header, comma, payload = url[5:].partition(",")
    if not comma:
        raise _download_error(name, url, "the data: URL has no comma before its data")
    media_type, *options = header.split(";")
    try:
        if "base64" in options:
            data = base64.b64decode(payload, validate=True)
        else:
            data = unquote_to_bytes(payload)
    except (binascii.Error, ValueError):
        raise _download_error(name, url, "the data: URL's base64 data is not valid") from None
    return _file(param, f"{param}.bin", media_type or None, data)


def _fetched(url: str, param: str, name: str) -> FormFile:
    request = urllib.request.Request(url, headers={"User-Agent": "openai-images-emulator"})
    try:
        with urllib.request.urlopen(request, timeout=FETCH_SECONDS) as response:
            data = response.read(FETCH_MAX_BYTES)
            content_type = response.headers.get_content_type()
    except urllib.error.HTTPError as error:
        raise _download_error(name, url, f"HTTP {error.code} {error.reason}") from None
    except (urllib.error.URLError, TimeoutError, OSError, ValueError) as error:
        reason = getattr(error, "reason", None) or error
        raise _download_error(name, url, str(reason)) from None
    if len(data) >= FETCH_MAX_BYTES:  # read no further than that
        raise _download_error(name, url, f"the image is larger than {FETCH_MAX_BYTES - 1} bytes")
    return _file(param, urlsplit(url).path.rsplit("/", 1)[-1] or "image", content_type, data)
