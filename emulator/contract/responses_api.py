"""The Responses API's ``image_generation`` tool as data: the text models that call it, the
request's parameters, the answer's keys by date, ids, and when the model calls the tool.

Sources are those of the emulator's reference on the tool (real recorded exchanges of public
projects' test suites, 2025-09 … 2026-09, and the SDKs' types); facts without one are marked
inferred. The image itself follows the Images API's rules for the tool's image model (the
catalog), so sizes, qualities, formats and tokens are those of ``/v1/images``.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from types import MappingProxyType

# The text models that call the tool live in ``text_models``, one dated record each.
from .params import JsonTypes, Param
from .specs import ResponsesRules
from .text_models import STEADY_TEXT_MODEL, TEXT_MODELS, TextModel, text_model

__all__ = ["STEADY_TEXT_MODEL", "TEXT_MODELS", "TextModel", "text_model"]


# Every top-level request parameter the SDK types (openai-python 3.57 ResponseCreateParams),
# as parameter kinds like the images endpoints' tables: their JSON types, for the API's
# "Invalid type for 'x': expected …, but got … instead." (no types: typed only loosely by the
# SDK, not checked). ``model`` is required; null stands for omitted for the others.
REQUEST_PARAMS: Mapping[str, Param] = MappingProxyType(
    {
        "access_programs": JsonTypes(),
        "background": JsonTypes(("boolean",)),
        "background_options": JsonTypes(),
        "context_management": JsonTypes(("array",)),
        "conversation": JsonTypes(("string", "object")),
        "image": JsonTypes(),
        "include": JsonTypes(("array",)),
        "input": JsonTypes(("string", "array")),
        "instructions": JsonTypes(("string", "array")),
        "max_output_tokens": JsonTypes(("integer",)),
        "max_tool_calls": JsonTypes(("integer",)),
        "metadata": JsonTypes(("object",)),
        "model": JsonTypes(("string",)),
        "moderation": JsonTypes(),
        "parallel_tool_calls": JsonTypes(("boolean",)),
        "previous_response_id": JsonTypes(("string",)),
        "prompt": JsonTypes(("object",)),
        "prompt_cache_key": JsonTypes(("string",)),
        "prompt_cache_options": JsonTypes(),
        "prompt_cache_retention": JsonTypes(("string",)),
        "reasoning": JsonTypes(("object",)),
        "safety_identifier": JsonTypes(("string",)),
        "service_tier": JsonTypes(("string",)),
        "store": JsonTypes(("boolean",)),
        "stream": JsonTypes(("boolean",)),
        "stream_options": JsonTypes(("object",)),
        "temperature": JsonTypes(("number",)),
        "text": JsonTypes(("object",)),
        "tool_choice": JsonTypes(("string", "object")),
        "tools": JsonTypes(("array",)),
        "top_logprobs": JsonTypes(("integer",)),
        "top_p": JsonTypes(("number",)),
        "truncation": JsonTypes(("string",)),
        "user": JsonTypes(("string",)),
    }
)
REQUIRED_PARAMS = ("model",)

# The tool's options (SDK ``tool_param.ImageGeneration``); ``n`` is echoed, never sent.
TOOL_OPTIONS = (
    "type",
    "action",
    "background",
    "complexity",
    "frame_count",
    "frame_duration_ms",
    "input_fidelity",
    "input_image_mask",
    "model",
    "moderation",
    "output_compression",
    "output_format",
    "partial_images",
    "quality",
    "size",
    "svg",
)
ACTIONS = ("generate", "edit", "auto")
TOOL_CHOICES = ("auto", "required", "none")

# The tool's image model when the request names none: gpt-image-1 while it was served (the
# recordings), then the SDK's documented default; between the two, the newest served (inferred).
DEFAULT_TOOL_MODELS = (
    "gpt-image-1",
    "gpt-image-2.6-sunburst",
    "gpt-image-2.5-sunburst",
    "gpt-image-2",
)
# How `auto` resolves through the tool (recordings): quality high, background opaque, png.
TOOL_AUTO = MappingProxyType({"quality": "high", "background": "opaque", "output_format": "png"})

# --- when the model calls the tool ----------------------------------------------------------

# ``tool_choice: "auto"`` calls the tool when the last user turn asks for a picture: one of
# these words, or an input image with any instruction (a documented rule, not a model).
PICTURE_WORDS = re.compile(
    r"\b(draw|drawing|paint|painting|sketch|image|images|picture|pictures|photo|photograph|"
    r"illustrate|illustration|render|generate|edit|logo|icon|poster|portrait|make it|add|"
    r"remove|change|turn it)\b",
    re.IGNORECASE,
)
# The text of a turn that does not call the tool: fixed, so flows around images are testable.
TEXT_ONLY_ANSWER = (
    "This is the OpenAI images emulator: it answers text turns with this fixed sentence and "
    "makes images through the image_generation tool."
)
# The assistant's text after a tool call: empty, as in most recordings.
CAPTION = ""


def after_function_outputs(calls: Mapping[str, str], outputs: list[tuple[str, str]]) -> str:
    """The text that ends a turn whose input passes function outputs back: each function's
    output, quoted (fixed wording, so a test can assert it)."""
    said = [
        f"{calls.get(call_id, 'the function')} returned: {output}" for call_id, output in outputs
    ]
    return "\n".join(said)


# --- the answer's keys by date --------------------------------------------------------------

# Wire order of 2025-10 (recordings); later keys are inserted where the alphabetical run
# from ``background`` puts them (inferred for all but tool_usage, seen before ``tools``).
BASE_KEYS = (
    "id",
    "object",
    "created_at",
    "status",
    "background",
    "billing",
    "error",
    "incomplete_details",
    "instructions",
    "max_output_tokens",
    "max_tool_calls",
    "model",
    "output",
    "parallel_tool_calls",
    "previous_response_id",
    "prompt_cache_key",
    "reasoning",
    "safety_identifier",
    "service_tier",
    "store",
    "temperature",
    "text",
    "tool_choice",
    "tools",
    "top_logprobs",
    "top_p",
    "truncation",
    "usage",
    "user",
    "metadata",
)
# (key, the key it follows): keys added after 2025-10, each where the wire puts it; the day
# each was first sent is the eras table's (``ResponsesRules.unsent_keys`` before it).
LATER_KEYS = (
    ("prompt_cache_retention", "prompt_cache_key"),
    ("completed_at", "billing"),
    ("frequency_penalty", "error"),
    ("presence_penalty", "parallel_tool_calls"),
    ("moderation", "model"),
    ("tool_usage", "tool_choice"),
)


def response_keys(rules: ResponsesRules) -> tuple[str, ...]:
    """The answer's top-level keys in wire order under the day's ``rules``."""
    keys = list(BASE_KEYS)
    for key, after in LATER_KEYS:
        if key not in rules.unsent_keys:
            keys.insert(keys.index(after) + 1, key)
    return tuple(keys)


# --- ids ----------------------------------------------------------------------------------


class Ids:
    """Ids of one response: prefix + 50 hex characters, the first 18 shared by all ids of the
    response, the next 8 a unix time in hex (recordings since 2025-10)."""

    def __init__(self, created_at: int) -> None:
        self.shared = secrets.token_hex(9)
        self.created_at = created_at

    def new(self, prefix: str) -> str:
        return f"{prefix}_{self.shared}{self.created_at:08x}{secrets.token_hex(12)}"
