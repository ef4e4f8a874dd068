"""A webhook delivery's signature, the Standard Webhooks way the official SDKs verify it
(docs/webhooks.md): ``webhook-signature: v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">``,
keyed by the base64-decoded part of a ``whsec_`` secret (any other secret by its own bytes)."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets

SECRET_PREFIX = "whsec_"
# The sender's user agent, as Azure's webhook how-to shows OpenAI's deliveries carry it.
USER_AGENT = "OpenAI/1.0 (+https://platform.openai.com/docs/webhooks)"


def signing_key(secret: str) -> bytes:
    if secret.startswith(SECRET_PREFIX):
        try:
            return base64.b64decode(secret[len(SECRET_PREFIX) :], validate=True)
        except (binascii.Error, ValueError):
            pass  # not base64 after all: the SDK would fail on it; sign with its bytes
    return secret.encode()


def signature(secret: str, webhook_id: str, timestamp: int, body: bytes) -> str:
    signed = f"{webhook_id}.{timestamp}.".encode() + body
    digest = hmac.new(signing_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def signed_headers(
    secrets_in_use: list[str], webhook_id: str, timestamp: int, body: bytes
) -> dict[str, str]:
    """The delivery's headers; one ``v1,`` entry per secret in use (a rotated secret kept
    active signs beside the new one), space-separated."""
    return {
        "content-type": "application/json",
        "user-agent": USER_AGENT,
        "webhook-id": webhook_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": " ".join(
            signature(s, webhook_id, timestamp, body) for s in secrets_in_use
        ),
    }


def new_secret() -> str:
    """A fresh ``whsec_`` secret: 32 random bytes, base64."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def hint(secret: str) -> str:
    """The masked form the API shows after creation (``whsec_…`` and the last four)."""
    return f"{SECRET_PREFIX}****{secret[-4:]}"
