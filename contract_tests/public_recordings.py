"""Real Responses exchanges from public projects' test recordings, as emulator recordings.

    python -m contract_tests.public_recordings MIRROR_DIR...     # rewrites fixtures/recordings/

Each public project records its tests against the real API (openai-dotnet's SessionRecords,
pydantic-ai's VCR cassettes). Every ``POST /v1/responses`` they hold that can be replayed on
its own (no ``previous_response_id``, no uploaded ``file_id``) becomes one recording in the
emulator's own format, with its source (repository, path, commit) and its day (the answer's
``created_at``), so that ``openai-images-emulator drift fixtures/recordings/responses``
replays each at its date and reports where the emulator departs from the real answer.

The recorded images are replaced by stand-ins with the same facts (format, size, mode,
transparency): the drift report compares no more than that, and the repository stays small.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import subprocess
import sys
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from PIL import Image

from emulator.testdouble.recording import IMAGE_KEYS, IMAGE_MARK, ImageFiles, _b64_image

OUT = Path(__file__).parents[1] / "fixtures" / "recordings" / "responses"
# openai-dotnet keeps the wire's key order and headers; pydantic-ai's YAML sorts keys.
SOURCES = {
    "openai/openai-dotnet": ["tests/SessionRecords/Responses*Tests/*ImageGen*"],
    "pydantic/pydantic-ai": ["tests/models/cassettes/test_openai_responses/*image*",
                             "tests/cassettes/test_capabilities/*ImageGeneration*"],
}  # fmt: skip
KEPT_HEADERS = ("content-type", "openai-version")
INLINED = (
    "image URLs replaced by data: URLs of stand-ins with the same size, mode and alpha "
    "(the replay is offline)"
)


def stand_in(data: bytes, keep_alpha: bool = False) -> bytes:
    """A flat image with the facts of ``data``: format, size, mode, whether it is transparent,
    and with ``keep_alpha`` its alpha channel as it is (so that a mask marks the same pixels)."""
    image = Image.open(io.BytesIO(data))
    flat = Image.new(image.mode, image.size)
    if "A" in image.getbands():
        alpha = image.getchannel("A")
        lowest = min(alpha.tobytes())
        flat.putalpha(alpha if keep_alpha else (0 if lowest < 255 else 255))
    buffer = io.BytesIO()
    flat.save(buffer, image.format, optimize=True)
    return buffer.getvalue()


def urls_inlined(value: Any, read: Callable[[str], bytes | None]) -> tuple[Any, bool]:
    """The request with each image URL ``read`` can find replaced by a ``data:`` URL of its
    stand-in (the replay is offline), and whether any was."""
    if isinstance(value, dict):
        pairs = [(key, urls_inlined(item, read)) for key, item in value.items()]
        return {k: v for k, (v, _) in pairs}, any(changed for _, (_, changed) in pairs)
    if isinstance(value, list):
        items = [urls_inlined(item, read) for item in value]
        return [v for v, _ in items], any(changed for _, changed in items)
    if isinstance(value, str) and value.startswith("http") and (data := read(value)):
        encoded = base64.b64encode(stand_in(data, keep_alpha=True)).decode()
        return f"data:image/png;base64,{encoded}", True
    return value, False


def images_as_stand_ins(value: Any, files: ImageFiles) -> Any:
    if isinstance(value, dict):
        shown = {}
        for key, item in value.items():
            data = _b64_image(item) if key in IMAGE_KEYS else None
            shown[key] = (
                IMAGE_MARK + files.put(stand_in(data))
                if data is not None
                else images_as_stand_ins(item, files)
            )
        return shown
    if isinstance(value, list):
        return [images_as_stand_ins(item, files) for item in value]
    return value


def replayable(request: dict[str, Any]) -> bool:
    """On its own: no earlier response to continue, no file uploaded before it, no earlier
    item named by its id alone (an ``image_generation_call`` passed back without its result)."""
    items = request.get("input")
    bare = isinstance(items, list) and any(
        isinstance(item, dict)
        and (item.get("type") == "item_reference"
             or (item.get("type") == "image_generation_call" and "result" not in item))
        for item in items
    )  # fmt: skip
    text = json.dumps(request)
    return not (request.get("previous_response_id") or '"file_id"' in text or bare)


def recording(
    request: dict[str, Any],
    status: int,
    headers: dict[str, str],
    body: dict[str, Any],
    source: dict[str, Any],
    files: ImageFiles,
) -> dict[str, Any]:
    day = datetime.fromtimestamp(body["created_at"], UTC).date().isoformat()
    kept = {k.lower(): v for k, v in headers.items() if k.lower() in KEPT_HEADERS}
    kept |= {k.lower(): v for k, v in headers.items() if k.lower().startswith("x-ratelimit-")}
    return {
        "source": source,
        "as_of": day,
        "request": {"method": "POST", "path": "/v1/responses", "query": "", "json": request},
        "response": {
            "status": status,
            "headers": kept,
            "body": images_as_stand_ins(body, files),
        },
    }


def _git(mirror: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(["git", "-C", str(mirror), *args], capture_output=True, check=False)


def _versions(mirror: Path, patterns: list[str]) -> Iterator[tuple[str, str, bytes]]:
    """(commit, path, text) of every stored version of every file ``patterns`` match."""
    log = _git(mirror, "log", "--format=%H", "--", *patterns).stdout.decode().split()
    for commit in log:
        changed = _git(mirror, "diff-tree", "--no-commit-id", "--name-only", "-r", commit, "--",
                       *patterns)  # fmt: skip
        for path in changed.stdout.decode().split("\n"):
            if path.endswith((".json", ".yaml")):
                shown = _git(mirror, "show", f"{commit}:{path}")
                if shown.returncode == 0 and b"image_generation" in shown.stdout:
                    yield commit, path, shown.stdout


def _asset_reader(mirror: Path, commit: str) -> Callable[[str], bytes | None]:
    """The repository's own test images that its recordings link to on GitHub."""

    def read(url: str) -> bytes | None:
        marker = "/blob/"
        if "github.com/openai/openai-dotnet" not in url or marker not in url:
            return None
        path = url.split(marker, 1)[1].split("?", 1)[0].split("/", 1)[1]
        shown = _git(mirror, "show", f"{commit}:{path}")
        return shown.stdout if shown.returncode == 0 else None

    return read


