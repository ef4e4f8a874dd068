"""Make the README's inspector screenshots: a running emulator, a few requests of every
kind through the official client, and the page in headless Chromium.

    python docs/screenshots.py        # writes docs/inspector-list.png, inspector-detail.png
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import contextlib

from emulator.server import EmulatorServer

OUT = Path(__file__).parent
CHROMIUM = "/usr/bin/chromium"


def png(width: int, height: int, colour: tuple[int, ...]) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(buffer, "PNG")
    return buffer.getvalue()


def mask() -> bytes:
    image = Image.new("RGBA", (1024, 1024), (0, 0, 0, 255))
    image.paste((0, 0, 0, 0), (320, 320, 704, 704))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def main() -> None:
    from playwright.sync_api import sync_playwright

    with EmulatorServer(as_of="latest") as server:
        server.emulator.clock.freeze(1_795_000_000)
        client = server.client(max_retries=0)
        client.images.generate(model="gpt-image-2", prompt="A lighthouse on a cliff at dusk",
                               size="1536x864", quality="medium")  # fmt: skip
        client.images.generate(model="dall-e-3", prompt="An otter reading a newspaper")
        list(client.images.generate(model="gpt-image-1.5", prompt="A paper boat on a pond",
                                    stream=True, partial_images=2, quality="low"))  # fmt: skip
        with contextlib.suppress(Exception):
            client.images.generate(model="gpt-image-1", prompt="Too many", n=12)
        server.emulator.fail_next("rate_limit")
        with contextlib.suppress(Exception):
            client.images.generate(model="gpt-image-2", prompt="A storm over the sea")
        client.images.generate(model="gpt-image-2.5-flare", prompt="A spinning top",
                               output_format="gif", frame_count=6, quality="low")  # fmt: skip
        client.images.edit(
            model="gpt-image-1.5",
            image=("harbour.png", png(1024, 1024, (70, 120, 160)), "image/png"),
            mask=("mask.png", mask(), "image/png"),
            prompt="Add a red sailing boat in the middle of the harbour",
            quality="low",
        )
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
            )
            page = browser.new_page(viewport={"width": 1400, "height": 640})
            page.goto(f"{server.base_url}/_emulator/")
            page.wait_for_function("document.querySelectorAll('#rows tr').length === 7")
            page.eval_on_selector_all("img.thumb", "imgs => Promise.all(imgs.map(i => i.decode()))")
            page.screenshot(path=str(OUT / "inspector-list.png"))
            page.set_viewport_size({"width": 1400, "height": 1400})
            page.click("#rows tr:nth-child(1)")
            page.wait_for_selector("canvas.overlay[data-drawn='true']")
            page.eval_on_selector_all(
                "#detail img", "imgs => Promise.all(imgs.map(i => i.decode()))"
            )
            page.screenshot(path=str(OUT / "inspector-detail.png"))
            browser.close()
    for name in ("inspector-list.png", "inspector-detail.png"):
        print(OUT / name)


if __name__ == "__main__":
    main()
