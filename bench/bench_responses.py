"""The Responses API's image tool beside the Images API, over HTTP, in one run:

    python bench/bench_responses.py [--requests 30]

One server process (loopback, free port); each case after two warm-ups, interleaved round by
round so that the machine's noise falls on every case alike. Prints p50/p95 per case and the
ratio of each p50 to the Images API's generation of the same picture (gpt-image-2 1024x1024
low PNG, a new prompt per request).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import httpx
from common import AUTH, Server, print_latencies

TOOL = {"type": "image_generation", "model": "gpt-image-2", "quality": "low", "size": "1024x1024"}


def images(http: httpx.Client, prompt: str) -> None:
    body = {"model": "gpt-image-2", "prompt": prompt, "quality": "low", "size": "1024x1024"}
    http.post("/v1/images/generations", json=body).raise_for_status()


def responses(http: httpx.Client, prompt: str) -> None:
    body = {"model": "gpt-4o", "input": f"Draw {prompt}", "tools": [TOOL], "store": False}
    http.post("/v1/responses", json=body).raise_for_status()


def streamed(http: httpx.Client, prompt: str) -> None:
    tool = {**TOOL, "partial_images": 2}
    body = {"model": "gpt-4o", "input": f"Draw {prompt}", "tools": [tool], "stream": True,
            "store": False}  # fmt: skip
    with http.stream("POST", "/v1/responses", json=body) as answer:
        answer.raise_for_status()
        for _ in answer.iter_bytes():
            pass


CASES: dict[str, Callable[[httpx.Client, str], None]] = {
    "images/generations gpt-image-2 1024x1024 low": images,
    "responses, image tool, same picture": responses,
    "responses, streamed, 2 partial images": streamed,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=30)
    args = parser.parse_args()
    timings: dict[str, list[float]] = {name: [] for name in CASES}
    with (
        Server() as server,
        httpx.Client(base_url=server.base_url, headers=AUTH, timeout=60) as http,
    ):
        for case in CASES.values():  # warm-ups
            case(http, "a warm-up otter")
            case(http, "a second warm-up otter")
        for round_ in range(args.requests):
            for name, case in CASES.items():
                started = time.perf_counter()
                case(http, f"otter number {round_} for {name}")
                timings[name].append((time.perf_counter() - started) * 1000)
    print_latencies("case", timings, "images/generations gpt-image-2 1024x1024 low")


if __name__ == "__main__":
    main()
