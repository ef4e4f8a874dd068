"""``POST /v1/responses`` with the ``image_generation`` tool, and the stored responses
(``GET``/``DELETE /v1/responses/{id}``, ``GET /v1/responses/{id}/input_items``).

A request offers the tool; the emulated model calls it by a documented rule (``call_tool``);
the call becomes an Images API generation or edit for the tool's image model, checked by that
model's rules and drawn by the same jobs, so the image, its tokens and its refusals are the
Images API's. Around it, the answer has the shapes and key orders real recordings show on the
request's day (``contract.responses_api``). Without the tool, or when the rule says no, the
answer is a fixed sentence: the emulator does not pretend to be a chat model.
"""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import anyio.to_thread
import numpy as np
import pybase64
from starlette.responses import Response

from ..contract import errors
from ..contract import responses_api as api
from ..contract.params import Upload
from ..contract.parts import FormField, FormFile
from ..contract.specs import Endpoint
from ..contract.tokenizer import count_tokens
from ..contract.usage import usage_object, with_partial_images
from ..contract.validation import check_request
from ..jobs.base import PromptedJob
from ..jobs.generation import GenerationJob
from ..render import encode
from ..testdouble.stores import StoredResponse
from ..transport.wire import json_response
from .edits import prepare_edit
from .image_refs import Sources, as_file, reference_parts, resolve
from .paging import cursor_page
from .pipeline import ApiEndpoint, Call, admit, reads
from .streaming import EventStream, partial_picture

TOOL_CALL_HEADER = "x-emulator-tool-call"  # always | never | auto, for one request
TOOL_CALL_TOKENS = 30  # output tokens of the model's call to the tool (inferred)
INPUT_IMAGE_TOKENS = 25_500  # the text model's tokens per input image (one recording: inferred)


# --- what the request says ------------------------------------------------------------------


@dataclass
class Turn:
    """The input, read: the last user turn's text and images, and the earlier image an edit
    would start from (a passed-back call, or the previous response's)."""

    text: str = ""
    texts: list[str] = field(default_factory=list)  # every text, for the token count
    images: list[FormFile] = field(default_factory=list)
    earlier: FormFile | None = None
    items: list[dict[str, object]] = field(default_factory=list)  # as stored, with ids


def _text_of(content: object) -> tuple[str, list[dict[str, object]]]:
    if isinstance(content, str):
        return content, []
    if not isinstance(content, list):
        return "", []
    texts = [p.get("text", "") for p in content if isinstance(p, dict) and "text" in p]
    images = [p for p in content if isinstance(p, dict) and p.get("type") == "input_image"]
    return " ".join(str(t) for t in texts), images


def read_input(call: Call, body: Mapping[str, object], ids: api.Ids) -> Turn:
    turn = Turn()
    emulator = call.emulator
    sources = Sources(emulator.images, emulator.files, emulator.config.fetch_image_urls)
    previous_id = body.get("previous_response_id")
    if previous_id is not None:
        if not isinstance(previous_id, str):
            raise errors.invalid_type("previous_response_id", "a string", "another type")
        previous = emulator.responses.get(previous_id)
        if previous is None:
            raise errors.previous_response_not_found(previous_id)
        if previous.images:
            last = list(previous.images)[-1]
            turn.earlier = as_file("image", f"{last}.png", None, previous.images[last])
    raw = body.get("input", "")
    if isinstance(raw, str):
        raw = [{"role": "user", "content": raw}]
    if not isinstance(raw, list):
        raise errors.invalid_type("input", "a string or an array", "another type")
    for index, item in enumerate(raw):
        param = f"input[{index}]"
        if not isinstance(item, dict):
            raise errors.invalid_type(param, "an object", "another type")
        kind = item.get("type", "message")
        if kind == "item_reference":
            item_id = item.get("id")
            if not isinstance(item_id, str):
                raise errors.wrong_type(f"{param}.id", ("string",), item_id)
            found = emulator.responses.item(item_id)
            if found is None:
                raise errors.input_item_not_found(item_id, param)
            item = found
            kind = str(item.get("type"))
        if kind == "image_generation_call":
            turn.earlier = _passed_back_image(call, item, param) or turn.earlier
            turn.items.append({k: v for k, v in item.items() if k != "result"})
        elif kind == "message":
            role = item.get("role", "user")
            text, parts = _text_of(item.get("content"))
            turn.texts.append(text)
            if role == "user":
                turn.text = text
                turn.images = [
                    _input_image(part, f"{param}.content[{i}]", sources)
                    for i, part in enumerate(parts)
                ]
            content = item.get("content")
            if isinstance(content, str):  # stored as the parts it stands for
                kind_of_text = "output_text" if role == "assistant" else "input_text"
                content = [{"type": kind_of_text, "text": content}]
            turn.items.append(
                {
                    "id": item.get("id") or ids.new("msg"),
                    "type": "message",
                    "role": role,
                    "content": content,
                    "status": "completed",
                }
            )
        elif kind in ("reasoning", "function_call", "function_call_output"):
            turn.items.append(dict(item))
        else:
            raise errors.invalid_value(
                f"{param}.type",
                str(kind),
                ("message", "item_reference", "image_generation_call", "reasoning"),
            )
    return turn


