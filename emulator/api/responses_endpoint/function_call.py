"""Function tools beside the image tool: the functions a request offers, which one the
emulated model calls (the one whose name and description share the most words with the
input), and the call's arguments, made from the function's JSON schema so that they are valid
against it and the same for the same request.

The arguments' strings are the input's words that the function's name and description do not
already hold ("What is the weather in Paris?" to ``get_weather`` gives ``"Paris"``); numbers
are the input's numbers where they fit the schema's range, else its least valid value.
"""

from __future__ import annotations

import json
import math
import re
import secrets
import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ...contract import errors
from ...contract import responses_api as api

_WORD = re.compile(r"[A-Za-z0-9]+")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
_ALPHANUMERIC = string.ascii_letters + string.digits
_COMMON = (
    "the and for with that this what which when where who how are was were you your our "
    "can could would should will please tell give show get set find make from into about "
    "then than them they there their its it's has have had not but all any some use"
)
STOPWORDS = frozenset(_COMMON.split())  # words too common to say which function is meant
MAX_DEPTH = 64  # a bound for recursive ($ref) schemas: deeper, the simplest value
SAMPLE_FORMATS = {
    "date": "2026-01-01",
    "date-time": "2026-01-01T00:00:00Z",
    "time": "00:00:00Z",
    "email": "user@example.com",
    "uri": "https://example.com/",
    "uuid": "00000000-0000-4000-8000-000000000000",
}


def words(text: str) -> list[str]:
    """Lower-case words of three letters or more, ``snake_case`` and ``camelCase`` split."""
    found = _WORD.findall(_CAMEL.sub(" ", text.replace("_", " ").replace("-", " ")))
    return [w.lower() for w in found if len(w) >= 3 and w.lower() not in STOPWORDS]


@dataclass(frozen=True)
class Function:
    name: str
    description: str
    parameters: Mapping[str, Any]
    strict: bool

    @property
    def vocabulary(self) -> set[str]:
        """The words that say which function is meant: its name and description."""
        return set(words(self.name)) | set(words(self.description))

    @property
    def schema_words(self) -> set[str]:
        """The words the schema names (properties, enum values): not values for a string."""
        found: set[str] = set()
        pending: list[object] = [self.parameters]
        while pending and len(found) < 10_000:
            node = pending.pop()
            if isinstance(node, dict):
                properties = node.get("properties")
                if isinstance(properties, dict):
                    found.update(w for key in properties for w in words(str(key)))
                enum = node.get("enum")
                if isinstance(enum, list):
                    found.update(w for value in enum for w in words(str(value)))
                pending.extend(node.values())
            elif isinstance(node, list):
                pending.extend(node)
        return found

    def echo(self) -> dict[str, object]:
        """The tool as the answer's ``tools`` shows it (defaults filled in)."""
        return {
            "type": "function",
            "description": self.description or None,
            "name": self.name,
            "parameters": dict(self.parameters),
            "strict": self.strict,
        }


def offered_functions(body: Mapping[str, object]) -> list[Function]:
    tools = body.get("tools", [])
    found: list[Function] = []
    for index, tool in enumerate(tools if isinstance(tools, list) else []):
        if not isinstance(tool, dict) or tool.get("type") != "function":
            continue
        name = tool.get("name")
        if not isinstance(name, str) or not name:
            raise errors.missing_required_parameter(f"tools[{index}].name")
        parameters = tool.get("parameters")
        description = tool.get("description")
        found.append(
            Function(
                name,
                description if isinstance(description, str) else "",
                parameters if isinstance(parameters, dict) else {},
                tool.get("strict") is not False,
            )
        )
    return found


def best_match(functions: Sequence[Function], text: str) -> tuple[Function | None, int]:
    """The function sharing the most words with ``text`` (the first on a tie), and how many."""
    said = set(words(text))
    best: Function | None = None
    score = -1
    for function in functions:
        shared = len(said & function.vocabulary)
        if shared > score:
            best, score = function, shared
    return best, max(score, 0)


# --- arguments from the schema -------------------------------------------------------------------


@dataclass(frozen=True)
class _Context:
    root: Mapping[str, Any]
    leftover: str  # the input's words the function does not name
    numbers: tuple[float, ...]
    said: frozenset[str]


def arguments(function: Function, text: str) -> str:
    """The call's arguments as the JSON text the API sends."""
    named = STOPWORDS | function.vocabulary | function.schema_words
    kept = [
        word
        for word in _WORD.findall(text)
        if len(word) >= 3 and word.lower() not in named and not word.isdigit()
    ]
    context = _Context(
        function.parameters,
        " ".join(kept),
        tuple(float(n) for n in _NUMBER.findall(text)),
        frozenset(words(text)),
    )
    schema = function.parameters or {"type": "object", "properties": {}}
    value = _value(schema, "value", context, 0)
    return json.dumps(value, ensure_ascii=False)


