"""Load benchmark with a real load generator (wrk): requests/s and latency at 1 to 32
clients, beside the render-and-encode floor, a bare Starlette app and a schema mock.

    python bench/bench_load.py [--seconds 3] [--runs 3] [--levels 1,8] [--no-mock] [--cases A,B]

Needs ``wrk`` (Debian: apt-get install wrk). For each case it prints, per client count, the
median over ``--runs`` runs of requests/s, p50 and p99: first with a different prompt in
every request (a wrk Lua script), so that every answer is a fresh, request-specific image,
then with the same prompt every time (what the identical-request cache answers), then the
floor (render and encode the same image, no HTTP, one core) as images/s. Then the first
case's fresh load side by side with a bare Starlette app answering a fixed 40 KB body
(``bench/bare_app.py``) and, when ``npx`` is there, Prism (``@stoplight/prism-cli``)
mocking the official images spec: all three measured in turn, run by run and level by
level (the machine is shared and drifts within minutes), with the emulator's ratios to
each. Every target is first asked once and must answer 200 with images (Prism at the path
it serves, ``/images/generations``), and a run with any error answer fails the benchmark:
a figure of fast 404s is no figure. The load average is printed before and after.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from common import AUTH, ROOT, free_port

SPEC = ROOT / "tests" / "data" / "openapi-images-2026-08-21.yml"
BARE_APP = Path(__file__).resolve().parent / "bare_app.py"
# Today's model (the default date): the goal case first, then the large ones.
CASES: dict[str, dict[str, object]] = {
    "gpt-image-2 1024x1024 low png": {
        "model": "gpt-image-2",
        "quality": "low",
        "size": "1024x1024",
    },
    "gpt-image-2 1536x1024 high webp": {
        "model": "gpt-image-2",
        "quality": "high",
        "size": "1536x1024",
        "output_format": "webp",
    },
    "gpt-image-2 3840x2160 low png": {
        "model": "gpt-image-2",
        "quality": "low",
        "size": "3840x2160",
    },
}
WARM_UP_SECONDS = {"gpt-image-2 1024x1024 low png": 4, "gpt-image-2 3840x2160 low png": 10}
LUA = """
-- Every run and every wrk thread draws other prompts: a prompt seen before would be
-- answered from the kept images, and the figures would not be of fresh ones.
local counter = 0
function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
end
function init(args)
  math.randomseed(os.time() * 1000 + id * 7919 + %(seed)d)
end
local template = %(template)s
local fresh = %(fresh)s
request = function()
  local prompt = "a test image"
  if fresh then prompt = prompt .. " " .. math.random(1, 2000000000) end
  local body = string.gsub(template, "PROMPT", prompt)
  return wrk.format("POST", "%(path)s",
    {["Content-Type"] = "application/json", ["Authorization"] = "%(auth)s"}, body)
end
"""


# The path each target serves the images spec at: Prism serves the spec's paths at its root
# (the spec's server URL carries the /v1), so /v1/images/generations is a fast 404 there.
GENERATIONS = "/v1/images/generations"
PATHS = {"prism": "/images/generations"}


def lua_script(
    body: dict[str, object], folder: Path, fresh: bool = True, path: str = GENERATIONS
) -> Path:
    """A wrk script: a new prompt in every request (``fresh``) or the same one every time."""
    import json

    template = json.dumps({**body, "prompt": "PROMPT"})
    script = folder / f"load-{abs(hash((template, path)))}-{fresh}.lua"
    values = {
        "seed": 7,
        "template": "[[" + template + "]]",
        "auth": AUTH["Authorization"],
        "fresh": "true" if fresh else "false",
        "path": path,
    }
    script.write_text(LUA % values)
    return script


class NotAnswering(SystemExit):
    """A target answered something other than 200 with images: its figures would be of
    errors, so the benchmark fails instead of printing them."""


def checked_target(label: str, url: str, path: str, body: dict[str, object]) -> None:
    """One request before timing: 200, JSON with a non-empty ``data`` of images (b64_json or
    url); the emulator's image is decoded and must have the asked size."""
    answer = httpx.post(url + path, json={**body, "prompt": "a check"}, headers=AUTH, timeout=120)
    what = f"{label} ({url}{path}) answered {answer.status_code}"
    if answer.status_code != 200:
        raise NotAnswering(f"{what}, not 200: {answer.text[:200]!r}; not timed")
    try:
        data = answer.json()["data"]
        assert (
            isinstance(data, list)
            and data
            and all(
                isinstance(item, dict) and ("b64_json" in item or "url" in item) for item in data
            )
        )
    except (ValueError, KeyError, TypeError, AssertionError):
        raise NotAnswering(f"{what} without images: {answer.text[:200]!r}; not timed") from None
    if label == "emulator":
        import base64
        import io

        from PIL import Image

        image = Image.open(io.BytesIO(base64.b64decode(data[0]["b64_json"])))
        expected = tuple(int(side) for side in str(body["size"]).split("x"))
        if image.size != expected:
            raise NotAnswering(f"{what} with a {image.size} image, not {expected}")


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
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    if errors:
        raise NotAnswering(f"{url}: {errors[1]} answers were errors during the run; not timed")
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
    return run_in_turn({"": (url, script)}, levels, seconds, runs)[""]


