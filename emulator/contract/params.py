"""Parameter kinds: how one request value is type-checked and range-checked.

The catalog says which kind each parameter of each model is; these classes say how a kind
judges a value and which error it raises, in the API's wording (``errors``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Protocol

from . import errors
from .parts import FormField, FormFile

_FORM_INTEGER = re.compile(r"[+-]?\d+")
_SIZE = re.compile(r"(\d{1,9})x(\d{1,9})")


def json_type_name(value: object) -> str:
    """The API's name for a value's type, as used in ``invalid_type`` messages (a form's file
    part is "a file")."""
    return "a file" if isinstance(value, Upload) else errors.json_type_name(value)


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
class JsonTypes:
    """A value of any of the JSON ``types`` (``("string", "array")``), its content unchecked:
    a parameter the emulator reads but does not judge further. No types: anything goes (a
    parameter the SDK types only loosely)."""

    types: tuple[str, ...] = ()

    def check(self, name: str, value: object) -> object:
        kind = errors.json_type(value)
        if kind == "integer" and "number" in self.types:  # 1 is a number too
            kind = "number"
        if self.types and kind not in self.types:
            raise errors.wrong_type(name, self.types, value)
        return value

    def from_form(self, raw: str) -> object:
        return raw


@dataclass(frozen=True)
class Upload:
    """The parts a form sent under one file parameter (``image``, ``image[]``, ``mask``)."""

    parts: list[FormFile | FormField]
    array_form: bool  # sent as ``image[]`` (or repeated), not as one ``image`` part


def item_name(name: str, upload: Upload, index: int) -> str:
    """How the API names one part: ``image`` alone, ``image[0]`` in an array."""
    return f"{name}[{index}]" if upload.array_form else name


class NamedUpload:
    """An upload's checked files with the names the API gives them in errors."""

    def __init__(self, value: object) -> None:
        self.upload = value if isinstance(value, Upload) else Upload([], False)

    @property
    def parts(self) -> list[FormFile | FormField]:
        return self.upload.parts

    def files(self) -> list[FormFile]:
        return [part for part in self.upload.parts if isinstance(part, FormFile)]

    def named_files(self, name: str) -> list[tuple[str, FormFile]]:
        return [(item_name(name, self.upload, i), file) for i, file in enumerate(self.files())]


def upload(body: dict[str, object], name: str) -> NamedUpload:
    return NamedUpload(body.get(name))


@dataclass(frozen=True)
class Files:
    """A file parameter: one file, or (``array``) up to ``max_count`` of them."""

    max_count: int = 1
    array: bool = False

    def check(self, name: str, value: object) -> list[FormFile]:
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


@dataclass(frozen=True)
class FreeSize:
    """Any ``WIDTHxHEIGHT`` within the model's limits, or ``auto`` (gpt-image-2 and later,
    contract §11.2). Each limit broken is named in the error, first one first."""

    multiple: int = 16
    max_ratio: int = 3
    max_edge: int = 3840
    min_pixels: int = 655_360
    max_pixels: int = 8_294_400
    # The standard sizes every GPT image model takes (edits' ``auto`` picks among them).
    values: tuple[str, ...] = ("1024x1024", "1024x1536", "1536x1024", "auto")

    def check(self, name: str, value: object) -> str:
        if not isinstance(value, str):
            raise errors.invalid_type(name, "a string", json_type_name(value))
        if value == "auto":
            return value
        match = _SIZE.fullmatch(value)
        if match is None:
            raise errors.invalid_size(
                name, value, "expected 'auto' or a size 'WIDTHxHEIGHT' such as '1536x864'"
            )
        width, height = int(match[1]), int(match[2])
        long, short = max(width, height), min(width, height)
        broken = (
            (width % self.multiple or height % self.multiple or short == 0)
            and f"width and height must both be positive multiples of {self.multiple}",
            long > self.max_edge and f"the longest edge must be at most {self.max_edge} pixels",
            long > self.max_ratio * short
            and f"the aspect ratio must be between 1:{self.max_ratio} and {self.max_ratio}:1",
            width * height < self.min_pixels
            and f"the size must have at least {self.min_pixels} pixels in all",
            width * height > self.max_pixels
            and f"the size must have at most {self.max_pixels} pixels in all",
        )
        for rule in broken:
            if rule:
                raise errors.invalid_size(name, value, rule)
        return f"{width}x{height}"

    def from_form(self, raw: str) -> object:
        return raw


@dataclass(frozen=True)
class SvgOptions:
    """The ``svg`` object: the author model (required once the object is sent) and an
    optional ``reasoning.effort``. Multipart sends ``svg[model]``, ``svg[reasoning][effort]``."""

    efforts: tuple[str, ...]

    def check(self, name: str, value: object) -> dict[str, object]:
        if not isinstance(value, dict):
            raise errors.invalid_type(name, "an object", json_type_name(value))
        for key in value:
            if key not in ("model", "reasoning"):
                raise errors.unknown_parameter(f"{name}.{key}")
        if value.get("model") is None:
            raise errors.missing_required_parameter(f"{name}.model")
        model = Text(max_length=256, non_empty=True).check(f"{name}.model", value["model"])
        reasoning = value.get("reasoning")
        effort = None
        if reasoning is not None:
            if not isinstance(reasoning, dict):
                raise errors.invalid_type(
                    f"{name}.reasoning", "an object", json_type_name(reasoning)
                )
            for key in reasoning:
                if key != "effort":
                    raise errors.unknown_parameter(f"{name}.reasoning.{key}")
            if reasoning.get("effort") is not None:
                effort = Choice(self.efforts).check(f"{name}.reasoning.effort", reasoning["effort"])
        return {"model": model, "effort": effort}

    def from_form(self, raw: str) -> object:
        return raw


@dataclass(frozen=True)
class AnyOf:
    """A value any of ``kinds`` takes (the schema's view of a parameter whose kind differs
    between models); the first kind's error when none does."""

    kinds: tuple[Param, ...]

    def check(self, name: str, value: object) -> object:
        refusal: errors.APIError | None = None
        for kind in self.kinds:
            try:
                return kind.check(name, value)
            except errors.APIError as error:
                refusal = refusal or error
        assert refusal is not None
        raise refusal

    def from_form(self, raw: str) -> object:
        return self.kinds[0].from_form(raw)


@dataclass(frozen=True)
class SingleImage:
    """dall-e-3's ``n`` in 2023-24: the type checks of ``Integer(1, 1)``, but more than one
    image gets that era's own sentence instead of the generic bound."""

    def check(self, name: str, value: object) -> int:
        if isinstance(value, int) and not isinstance(value, bool) and value > 1:
            raise errors.dall_e_3_single_image()
        return Integer(1, 1).check(name, value)

    def from_form(self, raw: str) -> object:
        return Integer(1, 1).from_form(raw)