def _passed_back_image(call: Call, item: Mapping[str, object], param: str) -> FormFile | None:
    result = item.get("result")
    if isinstance(result, str) and result:
        try:
            decoded = base64.b64decode(result, validate=True)
        except ValueError:  # binascii.Error: not base64
            raise errors.invalid_base64(f"{param}.result") from None
        return as_file("image", "earlier.png", None, decoded)
    call_id = str(item.get("id", ""))
    kept = call.emulator.responses.image(call_id)
    if kept is None:
        raise errors.input_item_not_found(call_id, param)
    return as_file("image", f"{call_id}.png", None, kept)


def _input_image(part: Mapping[str, object], param: str, sources: Sources) -> FormFile:
    if "file_id" in part and part.get("file_id"):
        return resolve({"file_id": part["file_id"]}, param, sources)
    return resolve({"image_url": part.get("image_url")}, param, sources)


# --- the tool and whether the model calls it ------------------------------------------------


def image_tool(body: Mapping[str, object]) -> tuple[int, dict[str, object]] | None:
    tools = body.get("tools", [])
    if not isinstance(tools, list):
        raise errors.invalid_type("tools", "an array", "another type")
    found: tuple[int, dict[str, object]] | None = None
    for index, tool in enumerate(tools):
        if not isinstance(tool, dict) or not isinstance(tool.get("type"), str):
            raise errors.missing_required_parameter(f"tools[{index}].type")
        if tool["type"] == "image_generation":  # every one is checked; the first is used
            for name in tool:
                if name not in api.TOOL_OPTIONS:
                    raise errors.unknown_parameter(f"tools[{index}].{name}")
            found = found or (index, tool)
    return found


def call_tool(call: Call, body: Mapping[str, object], turn: Turn, offered: bool) -> bool:
    """Always with ``tool_choice`` ``required`` or the tool named; never with ``none`` or
    without the tool; with ``auto``, when the last user turn asks for a picture (a word of
    ``PICTURE_WORDS``, or an input image), or says anything in a conversation that holds an
    earlier image (an instruction for it). The header ``x-emulator-tool-call`` or
    ``emulator.tool_calls`` (always/never) overrides the rule."""
    choice = body.get("tool_choice", "auto")
    if isinstance(choice, str) and choice not in api.TOOL_CHOICES:
        raise errors.invalid_value("tool_choice", choice, api.TOOL_CHOICES)
    if not offered or choice == "none":
        return False
    forced = call.request.headers.get(TOOL_CALL_HEADER) or call.emulator.tool_calls
    if forced in ("always", "never"):
        return forced == "always"
    if choice == "required" or (
        isinstance(choice, dict) and choice.get("type") == "image_generation"
    ):
        return True
    if api.PICTURE_WORDS.search(turn.text) or turn.images:
        return True
    return bool(turn.earlier is not None and turn.text.strip())  # an instruction for it


# --- the call: an Images API request for the tool's image model ------------------------------


def tool_model(call: Call, options: Mapping[str, object]) -> str:
    asked = options.get("model")
    if isinstance(asked, str):
        return asked
    served = call.catalog.endpoints["generations"].models
    return next((m for m in api.DEFAULT_TOOL_MODELS if m in served), api.DEFAULT_TOOL_MODELS[-1])