def run_in_turn(targets: dict[str, tuple[str, Path]], levels: list[int], seconds: float,
                runs: int) -> dict[str, dict]:  # fmt: skip
    """Each target measured in turn, run by run and level by level, so that the machine's
    noise (shared, it drifts by a third within minutes) falls on all of them alike."""
    samples: dict[tuple[str, int], list[tuple[float, float, float]]] = {}
    for _ in range(runs):
        for clients in levels:
            for name, (url, script) in targets.items():
                samples.setdefault((name, clients), []).append(wrk(url, script, clients, seconds))
    return {
        name: {
            clients: tuple(
                statistics.median(s[i] for s in samples[name, clients]) for i in range(3)
            )
            for clients in levels
        }
        for name in targets
    }


def floor(body: dict[str, object], count: int = 30) -> float:
    """Images/s on one core for the same kind of request: render and encode, no HTTP. The
    subjects' kept pieces are met first (as a server meets them in its first seconds)."""
    sys.path.insert(0, str(ROOT))
    from emulator.contract.catalog import CATALOG
    from emulator.contract.validation import check_request
    from emulator.jobs.generation import GenerationJob

    def job(prompt: str) -> GenerationJob:
        checked = check_request({**body, "prompt": prompt}, "generations", CATALOG)
        return GenerationJob.from_request(checked)

    if body.get("output_format", "png") == "png":
        for i in range(1500):
            job(f"warming {i}").render_images()
    timings = []
    for i in range(count):
        fresh = job(f"a test image {i}")
        started = time.perf_counter()
        fresh.render_images()
        timings.append(time.perf_counter() - started)
    return 1 / statistics.median(timings)


def start_emulator(port: int, extra: list[str]) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "emulator", "--port", str(port), "--log-level", "warning"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([*command, *extra], env=env, stdout=subprocess.DEVNULL)


def start_bare_app(port: int) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, str(BARE_APP), str(port)], stdout=subprocess.DEVNULL)


def start_prism(port: int) -> subprocess.Popen[bytes] | None:
    if shutil.which("npx") is None:
        return None
    command = ["npx", "-y", "@stoplight/prism-cli@5", "mock", "-p", str(port), str(SPEC)]
    # In a session of its own: npx starts node as a child, which must end with it.
    return subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )


DESCRIPTIONS = {
    "emulator": "the emulator",
    "bare": "a bare Starlette app on uvicorn answering a fixed 40 KB JSON body",
    "prism": "Prism mocking the official spec (a placeholder answer, no image)",
}


def start_others(processes: Stopping, no_bare: bool, no_mock: bool) -> dict[str, str]:
    """The servers compared with, started beside the emulator (idle until their turn)."""
    others = {}
    if not no_bare:
        bare_port = free_port()
        processes.add(start_bare_app(bare_port))
        others["bare"] = f"http://127.0.0.1:{bare_port}"
        wait_until_up(others["bare"])
    if not no_mock:
        prism_port = free_port()
        prism = start_prism(prism_port)
        if prism is None:
            print("prism: npx not found, no schema-mock comparison")
        else:
            processes.add(prism)
            others["prism"] = f"http://127.0.0.1:{prism_port}"
            wait_until_up(others["prism"], PATHS["prism"], seconds=180)
    return others


def print_rows(label: str, rows: dict) -> None:
    print(f"  {label}")
    for clients, (rps, p50, p99) in rows.items():
        print(f"    {clients:>3} clients  {rps:8.1f} req/s   p50 {p50:7.2f} ms   p99 {p99:8.2f} ms")


