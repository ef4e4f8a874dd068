"""Generations benchmark: latency and throughput over HTTP, and the cost of the image alone.

    python bench/bench.py [--requests 60] [--concurrency 4]

Starts the emulator as its own process (uvicorn, loopback, free port), then for each case:
- sequential requests (one connection, keep-alive): p50 and p95 latency;
- ``--concurrency`` threads at once: requests per second;
- the same images rendered and encoded in this process with no HTTP: p50.
Every request has a new prompt, so nothing is served from a cache. The machine is shared
and noisy: read medians and ratios, and compare cases within one run.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
from common import AUTH, ROOT, Server, percentile

sys.path.insert(0, str(ROOT))

from emulator.contract.catalog import CATALOG
from emulator.contract.validation import check_request
from emulator.jobs.generation import GenerationJob

CASES = {
    "gpt-image-1 1024x1024 low png": {
        "model": "gpt-image-1",
        "size": "1024x1024",
        "quality": "low",
    },
    "gpt-image-1 1536x1024 high webp": {
        "model": "gpt-image-1",
        "size": "1536x1024",
        "quality": "high",
        "output_format": "webp",
    },
    "dall-e-3 1024x1792 b64_json": {
        "model": "dall-e-3",
        "size": "1024x1792",
        "response_format": "b64_json",
    },
}
PROMPT = "A children's book drawing of a vet listening to the heartbeat of a baby otter, take {}"


def sequential(http: httpx.Client, url: str, body: dict, count: int, tag: str) -> list[float]:
    timings = []
    for i in range(count):
        started = time.perf_counter()
        response = http.post(url, json={**body, "prompt": PROMPT.format(f"{tag}-{i}")})
        timings.append(time.perf_counter() - started)
        response.raise_for_status()
    return timings


def throughput(url: str, body: dict, count: int, workers: int) -> float:
    def worker(index: int) -> None:
        with httpx.Client(headers=AUTH, timeout=60) as http:
            for i in range(index, count, workers):
                http.post(
                    url, json={**body, "prompt": PROMPT.format(f"par-{i}")}
                ).raise_for_status()

    started = time.perf_counter()
    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(worker, range(workers)))
    return count / (time.perf_counter() - started)


def render_only(body: dict, count: int) -> list[float]:
    timings = []
    for i in range(count):
        started = time.perf_counter()
        checked = check_request(
            {**body, "prompt": PROMPT.format(f"local-{i}")}, "generations", CATALOG
        )
        GenerationJob.from_request(checked).render_images()
        timings.append(time.perf_counter() - started)
    return timings


def stream_timings(url: str, count: int) -> tuple[list[float], list[float]]:
    """Time to the first event and to the completed event of partial_images=3 streams."""
    body = {
        "model": "gpt-image-1",
        "size": "1536x1024",
        "quality": "high",
        "stream": True,
        "partial_images": 3,
    }
    first, completed = [], []
    with httpx.Client(headers=AUTH, timeout=60) as http:
        for i in range(count):
            started = time.perf_counter()
            ask = {**body, "prompt": PROMPT.format(f"stream-{i}")}
            with http.stream("POST", url, json=ask) as response:
                for line in response.iter_lines():
                    if line.startswith("event: ") and len(first) == i:
                        first.append(time.perf_counter() - started)
                    if line == "event: image_generation.completed":
                        completed.append(time.perf_counter() - started)
    return first, completed


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--requests", type=int, default=60)
    options.add_argument("--concurrency", type=int, default=4)
    args = options.parse_args()

    ms = 1000
    columns = ("p50 ms", "p95 ms", "req/s", "render p50", "HTTP/render")
    widths = (8, 8, 7, 11, 12)
    print(f"{'case':34}" + "".join(f" {c:>{w}}" for c, w in zip(columns, widths, strict=True)))
    with Server() as server, httpx.Client(headers=AUTH, timeout=60) as http:
        url = f"{server.base_url}/v1/images/generations"
        http.post(url, json={"model": "gpt-image-1", "prompt": "warm up"}).raise_for_status()
        for name, body in CASES.items():
            sequential(http, url, body, 5, "warm")
            latency = sequential(http, url, body, args.requests, "seq")
            rps = throughput(url, body, args.requests, args.concurrency)
            local = render_only(body, max(10, args.requests // 2))
            p50, local50 = statistics.median(latency), statistics.median(local)
            print(
                f"{name:34} {p50 * ms:8.1f} {percentile(latency, 0.95) * ms:8.1f} "
                f"{rps:7.1f} {local50 * ms:9.1f}ms {p50 / local50:11.2f}x"
            )
        first, completed = stream_timings(url, max(10, args.requests // 3))
    print(
        f"\nstream, gpt-image-1 1536x1024 high, partial_images=3: first event p50 "
        f"{statistics.median(first) * ms:.1f} ms, "
        f"completed p50 {statistics.median(completed) * ms:.1f} ms"
    )
    print(
        f"{args.requests} requests per case; req/s with {args.concurrency} concurrent clients; "
        f"{os.cpu_count()} cores."
    )


if __name__ == "__main__":
    main()
