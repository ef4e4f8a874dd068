"""Start-to-ready benchmark: how long until the emulator answers its first request.

    python bench/bench_start.py [--runs 10]

- in-process: ``EmulatorServer().start()`` (what the pytest plugin does) until a
  generation answers 200, with the package already imported (as in a test session);
- a new process: ``python -m emulator`` until the first 200, interpreter start included.
Target (issue 5): in-process start to ready ≤ 1 s.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx
from common import AUTH, ROOT, Server, free_port

sys.path.insert(0, str(ROOT))

from emulator.server import EmulatorServer

REQUEST = {
    "model": "dall-e-2",
    "prompt": "ready?",
    "size": "256x256",
    "response_format": "b64_json",
}


def first_answer(base_url: str) -> None:
    deadline = time.monotonic() + 30
    while True:
        try:
            response = httpx.post(f"{base_url}/v1/images/generations", json=REQUEST, headers=AUTH)
            response.raise_for_status()
            return
        except httpx.TransportError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.005)


def in_process() -> float:
    started = time.perf_counter()
    server = EmulatorServer(as_of="latest").start()
    first_answer(server.base_url)
    elapsed = time.perf_counter() - started
    server.stop()
    return elapsed


def new_process() -> float:
    started = time.perf_counter()
    with Server(wait=False) as server:
        first_answer(server.base_url)
        return time.perf_counter() - started


def console_script() -> float | None:
    """The installed ``openai-images-emulator`` command, when it is beside this Python."""
    command = Path(sys.executable).with_name("openai-images-emulator")
    if not command.exists():
        return None
    port = free_port()
    started = time.perf_counter()
    process = subprocess.Popen(
        [str(command), "--port", str(port), "--log-level", "warning", "--as-of", "latest"],
        stdout=subprocess.DEVNULL,
    )
    try:
        first_answer(f"http://127.0.0.1:{port}")
        return time.perf_counter() - started
    finally:
        process.terminate()
        process.wait(timeout=10)


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--runs", type=int, default=10)
    args = options.parse_args()
    in_process()  # imports and first-use costs, as a test session has paid them
    inside = [in_process() for _ in range(args.runs)]
    outside = [new_process() for _ in range(args.runs)]
    scripts = [t for t in (console_script() for _ in range(args.runs)) if t is not None]
    rows = [("in-process EmulatorServer", inside), ("python -m emulator", outside)]
    if scripts:
        rows.append(("openai-images-emulator", scripts))
    for label, runs in rows:
        p50, worst = statistics.median(runs) * 1000, max(runs) * 1000
        print(f"{label:26} start to first 200: p50 {p50:.0f} ms (max {worst:.0f} ms)")


if __name__ == "__main__":
    main()
