"""Most of the suite was written against every model the emulator knows, DALL·E and
gpt-image-1 included, which today's API no longer serves. Those tests pin the emulator's
``latest`` mode (every model, each with its latest behaviour), the documented choice for
suites that want it; the tests of the default (today) say so where they stand."""

from __future__ import annotations

from typing import Any

from emulator import Config


def latest(**options: Any) -> Config:
    return Config(as_of="latest", **options)
