"""Parameter kinds: how one request value is type-checked and range-checked.

The catalog says which kind each parameter of each model is; these classes say how a kind
judges a value and which error it raises, in the API's wording (``errors``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from . import errors

if TYPE_CHECKING:
    from .multipart import FormField, FormFile

_FORM_INTEGER = re.compile(r"[+-]?\d+")


def json_type_name(value: object) -> str:
    """The API's name for a JSON value's type, as used in ``invalid_type`` messages."""
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a decimal number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, Upload):
        return "a file"
    return "null"


class Param(Protocol):
    def check(self, name: str, value: object) -> object:
        """Return the value, normalised, or raise ``errors.APIError``."""

    def from_form(self, raw: str) -> object:
        """A multipart text field's value as the JSON value it stands for."""


@dataclass(frozen=True)
class Text:
    max_length: int | None = None
    non_empty: bool = False

    def check(self, name: str, value: object) -> str:
        if not isinstance(value, str):
            raise errors.invalid_type(name, "a string", json_type_name(value))
        if self.non_empty and value == "":
            raise errors.empty_string(name)
        if self.max_length is not None and len(value) > self.max_length:
            raise errors.string_too_long(name, self.max_length, len(value))
        return value

    def from_form(self, raw: str) -> object:
        return raw


@dataclass(frozen=True)
class Integer:
    minimum: int
    maximum: int

    def check(self, name: str, value: object) -> int:
        # JSON Schema semantics: 2.0 is an integer, 2.5 and true are not.
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            raise errors.invalid_type(name, "an integer", json_type_name(value))
        if value > self.maximum:
            raise errors.integer_above_max(name, self.maximum, value)
        if value < self.minimum:
            raise errors.integer_below_min(name, self.minimum, value)
        return value

    def from_form(self, raw: str) -> object:
        # The SDKs send integers as their decimal text ("2"); anything else stays a string.
        return int(raw) if _FORM_INTEGER.fullmatch(raw.strip()) else raw


@dataclass(frozen=True)
class Choice:
    values: tuple[str, ...]

    def check(self, name: str, value: object) -> str:
        if not isinstance(value, str):
            expected = "one of " + errors.quote_list(self.values, "or")
            if len(self.values) == 1:
                expected = errors.quote_list(self.values, "or")
            raise errors.invalid_type(name, expected, json_type_name(value))
        if value not in self.values:
            raise errors.invalid_value(name, value, self.values)
        return value

    def from_form(self, raw: str) -> object:
        return raw


@dataclass(frozen=True)
class Boolean:
    def check(self, name: str, value: object) -> bool:
        if not isinstance(value, bool):
            raise errors.invalid_type(name, "a boolean", json_type_name(value))
        return value

    def from_form(self, raw: str) -> object:
        return {"true": True, "false": False}.get(raw.strip().lower(), raw)


@dataclass(frozen=True)
class Upload:
    """The parts a form sent under one file parameter (``image``, ``image[]``, ``mask``)."""

    parts: list[FormFile | FormField]
    array_form: bool  # sent as ``image[]`` (or repeated), not as one ``image`` part


def item_name(name: str, upload: Upload, index: int) -> str:
    """How the API names one part: ``image`` alone, ``image[0]`` in an array."""
    return f"{name}[{index}]" if upload.array_form else name


@dataclass(frozen=True)
class Files:
    """A file parameter: one file, or (``array``) up to ``max_count`` of them."""

    max_count: int = 1
    array: bool = False

    def check(self, name: str, value: object) -> list[FormFile]:
        from .multipart import FormFile

        if not isinstance(value, Upload):
            raise errors.invalid_type(name, "a file", json_type_name(value))
        if value.array_form and not self.array:
            raise errors.invalid_type(name, "a file", "an array")
        if len(value.parts) > self.max_count:
            raise errors.array_too_long(name, self.max_count, len(value.parts))
        files = []
        for index, part in enumerate(value.parts):
            if not isinstance(part, FormFile):
                raise errors.invalid_type(item_name(name, value, index), "a file", "a string")
            files.append(part)
        return files

    def from_form(self, raw: str) -> object:
        return raw
