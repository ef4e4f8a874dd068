"""Do webhook deliveries slow the API? One run, two servers side by side:

    python bench/bench_webhooks.py [--requests 40]

The same server twice (loopback, free ports): one with no webhook, one with ``--webhook-url``
to a receiver on loopback that answers every delivery. Interleaved round by round, each
after two warm-ups: the Images API's generation (gpt-image-2 1024x1024 low), and a background
Responses create polled until it completes (whose end makes a delivery). Every answer is
checked (200, the right status) before it counts; the receiver's count is checked at the end.
Prints p50/p95 per case and the ratio of the webhook server's p50 to the plain one's.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import httpx
from common import AUTH, Server, print_latencies

sys.path.insert(0, str(Path(__file__).parents[1]))
from emulator.testdouble.webhook_receiver import receiver

BODY = {"model": "gpt-image-2", "quality": "low", "size": "1024x1024"}


def images(http: httpx.Client, prompt: str) -> None:
    answer = http.post("/v1/images/generations", json={**BODY, "prompt": prompt})
    assert answer.status_code == 200 and answer.json()["data"][0]["b64_json"]


def background(http: httpx.Client, prompt: str) -> None:
    body = {"model": "gpt-5.4", "input": f"Draw {prompt}", "background": True,
            "tools": [{"type": "image_generation", **BODY}]}  # fmt: skip
    made = http.post("/v1/responses", json=body).json()
    while made["status"] in ("queued", "in_progress"):
        time.sleep(0.002)
        made = http.get(f"/v1/responses/{made['id']}").json()
    assert made["status"] == "completed", made


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=40)
    args = parser.parse_args()
    cases = {"images": images, "background": background}
    timings: dict[str, list[float]] = {f"{s} {c}": [] for s in ("plain", "webhooks") for c in cases}
    with (
        receiver() as hooks,
        Server() as plain,
        Server(args=("--webhook-url", hooks.url)) as hooked,
    ):
        clients = {
            name: httpx.Client(base_url=server.base_url, headers=AUTH, timeout=60)
            for name, server in (("plain", plain), ("webhooks", hooked))
        }
        for round_number in range(args.requests + 2):
            for case, run in cases.items():
                for name, http in clients.items():
                    started = time.perf_counter()
                    run(http, f"a kite {round_number} {case}")
                    if round_number >= 2:
                        timings[f"{name} {case}"].append((time.perf_counter() - started) * 1000)
        sent = args.requests + 2
        hooks.wait_for(sent, seconds=30)
        assert len(hooks.received) == sent, (len(hooks.received), sent)
    for case in cases:
        shown = {f"{name} {case}": timings[f"{name} {case}"] for name in clients}
        print_latencies(f"{case} ({args.requests} each)", shown, f"plain {case}")
    print(f"deliveries received: {sent} of {sent}")


if __name__ == "__main__":
    main()
