"""The Responses API's image tool beside the Images API, over HTTP, in one run:

    python bench/bench_responses.py [--requests 30]

One server process (loopback, free port); each case after two warm-ups, interleaved round by
round so that the machine's noise falls on every case alike. Prints p50/p95 per case and the
ratio of each p50 to the Images API's generation of the same picture (gpt-image-2 1024x1024
low PNG, a new prompt per request). Then the same two at 8 clients, served with no render
worker and with one: the Responses tool's pictures go to the worker as the Images API's do.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import httpx
from common import AUTH, Server, print_latencies

TOOL = {"type": "image_generation", "model": "gpt-image-2", "quality": "low", "size": "1024x1024"}


def images(http: httpx.Client, prompt: str) -> None:
    body = {"model": "gpt-image-2", "prompt": prompt, "quality": "low", "size": "1024x1024"}
    http.post("/v1/images/generations", json=body).raise_for_status()


def responses(http: httpx.Client, prompt: str) -> None:
    body = {"model": "gpt-5.4", "input": f"Draw {prompt}", "tools": [TOOL], "store": False}
    http.post("/v1/responses", json=body).raise_for_status()


def streamed(http: httpx.Client, prompt: str) -> None:
    tool = {**TOOL, "partial_images": 2}
    body = {"model": "gpt-5.4", "input": f"Draw {prompt}", "tools": [tool], "stream": True,
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
    print("8 clients, requests/s (3840x2160 low: large enough to be worth a worker):")
    for workers in ("0", "1"):
        with Server(args=("--render-workers", workers)) as server:
            rates = [
                f"{name} {at_eight_clients(server.base_url, case, args.requests):.1f}"
                for name, case in (("images", images_4k), ("responses", responses_4k))
            ]
        print(f"  {workers} render worker(s): " + ", ".join(rates))


BIG = {**TOOL, "size": "3840x2160"}


def images_4k(http: httpx.Client, prompt: str) -> None:
    body = {"model": "gpt-image-2", "prompt": prompt, "quality": "low", "size": "3840x2160"}
    http.post("/v1/images/generations", json=body).raise_for_status()


def responses_4k(http: httpx.Client, prompt: str) -> None:
    body = {"model": "gpt-5.4", "input": f"Draw {prompt}", "tools": [BIG], "store": False,
            "tool_choice": "required"}  # fmt: skip
    http.post("/v1/responses", json=body).raise_for_status()


def at_eight_clients(base_url: str, case: Callable[[httpx.Client, str], None], count: int) -> float:
    """Requests/s of ``8 × count`` requests from 8 threads (after a warm-up round)."""
    with httpx.Client(base_url=base_url, headers=AUTH, timeout=120) as http:
        for index in range(8):
            case(http, f"warm-up {index}")
        started = time.perf_counter()
        with ThreadPoolExecutor(8) as pool:
            list(pool.map(lambda i: case(http, f"picture {i} at 8 clients"), range(8 * count)))
        return 8 * count / (time.perf_counter() - started)


if __name__ == "__main__":
    main()
