"""The ``Authorization`` check: any non-empty Bearer key is accepted (contract §9.2 rows 1-2)."""

from __future__ import annotations

from starlette.requests import Request

from . import errors


def bearer_key(request: Request) -> str:
    """The API key of a ``Bearer`` header, or the API's 401 when there is none."""
    scheme, _, key = request.headers.get("authorization", "").strip().partition(" ")
    key = key.strip()
    if scheme.lower() != "bearer" or not key:
        raise errors.missing_api_key()
    return key


def authenticate(request: Request) -> str:
    return bearer_key(request)
