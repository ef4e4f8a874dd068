"""What the benchmark scripts share: a server in its own process, percentiles, memory."""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
AUTH = {"Authorization": "Bearer sk-bench"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """``python -m emulator`` on a free loopback port, for the length of a ``with`` block."""

    def __init__(self, wait: bool = True, args: tuple[str, ...] = ()) -> None:
        self.wait = wait  # wait until the port accepts connections
        self.args = args  # more options for the emulator
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Server:
        # Benchmarks answer as "latest": their figures are of gpt-image-1 and DALL·E too, which
        # today's API (the default) no longer serves, and compare with earlier runs.
        env = {**os.environ, "PYTHONPATH": str(ROOT), "IMAGES_EMULATOR_AS_OF": "latest"}
        command = [
            sys.executable,
            "-m",
            "emulator",
            "--port",
            str(self.port),
            "--log-level",
            "warning",
            *self.args,
        ]
        self.process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)
        if not self.wait:
            return self
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return self
            except OSError:
                time.sleep(0.05)
        self.process.kill()
        raise SystemExit("the emulator did not start")

    def __exit__(self, *exc: object) -> None:
        assert self.process is not None
        self.process.terminate()
        self.process.wait(timeout=10)

    def reset_peak_memory(self) -> None:
        """Start VmHWM again from the current RSS (Linux: clear_refs 5)."""
        assert self.process is not None
        with open(f"/proc/{self.process.pid}/clear_refs", "w") as refs:
            refs.write("5")

    def memory_mb(self, field: str) -> float:
        """``VmRSS`` (now) or ``VmHWM`` (peak) of the server process, in MiB."""
        assert self.process is not None
        return rss_mb(self.process.pid, field)


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def print_latencies(heading: str, timings: dict[str, list[float]], base: str) -> None:
    """p50 and p95 in ms per case, and each p50's ratio to the ``base`` case's."""
    width = max(len(heading), *map(len, timings))
    base_p50 = statistics.median(timings[base])
    print(f"{heading:{width}} {'p50 ms':>8} {'p95 ms':>8} {'p50 ratio':>10}")
    for name, values in timings.items():
        p50 = statistics.median(values)
        print(f"{name:{width}} {p50:8.2f} {percentile(values, 0.95):8.2f} {p50 / base_p50:10.2f}")


def rss_mb(pid: int, field: str = "VmRSS") -> float:
    """``VmRSS`` (now) or ``VmHWM`` (peak) of a process, in MiB."""
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    raise KeyError(field)
