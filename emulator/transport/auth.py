"""The ``Authorization`` check (contract §9.2 rows 1-2) and the optional auth modes.

By default any non-empty Bearer key is accepted. With ``--api-keys`` only those keys are,
and others get the real 401 with the key masked as the API masks it. ``--require-organization``
and ``--require-project`` refuse requests without the matching header.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.requests import Request

from ..contract import errors

if TYPE_CHECKING:
    from ..config import Config


def bearer_key(request: Request) -> str:
    """The API key of a ``Bearer`` header, or the API's 401 when there is none."""
    scheme, _, key = request.headers.get("authorization", "").strip().partition(" ")
    key = key.strip()
    if scheme.lower() != "bearer" or not key:
        raise errors.missing_api_key()
    return key


def authenticate(request: Request, config: Config) -> str:
    key = bearer_key(request)
    accepted = config.accepted_keys
    if accepted and key not in accepted:
        raise errors.incorrect_api_key(key)
    if config.require_organization and not request.headers.get("openai-organization"):
        raise errors.mismatched_header("OpenAI-Organization", "organization")
    if config.require_project and not request.headers.get("openai-project"):
        raise errors.mismatched_header("OpenAI-Project", "project")
    return key
