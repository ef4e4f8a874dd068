"""The Batch API (``/v1/batches``) for images: a JSONL file of generations, edits or Responses
calls in, an output file of answers (and an error file) out, both in the Files API.

Each line is answered by the emulator's own endpoint, in-process, as of the batch's day and in
its namespace, so every rule, token count and image is what the synchronous call gives; the
journal shows each line (origin ``batch``, priced at half, as the batch discount is). A batch
moves validating → in_progress → finalizing → completed in the background; with a delay
(``--batch-delay-seconds``, or ``x-emulator-batch-delay-seconds`` on the create call) it waits
in the emulator's clock, so freezing and advancing the clock drives it. Faults ``batch_failed``
and ``batch_expired`` (endpoint ``batches``) make one fail or expire; a cancel keeps the lines
already answered.
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
from collections.abc import Awaitable, Mapping
from typing import Any

import httpx
from starlette.responses import Response

from ..contract import eras, errors
from ..testdouble.clock import asked_delay, held_until
from ..testdouble.state import NAMESPACE_HEADER, Emulator
from ..testdouble.stores import Batch, StoreFull
from ..transport.wire import json_response
from .batch_input import read_lines
from .paging import cursor_page
from .pipeline import BATCH_CLIENT, BATCH_HEADER, ApiEndpoint, Call, body_kind, found_by_path

ENDPOINTS = (
    "/v1/responses",
    "/v1/chat/completions",
    "/v1/embeddings",
    "/v1/completions",
    "/v1/moderations",
    "/v1/images/generations",
    "/v1/images/edits",
    "/v1/videos",
)
EMULATED = ("/v1/images/generations", "/v1/images/edits", "/v1/responses")
WINDOW_SECONDS = 24 * 3600
DELAY_HEADER = "x-emulator-batch-delay-seconds"
CONCURRENT_LINES = 4

log = logging.getLogger("emulator")


def new_batch_id() -> str:
    return "batch_" + secrets.token_hex(16)


def _batch_object(
    batch_id: str, body: Mapping[str, Any], created: int, endpoint: str
) -> dict[str, Any]:
    return {
        "id": batch_id,
        "object": "batch",
        "endpoint": endpoint,
        "model": None,
        "errors": None,
        "input_file_id": body["input_file_id"],
        "completion_window": "24h",
        "status": "validating",
        "output_file_id": None,
        "error_file_id": None,
        "created_at": created,
        "in_progress_at": None,
        "expires_at": created + WINDOW_SECONDS,
        "finalizing_at": None,
        "completed_at": None,
        "failed_at": None,
        "expired_at": None,
        "cancelling_at": None,
        "cancelled_at": None,
        "request_counts": {"total": 0, "completed": 0, "failed": 0},
        "usage": None,
        "metadata": body.get("metadata"),
    }


# --- create, retrieve, list, cancel -------------------------------------------------------------


async def create_batch(call: Call) -> Response:
    body = call.body
    if not isinstance(body, dict):
        raise errors.invalid_json()
    for name in ("input_file_id", "endpoint", "completion_window"):
        if name not in body:
            raise errors.missing_required_parameter(name)
    for name in body:
        if name not in (
            "input_file_id",
            "endpoint",
            "completion_window",
            "metadata",
            "output_expires_after",
        ):
            raise errors.unknown_parameter(name)
    endpoint = body["endpoint"]
    if endpoint not in ENDPOINTS:
        raise errors.invalid_value("endpoint", str(endpoint), ENDPOINTS)
    day = call.entry.as_of
    if endpoint not in EMULATED or (
        endpoint.startswith("/v1/images") and not call.catalog.batches.image_endpoints
    ):
        raise errors.batch_endpoint_not_emulated(
            str(endpoint), day, eras.BATCH_IMAGE_ENDPOINTS_FROM
        )
    if body["completion_window"] != "24h":
        raise errors.invalid_value("completion_window", str(body["completion_window"]), ("24h",))
    stored = call.emulator.files.get(str(body["input_file_id"]))
    if stored is None:
        raise errors.no_such_file(str(body["input_file_id"]), param="input_file_id")
    if stored.purpose != "batch":
        raise errors.batch_file_purpose(stored.id, stored.purpose)
    emulator = call.emulator
    created = int(emulator.clock.now())
    batch = Batch(_batch_object(new_batch_id(), body, created, str(endpoint)))
    asked = call.request.headers.get(DELAY_HEADER, "")
    batch.delay = asked_delay(asked, emulator.config.batch_delay_seconds)
    _, _, key = call.request.headers.get("authorization", "").partition(" ")
    batch.key = key.strip()
    fault = emulator.faults.take("batches", None)
    batch.day = call.entry.as_of
    emulator.batches.put(batch)
    _keep(batch, emulator)  # on disk (with --data-dir) before the create is answered
    _start(batch, emulator, call.request.app, stored.data, fault.kind if fault else None)
    call.entry.record_params({"batch": batch.object["id"], "endpoint": endpoint})
    return json_response(dict(batch.object))


def _start(batch: Batch, emulator: Emulator, app: Any, data: bytes, fault: str | None) -> None:
    headers = {NAMESPACE_HEADER: emulator.name} if emulator.name else {}
    if batch.day:
        headers["x-emulator-as-of"] = batch.day
    work = run(batch, emulator, app, data, headers, fault)
    batch.task = asyncio.get_running_loop().create_task(guarded(batch, emulator, work))


def _keep(batch: Batch, emulator: Emulator) -> None:
    if emulator.durable is not None:
        emulator.durable.put_batch(emulator.name, batch, batch.day)


RUNNING = ("validating", "in_progress", "finalizing", "cancelling")


def resume_batches(app: Any, root: Emulator) -> None:
    """With ``--data-dir``, at start: every batch a restart interrupted goes on where it
    stopped (the lines answered stay answered; each other line is answered once)."""
    if root.durable is None:
        return
    for name in root.namespaces():
        emulator = root.namespace(name)
        for batch in emulator.batches.listed():
            if batch.object["status"] not in RUNNING:
                continue
            batch.cancel = batch.object["status"] == "cancelling"
            batch.key = next(iter(sorted(emulator.config.accepted_keys)), "")
            stored = emulator.files.get(str(batch.object["input_file_id"]))
            _start(batch, emulator, app, stored.data if stored else b"", None)
            log.info("batch %s resumed (%d lines answered)", batch.id, len(batch.answers))


def _found(call: Call) -> Batch:
    return found_by_path(call, "batch_id", call.emulator.batches.get, errors.no_such_batch)


async def retrieve_batch(call: Call) -> Response:
    return json_response(dict(_found(call).object))


async def cancel_batch(call: Call) -> Response:
    batch = _found(call)
    if batch.object["status"] in ("validating", "in_progress"):
        batch.cancel = True
        batch.object["status"] = "cancelling"
        batch.object["cancelling_at"] = int(call.emulator.clock.now())
        _keep(batch, call.emulator)
    elif batch.object["status"] not in ("cancelling", "cancelled"):
        raise errors.batch_not_cancellable(batch.object["id"], str(batch.object["status"]))
    return json_response(dict(batch.object))


async def list_batches(call: Call) -> Response:
    batches = [dict(batch.object) for batch in call.emulator.batches.listed()]
    query = call.request.query_params
    return json_response(
        cursor_page(batches, query, max_limit=100, default_limit=20, ordered=False)
    )


# --- running a batch -------------------------------------------------------------------------


TERMINAL = ("completed", "failed", "expired", "cancelled")


async def guarded(batch: Batch, emulator: Emulator, work: Awaitable[None]) -> None:
    """Run the batch (``work``) to an end, whatever happens to a line or to the run itself:
    every line lands in the output or the error file exactly once."""
    try:
        await work
    except Exception:  # a bug of ours must not leave the batch running for ever
        log.exception("batch %s failed", batch.id)
        state = batch.object
        if state["status"] not in TERMINAL:
            ended = "cancelled" if batch.cancel else "failed"
            _write_files(batch, emulator, ended)
            state |= {"status": ended, f"{ended}_at": int(emulator.clock.now())}
            if ended == "failed":
                problem = errors.batch_file_problem("server_error", None)
                state["errors"] = {"object": "list", "data": [problem]}
    _keep(batch, emulator)
    status = batch.object["status"]
    if status in TERMINAL:  # told by webhook: batch.completed, .failed, .expired, .cancelled
        emulator.webhooks.emit(f"batch.{status}", batch.id, int(emulator.clock.now()))


async def run(
    batch: Batch,
    emulator: Emulator,
    app: Any,
    data: bytes,
    headers: dict[str, str],
    fault: str | None,
) -> None:
    """Validate the lines, answer each (``batch.lines``, ``batch.answers``), write the files."""
    lines, answers = batch.lines, batch.answers
    state = batch.object
    await asyncio.sleep(0)  # the create call answers "validating" first
    read, problems = read_lines(data, state["endpoint"])

    def now() -> int:
        return int(emulator.clock.now())

    if batch.cancel and not problems:  # cancelled while validating: no line ran
        lines[:] = read
        _write_files(batch, emulator, "cancelled")
        state |= {"status": "cancelled", "cancelled_at": now()}
        return

    if fault == "batch_failed" and not problems:
        problems = [errors.batch_file_problem("batch_failed", None)]
    if problems:
        state |= {
            "status": "failed",
            "failed_at": now(),
            "errors": {"object": "list", "data": problems},
        }
        return
    lines[:] = read
    if state["status"] == "validating":  # a resumed batch keeps its counts
        state |= {"status": "in_progress", "in_progress_at": now()}
        state["request_counts"] = {"total": len(lines), "completed": 0, "failed": 0}
        _keep(batch, emulator)
    if fault != "batch_expired":
        transport = httpx.ASGITransport(app=app, client=BATCH_CLIENT)
        async with httpx.AsyncClient(transport=transport, base_url="http://batch.emulator") as http:
            gate = asyncio.Semaphore(CONCURRENT_LINES)

            async def answer(index: int, line: dict[str, Any]) -> None:
                async with gate:
                    if batch.cancel or index in answers:  # answered before a restart
                        return
                    answer = await _answer_line(http, line, batch, headers)
                    answers[index] = answer
                    answered = answer["response"]["status_code"] == 200
                    state["request_counts"]["completed" if answered else "failed"] += 1
                    if emulator.durable is not None:  # the line and the counts, one commit
                        await asyncio.to_thread(
                            emulator.durable.put_batch_answer, emulator.name, batch.id,
                            json.dumps(state), index, json.dumps(answer),
                        )  # fmt: skip

            await asyncio.gather(*(answer(i, line) for i, line in enumerate(lines)))
    if fault != "batch_expired":  # the emulator's clock: a frozen clock holds the batch here
        await held_until(emulator.clock, state["created_at"] + batch.delay, lambda: batch.cancel)
    ended = "cancelled" if batch.cancel else "expired" if fault == "batch_expired" else "completed"
    if ended == "completed":
        state |= {"status": "finalizing", "finalizing_at": now()}
    _write_files(batch, emulator, ended)
    state |= {"status": ended, f"{ended}_at": now()}


async def _answer_line(
    http: httpx.AsyncClient, line: dict[str, Any], batch: Batch, headers: dict[str, str]
) -> dict[str, Any]:
    asked = {
        **headers,
        "Authorization": f"Bearer {batch.key or 'sk-batch'}",
        BATCH_HEADER: batch.object["id"],
    }
    try:
        response = await http.post(line["url"], json=line["body"], headers=asked)
        status, request_id = response.status_code, response.headers.get("x-request-id", "")
        try:
            body: Any = response.json()
        except ValueError:  # a dropped connection's half answer, say
            if status == 200:
                raise
            body = response.text
    except Exception:  # dropped, unreadable: the line failed as a server error would
        failure = errors.server_error()
        status, request_id, body = failure.status, "", failure.body()
    return {
        "id": "batch_req_" + secrets.token_hex(16),
        "custom_id": line["custom_id"],
        "response": {"status_code": status, "request_id": request_id, "body": body},
        "error": None,
    }


def _write_files(batch: Batch, emulator: Emulator, ended: str) -> None:
    """Write the output and error files; lines never answered go to the error file, and so
    do answers the file store has no room for."""
    lines, answers = batch.lines, batch.answers
    output, failed = [], []
    usage = {"input_tokens": 0, "output_tokens": 0}
    for index, line in enumerate(lines):
        answer = answers.get(index)
        if answer is None:
            failed.append(
                {
                    "id": "batch_req_" + secrets.token_hex(16),
                    "custom_id": line["custom_id"],
                    "response": None,
                    "error": errors.batch_line_not_run(ended),
                }
            )
            continue
        if answer["response"]["status_code"] == 200:
            output.append(answer)
            line_usage = (
                answer["response"]["body"].get("usage")
                if isinstance(answer["response"]["body"], dict)
                else None
            )
            if isinstance(line_usage, dict):
                usage["input_tokens"] += int(line_usage.get("input_tokens", 0))
                usage["output_tokens"] += int(line_usage.get("output_tokens", 0))
        else:
            failed.append(answer)
    state = batch.object
    now = emulator.clock.now()
    if output:
        try:
            name = f"batch_{state['id']}_output.jsonl"
            state["output_file_id"] = _jsonl(emulator, name, output, now)
        except StoreFull:
            log.warning("batch %s: its output does not fit in the file store", state["id"])
            failed += [_too_large(answer) for answer in output]
            counts = state["request_counts"]
            counts["completed"], counts["failed"] = 0, counts["completed"] + counts["failed"]
    if failed:
        name = f"batch_{state['id']}_error.jsonl"
        state["error_file_id"] = _jsonl(emulator, name, failed, now, bounded=False)
    state["usage"] = {
        "input_tokens": usage["input_tokens"],
        "input_tokens_details": {"cached_tokens": 0},
        "output_tokens": usage["output_tokens"],
        "output_tokens_details": {"reasoning_tokens": 0},
        "total_tokens": usage["input_tokens"] + usage["output_tokens"],
    }


# A line that was never run, by how the batch ended (codes and wording inferred: no answer of
# the real API's is on record).
def _too_large(answer: dict[str, Any]) -> dict[str, Any]:
    """An answered line whose output the file store has no room for, as an error row."""
    return {
        "id": answer["id"],
        "custom_id": answer["custom_id"],
        "response": None,
        "error": errors.batch_output_too_large(),
    }


def _jsonl(
    emulator: Emulator, name: str, rows: list[dict[str, Any]], now: float, bounded: bool = True
) -> str:
    data = "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows).encode()
    return emulator.files.put(name, "batch_output", data, "application/jsonl", now, bounded).id


BATCHES = {
    ("", "POST"): ApiEndpoint(name="batches", reads=body_kind("json"), answer=create_batch),
    ("", "GET"): ApiEndpoint(name="batches", reads=body_kind("none"), answer=list_batches),
    ("/{batch_id}", "GET"): ApiEndpoint(
        name="batches", reads=body_kind("none"), answer=retrieve_batch
    ),
    ("/{batch_id}/cancel", "POST"): ApiEndpoint(
        name="batches", reads=body_kind("none"), answer=cancel_batch
    ),
}
