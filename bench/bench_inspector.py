"""Inspector benchmark: 200 mixed requests, then the page in headless Chromium.

    python bench/bench_inspector.py [--requests 200] [--images-mb 16]

A server in its own process gets a mix of generations, edits (with masks), variations,
streams, validation errors and scripted faults. Then Chromium (Debian's /usr/bin/chromium,
driven by playwright) opens the inspector: printed are the time from navigation to every
row on screen, the list's render time in the page (median of re-renders while filtering),
the time to open a detail view with its images, and the server's RSS and journal image
memory against --journal-images-mb.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import subprocess
import sys
import time

import httpx
import openai
from common import ROOT, free_port, rss_mb
from PIL import Image


def png(width: int, height: int, mode: str = "RGB") -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, (width, height), (90, 140, 200, 255)[: len(mode)]).save(buffer, "PNG")
    return buffer.getvalue()


def mask() -> bytes:
    image = Image.new("RGBA", (1024, 1024), (0, 0, 0, 255))
    image.paste((0, 0, 0, 0), (256, 256, 768, 768))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def mixed_requests(client: openai.OpenAI, control: httpx.Client, count: int) -> None:
    photo, hole = png(1024, 1024), mask()
    for i in range(count):
        kind = i % 10
        try:
            if kind in (0, 1, 2):
                client.images.generate(model="gpt-image-2", prompt=f"lighthouse {i}", quality="low")
            elif kind == 3:
                client.images.edit(
                    model="gpt-image-1.5", image=("photo.png", photo, "image/png"),
                    mask=("mask.png", hole, "image/png"), prompt=f"boat {i}", quality="low",
                )  # fmt: skip
            elif kind == 4:
                client.images.create_variation(
                    image=("v.png", png(256, 256), "image/png"), size="256x256"
                )
            elif kind == 5:
                list(client.images.generate(model="gpt-image-1", prompt=f"s {i}", stream=True,
                                            partial_images=2, quality="low"))  # fmt: skip
            elif kind == 6:
                client.images.generate(model="gpt-image-1", prompt="x", n=50)  # a 400
            elif kind == 7:
                control.post("/_emulator/faults", json={"kind": "rate_limit"})
                client.images.generate(model="dall-e-2", prompt="x")  # a 429
            elif kind == 8:
                client.images.generate(model="dall-e-3", prompt=f"otter {i}")
            else:
                client.images.generate(
                    model="gpt-image-2.5-flare",
                    prompt=f"gif {i}",
                    output_format="gif",
                    frame_count=4,
                    quality="low",
                )
        except openai.APIError:
            pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--images-mb", type=int, default=16)
    args = parser.parse_args()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "emulator", "--port", str(port), "--log-level", "warning",
               "--journal-images-mb", str(args.images_mb)]  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)
    try:
        for _ in range(200):
            try:
                httpx.get(f"{base}/_emulator/health")
                break
            except httpx.TransportError:
                time.sleep(0.05)
        client = openai.OpenAI(base_url=f"{base}/v1", api_key="sk-bench", max_retries=0)
        with httpx.Client(base_url=base) as control:
            started = time.perf_counter()
            mixed_requests(client, control, args.requests)
            print(f"{args.requests} mixed requests sent in {time.perf_counter() - started:.1f} s")
            journal = control.get("/_emulator/journal").json()["entries"]
            images = sum(1 for e in journal for o in e["outputs"] if o["kept"])
        from playwright.sync_api import sync_playwright

        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"]
            )
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            started = time.perf_counter()
            page.goto(f"{base}/_emulator/")
            page.wait_for_function(
                f"document.querySelectorAll('#rows tr').length === {len(journal)}"
            )
            shown = time.perf_counter() - started
            renders = []
            for text in ["lighthouse", "", "boat", "", "1", ""] * 3:  # re-render by filtering
                page.fill("#filter-text", text)
                page.wait_for_timeout(50)
                renders.append(page.evaluate("window.lastRenderMs"))
            started = time.perf_counter()
            page.click("#rows tr:nth-child(1)")
            page.wait_for_selector("#detail-body h2")
            page.eval_on_selector_all(
                "#detail-body img", "imgs => Promise.all(imgs.map(i => i.decode().catch(() => 0)))"
            )
            detail = time.perf_counter() - started
            browser.close()
        with httpx.Client(base_url=base) as control:
            kept_mb = sum(
                o["bytes"] for e in control.get("/_emulator/journal").json()["entries"]
                for o in e["outputs"] if o["kept"]
            ) / 1024 / 1024  # fmt: skip
        print(f"journal entries {len(journal)}, output images kept {images}")
        print(f"page: every row on screen {shown * 1000:.0f} ms after navigation")
        print(f"list render in the page: median {statistics.median(renders):.1f} ms "
              f"(max {max(renders):.1f} ms) over {len(renders)} re-renders")  # fmt: skip
        print(f"detail view with its images: {detail * 1000:.0f} ms")
        print(f"server RSS {rss_mb(server.pid):.0f} MiB; output images kept {kept_mb:.1f} MiB "
              f"of --journal-images-mb {args.images_mb}")  # fmt: skip
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
