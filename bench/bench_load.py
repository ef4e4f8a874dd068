"""Load benchmark with a real load generator (wrk): requests/s and latency at 1 to 32
clients, beside the render-and-encode floor and a schema mock of the same spec.

    python bench/bench_load.py [--seconds 3] [--runs 3] [--levels 1,2,4,8,16,32] [--no-mock]

Needs ``wrk`` (Debian: apt-get install wrk). Every request carries a different prompt
(a wrk Lua script), so every answer is a fresh, request-specific image: nothing is served
from a cache. For each case it prints, per client count, the median over ``--runs`` runs
of requests/s, p50 and p99; then the floor (render and encode the same image, no HTTP,
one core) as images/s; then, when ``npx`` is there, the same load against Prism
(``@stoplight/prism-cli``) mocking the official images spec, and the ratio. The load
average is printed before and after: the machine is shared and noisy.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from common import AUTH, ROOT, free_port

SPEC = ROOT / "tests" / "data" / "openapi-images-2026-08-21.yml"
CASES = {
    "gpt-image-1 1024x1024 low png": {
        "model": "gpt-image-1",
        "quality": "low",
        "size": "1024x1024",
    },
    "gpt-image-1 1536x1024 high webp": {
        "model": "gpt-image-1",
        "quality": "high",
        "size": "1536x1024",
        "output_format": "webp",
    },
    "dall-e-3 1024x1792 b64": {
        "model": "dall-e-3",
        "size": "1024x1792",
        "response_format": "b64_json",
    },
}
LUA = """
math.randomseed(%(seed)d)
local template = %(template)s
request = function()
  local body = string.gsub(template, "PROMPT", "a test image " .. math.random(1, 2000000000))
  return wrk.format("POST", "/v1/images/generations",
    {["Content-Type"] = "application/json", ["Authorization"] = "%(auth)s"}, body)
end
"""


def lua_script(body: dict[str, object], folder: Path) -> Path:
    import json

    template = json.dumps({**body, "prompt": "PROMPT"})
    path = folder / f"load-{abs(hash(template))}.lua"
    lua_string = "[[" + template + "]]"
    path.write_text(LUA % {"seed": 7, "template": lua_string, "auth": AUTH["Authorization"]})
    return path


def wrk(url: str, script: Path, clients: int, seconds: float) -> tuple[float, float, float]:
    threads = min(clients, 2)
    out = subprocess.run(
        [
            "wrk",
            f"-t{threads}",
            f"-c{clients}",
            f"-d{max(1, round(seconds))}s",
            "--latency",
            "-s",
            str(script),
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1])  # type: ignore[index]

    def latency(label: str) -> float:
        value, unit = re.search(rf"{label}\s+([\d.]+)(us|ms|s)", out).groups()  # type: ignore[union-attr]
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    return rps, latency("50%"), latency("99%")


def wait_until_up(url: str, path: str = "/_emulator/health", seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            httpx.get(url + path, timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    raise SystemExit(f"{url} did not come up")


def run_levels(url: str, script: Path, levels: list[int], seconds: float, runs: int) -> dict:
    rows = {}
    for clients in levels:
        samples = [wrk(url, script, clients, seconds) for _ in range(runs)]
        rows[clients] = tuple(statistics.median(s[i] for s in samples) for i in range(3))
    return rows


def floor(body: dict[str, object], count: int = 30) -> float:
    """Images/s on one core for the same kind of request: render and encode, no HTTP."""
    sys.path.insert(0, str(ROOT))
    from emulator.contract.catalog import CATALOG
    from emulator.contract.validation import check_request
    from emulator.jobs.generation import GenerationJob

    timings = []
    for i in range(count):
        checked = check_request({**body, "prompt": f"a test image {i}"}, "generations", CATALOG)
        job = GenerationJob.from_request(checked)
        started = time.perf_counter()
        job.render_images()
        timings.append(time.perf_counter() - started)
    return 1 / statistics.median(timings)


def start_emulator(port: int) -> subprocess.Popen[bytes]:
    command = [
        sys.executable,
        "-m",
        "emulator",
        "--port",
        str(port),
        "--log-level",
        "warning",
        "--as-of",
        "latest",
    ]  # its figures are of gpt-image-1 and DALL·E too
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)


def start_prism(port: int) -> subprocess.Popen[bytes] | None:
    if shutil.which("npx") is None:
        return None
    command = ["npx", "-y", "@stoplight/prism-cli@5", "mock", "-p", str(port), str(SPEC)]
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def print_rows(label: str, rows: dict) -> None:
    print(f"  {label}")
    for clients, (rps, p50, p99) in rows.items():
        print(f"    {clients:>3} clients  {rps:8.1f} req/s   p50 {p50:7.2f} ms   p99 {p99:8.2f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=3)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--levels", default="1,2,4,8,16,32")
    parser.add_argument("--no-mock", action="store_true", help="skip the Prism comparison")
    parser.add_argument("--cases", default=",".join(CASES), help="comma-separated case names")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("needs wrk: apt-get install -y wrk")
    levels = [int(v) for v in args.levels.split(",")]
    print(f"load average before: {os.getloadavg()}  ({os.cpu_count()} cores)")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    server = start_emulator(port)
    prism, prism_port = None, free_port()
    try:
        wait_until_up(url)
        with tempfile.TemporaryDirectory() as folder:
            chosen = [name.strip() for name in args.cases.split(",")]
            results = {}
            for name in chosen:
                script = lua_script(CASES[name], Path(folder))
                wrk(url, script, 2, 1)  # warm up
                results[name] = run_levels(url, script, levels, args.seconds, args.runs)
                print(f"{name}: emulator (median of {args.runs} runs of {args.seconds:g} s)")
                print_rows("", results[name])
                print(
                    f"  floor: render and encode alone, one core: {floor(CASES[name]):.1f} images/s"
                )
            if not args.no_mock:
                prism = start_prism(prism_port)
                if prism is None:
                    print("prism: npx not found, no schema-mock comparison")
                else:
                    prism_url = f"http://127.0.0.1:{prism_port}"
                    wait_until_up(prism_url, "/images/generations", seconds=180)
                    name = chosen[0]
                    script = lua_script(CASES[name], Path(folder))
                    rows = run_levels(prism_url, script, levels, args.seconds, args.runs)
                    print(f"prism mock of the spec, the same requests ({name}):")
                    print_rows("", rows)
                    for clients in levels:
                        ratio = results[name][clients][0] / rows[clients][0]
                        print(f"    {clients:>3} clients  emulator/prism = {ratio:.2f}")
    finally:
        server.terminate()
        server.wait(timeout=10)
        if prism is not None:
            prism.terminate()
            prism.wait(timeout=10)
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
