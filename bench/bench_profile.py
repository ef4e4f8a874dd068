"""Where the time of one request goes: drawing, text, encoding, base64, JSON, HTTP.

    python bench/bench_profile.py [--requests 200]

For gpt-image-2 1024x1024 low PNG generations (a new prompt each), times each step the
pipeline takes, called directly, and the whole request in-process through the app; the
difference is ASGI, middleware, routing, the journal and the headers. The card PNG is
timed as requests meet it: the subject's pieces kept (a few hundred variants, met after
the first few hundred requests), the fingerprint and the prompt drawn and compressed anew,
beside the full drawing and the whole-picture encoder it replaced. Medians per request.
"""

from __future__ import annotations

import argparse
import base64
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from starlette.testclient import TestClient

from emulator import Config, create_app
from emulator.contract.catalog import CATALOG
from emulator.contract.validation import check_request
from emulator.jobs.generation import GenerationJob
from emulator.render import encode, png_card, render
from emulator.render.scene import draw_card, palette_for
from emulator.transport.wire import json_bytes


def median_ms(step: Callable[[int], object], runs: int) -> float:
    timings = []
    for i in range(runs):
        started = time.perf_counter()
        step(i)
        timings.append(time.perf_counter() - started)
    return statistics.median(timings) * 1000


def body(i: int) -> dict[str, object]:
    return {"model": "gpt-image-2", "prompt": f"an otter holding sign number {i}", "quality": "low"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    runs = args.requests

    def job(i: int) -> GenerationJob:
        return GenerationJob.from_request(check_request(body(i), "generations", CATALOG))

    for i in range(20):  # warm: tokenizer, fonts
        job(i).usage()
    jobs = [job(i) for i in range(runs)]
    scenes = [j.scene(0) for j in jobs]
    for i in range(2000):  # meet every variant: their pieces are kept
        png_card(job(-i - 100).scene(0))
    pictures = [render(s) for s in scenes]
    images = [encode(p, "png") for p in pictures]
    bodies = [j.body(1, [d], lambda d: "") for j, d in zip(jobs, images, strict=True)]
    parts = {
        "validation": median_ms(lambda i: check_request(body(i), "generations", CATALOG), runs),
        "token counting": median_ms(lambda i: jobs[i].usage(), runs),
        "card png (kept pieces + the prompt)": median_ms(lambda i: png_card(scenes[i]), runs),
        "  (full drawing, not on the path)": median_ms(lambda i: render(scenes[i]), runs),
        "  (its card and text)": median_ms(
            lambda i: draw_card(pictures[i].copy(), scenes[i], palette_for(scenes[i].seed)), runs
        ),
        "  (whole-picture png encoder)": median_ms(lambda i: encode(pictures[i], "png"), runs),
        "base64": median_ms(lambda i: base64.b64encode(images[i]), runs),
        "json": median_ms(lambda i: json_bytes(bodies[i]), runs),
    }
    with TestClient(create_app(Config()), headers={"Authorization": "Bearer sk-profile"}) as http:
        for i in range(20):
            http.post("/v1/images/generations", json=body(-i - 1))
        fresh = [body(i + runs) for i in range(runs)]  # prompts no step above has drawn
        whole = median_ms(lambda i: http.post("/v1/images/generations", json=fresh[i]), runs)
        bare = median_ms(lambda i: http.get("/_emulator/health"), runs)
    steps = sum(ms for name, ms in parts.items() if not name.startswith("  "))
    print(f"one request in-process: {whole:.2f} ms (median of {runs})")
    for name, ms in parts.items():
        print(f"  {name:<36} {ms:6.2f} ms  {ms / whole * 100:5.1f} %")
    rest = whole - steps
    label = "asgi, routing, journal, headers"
    print(f"  {label:<36} {rest:6.2f} ms  {rest / whole * 100:5.1f} %")
    print(f"  (the test client's own cost: a health check takes {bare:.2f} ms)")


if __name__ == "__main__":
    main()
