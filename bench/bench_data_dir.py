"""Does ``--data-dir`` slow the Images API? One run, two servers side by side:

    python bench/bench_data_dir.py [--requests 200] [--clients 8]

The same server twice (loopback, free ports), one in memory and one with ``--data-dir`` in a
temporary folder; in rounds, each takes ``--requests`` generations (gpt-image-2 1024x1024
low, a new prompt each) from ``--clients`` threads. Every answer is checked (200, an image)
before it counts. Prints requests per second per round and the median of the ratios.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
from common import AUTH, Server


def _round(base_url: str, requests: int, clients: int, tag: str) -> float:
    def one(number: int) -> None:
        with httpx.Client(base_url=base_url, headers=AUTH, timeout=60) as http:
            body = {"model": "gpt-image-2", "prompt": f"kite {tag} {number}", "quality": "low",
                    "size": "1024x1024"}  # fmt: skip
            answer = http.post("/v1/images/generations", json=body)
            assert answer.status_code == 200 and answer.json()["data"][0]["b64_json"]

    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(one, range(requests)))
    return requests / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with (
        tempfile.TemporaryDirectory() as folder,
        Server() as memory,
        Server(args=("--data-dir", folder)) as kept,
    ):
        _round(memory.base_url, 20, args.clients, "warm")
        _round(kept.base_url, 20, args.clients, "warm")
        ratios = []
        for number in range(args.rounds):
            plain = _round(memory.base_url, args.requests, args.clients, f"m{number}")
            durable = _round(kept.base_url, args.requests, args.clients, f"d{number}")
            ratios.append(durable / plain)
            print(f"round {number + 1}: memory {plain:.1f} req/s, --data-dir {durable:.1f} req/s")
    print(f"median ratio --data-dir / memory: {statistics.median(ratios):.2f} "
          f"({args.clients} clients)")  # fmt: skip


if __name__ == "__main__":
    main()