def resolved_size(options: Mapping[str, object], text: str) -> object:
    """``auto`` follows the prompt's shape through the tool (recordings: 1536x1024 and
    1024x1536 as often as square); the words that decide it are this emulator's rule."""
    size = options.get("size", "auto")
    if size != "auto":
        return size
    lowered = text.lower()
    if any(word in lowered for word in ("landscape", "wide", "panorama", "banner")):
        return "1536x1024"
    if any(word in lowered for word in ("portrait", "tall", "vertical", "poster")):
        return "1024x1536"
    return "1024x1024"


IMAGE_OPTIONS = (
    "background",
    "complexity",
    "frame_count",
    "frame_duration_ms",
    "moderation",
    "output_compression",
    "output_format",
    "partial_images",
    "quality",
    "svg",
)


def plan_image(
    call: Call,
    options: dict[str, object],
    index: int,
    turn: Turn,
    edit: bool,
    mask: FormFile | None,
    model_name: str,
) -> tuple[PromptedJob, str]:
    """The Images API request the call stands for, checked and planned (blocking: inputs
    are decoded). The revised prompt is the user's text, as the image model is given it."""
    prompt = turn.text.strip() or ("Edit the image." if edit else "An image.")
    images_body: dict[str, object] = {"model": tool_model(call, options), "prompt": prompt}
    for name in IMAGE_OPTIONS:
        if name in options:
            images_body[name] = options[name]
    for name, value in api.TOOL_AUTO.items():
        if images_body.get(name, "auto") == "auto":
            images_body[name] = value
    if images_body.get("partial_images"):
        images_body["stream"] = True  # the Images API takes partial images with a stream
    endpoint: Endpoint = "edits" if edit else "generations"
    if edit:
        # Multipart edits take no moderation (JSON edits do): checked here, then left out.
        for name, kind in call.catalog.endpoints["edits"].json_only_params.items():
            if name in images_body:
                try:
                    kind.check(name, images_body.pop(name))
                except errors.APIError as error:
                    raise errors.tool_option(error, index) from None
        inputs = [*([turn.earlier] if turn.earlier else []), *turn.images]
        files: list[FormFile | FormField] = list(inputs)
        images_body["image"] = Upload(files, len(files) > 1)
        if mask is not None:
            images_body["mask"] = Upload([mask], False)
        if "input_fidelity" in options:
            images_body["input_fidelity"] = options["input_fidelity"]
        images_body["size"] = options.get("size", "auto")
    else:
        images_body["size"] = resolved_size(options, turn.text)
    try:
        checked = check_request(images_body, endpoint, call.catalog, lenient=call.lenient)
        if edit:
            job: PromptedJob = prepare_edit(call, checked, images_body, journal_model=model_name)
        else:
            call.entry.record_checked(checked, [], model=model_name)
            job = GenerationJob.from_request(checked)
    except errors.APIError as error:
        raise (
            errors.tool_option(error, index) if error.param in api.TOOL_OPTIONS else error
        ) from None
    return job, prompt


# --- the answer -------------------------------------------------------------------------------


@dataclass
class Answer:
    """Everything an answer says, made once and shaped for the body and the stream."""

    ids: api.Ids
    model: api.TextModel
    body: Mapping[str, object]
    day: Any
    text: str
    reasoning: dict[str, object] | None = None
    image_call: dict[str, object] | None = None
    message: dict[str, object] = field(default_factory=dict)
    usage: dict[str, object] = field(default_factory=dict)
    tool_usage: dict[str, object] | None = None
    response_id: str = ""
    image_model: str | None = None  # the tool's image model (echoed in ``tools``)
    input_items: list[dict[str, object]] = field(default_factory=list)
    # The tool call, once the model makes one: its id, the prompt the image model was given,
    # and whether it generated or edited.
    call_id: str | None = None
    revised_prompt: str = ""
    action: str = "generate"


