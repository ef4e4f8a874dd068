"""Soak benchmark: the server's memory under a long 8-client load (wrk).

    python bench/bench_soak.py [--seconds 600] [--clients 8]

Prints the idle RSS, then the RSS every 30 s while wrk sends generations with a new prompt
each time (every answer a fresh image, kept by the journal within its bounds), and the
growth between the first and the second half of the run: a leak shows as growth that goes
on; bounded stores level off at their options (--journal-size, --journal-images-mb).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_load import CASES, lua_script, wait_until_up
from common import ROOT, free_port, rss_mb


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=600)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--every", type=int, default=30)
    args = parser.parse_args()
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "emulator", "--port", str(port), "--log-level", "warning"]
    server = subprocess.Popen(command, env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        wait_until_up(url)
        time.sleep(2)  # the tokenizer's vocabulary loads a moment after the start
        print(f"idle RSS {rss_mb(server.pid):.0f} MiB")
        with tempfile.TemporaryDirectory() as folder:
            script = lua_script(CASES["gpt-image-1 1024x1024 low png"], Path(folder))
            load = subprocess.Popen(
                ["wrk", "-t2", f"-c{args.clients}", f"-d{args.seconds}s", "-s", str(script), url],
                stdout=subprocess.PIPE,
                text=True,
            )
            samples = []
            started = time.monotonic()
            while load.poll() is None:
                time.sleep(args.every)
                samples.append(rss_mb(server.pid))
                print(f"  {time.monotonic() - started:5.0f} s  RSS {samples[-1]:.0f} MiB")
            out = load.communicate()[0]
        rate = next((line for line in out.splitlines() if "Requests/sec" in line), "")
        half = len(samples) // 2
        first, second = max(samples[: max(1, half)]), max(samples[half:] or samples)
        print(rate.strip())
        print(
            f"peak RSS first half {first:.0f} MiB, second half {second:.0f} MiB "
            f"(growth {second - first:+.0f} MiB); load average {os.getloadavg()}"
        )
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