def print_ratios(label: str, ours: dict, theirs: dict) -> None:
    for clients in ours:
        if clients in theirs:
            ratio = ours[clients][0] / theirs[clients][0]
            print(f"    {clients:>3} clients  {label} = {ratio:.2f}")


class Stopping:
    """The processes started here, each ended when the run ends (even on an error)."""

    def __init__(self) -> None:
        self.processes: list[subprocess.Popen[bytes]] = []

    def add(self, process: subprocess.Popen[bytes]) -> subprocess.Popen[bytes]:
        self.processes.append(process)
        return process

    def stop(self, process: subprocess.Popen[bytes]) -> None:
        """End the process; one started in a session of its own (npx, whose node is its
        child) is ended with its whole process group."""
        group = os.getsid(process.pid) == process.pid if process.poll() is None else False

        def send(number: int) -> None:
            with contextlib.suppress(ProcessLookupError):
                if group:
                    os.killpg(process.pid, number)
                else:
                    process.send_signal(number)

        send(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            send(signal.SIGKILL)
            process.wait()
        if group:  # what is left of it (node outlives npx)
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)

    def __enter__(self) -> Stopping:
        return self

    def __exit__(self, *exc: object) -> None:
        for process in self.processes:
            self.stop(process)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=3)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--levels", default="1,8")
    parser.add_argument("--no-mock", action="store_true", help="skip the Prism comparison")
    parser.add_argument("--no-bare", action="store_true", help="skip the bare Starlette app")
    parser.add_argument("--no-repeat", action="store_true", help="skip the repeated-prompt runs")
    parser.add_argument("--cases", default=",".join(CASES), help="comma-separated case names")
    parser.add_argument(
        "--emulator-args", default="", help="more options for the emulator, e.g. '--workers 1'"
    )
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("needs wrk: apt-get install -y wrk")
    levels = [int(v) for v in args.levels.split(",")]
    chosen = [name.strip() for name in args.cases.split(",")]
    print(f"load average before: {os.getloadavg()}  ({os.cpu_count()} cores)")
    with Stopping() as processes, tempfile.TemporaryDirectory() as folder:
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        processes.add(start_emulator(port, args.emulator_args.split()))
        others = start_others(processes, args.no_bare, args.no_mock)
        wait_until_up(url)
        results = {}
        for name in chosen:
            checked_target("emulator", url, GENERATIONS, CASES[name])
            modes = [True] if args.no_repeat else [True, False]
            for fresh in modes:
                script = lua_script(CASES[name], Path(folder), fresh)
                # Warm up: the first request of each of the 384 subject variants compresses
                # it (a few ms; at 4K, 20 ms): runs measure the steady state, not the start.
                # One client warms the server's own process (it draws alone), eight the
                # render workers (they draw while requests overlap).
                for clients in (1, 8):
                    wrk(url, script, clients, WARM_UP_SECONDS.get(name, 1) if fresh else 1)
                rows = run_levels(url, script, levels, args.seconds, args.runs)
                results[name, fresh] = rows
                prompt = "a fresh prompt per request" if fresh else "the same prompt every time"
                runs = f"median of {args.runs} runs of {args.seconds} s"
                print(f"{name}: emulator, {prompt} ({runs})")
                print_rows("", rows)
            if not args.no_repeat:
                print_ratios("repeated/fresh", results[name, False], results[name, True])
            print(f"  floor: render and encode alone, one core: {floor(CASES[name]):.1f} images/s")
        if others:
            goal = chosen[0]
            script = lua_script(CASES[goal], Path(folder))
            targets = {"emulator": (url, script)}
            for label, other_url in others.items():
                path = PATHS.get(label, GENERATIONS)
                checked_target(label, other_url, path, CASES[goal])
                targets[label] = (other_url, lua_script(CASES[goal], Path(folder), path=path))
                wrk(other_url, targets[label][1], 2, 1)
            in_turn = run_in_turn(targets, levels, args.seconds, args.runs)
            print(f"side by side, measured in turn, run by run ({goal}, a fresh prompt each):")
            for label, rows in in_turn.items():
                print_rows(DESCRIPTIONS.get(label, label), rows)
            for label in others:
                print_ratios(f"emulator/{label}", in_turn["emulator"], in_turn[label])
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
