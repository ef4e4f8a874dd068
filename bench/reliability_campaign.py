"""The reliability campaign in one command: batches under random fault mixes, the control plane
with keys required, attacks on the clock, namespaces and settings, memory and work bounds,
the recorder and hostile inputs, a fuzz of the Responses, batch, files and control-plane
surfaces, and slow clients beside normal ones. Every server is on loopback.

    python bench/reliability_campaign.py                 # about two minutes on 2 cores
    python bench/reliability_campaign.py --batches 20 --fuzz 3000

Each section prints its figures; the last line counts the checks that held.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import random
import socket
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
from common import ROOT, Server
from PIL import Image

sys.path.insert(0, str(ROOT))

KEY = "sk-campaign-key-0123456789"
AUTH = {"Authorization": f"Bearer {KEY}"}
GEN = "/v1/images/generations"
FAULTS = ["server_error", "rate_limit", "drop", "content_policy", "overloaded", "quota"]
HELD: list[bool] = []


def check(label: str, held: bool, figure: str) -> None:
    HELD.append(held)
    print(f"  [{'ok' if held else 'NO'}] {label}: {figure}")


def control(http: httpx.Client, path: str, body: Any, **options: Any) -> httpx.Response:
    return http.post(f"/_emulator/{path}", json=body, **options)


# --- batches --------------------------------------------------------------------------------


def batches(count: int, lines: int) -> None:
    print(f"batches: {count} of {lines} lines, each under a random mix of scripted faults")
    rng = random.Random(7)
    with (
        Server(args=("--render-workers", "0")) as server,
        httpx.Client(base_url=server.base_url, headers=AUTH, timeout=60) as http,
    ):
        ids: dict[str, list[str]] = {}
        for number in range(count):
            namespace = {"x-emulator-namespace": f"b{number}"}
            for _ in range(rng.randint(1, 5)):
                fault = {
                    "kind": rng.choice(FAULTS),
                    "count": rng.randint(1, 10),
                    "endpoint": "generations",
                }
                control(http, "faults", fault, headers=namespace)
            rows = [
                {
                    "custom_id": f"{number}-{i}",
                    "method": "POST",
                    "url": GEN,
                    "body": {
                        "model": "gpt-image-2",
                        "prompt": f"p{i}",
                        "quality": "low",
                        **rng.choice([{}, {}, {"size": "7x7"}, {"model": "gpt-image-9"}]),
                    },
                }
                for i in range(lines)
            ]
            data = "\n".join(json.dumps(row) for row in rows).encode()
            file_id = http.post(
                "/v1/files",
                files={"file": ("l.jsonl", data)},
                data={"purpose": "batch"},
                headers=namespace,
            ).json()["id"]
            batch = http.post(
                "/v1/batches",
                json={"input_file_id": file_id, "endpoint": GEN, "completion_window": "24h"},
                headers=namespace,
            ).json()
            ids[batch["id"]] = [f"b{number}", *(row["custom_id"] for row in rows)]
        deadline, ended, accounted, total = time.monotonic() + 240, 0, 0, 0
        for batch_id, (namespace, *asked) in ids.items():
            headers = {"x-emulator-namespace": namespace}
            while time.monotonic() < deadline:
                state = http.get(f"/v1/batches/{batch_id}", headers=headers).json()
                if state["status"] in ("completed", "failed", "expired", "cancelled"):
                    ended += 1
                    break
                time.sleep(0.1)
            found = []
            for key in ("output_file_id", "error_file_id"):
                if state.get(key):
                    text = http.get(f"/v1/files/{state[key]}/content", headers=headers).text
                    found += [json.loads(row)["custom_id"] for row in text.splitlines()]
            total += len(asked)
            accounted += len(asked) if sorted(found) == sorted(asked) else 0
    check("batches that ended", ended == count, f"{ended} of {count}")
    check("lines in exactly one file, once", accounted == total, f"{accounted} of {total}")


# --- the control plane, attacks ---------------------------------------------------------------

CONTROL_ROUTES = [
    ("GET", "config"),
    ("GET", "journal"),
    ("DELETE", "journal"),
    ("POST", "reset"),
    ("GET", "clock"),
    ("POST", "clock"),
    ("GET", "faults"),
    ("POST", "faults"),
    ("GET", "eras"),
    ("GET", "tool-calls"),
    ("GET", "models"),
    ("GET", "as-of"),
    ("GET", "prices"),
    ("POST", "settings"),
    ("GET", "journal/stream"),
]


def control_plane() -> None:
    print("the control plane with --api-keys")
    with (
        Server(args=("--api-keys", KEY, "--render-workers", "0")) as server,
        httpx.Client(base_url=server.base_url, timeout=10) as http,
    ):
        opened = [
            f"{m} {p}"
            for m, p in CONTROL_ROUTES
            if http.request(m, f"/_emulator/{p}").status_code != 401
        ]
        check("routes answering without a key", not opened, f"{len(opened)} {opened}")
        config = http.get("/_emulator/config", headers=AUTH).text
        check(
            "the key shown by /config",
            KEY not in config,
            "not shown" if KEY not in config else "shown",
        )
        simple = http.post(
            "/_emulator/reset",
            content="x",
            headers={**AUTH, "Content-Type": "text/plain", "Origin": "http://evil.example"},
        )
        check(
            "a cross-site text/plain POST",
            simple.status_code in (403, 415),
            str(simple.status_code),
        )


def attacks() -> None:
    print("attacks on the clock, namespaces and settings")
    with (
        Server(args=("--render-workers", "0")) as server,
        httpx.Client(base_url=server.base_url, headers=AUTH, timeout=30) as http,
    ):
        statuses = [control(http, "clock", {"advance": 1e308}).status_code for _ in range(2)]
        after = http.post(GEN, json={"model": "gpt-image-2", "prompt": "x", "quality": "low"})
        check(
            "clock advance 1e308 (twice)",
            statuses == [400, 400] and after.status_code == 200,
            f"{statuses}, then a generation {after.status_code}",
        )
        for number in range(300):
            http.get("/_emulator/journal", params={"namespace": f"z{number}"})
        fresh = http.post(
            "/v1/files",
            files={"file": ("a.jsonl", b"{}\n")},
            data={"purpose": "batch"},
            headers={"x-emulator-namespace": "new"},
        )
        check(
            "a new namespace after 300 reading GETs",
            fresh.status_code == 200,
            str(fresh.status_code),
        )
        deep = "[" * 100_000 + "]" * 100_000
        settings = http.post(
            "/_emulator/settings", content=deep, headers={"Content-Type": "application/json"}
        )
        check(
            "a deeply nested settings body", settings.status_code == 400, str(settings.status_code)
        )
    with Server(args=("--namespace-by-key", "--render-workers", "0")) as server:
        alice = {"Authorization": "Bearer sk-alice-0001"}
        httpx.post(
            f"{server.base_url}/v1/files",
            files={"file": ("a.jsonl", b"{}\n")},
            data={"purpose": "batch"},
            headers=alice,
        )
        import hashlib

        hers = "key-" + hashlib.sha256(b"sk-alice-0001").hexdigest()[:16]
        read = httpx.get(
            f"{server.base_url}/v1/files",
            headers={"Authorization": "Bearer sk-mallory-01", "x-emulator-namespace": hers},
        )
        check("another key's namespace by header", read.status_code == 403, str(read.status_code))


# --- memory and work --------------------------------------------------------------------------


def big_png(seed: int) -> bytes:
    """A 6000x6000 RGBA PNG that compresses to little (a few flat bands)."""
    image = Image.new("RGBA", (6000, 6000), (seed * 13 % 256, 80, 160, 255))
    out = io.BytesIO()
    image.save(out, "PNG", compress_level=9)
    return out.getvalue()


def memory() -> None:
    print("memory and work bounds")
    with (
        Server(args=("--responses-store-mb", "8", "--render-workers", "0")) as server,
        httpx.Client(base_url=server.base_url, headers=AUTH, timeout=120) as http,
    ):
        idle = server.memory_mb("VmRSS")
        filler = "data:text/plain;base64," + "QUFB" * (3 * 1024 * 1024 // 4)
        for number in range(60):
            item = {
                "role": "user",
                "content": [{"type": "input_text", "text": f"hi {number}"}],
                "id": f"msg_{number}",
                "metadata_blob": filler,
            }
            http.post("/v1/responses", json={"model": "gpt-5.4", "input": [item]})
        grown = server.memory_mb("VmRSS") - idle
        check("8 MB bound, 60 responses with 3 MB inputs", grown < 200, f"+{grown:.0f} MiB RSS")
    with (
        Server(args=("--render-workers", "0")) as server,
        httpx.Client(base_url=server.base_url, headers=AUTH, timeout=300) as http,
    ):
        pngs = [big_png(i) for i in range(16)]
        http.post(
            "/v1/images/edits",
            data={"model": "gpt-image-2", "prompt": "x", "quality": "low"},
            files=[("image[]", ("a.png", pngs[0], "image/png"))],
        )
        idle = server.memory_mb("VmRSS")
        server.reset_peak_memory()
        files = [("image[]", (f"{i}.png", png, "image/png")) for i, png in enumerate(pngs)]
        wire = sum(len(p) for p in pngs) / 1024 / 1024
        answer = http.post(
            "/v1/images/edits",
            data={"model": "gpt-image-2", "prompt": "x", "quality": "low"},
            files=files,
        )
        peak = server.memory_mb("VmHWM") - idle
        time.sleep(1)
        after = server.memory_mb("VmRSS") - idle
        check(
            f"16 inputs of 6000x6000 RGBA ({wire:.1f} MB on the wire), status {answer.status_code}",
            peak < 1200 and answer.status_code == 200,
            f"peak +{peak:.0f} MiB, +{after:.0f} MiB a second later",
        )
        ids = []
        for number in range(800):
            reply = http.post("/v1/responses", json={"model": "gpt-5.4", "input": f"n {number}"})
            ids.append(reply.json()["output"][0]["id"])
        refs = [{"type": "item_reference", "id": ids[n % 800]} for n in range(40_000)]
        started = time.perf_counter()
        resolved = http.post("/v1/responses", json={"model": "gpt-5.4", "input": refs})
        took = time.perf_counter() - started
        check(
            "40,000 references against 800 stored responses",
            took < 3 and resolved.status_code == 200,
            f"{took:.2f} s, {resolved.status_code}",
        )


def slow_clients(count: int) -> None:
    print(f"slow clients: {count} connections stalled in their headers")
    with Server(args=("--header-timeout-seconds", "2", "--render-workers", "0")) as server:
        stalled = []
        for _ in range(count):
            sock = socket.create_connection(("127.0.0.1", server.port))
            sock.sendall(b"POST /v1/images/generations HTTP/1.1\r\nHost: x\r\n")
            stalled.append(sock)
        served = httpx.post(
            f"{server.base_url}{GEN}",
            headers=AUTH,
            timeout=10,
            json={"model": "gpt-image-2", "prompt": "x", "quality": "low"},
        )
        started = time.monotonic()
        closed = 0
        for sock in stalled:
            sock.settimeout(max(0.1, 60 - (time.monotonic() - started)))
            with contextlib.suppress(OSError):
                closed += sock.recv(10) == b""
            sock.close()
        took = time.monotonic() - started
        check("a normal client among them", served.status_code == 200, str(served.status_code))
        check(
            "stalled connections closed",
            closed == count and took < 60,
            f"{closed} of {count} within {took:.1f} s",
        )


# --- the recorder, hostile inputs, fuzz ---------------------------------------------------------


def recorder() -> None:
    print("the recorder")
    with tempfile.TemporaryDirectory() as folder, Server(args=("--render-workers", "0")) as up:
        secret = "sk-proj-recorded-secret-000111"
        with Server(
            args=("--record", folder, "--upstream", up.base_url + "/v1", "--render-workers", "0")
        ) as proxy:
            body = {"model": "gpt-image-2", "prompt": "x", "quality": "low"}
            httpx.post(
                f"{proxy.base_url}{GEN}",
                json=body,
                timeout=30,
                headers={"Authorization": f"Bearer {secret}"},
            )
            httpx.post(
                f"{proxy.base_url}{GEN}?api_key={secret}",
                json=body,
                timeout=30,
                headers={"Authorization": "Bearer sk-other-000111"},
            )
        leaked = sum(secret in p.read_text() for p in Path(folder).rglob("*.json"))
        check("recordings holding the key", leaked == 0, f"{leaked}")


HOSTILE: list[tuple[str, dict[str, Any]]] = [
    (
        "result that is not base64",
        {
            "input": [{"id": "ig_1", "type": "image_generation_call", "result": "!!"}],
            "tools": [{"type": "image_generation"}],
        },
    ),
    ("temperature 'hot'", {"temperature": "hot"}),
    ("user []", {"user": []}),
    ("metadata 5", {"metadata": 5}),
    (
        "a second image tool with an unknown option",
        {"tools": [{"type": "image_generation"}, {"type": "image_generation", "x": 1}]},
    ),
    (
        "an item_reference id that is an object",
        {"input": [{"type": "item_reference", "id": {"a": 1}}]},
    ),
]


def hostile() -> None:
    print("hostile inputs")
    with (
        Server(args=("--render-workers", "0")) as server,
        httpx.Client(base_url=server.base_url, headers=AUTH, timeout=30) as http,
    ):
        for label, body in HOSTILE:
            answer = http.post("/v1/responses", json={"model": "gpt-5.4", "input": "x", **body})
            check(label, answer.status_code == 400, str(answer.status_code))
        png = io.BytesIO()
        Image.new("1", (30000, 30000)).save(png, "PNG")
        answer = http.post(
            "/v1/images/edits",
            data={"model": "gpt-image-2", "prompt": "x"},
            files=[("image[]", ("a.png", png.getvalue(), "image/png"))],
        )
        code = answer.json()["error"]["code"]
        check("a 30000x30000 PNG", code == "image_too_large", f"{answer.status_code} {code}")


def values(rng: random.Random, depth: int = 0) -> Any:
    kinds: list[Callable[[], Any]] = [
        lambda: rng.choice(["", "x", "draw", "gpt-5.4", "ig_1", "resp_1", "\u0000", "é" * 50]),
        lambda: rng.choice([0, -1, 1, 2**40, 1.5, -1e308]),
        lambda: rng.choice([True, False, None]),
    ]
    if depth < 3:
        kinds.append(lambda: [values(rng, depth + 1) for _ in range(rng.randint(0, 3))])
        kinds.append(
            lambda: {
                rng.choice(
                    [
                        "type",
                        "id",
                        "role",
                        "content",
                        "model",
                        "kind",
                        "count",
                        "as_of",
                        "lenient",
                        "mode",
                        "result",
                    ]
                ): values(rng, depth + 1)
                for _ in range(rng.randint(0, 3))
            }
        )
    return rng.choice(kinds)()


def fuzz(cases: int) -> None:
    print(f"fuzz: {cases} random bodies at the Responses, batch, files and control-plane routes")
    rng = random.Random(11)
    routes = [
        "/v1/responses",
        "/v1/batches",
        "/v1/files",
        "/_emulator/faults",
        "/_emulator/clock",
        "/_emulator/settings",
        "/_emulator/as-of",
        "/_emulator/models",
        "/_emulator/tool-calls",
    ]
    names = [
        "model",
        "input",
        "tools",
        "tool_choice",
        "previous_response_id",
        "stream",
        "store",
        "input_file_id",
        "endpoint",
        "completion_window",
        "kind",
        "count",
        "advance",
        "freeze",
        "at",
        "lenient",
        "as_of",
        "copy_of",
        "mode",
        "purpose",
    ]
    statuses: Counter[int] = Counter()
    with (
        Server(args=("--render-workers", "0")) as server,
        httpx.Client(base_url=server.base_url, headers=AUTH, timeout=30) as http,
    ):
        for _ in range(cases):
            body = {rng.choice(names): values(rng) for _ in range(rng.randint(0, 5))}
            if rng.random() < 0.5:
                body["model"] = "gpt-5.4"
            route = rng.choice(routes)
            statuses[http.post(route, json=body).status_code] += 1
        alive = http.get("/_emulator/health").status_code
    errors = sum(n for status, n in statuses.items() if status >= 500)
    check(
        "server errors",
        errors == 0 and alive == 200,
        f"{errors}; statuses {dict(sorted(statuses.items()))}",
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", type=int, default=20)
    parser.add_argument("--lines", type=int, default=50)
    parser.add_argument("--fuzz", type=int, default=2000)
    parser.add_argument("--slow-clients", type=int, default=200)
    args = parser.parse_args()
    started = time.monotonic()
    print(f"load average before: {__import__('os').getloadavg()}")
    batches(args.batches, args.lines)
    control_plane()
    attacks()
    memory()
    slow_clients(args.slow_clients)
    recorder()
    hostile()
    fuzz(args.fuzz)
    print(f"{sum(HELD)} of {len(HELD)} checks held, in {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