def tools_echo(body: Mapping[str, object], model: str | None, day: Any) -> list[object]:
    echoed: list[object] = []
    tools = body.get("tools", [])
    for tool in tools if isinstance(tools, list) else []:
        if not isinstance(tool, dict) or tool.get("type") != "image_generation":
            echoed.append(tool)
            continue
        shown: dict[str, object] = {
            "type": "image_generation",
            "background": tool.get("background", "auto"),
        }
        if api.since(day, api.TOOL_ECHO_MODEL_FROM):
            shown["model"] = tool.get("model", model)
        shown |= {
            "moderation": tool.get("moderation", "auto"),
            "n": 1,
            "output_compression": tool.get("output_compression", 100),
            "output_format": tool.get("output_format", "png"),
            "quality": tool.get("quality", "auto"),
            "size": tool.get("size", "auto"),
        }
        echoed.append(shown)
    return echoed


def text_usage(answer: Answer, turn: Turn, offered: bool) -> dict[str, object]:
    spoken = sum(count_tokens(t) for t in turn.texts if t)
    instructions = answer.body.get("instructions")
    if isinstance(instructions, str):
        spoken += count_tokens(instructions)
    input_tokens = spoken + (answer.model.tool_prompt_tokens if offered else 0)
    input_tokens += INPUT_IMAGE_TOKENS * len(turn.images)
    reasoning = answer.model.reasoning_tokens if answer.reasoning is not None else 0
    output = count_tokens(answer.text) + reasoning + (TOOL_CALL_TOKENS if answer.call_id else 0)
    details: dict[str, object] = {"cached_tokens": 0}
    if api.since(answer.day, api.CACHE_WRITE_FROM):
        details["cache_write_tokens"] = 0
    return {
        "input_tokens": input_tokens,
        "input_tokens_details": details,
        "output_tokens": output,
        "output_tokens_details": {"reasoning_tokens": reasoning},
        "total_tokens": input_tokens + output,
    }


def empty_tool_usage() -> dict[str, object]:
    zero = usage_object(text_tokens=0, image_tokens=0, output_tokens=0, output_details=True)
    return {"image_gen": zero, "web_search": {"num_requests": 0}}


def response_object(
    answer: Answer, status: str, created_at: int, *, final: bool
) -> dict[str, object]:
    body, day = answer.body, answer.day
    output: list[object] = []
    if final:
        output = [i for i in (answer.reasoning, answer.image_call, answer.message) if i]
    reasoning_model = answer.model.reasoning
    values: dict[str, object] = {
        "id": answer.response_id,
        "object": "response",
        "created_at": created_at,
        "status": status,
        "background": False,
        "billing": {"payer": "developer"},
        "completed_at": created_at if final else None,
        "error": None,
        "frequency_penalty": 0.0,
        "incomplete_details": None,
        "instructions": body.get("instructions"),
        "max_output_tokens": body.get("max_output_tokens"),
        "max_tool_calls": body.get("max_tool_calls"),
        "model": answer.model.answered_as,
        "moderation": body.get("moderation"),
        "output": output,
        "parallel_tool_calls": body.get("parallel_tool_calls", True),
        "presence_penalty": 0.0,
        "previous_response_id": body.get("previous_response_id"),
        "prompt_cache_key": body.get("prompt_cache_key"),
        "prompt_cache_retention": body.get("prompt_cache_retention"),
        "reasoning": {"effort": "medium" if reasoning_model else None, "summary": None},
        "safety_identifier": body.get("safety_identifier"),
        "service_tier": "default",
        "store": body.get("store", True) is not False,
        "temperature": body.get("temperature", 1.0),
        "text": {"format": {"type": "text"}, "verbosity": "medium"},
        "tool_choice": body.get("tool_choice", "auto"),
        "tool_usage": (answer.tool_usage or empty_tool_usage()) if final else empty_tool_usage(),
        "tools": tools_echo(body, answer.image_model, day),
        "top_logprobs": 0,
        "top_p": body.get("top_p", 1.0),
        "truncation": "disabled",
        "usage": answer.usage if final else None,
        "user": body.get("user"),
        "metadata": body.get("metadata") or {},
    }
    return {key: values[key] for key in api.response_keys(day)}


def image_call_item(
    call_id: str,
    job: PromptedJob,
    result: str,
    revised: str,
    action: str,
    day: Any,
    status: str = "completed",
) -> dict[str, object]:
    item: dict[str, object] = {"id": call_id, "type": "image_generation_call", "status": status}
    if api.since(day, api.ACTION_FROM):
        item["action"] = action
    item |= {
        "background": job.background,
        "output_format": job.output_format,
        "quality": job.quality,
        "result": result,
        "revised_prompt": revised,
        "size": job.size,
    }
    return item


