"""Upload benchmark: edits, a variation, and a 1 GB upload the emulator must refuse.

    python bench/bench_uploads.py [--requests 20] [--gigabytes 1]

Each case runs against a fresh server process (loopback, free port) so its memory numbers
are its own: p50/p95 latency, and the server's peak RSS (VmHWM) after the case. The 1 GB
case streams a single oversized image part and reports the time to the refusal and how far
the server's RSS grew over its idle size. Targets (issue 3): 16 inputs p50 ≤ 400 ms, peak
RSS ≤ 300 MB; RSS growth on the 1 GB upload ≤ 64 MB.
"""

from __future__ import annotations

import argparse
import io
import statistics
import time
from collections.abc import Iterator

import httpx
import numpy as np
from common import AUTH, Server, percentile
from PIL import Image


def photo_like_png(seed: int, size: int = 1024) -> bytes:
    """A 1024×1024 PNG with gradients and noise: compresses like a real picture (~2 MB)."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[:size, :size]
    base = np.stack([x * 255 // size, y * 255 // size, (x + y) * 255 // (2 * size)], axis=2)
    noisy = np.clip(base + rng.normal(0, 12, base.shape), 0, 255).astype(np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(noisy, "RGB").save(buffer, "PNG")
    return buffer.getvalue()


def timed_posts(url: str, count: int, make_request: dict) -> list[float]:
    timings = []
    with httpx.Client(headers=AUTH, timeout=120) as http:
        for i in range(count + 2):
            started = time.perf_counter()
            data = {**make_request["data"], "user": str(i)}
            response = http.post(url, files=make_request["files"], data=data)
            elapsed = time.perf_counter() - started
            response.raise_for_status()
            if i >= 2:  # two warm-up requests
                timings.append(elapsed)
    return timings


def huge_form(total_bytes: int, boundary: str, chunk: int = 1 << 20) -> Iterator[bytes]:
    yield (
        f'--{boundary}\r\nContent-Disposition: form-data; name="model"\r\n\r\ngpt-image-1\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="prompt"\r\n\r\nx\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="image"; filename="huge.png"\r\n'
        "Content-Type: image/png\r\n\r\n"
    ).encode()
    block = bytes(chunk)
    for _ in range(total_bytes // chunk):
        yield block
    yield f"\r\n--{boundary}--\r\n".encode()


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--requests", type=int, default=20)
    options.add_argument("--gigabytes", type=float, default=1.0)
    args = options.parse_args()

    inputs = [photo_like_png(i) for i in range(16)]
    print(f"inputs: 16 PNGs of 1024x1024, {sum(map(len, inputs)) / 2**20:.1f} MiB in all")
    cases = {
        "edit, 1 input (gpt-image-1)": (
            "edits",
            {
                "files": [("image", ("0.png", inputs[0], "image/png"))],
                "data": {"model": "gpt-image-1", "prompt": "a gift basket", "quality": "low"},
            },
        ),
        "edit, 16 inputs (gpt-image-1)": (
            "edits",
            {
                "files": [
                    ("image[]", (f"{i}.png", data, "image/png")) for i, data in enumerate(inputs)
                ],
                "data": {"model": "gpt-image-1", "prompt": "a gift basket", "quality": "low"},
            },
        ),
        "variation (dall-e-2, 1024x1024)": (
            "variations",
            {
                "files": [("image", ("0.png", inputs[0], "image/png"))],
                "data": {"response_format": "b64_json"},
            },
        ),
    }
    print(f"{'case':34} {'p50 ms':>8} {'p95 ms':>8} {'peak RSS MiB':>13}")
    for name, (endpoint, request) in cases.items():
        with Server() as server:
            timings = timed_posts(f"{server.base_url}/v1/images/{endpoint}", args.requests, request)
            peak = server.memory_mb("VmHWM")
        print(
            f"{name:34} {statistics.median(timings) * 1000:8.1f} "
            f"{percentile(timings, 0.95) * 1000:8.1f} {peak:13.1f}"
        )

    total = int(args.gigabytes * 2**30)
    with Server() as server:
        with httpx.Client(headers=AUTH, timeout=300) as http:  # warm: imports, first request
            http.post(
                f"{server.base_url}/v1/images/edits", **cases["edit, 1 input (gpt-image-1)"][1]
            )
        server.reset_peak_memory()
        idle = server.memory_mb("VmRSS")
        boundary = "bench-boundary"
        started = time.perf_counter()
        response = httpx.post(
            f"{server.base_url}/v1/images/edits",
            content=huge_form(total, boundary),
            headers={**AUTH, "content-type": f"multipart/form-data; boundary={boundary}"},
            timeout=600,
        )
        elapsed = time.perf_counter() - started
        growth = server.memory_mb("VmHWM") - idle
    error = response.json()["error"]
    print(
        f"\n{args.gigabytes:g} GiB upload: {response.status_code} {error['code']} after "
        f"{elapsed:.1f} s ({total / 2**20 / elapsed:.0f} MiB/s); server RSS grew {growth:.1f} MiB "
        f"over its idle {idle:.1f} MiB (peak minus idle)"
    )


if __name__ == "__main__":
    main()
