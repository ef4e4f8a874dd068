"""The Batch API at volume, in one run:

    python bench/bench_batch.py [--lines 1000]

Uploads a JSONL file of ``--lines`` gpt-image-2 1024x1024 low generations (a new prompt each)
to a fresh server process on a free loopback port, creates the batch, polls it until it
completes, downloads the output file and decodes every image. Prints the time from create to
completed, lines per second, the output file's size, and the same number of requests sent one
by one beside it for comparison.
"""

from __future__ import annotations

import argparse
import base64
import io
import json
import time

import httpx
from common import AUTH, Server
from PIL import Image


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1000)
    args = parser.parse_args()
    bodies = [
        {
            "model": "gpt-image-2",
            "prompt": f"otter number {i}",
            "quality": "low",
            "size": "1024x1024",
        }
        for i in range(args.lines)
    ]
    jsonl = "".join(
        json.dumps(
            {"custom_id": f"r{i}", "method": "POST", "url": "/v1/images/generations", "body": body}
        )
        + "\n"
        for i, body in enumerate(bodies)
    )
    with (
        Server() as server,
        httpx.Client(base_url=server.base_url, headers=AUTH, timeout=120) as http,
    ):
        uploaded = http.post(
            "/v1/files",
            files={"file": ("lines.jsonl", jsonl.encode(), "application/jsonl")},
            data={"purpose": "batch"},
        ).json()
        started = time.perf_counter()
        batch = http.post(
            "/v1/batches",
            json={
                "input_file_id": uploaded["id"],
                "endpoint": "/v1/images/generations",
                "completion_window": "24h",
            },
        ).json()
        while batch["status"] not in ("completed", "failed", "expired", "cancelled"):
            time.sleep(0.1)
            batch = http.get(f"/v1/batches/{batch['id']}").json()
        elapsed = time.perf_counter() - started
        output = http.get(f"/v1/files/{batch['output_file_id']}/content").content
        decoded = 0
        for text in output.decode().splitlines():
            row = json.loads(text)
            image = Image.open(
                io.BytesIO(base64.b64decode(row["response"]["body"]["data"][0]["b64_json"]))
            )
            assert image.size == (1024, 1024)
            decoded += 1
        one_by_one = time.perf_counter()
        for body in bodies:
            http.post("/v1/images/generations", json=body).raise_for_status()
        sequential = time.perf_counter() - one_by_one
    print(
        f"batch of {args.lines}: {batch['status']} in {elapsed:.1f} s = {args.lines / elapsed:.0f} "
        f"lines/s; output file {len(output) / 1e6:.1f} MB, {decoded} images decoded at 1024x1024"
    )
    print(
        f"the same {args.lines} requests one by one: {sequential:.1f} s = "
        f"{args.lines / sequential:.0f} requests/s ({sequential / elapsed:.2f}× the batch's time)"
    )


if __name__ == "__main__":
    main()