def message_item(message_id: str, text: str, status: str = "completed") -> dict[str, object]:
    content = [{"type": "output_text", "annotations": [], "logprobs": [], "text": text}]
    return {
        "id": message_id,
        "type": "message",
        "status": status,
        "content": content if status == "completed" else [],
        "role": "assistant",
    }


def reasoning_item(ids: api.Ids, body: Mapping[str, object]) -> dict[str, object]:
    item: dict[str, object] = {"id": ids.new("rs"), "type": "reasoning", "summary": []}
    include = body.get("include")
    if isinstance(include, list) and "reasoning.encrypted_content" in include:
        item["encrypted_content"] = pybase64.b64encode(
            b"emulator reasoning " + ids.shared.encode()
        ).decode()
    return item


# --- create -----------------------------------------------------------------------------------


def _checked_top_level(call: Call) -> dict[str, object]:
    body = call.body
    if not isinstance(body, dict):
        raise errors.invalid_json()
    unknown = [name for name in body if name not in api.REQUEST_PARAMS]
    if unknown and not call.lenient:
        raise errors.unknown_parameter(unknown[0])
    body = {k: v for k, v in body.items() if k in api.REQUEST_PARAMS}
    if "model" not in body:
        raise errors.missing_required_parameter("model")
    for name, value in body.items():
        expected = api.REQUEST_PARAM_TYPES.get(name)
        if expected is None or (value is None and name != "model"):
            continue
        kind = errors.json_type(value)
        if kind not in expected and not (kind == "integer" and "number" in expected):
            raise errors.wrong_type(name, expected, value)
    return body


def shown_view(body: Mapping[str, object]) -> dict[str, object]:
    """The body as the journal keeps it: long data: URLs shortened."""

    def short(value: object) -> object:
        if isinstance(value, str) and value.startswith("data:") and len(value) > 80:
            return value[:80] + "…"
        if isinstance(value, list):
            return [short(v) for v in value]
        if isinstance(value, dict):
            return {k: short(v) for k, v in value.items()}
        return value

    return {k: short(v) for k, v in body.items()}


async def create_response(call: Call) -> Response | EventStream:
    body = _checked_top_level(call)
    call.entry.record_asked(shown_view(body))
    day = call.day
    model = api.text_model(str(body["model"]), day, call.emulator.text_models)
    if model is None:
        if str(body["model"]) in call.catalog.models:
            raise errors.image_model_as_response_model(str(body["model"]))
        raise errors.response_model_not_found(str(body["model"]))
    created_at = int(call.emulator.clock.now())
    ids = api.Ids(created_at)
    tool = image_tool(body)
    emulator = call.emulator
    sources = Sources(emulator.images, emulator.files, emulator.config.fetch_image_urls)
    turn = await anyio.to_thread.run_sync(read_input, call, body, ids)
    calls = call_tool(call, body, turn, tool is not None)
    answer = Answer(ids, model, body, day, text=api.TEXT_ONLY_ANSWER)
    answer.response_id = ids.new("resp")
    answer.input_items = turn.items
    if model.reasoning:
        answer.reasoning = reasoning_item(ids, body)
    job: PromptedJob | None = None
    if tool is not None:
        answer.image_model = tool_model(call, tool[1])
    if calls and tool is not None:
        index, options = tool
        action = str(options.get("action", "auto"))
        if action not in api.ACTIONS:
            raise errors.tool_option(errors.invalid_value("action", action, api.ACTIONS), index)
        mask_ref = options.get("input_image_mask")
        can_edit = bool(turn.images or turn.earlier)
        if action == "edit" and not can_edit:
            raise errors.no_image_to_edit(f"tools[{index}].action")
        action = "edit" if action == "edit" or (action == "auto" and can_edit) else "generate"
        mask = None
        if mask_ref is not None and action == "edit":
            key, value = reference_parts(mask_ref, f"tools[{index}].input_image_mask")
            mask = await anyio.to_thread.run_sync(
                resolve, {key: value}, f"tools[{index}].input_image_mask", sources
            )
        planned, revised = await anyio.to_thread.run_sync(
            plan_image, call, options, index, turn, action == "edit", mask, str(body["model"])
        )
        await admit(call, planned)
        job = planned
        answer.text = api.CAPTION
        answer.call_id, answer.revised_prompt, answer.action = ids.new("ig"), revised, action
    stream = body.get("stream") is True
    call.entry.record_stream(stream)
    if stream:
        return EventStream(events(call, answer, turn, job, tool is not None, created_at))
    images: list[bytes] = []
    if job is not None:
        images = await anyio.to_thread.run_sync(job.render_images)
    finished = finish(call, answer, turn, job, images, tool is not None, partials=0)
    body_out = response_object(finished, "completed", created_at, final=True)
    keep(call, finished, body_out, images)
    return json_response(body_out)


