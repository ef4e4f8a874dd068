"""Where the time of one request goes: drawing, text, encoding, base64, JSON, the rest.

    python bench/bench_profile.py [--requests 1000]

For gpt-image-2 1024x1024 low PNG generations (a new prompt each), times each step the
pipeline takes, called directly, and whole requests through the ASGI app as uvicorn calls it
(no client in between): a fresh prompt by the short way in for the API's fixed paths, the
same through Starlette's router and middleware, and a repeated prompt (its image kept). The
difference between the steps and the whole is the journal, the headers and the routing. The
card PNG is timed as requests meet it: the subject's pieces kept (a few hundred variants,
met after the first few hundred requests), the fingerprint and the prompt drawn and
compressed anew, beside the full drawing and the whole-picture encoder it replaced.
Medians per request.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import pybase64

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
    parser.add_argument("--requests", type=int, default=1000)
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
    # Before anything draws these scenes: their prompts' lines are not kept yet, as a fresh
    # request's are not.
    card_ms = median_ms(lambda i: png_card(scenes[i]), runs)
    pictures = [render(s) for s in scenes]
    images = [encode(p, "png") for p in pictures]
    bodies = [j.body(1, [d], lambda d: "") for j, d in zip(jobs, images, strict=True)]
    parts = {
        "validation": median_ms(lambda i: check_request(body(i), "generations", CATALOG), runs),
        "token counting": median_ms(lambda i: jobs[i].usage(), runs),
        "card png (kept pieces + the prompt)": card_ms,
        "  (full drawing, not on the path)": median_ms(lambda i: render(scenes[i]), runs),
        "  (its card and text)": median_ms(
            lambda i: draw_card(pictures[i].copy(), scenes[i], palette_for(scenes[i].seed)), runs
        ),
        "  (whole-picture png encoder)": median_ms(lambda i: encode(pictures[i], "png"), runs),
        "base64": median_ms(lambda i: pybase64.b64encode(images[i]), runs),
        "json": median_ms(lambda i: json_bytes(bodies[i]), runs),
    }
    ways = whole_requests(runs)
    whole = ways["a fresh prompt"]
    steps = sum(ms for name, ms in parts.items() if not name.startswith("  "))
    print(f"one request, called as uvicorn calls the app (median of {runs}):")
    for name, ms in ways.items():
        print(f"  {name:<44} {ms:6.3f} ms")
    print(f"where a fresh prompt's {whole:.3f} ms go:")
    for name, ms in parts.items():
        share = "" if name.startswith("  ") else f"  {ms / whole * 100:5.1f} %"  # beside it
        print(f"  {name:<36} {ms:6.3f} ms{share}")
    rest = whole - steps
    label = "the rest: journal, headers, routing"
    print(f"  {label:<36} {rest:6.3f} ms  {rest / whole * 100:5.1f} %")
    print("(a socket and uvicorn's HTTP parsing add what bench_load.py's bare app shows)")


HEADERS = [(b"host", b"127.0.0.1"), (b"content-type", b"application/json"),
           (b"authorization", b"Bearer sk-profile"), (b"user-agent", b"bench")]  # fmt: skip


async def call(app: Any, payload: dict[str, object]) -> int:
    """One POST through the ASGI app, no client in between (what a server does per request)."""
    data = json.dumps(payload).encode()
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
        "scheme": "http", "path": "/v1/images/generations", "query_string": b"",
        "raw_path": b"/v1/images/generations", "root_path": "", "state": {},
        "headers": [*HEADERS, (b"content-length", str(len(data)).encode())],
        "client": ("127.0.0.1", 1), "server": ("127.0.0.1", 8000),
    }  # fmt: skip
    messages = [{"type": "http.request", "body": data, "more_body": False}]
    status = 0

    async def receive() -> dict[str, object]:
        if messages:
            return messages.pop()
        await asyncio.sleep(3600)  # no disconnect while the answer is sent
        return {"type": "http.disconnect"}

    async def send(message: dict[str, object]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = int(message["status"])  # type: ignore[call-overload]

    await app(scope, receive, send)
    return status


def whole_requests(runs: int) -> dict[str, float]:
    """Whole requests three ways: a fresh prompt by the short way for the API's fixed paths,
    the same through Starlette's router and middleware, and a repeated prompt (kept image)."""
    short, routed = create_app(Config()), create_app(Config())
    routed.api_paths = {}  # every request takes Starlette's way

    async def measure() -> dict[str, float]:
        for i in range(2000):  # meet every variant in both apps
            for app in (short, routed):
                assert await call(app, body(-i - 5000)) == 200
        timings: dict[str, list[float]] = {}
        cases = {
            "a fresh prompt": (short, lambda i: body(i + 10_000)),
            "a fresh prompt, through Starlette's router": (routed, lambda i: body(i + 20_000)),
            "a repeated prompt (the kept image)": (short, lambda i: body(0)),
        }
        for i in range(runs):  # interleaved: the machine's noise falls on all alike
            for name, (app, asked) in cases.items():
                payload = asked(i)
                started = time.perf_counter()
                assert await call(app, payload) == 200
                timings.setdefault(name, []).append(time.perf_counter() - started)
        return {name: statistics.median(ms) * 1000 for name, ms in timings.items()}

    return asyncio.run(measure())


if __name__ == "__main__":
    main()
