"""Headless Chromium for the browser tests: Debian's /usr/bin/chromium driven by the
``playwright`` package (its own browser download is not used). Skips, saying how to install
it, where Chromium is missing."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@contextmanager
def chromium() -> Iterator[Any]:
    """A launched browser (playwright's ``Browser``)."""
    if shutil.which(CHROMIUM) is None:
        pytest.skip(f"browser tests need {CHROMIUM}: apt-get install -y chromium")
    sync_api = pytest.importorskip("playwright.sync_api", reason="browser tests need playwright")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