def tool_image_usage(job: PromptedJob, partials: int) -> dict[str, object]:
    """The Images API's usage of the call's image (+100 per partial image sent), with
    output_tokens_details on every model, as the tool reports them."""
    usage = with_partial_images(job.usage() or {}, job.model, partials)
    details = usage["input_tokens_details"]
    assert isinstance(details, dict)
    return usage_object(
        text_tokens=int(details["text_tokens"]),
        image_tokens=int(details["image_tokens"]),
        output_tokens=int(usage["output_tokens"]),  # type: ignore[call-overload]
        output_details=True,
    )


def finish(
    call: Call,
    answer: Answer,
    turn: Turn,
    job: PromptedJob | None,
    images: list[bytes],
    offered: bool,
    partials: int,
) -> Answer:
    """Fill in the items and usage once the image (if any) is made; journal the answer."""
    answer.message = message_item(answer.ids.new("msg"), answer.text)
    settings: dict[str, object] = {"text_model": answer.model.id}
    if job is not None and answer.call_id is not None:
        result = pybase64.b64encode(images[0]).decode()
        answer.image_call = image_call_item(
            answer.call_id, job, result, answer.revised_prompt, answer.action, answer.day
        )
        answer.tool_usage = {
            "image_gen": tool_image_usage(job, partials),
            "web_search": {"num_requests": 0},
        }
        settings |= {"image_model": job.model.id, "action": answer.action, **job.settings()}
        call.entry.add_output(images[0], job.media_type)
    answer.usage = text_usage(answer, turn, offered)
    tool_usage = answer.tool_usage["image_gen"] if answer.tool_usage else None
    call.entry.record_answer(settings, tool_usage if isinstance(tool_usage, dict) else None)
    return answer


def keep(call: Call, answer: Answer, body_out: dict[str, object], images: list[bytes]) -> None:
    if answer.body.get("store") is False:
        return
    stored_images = {}
    if answer.image_call is not None and images:
        stored_images[str(answer.image_call["id"])] = images[0]
    data = json.dumps(body_out).encode()
    call.emulator.responses.put(
        StoredResponse(str(body_out["id"]), body_out, answer.input_items, stored_images, data)
    )


# --- streaming ----------------------------------------------------------------------------------


def sse(event: dict[str, object], day: Any) -> bytes:
    if api.since(day, api.SORTED_EVENT_KEYS_FROM):  # type first, sequence_number last
        rest = {k: event[k] for k in sorted(event) if k not in ("type", "sequence_number")}
        event = {"type": event["type"], **rest, "sequence_number": event["sequence_number"]}
    return f"event: {event['type']}\ndata: {json.dumps(event, ensure_ascii=False)}\n\n".encode()


