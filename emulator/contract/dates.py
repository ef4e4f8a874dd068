"""Days as the emulator reads them: the one parser for ``--as-of``, the ``x-emulator-as-of``
header and the eras listing's ``as_of``. The emulator answers as the API did on a day: today
(the machine's date, per request) unless a day is pinned; ``latest`` serves every model."""

from __future__ import annotations

import datetime
import os
from typing import Final, Literal


def parse_day(text: str, where: str) -> datetime.date:
    """A YYYY-MM-DD date; a ValueError names ``where`` it came from."""
    try:
        return datetime.date.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"{where} must be a date as YYYY-MM-DD, got {text!r}") from None


TODAY: Final = "today"  # the machine's date, read per request
LATEST: Final = "latest"  # no date: every model served, each with its latest behaviour
AsOf = datetime.date | Literal["today", "latest"]


def parse_as_of(text: str, where: str) -> AsOf:
    """``--as-of``, the header or the listing's ``as_of``: a day, ``today`` (also empty) or
    ``latest``; a ValueError names ``where`` it came from."""
    value = text.strip().lower()
    if value in ("", TODAY):
        return TODAY
    if value == LATEST:
        return LATEST
    try:
        return parse_day(value, where)
    except ValueError:
        raise ValueError(
            f"{where} must be a date as YYYY-MM-DD, 'today' or 'latest', got {text!r}"
        ) from None


# Moves the emulator's notion of today by whole days (a test aid: run a suite as it will run
# on a later day without touching the machine's clock). Read on every call, so that a server
# started in a subprocess and a test's monkeypatch both take it.
SHIFT_ENV: Final = "IMAGES_EMULATOR_TODAY_SHIFT_DAYS"


def shift_days() -> int:
    """Days ``today`` is moved by (``IMAGES_EMULATOR_TODAY_SHIFT_DAYS``, 0 when unset)."""
    text = os.environ.get(SHIFT_ENV, "").strip()
    if not text:
        return 0
    try:
        return int(text)
    except ValueError:
        raise ValueError(f"{SHIFT_ENV} must be a whole number of days, got {text!r}") from None


def today() -> datetime.date:
    """The machine's date in UTC (the real API's day), read anew on every call, moved by
    ``IMAGES_EMULATOR_TODAY_SHIFT_DAYS`` when that is set."""
    day = datetime.datetime.now(datetime.UTC).date()
    shift = shift_days()
    return day + datetime.timedelta(days=shift) if shift else day


def resolved(as_of: AsOf) -> datetime.date | None:
    """The day ``as_of`` stands for now; None for ``latest``."""
    if as_of == TODAY:
        return today()
    if as_of == LATEST:
        return None
    assert isinstance(as_of, datetime.date)
    return as_of


def in_period(day: datetime.date, start: str | None, end: str | None) -> bool:
    """Whether ``day`` falls in [start, end), ISO days; None leaves that side open. The one
    comparison of a day with a catalog's dates outside the eras table."""
    if start is not None and day < datetime.date.fromisoformat(start):
        return False
    return end is None or day < datetime.date.fromisoformat(end)
