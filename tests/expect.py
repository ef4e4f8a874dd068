"""Expected API bodies, written the way the contract states them."""

from __future__ import annotations


def error(
    message: str,
    param: str | None = None,
    code: str | None = None,
    type: str = "invalid_request_error",
) -> dict:
    """The error envelope in the generations/edits key order: message, type, param, code."""
    return {"error": {"message": message, "type": type, "param": param, "code": code}}