def _dotnet(text: bytes) -> Iterator[tuple[dict[str, Any], int, dict[str, str], Any]]:
    for entry in json.loads(text)["Entries"]:
        if entry["RequestMethod"] == "POST" and entry["RequestUri"].endswith("/v1/responses"):
            yield (entry["RequestBody"], entry["StatusCode"], entry["ResponseHeaders"],
                   entry["ResponseBody"])  # fmt: skip


def _cassette(text: bytes) -> Iterator[tuple[dict[str, Any], int, dict[str, str], Any]]:
    import yaml  # only here: the import is a maintainer's step, not the emulator's

    for interaction in yaml.safe_load(text)["interactions"]:
        request, response = interaction["request"], interaction["response"]
        if request["uri"].endswith("/v1/responses") and "parsed_body" in request:
            headers = {k: v[0] for k, v in response.get("headers", {}).items()}
            yield (request["parsed_body"], response["status"]["code"], headers,
                   response.get("parsed_body"))  # fmt: skip


def main(mirrors: list[str]) -> int:
    files = ImageFiles(OUT / "images")
    written: dict[str, dict[str, Any]] = {}
    skipped = 0
    for mirror in map(Path, mirrors):
        repo = next(name for name in SOURCES if name.replace("/", "+") in str(mirror))
        read = _dotnet if repo.endswith("dotnet") else _cassette
        for commit, path, text in _versions(mirror, SOURCES[repo]):
            for request, status, headers, body in read(text):
                if not isinstance(body, dict) or "created_at" not in body:
                    continue  # a streamed answer, not kept by the source
                if not replayable(request):
                    skipped += 1
                    continue
                source: dict[str, Any] = {"repository": repo, "path": path, "commit": commit}
                request, inlined = urls_inlined(request, _asset_reader(mirror, commit))
                if inlined:
                    source["note"] = INLINED
                if read is _cassette:
                    source["keys_sorted"] = True  # the cassette's YAML lost the wire's key order
                name = (
                    f"{repo.split('/')[1]}-{hashlib.sha256(body['id'].encode()).hexdigest()[:10]}"
                )
                if name not in written:
                    written[name] = recording(request, status, headers, body, source, files)
    OUT.mkdir(parents=True, exist_ok=True)
    for name, data in sorted(written.items(), key=lambda item: item[1]["as_of"]):
        (OUT / f"{name}.json").write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    print(f"{len(written)} recordings written to {OUT}; {skipped} not replayable on their own")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
