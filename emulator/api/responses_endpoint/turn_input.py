"""What a Responses request says: its input items read into a turn (texts, images, earlier
images passed back or referenced), with ids for what it adds."""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from dataclasses import dataclass, field

from ...contract import errors
from ...contract import responses_api as api
from ...contract.parts import FormFile
from ..image_refs import Sources, as_file, resolve
from ..pipeline import Call

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
    # Function calls the conversation holds (call_id to name), and the outputs this turn
    # passes back for them (call_id, output), in order.
    function_calls: dict[str, str] = field(default_factory=dict)
    function_outputs: list[tuple[str, str]] = field(default_factory=list)


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
        output = previous.body.get("output")
        for item in output if isinstance(output, list) else []:
            if isinstance(item, dict) and item.get("type") == "function_call":
                turn.function_calls[str(item.get("call_id"))] = str(item.get("name"))
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
        elif kind == "function_call":
            turn.function_calls[str(item.get("call_id"))] = str(item.get("name"))
            turn.items.append(dict(item))
        elif kind == "function_call_output":
            output = item.get("output")
            shown = output if isinstance(output, str) else json.dumps(output)
            turn.function_outputs.append((str(item.get("call_id")), shown))
            turn.items.append(dict(item))
        elif kind == "reasoning":
            turn.items.append(dict(item))
        else:
            raise errors.invalid_value(
                f"{param}.type",
                str(kind),
                ("message", "item_reference", "image_generation_call", "reasoning"),
            )
    _check_function_outputs(turn)
    return turn


def _check_function_outputs(turn: Turn) -> None:
    """Every output answers a call the conversation holds, and every call has its output."""
    answered = {call_id for call_id, _ in turn.function_outputs}
    for call_id, _ in turn.function_outputs:
        if call_id not in turn.function_calls:
            raise errors.function_output_without_call(call_id)
    for call_id in turn.function_calls:
        if call_id not in answered:
            raise errors.function_call_without_output(call_id)


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
