"""Cursor pages as the API lists things (files, batches, a response's input items):
``order`` and ``limit`` checked, ``after`` an id, ``{"object": "list", "data", "first_id",
"last_id", "has_more"}`` answered; the SDKs follow ``has_more`` with the last id."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..contract import errors


def cursor_page(
    items: Sequence[dict[str, Any]],
    query: Mapping[str, str],
    *,
    max_limit: int,
    default_limit: int,
    ordered: bool = True,
) -> dict[str, Any]:
    """``items`` oldest first, each with an ``id``; ``ordered``: the caller may ask for
    ``order=asc`` (the default is ``desc``, newest first)."""
    chosen = list(items)
    order = query.get("order", "desc") if ordered else "desc"
    if order not in ("asc", "desc"):
        raise errors.invalid_value("order", order, ("asc", "desc"))
    raw_limit = query.get("limit", str(default_limit))
    if not raw_limit.isdigit() or not 1 <= int(raw_limit) <= max_limit:
        raise errors.invalid_value("limit", raw_limit, (f"an integer from 1 to {max_limit}",))
    if order == "desc":
        chosen.reverse()
    after = query.get("after")
    if after is not None:
        ids = [item.get("id") for item in chosen]
        chosen = chosen[ids.index(after) + 1 :] if after in ids else []
    page = chosen[: int(raw_limit)]
    return {
        "object": "list",
        "data": page,
        "first_id": page[0].get("id") if page else None,
        "last_id": page[-1].get("id") if page else None,
        "has_more": len(chosen) > len(page),
    }
