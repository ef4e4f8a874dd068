"""Days as the emulator reads them: the one parser for ``--as-of``, the ``x-emulator-as-of``
header and the eras listing's ``as_of``."""

from __future__ import annotations

import datetime


def parse_day(text: str, where: str) -> datetime.date:
    """A YYYY-MM-DD date; a ValueError names ``where`` it came from."""
    try:
        return datetime.date.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"{where} must be a date as YYYY-MM-DD, got {text!r}") from None
