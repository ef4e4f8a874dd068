"""The URLs of ``url`` responses, and serving them as the real image blobs are served.

Expired and unknown URLs answer as the real blob store does: 403 ``AuthenticationFailed``
(the expiry in the URL has passed) and 404 ``BlobNotFound``, with XML bodies.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from email.utils import format_datetime
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import Response

from ..testdouble.stores import ImageStore, StoredImage

FILES_PATH = "/_emulator/images"


def _iso(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def image_url(base_url: str, image: StoredImage, namespace: str = "") -> str:
    # Shaped like the real signed URLs: start, expiry and permission in the query (and the
    # namespace whose store keeps the image, when it is not the default one).
    start, expiry = quote(_iso(image.created_at), safe=""), quote(_iso(image.expires_at), safe="")
    url = f"{base_url.rstrip('/')}{FILES_PATH}/{image.name}?st={start}&se={expiry}&sp=r"
    return f"{url}&namespace={quote(namespace, safe='')}" if namespace else url


def _http_date(timestamp: float) -> str:
    return format_datetime(datetime.fromtimestamp(timestamp, UTC), usegmt=True)


def _blob_error(status: int, code: str, message: str, now: float, detail: str = "") -> Response:
    time_text = datetime.fromtimestamp(now, UTC).strftime("%Y-%m-%dT%H:%M:%S.%f0Z")
    body = (
        '<?xml version="1.0" encoding="utf-8"?>'
        f"<Error><Code>{code}</Code><Message>{message}\n"
        f"RequestId:{uuid.uuid4()}\nTime:{time_text}</Message>{detail}</Error>"
    )
    return Response(body, status, media_type="application/xml")


def _expiry_from_query(request: Request) -> float | None:
    try:
        stamp = datetime.strptime(request.query_params.get("se", ""), "%Y-%m-%dT%H:%M:%SZ")
    except ValueError:
        return None
    return stamp.replace(tzinfo=UTC).timestamp()


def serve_image(request: Request, store: ImageStore, now: float) -> Response:
    image = store.get(request.path_params["name"])
    if image is not None:
        return Response(image.data, media_type=image.media_type)
    expiry = _expiry_from_query(request)
    if expiry is not None and now >= expiry:
        detail = (
            f"<AuthenticationErrorDetail>Signed expiry time [{_http_date(expiry)}] has to be "
            f"after signed start time [{_http_date(now)}]</AuthenticationErrorDetail>"
        )
        return _blob_error(
            403,
            "AuthenticationFailed",
            "Server failed to authenticate the request. Make sure the value of Authorization "
            "header is formed correctly including the signature.",
            now,
            detail,
        )
    return _blob_error(404, "BlobNotFound", "The specified blob does not exist.", now)