def _resolved(schema: Mapping[str, Any], root: Mapping[str, Any]) -> Mapping[str, Any]:
    for _ in range(MAX_DEPTH):  # a local ``$ref`` ("#/$defs/Name"), followed a few times
        ref = schema.get("$ref")
        if not isinstance(ref, str) or not ref.startswith("#/"):
            return schema
        target: Any = root
        for part in ref[2:].split("/"):
            target = target.get(part, {}) if isinstance(target, Mapping) else {}
        schema = target if isinstance(target, Mapping) else {}
    return schema


def _kind(schema: Mapping[str, Any]) -> str:
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if isinstance(kind, str):
        return kind
    if "properties" in schema:
        return "object"
    return "array" if "items" in schema else "string"


def _value(schema: Mapping[str, Any], name: str, context: _Context, depth: int) -> object:
    schema = _resolved(schema, context.root)
    if "const" in schema:
        return schema["const"]
    if isinstance(schema.get("enum"), list) and schema["enum"]:
        choices = schema["enum"]
        return next((c for c in choices if str(c).lower() in context.said), choices[0])
    if "default" in schema:
        return schema["default"]
    for combinator in ("anyOf", "oneOf", "allOf"):
        options = schema.get(combinator)
        if isinstance(options, list) and options:
            usable = [o for o in options if isinstance(o, dict) and o.get("type") != "null"]
            return _value((usable or options)[0], name, context, depth + 1)
    kind = _kind(schema)
    if kind == "object":
        properties = schema.get("properties")
        if not isinstance(properties, dict) or depth >= MAX_DEPTH:
            return {}
        return {
            key: _value(sub if isinstance(sub, dict) else {}, key, context, depth + 1)
            for key, sub in properties.items()
        }
    if kind == "array":
        return _array(schema, name, context, depth)
    if kind in ("integer", "number"):
        return _number(schema, kind == "integer", context)
    if kind == "boolean":
        return True
    if kind == "null":
        return None
    return _string(schema, name, context)


def _array(schema: Mapping[str, Any], name: str, context: _Context, depth: int) -> list[object]:
    low = schema.get("minItems", 1)
    high = schema.get("maxItems")
    count = max(int(low) if isinstance(low, int) else 1, 1)
    if isinstance(high, int):
        count = min(count, high)
    items = schema.get("items")
    if depth >= MAX_DEPTH:
        return []
    item_schema = items if isinstance(items, dict) else {}
    return [_value(item_schema, name, context, depth + 1) for _ in range(count)]


def _number(schema: Mapping[str, Any], integer: bool, context: _Context) -> int | float:
    low, high = schema.get("minimum"), schema.get("maximum")
    exclusive_low, exclusive_high = schema.get("exclusiveMinimum"), schema.get("exclusiveMaximum")
    step = 1 if integer else 0.5

    def fits(value: float) -> bool:
        return not (
            (isinstance(low, int | float) and value < low)
            or (isinstance(high, int | float) and value > high)
            or (isinstance(exclusive_low, int | float) and value <= exclusive_low)
            or (isinstance(exclusive_high, int | float) and value >= exclusive_high)
            or (integer and not float(value).is_integer())
        )

    candidates = [*context.numbers]
    if isinstance(low, int | float):
        candidates.append(math.ceil(low) if integer else low)
    if isinstance(exclusive_low, int | float):
        candidates.append(math.floor(exclusive_low) + 1 if integer else exclusive_low + step)
    candidates.append(1)
    if isinstance(high, int | float):
        candidates.append(math.floor(high) if integer else high)
    multiple = schema.get("multipleOf")
    for candidate in candidates:
        if isinstance(multiple, int | float) and multiple > 0:
            candidate = math.ceil(candidate / multiple) * multiple
        if fits(candidate):
            return int(candidate) if integer else float(candidate)
    return int(candidates[-1]) if integer else float(candidates[-1])


def _string(schema: Mapping[str, Any], name: str, context: _Context) -> str:
    text = SAMPLE_FORMATS.get(str(schema.get("format")), "") or context.leftover or name
    low, high = schema.get("minLength"), schema.get("maxLength")
    if isinstance(high, int):
        text = text[:high]
    if isinstance(low, int) and len(text) < low:
        text = text + "x" * (low - len(text))
    return text


# --- the items -------------------------------------------------------------------------------


def new_call_id() -> str:
    """``call_`` and 24 letters and digits, as the API's call ids are."""
    return "call_" + "".join(secrets.choice(_ALPHANUMERIC) for _ in range(24))


def function_call_item(
    ids: api.Ids, function: Function, text: str, status: str = "completed"
) -> dict[str, object]:
    """A ``function_call`` output item (keys in the order of the image call's: id, type,
    status, then the rest sorted)."""
    return {
        "id": ids.new("fc"),
        "type": "function_call",
        "status": status,
        "arguments": arguments(function, text),
        "call_id": new_call_id(),
        "name": function.name,
    }
