"""Later-model benchmark: the largest gpt-image-2 image and the longest GIF, over HTTP.

    python bench/bench_models.py [--requests 10]

Each case runs against a fresh server process (loopback, free port), so its memory figure
is its own: p50/p95 latency over the requests (after two warm-ups), the response size, and
the server's peak RSS (VmHWM) after the case. A 1024x1024 gpt-image-1 low PNG runs first in
the same way, as the yardstick the others are compared with.
"""

from __future__ import annotations

import argparse
import statistics
import time

import httpx
from common import AUTH, Server, percentile

CASES = {
    "gpt-image-1 1024x1024 low png (yardstick)": {
        "model": "gpt-image-1",
        "size": "1024x1024",
        "quality": "low",
    },
    "gpt-image-2 3840x2160 high png": {
        "model": "gpt-image-2",
        "size": "3840x2160",
        "quality": "high",
    },
    "gpt-image-2 3840x2160 high webp": {
        "model": "gpt-image-2",
        "size": "3840x2160",
        "quality": "high",
        "output_format": "webp",
    },
    "gpt-image-2.5-flare 1024x1024 gif 16 frames": {
        "model": "gpt-image-2.5-flare",
        "size": "1024x1024",
        "quality": "low",
        "output_format": "gif",
        "frame_count": 16,
    },
    "gpt-image-2.5-flare 3840x2160 gif 16 frames": {
        "model": "gpt-image-2.5-flare",
        "size": "3840x2160",
        "quality": "high",
        "output_format": "gif",
        "frame_count": 16,
    },
    "gpt-image-2.5-flare 1536x864 svg": {
        "model": "gpt-image-2.5-flare",
        "size": "1536x864",
        "output_format": "svg",
    },
}


def run_case(body: dict[str, object], requests: int) -> tuple[list[float], int, float]:
    with Server() as server, httpx.Client(headers=AUTH, timeout=300) as http:
        server.reset_peak_memory()
        timings, size = [], 0
        for i in range(requests + 2):
            started = time.perf_counter()
            response = http.post(
                f"{server.base_url}/v1/images/generations",
                json={**body, "prompt": f"a lighthouse at dusk {i}"},
            )
            elapsed = time.perf_counter() - started
            response.raise_for_status()
            size = len(response.content)
            if i >= 2:
                timings.append(elapsed)
        return timings, size, server.memory_mb("VmHWM")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=10)
    args = parser.parse_args()
    print(f"{'case':<46} {'p50 ms':>8} {'p95 ms':>8} {'body MB':>8} {'peak RSS MiB':>13}")
    yardstick = None
    for name, body in CASES.items():
        timings, size, peak = run_case(body, args.requests)
        p50 = statistics.median(timings) * 1000
        yardstick = yardstick or p50
        print(
            f"{name:<46} {p50:8.1f} {percentile(timings, 0.95) * 1000:8.1f} "
            f"{size / 1e6:8.2f} {peak:13.0f}   ({p50 / yardstick:.1f}x the yardstick)"
        )


if __name__ == "__main__":
    main()
