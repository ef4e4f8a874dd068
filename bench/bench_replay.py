"""Record and replay, measured in one run:

    python bench/bench_replay.py [--requests 100]

Records ``--requests`` generations and edits (half each, a new prompt each) through a
recording emulator to an upstream emulator, then prints the recording's size on disk beside
the size of the answers' base64 bodies, and the p50/p95 of the same requests answered by a
replaying emulator beside an emulating one (interleaved, so the machine's noise falls on both).
Every server is its own process on a free loopback port.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import httpx
from common import AUTH, Server, print_latencies

PNG = (Path(__file__).resolve().parents[1] / "docs" / "inspector-list.png").read_bytes()


def requests(count: int) -> list[tuple[str, dict]]:
    made = []
    for index in range(count):
        if index % 2:
            body = {"model": "gpt-image-2", "prompt": f"an otter number {index}", "quality": "low"}
            made.append(("/v1/images/generations", {"json": body}))
        else:
            data = {"model": "gpt-image-2", "prompt": f"a hat number {index}", "quality": "low"}
            files = {"image": ("in.png", PNG, "image/png")}
            made.append(("/v1/images/edits", {"data": data, "files": files}))
    return made


def size_of(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=100)
    args = parser.parse_args()
    asked = requests(args.requests)
    folder = Path(tempfile.mkdtemp(prefix="recordings-"))
    answered = 0
    with Server() as upstream:
        recorder = Server(args=("--record", str(folder), "--upstream", upstream.base_url))
        with recorder, httpx.Client(base_url=recorder.base_url, headers=AUTH, timeout=60) as http:
            for path, request in asked:
                answer = http.post(path, **request)
                answer.raise_for_status()
                answered += len(answer.content)
    disk = size_of(folder)
    print(f"recorded {len(asked)} answers: {answered / 1e6:.1f} MB of JSON with base64 images; "
          f"the recording takes {disk / 1e6:.1f} MB on disk ({disk / answered:.2f}×), "
          f"{len(list((folder / 'images').iterdir()))} image files")  # fmt: skip
    timings: dict[str, list[float]] = {"emulated": [], "replayed": []}
    replaying = Server(args=("--replay", str(folder)))
    with Server() as emulating, replaying:
        clients = {
            "emulated": httpx.Client(base_url=emulating.base_url, headers=AUTH, timeout=60),
            "replayed": httpx.Client(base_url=replaying.base_url, headers=AUTH, timeout=60),
        }
        for http in clients.values():  # warm-ups
            path, request = asked[0]
            http.post(path, **request).raise_for_status()
        for path, request in asked:
            for name, http in clients.items():
                started = time.perf_counter()
                http.post(path, **request).raise_for_status()
                timings[name].append((time.perf_counter() - started) * 1000)
    print_latencies("answered by", timings, "emulated")


if __name__ == "__main__":
    main()