async def events(
    call: Call, answer: Answer, turn: Turn, job: PromptedJob | None, offered: bool, created_at: int
) -> AsyncIterator[bytes]:
    day = answer.day
    sequence = 0

    def event(kind: str, **fields: object) -> bytes:
        nonlocal sequence
        made = sse({"type": kind, "sequence_number": sequence, **fields}, day)
        sequence += 1
        call.emulator.count_event()
        return made

    started = response_object(answer, "in_progress", created_at, final=False)
    yield event("response.created", response=started)
    yield event("response.in_progress", response=started)
    index = 0
    if answer.reasoning is not None:
        yield event("response.output_item.added", output_index=index, item=answer.reasoning)
        yield event("response.output_item.done", output_index=index, item=answer.reasoning)
        index += 1
    images: list[bytes] = []
    partials = 0
    if job is not None:
        call_id = answer.call_id
        yield event(
            "response.output_item.added",
            output_index=index,
            item={"id": call_id, "type": "image_generation_call", "status": "in_progress"},
        )
        for kind in ("in_progress", "generating"):
            yield event(
                f"response.image_generation_call.{kind}", item_id=call_id, output_index=index
            )
        picture: np.ndarray | None = None
        if job.partial_images and job.output_format in ("png", "jpeg", "webp"):
            picture = await anyio.to_thread.run_sync(job.picture, 0)

        def partial(step: int, final: np.ndarray, image_job: PromptedJob) -> bytes:
            steps = image_job.partial_images
            frame = partial_picture(final, step, steps)
            return encode(frame, image_job.output_format, image_job.output_compression)

        for step in range(job.partial_images if picture is not None else 0):
            assert picture is not None
            frame = await anyio.to_thread.run_sync(partial, step, picture, job)
            call.entry.add_output(frame, job.media_type, partial=True)
            partials += 1
            yield event(
                "response.image_generation_call.partial_image",
                item_id=call_id,
                output_index=index,
                partial_image_index=step,
                partial_image_b64=pybase64.b64encode(frame).decode(),
                background=job.background,
                output_format=job.output_format,
                quality=job.quality,
                size=job.size,
            )
        if picture is not None:  # drawn once for the partial images: encoded as the final
            final = picture
            images = [
                await anyio.to_thread.run_sync(
                    encode, final, job.output_format, job.output_compression
                )
            ]
        else:
            images = await anyio.to_thread.run_sync(job.render_images)
        yield event("response.image_generation_call.completed", item_id=call_id, output_index=index)
    finished = finish(call, answer, turn, job, images, offered, partials)
    if finished.image_call is not None:
        yield event("response.output_item.done", output_index=index, item=finished.image_call)
        index += 1
    message = finished.message
    message_id = message["id"]
    yield event(
        "response.output_item.added",
        output_index=index,
        item=message_item(str(message_id), "", status="in_progress"),
    )
    empty = {"type": "output_text", "annotations": [], "logprobs": [], "text": ""}
    yield event(
        "response.content_part.added",
        item_id=message_id,
        output_index=index,
        content_index=0,
        part=empty,
    )
    words = answer.text.split(" ") if answer.text else []
    for position, word in enumerate(words):
        delta = word if position == 0 else " " + word
        yield event(
            "response.output_text.delta",
            item_id=message_id,
            output_index=index,
            content_index=0,
            delta=delta,
            logprobs=[],
        )
    yield event(
        "response.output_text.done",
        item_id=message_id,
        output_index=index,
        content_index=0,
        text=answer.text,
        logprobs=[],
    )
    yield event(
        "response.content_part.done",
        item_id=message_id,
        output_index=index,
        content_index=0,
        part={**empty, "text": answer.text},
    )
    yield event("response.output_item.done", output_index=index, item=message)
    body_out = response_object(finished, "completed", created_at, final=True)
    keep(call, finished, body_out, images)
    call.emulator.journal.touch(call.entry)
    yield event("response.completed", response=body_out)


# --- stored responses ---------------------------------------------------------------------------


def _stored(call: Call) -> StoredResponse:
    response_id = call.request.path_params["response_id"]
    stored = call.emulator.responses.get(response_id)
    if stored is None:
        raise errors.response_not_found(response_id)
    return stored


async def retrieve_response(call: Call) -> Response:
    return json_response(_stored(call).body)


async def delete_response(call: Call) -> Response:
    stored = _stored(call)
    call.emulator.responses.delete(stored.id)
    return json_response({"id": stored.id, "object": "response.deleted", "deleted": True})


async def list_input_items(call: Call) -> Response:
    items = _stored(call).input_items
    query = call.request.query_params
    return json_response(cursor_page(items, query, max_limit=100, default_limit=20))


RESPONSES = {
    ("", "POST"): ApiEndpoint(name="responses", reads=reads("json"), answer=create_response),
    ("/{response_id}", "GET"): ApiEndpoint(
        name="responses", reads=reads("none"), answer=retrieve_response
    ),
    ("/{response_id}", "DELETE"): ApiEndpoint(
        name="responses", reads=reads("none"), answer=delete_response
    ),
    ("/{response_id}/input_items", "GET"): ApiEndpoint(
        name="responses", reads=reads("none"), answer=list_input_items
    ),
}
