"""The shapes of the model catalog: what a model takes on each endpoint, how it counts
tokens, and how endpoints list and default their models. The data is in ``catalog``."""

from __future__ import annotations

import datetime
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal, TypeVar

from .dates import in_period
from .errors import APIError
from .params import AnyOf, Choice, Files, FreeSize, Integer, Param, Text
from .rules import Rule

K = TypeVar("K")
V = TypeVar("V")
Endpoint = Literal["generations", "edits", "variations"]
ResponseStyle = Literal["gpt-image", "dall-e"]


MiB = 1024 * 1024


@dataclass(frozen=True)
class UploadRules:
    """What an endpoint takes as input images for one model (contract §4.2, §5, §14.5)."""

    mimetypes: tuple[str, ...]  # declared part types accepted, in the API's listing order
    formats: tuple[str, ...]  # decoded formats accepted (Pillow names)
    max_bytes: int
    # Modes an input may have; others get ``mode_error``.
    modes: tuple[str, ...] = ("RGB", "RGBA", "L", "LA")
    # "invalid_image_file" (GPT image models) or "input_image_mode" (DALL·E's wording).
    mode_error: str = "invalid_image_file"
    png_only: bool = False  # DALL·E 2: "Uploaded image must be a PNG and less than 4 MB."
    square: bool = False
    # Modes allowed when no mask is sent: the image's own transparency is then the mask.
    modes_without_mask: tuple[str, ...] | None = None
    error_type: str = "image_generation_user_error"  # for "Invalid input image - ..."
    # Declared types judged by the bytes, like an untyped part (application/octet-stream
    # in the DALL·E 2 era, before the API checked part types).
    sniffed_types: tuple[str, ...] = ()


@dataclass(frozen=True)
class MaskRules:
    max_bytes: int = 4 * MiB  # the spec's "PNG, less than 4MB"
    # Declared types judged by the bytes (DALL·E 2 in 2023, as its images were).
    sniffed_types: tuple[str, ...] = ()


@dataclass(frozen=True)
class EndpointRules:
    """What one model accepts on one endpoint."""

    # In the order the API checks them; a parameter absent here is refused as unknown.
    params: Mapping[str, Param]
    defaults: Mapping[str, object]
    required: tuple[str, ...] = ("prompt",)
    rules: tuple[Rule, ...] = ()
    uploads: UploadRules | None = None
    mask: MaskRules | None = None
    # Edits: ``size: auto`` takes the standard size closest in aspect to the first image.
    auto_size_follows_image: bool = False
    # Parameters the model knows and refuses with an error of its own (not "Unknown
    # parameter"), given the model name as asked: gpt-image-2's ``input_fidelity``.
    refused: Mapping[str, Callable[[str], APIError]] = field(default_factory=dict)


@dataclass(frozen=True)
class ImageTokenRule:
    """Input tokens per uploaded image (contract §14.1): base + per_tile × tiles, where tiles
    count 512-pixel squares after fitting in 2048×2048 and scaling the short side to 512."""

    image_base: int = 65
    image_per_tile: int = 129
    text_base: int = 6
    text_per_tile: int = 10
    # input_fidelity=high adds these image tokens per input image (contract §8.3).
    high_fidelity_square: int = 4160
    high_fidelity_other: int = 6240
    # gpt-image-2 on: image tokens are ``patch``-pixel squares of the image (after fitting in
    # ``patch_fit``²), no tiles, no fidelity extra; text tokens ``text_base`` per image.
    patch: int | None = None
    patch_fit: int = 2048

    def patches(self, width: int, height: int) -> int:
        assert self.patch is not None
        longest = max(width, height)
        if longest > self.patch_fit:
            width, height = width * self.patch_fit // longest, height * self.patch_fit // longest
        return -(-width // self.patch) * -(-height // self.patch)


@dataclass(frozen=True)
class PixelTokenRule:
    """Output tokens per image from its pixels and quality (gpt-image-2 and later, which
    have no table): ``ceil(base × (width × height / 1024²) ** exponent)`` per quality."""

    base: Mapping[str, float]
    exponent: Mapping[str, float]
    # (base, exponent) per quality for wide pictures (aspect at least ``wide_ratio``), where
    # real answers bill fewer tokens than the pixels say.
    wide: Mapping[str, tuple[float, float]] = field(default_factory=dict)
    wide_ratio: float = 16 / 9

    def tokens(self, quality: str, width: int, height: int) -> int:
        megapixels = width * height / (1024 * 1024)
        base, exponent = self.base[quality], self.exponent[quality]
        if quality in self.wide and max(width, height) >= self.wide_ratio * min(width, height):
            base, exponent = self.wide[quality]
        # The small allowance keeps a rule fitted through a recorded point on that point.
        return math.ceil(base * megapixels**exponent - 1e-6)


@dataclass(frozen=True)
class Deprecation:
    """A model's announced shutdown, as the deprecations page lists it."""

    model: str
    announced: str
    shutdown: str
    replacement: str | None

    def header(self) -> str:
        """The emulator's own header value (the real API sends no such header)."""
        value = f"{self.model}; shutdown={self.shutdown}"
        if self.replacement:
            value += f'; replacement="{self.replacement}"'
        return value

    def as_dict(self) -> dict[str, str | None]:
        return {
            "model": self.model,
            "announced": self.announced,
            "shutdown": self.shutdown,
            "replacement": self.replacement,
        }


@dataclass(frozen=True)
class TokenPrices:
    """US dollars per million tokens (GPT image models)."""

    text_input: float
    image_input: float
    image_output: float
    source: str
    as_of: str  # when the source gave these prices


@dataclass(frozen=True)
class ImagePrices:
    """US dollars per image, by (quality, size) (DALL·E models)."""

    per_image: Mapping[tuple[str, str], float]
    source: str
    as_of: str


Prices = TokenPrices | ImagePrices


@dataclass(frozen=True)
class ModelSpec:
    id: str
    response_style: ResponseStyle
    endpoints: Mapping[Endpoint, EndpointRules]
    # Other names of the same model (dated snapshots); a request may use any of them.
    aliases: tuple[str, ...] = ()
    # Lifecycle as data (contract §1, §11): ISO dates; None where no source gives one.
    released: str | None = None
    shutdown: str | None = None
    # The day the shutdown was announced (the model is deprecated from then until its
    # shutdown), and the recommended replacement from each day on (the deprecations page).
    deprecated: str | None = None
    replacements: tuple[tuple[str, str], ...] = ()
    lifecycle_source: str = "contract §1, §11.1"
    # Where the entry's rules come from when the contract does not know them.
    note: str = ""
    # A model the user added (``--model NEW=KNOWN``): the known model it copies.
    copy_of: str | None = None
    # How ``auto`` (or an unset value whose default is ``auto``) resolves, per parameter.
    auto: Mapping[str, str] = field(default_factory=dict)
    # Output tokens per image for (quality, size); empty for models that report no usage.
    output_tokens: Mapping[tuple[str, str], int] = field(default_factory=dict)
    # Or from pixels, for models that take any size.
    pixel_tokens: PixelTokenRule | None = None
    # Usage carries output_tokens_details {image_tokens, text_tokens} (gpt-image-1.5 on).
    output_token_details: bool = False
    # Answers carry the resolved background, output_format, quality and size at the top
    # level (gpt-image-1 from 2025-06-03 on; contract §14.3).
    reports_settings: bool = True
    # A GPT image model's moderation_blocked refusal carries ``moderation_details`` (its
    # stage and categories) from 2026-09-20 (docs/contract.md §9.1; the era sets it off before).
    moderation_details: bool = True
    # Fixed text tokens the API adds to each prompt (contract §14.1).
    prompt_token_overhead: int = 6
    revised_prompt: bool = False
    # On Azure's door each item carries content and prompt filter results (DALL·E 3, as the
    # Azure SDKs' recordings show from 2024-03; docs/azure.md).
    azure_filter_blocks: bool = False
    input_image_tokens: ImageTokenRule | None = None
    # Input images always count as high fidelity (gpt-image-2 on: the parameter is refused).
    always_high_fidelity: bool = False
    # Output tokens each streamed partial image adds (contract §7, from GUIDE-26).
    partial_image_tokens: int = 100
    # Seconds a request takes on the real API, per quality (estimates, for --latency-factor).
    latency_seconds: Mapping[str, float] = field(default_factory=dict)
    # What an answer costs (docs/models-and-tokens.md); None where no source gives a price.
    prices: Prices | None = None

    @property
    def names(self) -> tuple[str, ...]:
        return (self.id, *self.aliases)

    def deprecation_on(self, day: datetime.date) -> Deprecation | None:
        """The notice in force on ``day``: announced, not yet shut down."""
        if self.deprecated is None or self.shutdown is None:
            return None
        if not in_period(day, self.deprecated, self.shutdown):
            return None
        replacement = next(
            (r for since, r in reversed(self.replacements) if in_period(day, since, None)), None
        )
        return Deprecation(self.id, self.deprecated, self.shutdown, replacement)

    @property
    def dall_e_wording(self) -> bool:
        """DALL·E words its rate limits and safety refusals its own way (contract §9.2)."""
        return self.response_style == "dall-e"

    @property
    def gpt_image(self) -> bool:
        """A GPT image model (not DALL·E): Azure serves it from 2025-04-01-preview."""
        return not self.dall_e_wording

    def takes(self, param: str) -> bool:
        """Whether the model takes ``param`` on any endpoint."""
        return any(param in rules.params for rules in self.endpoints.values())

    def latency_for(self, quality: str) -> float:
        return self.latency_seconds.get(quality, max(self.latency_seconds.values(), default=0.0))

    @property
    def reports_usage(self) -> bool:
        return bool(self.output_tokens) or self.pixel_tokens is not None

    def image_output_tokens(self, quality: str, size: str) -> int:
        """Output tokens of one image of ``size`` (``WIDTHxHEIGHT``) at ``quality``."""
        if self.pixel_tokens is not None:
            width, height = (int(side) for side in size.split("x"))
            return self.pixel_tokens.tokens(quality, width, height)
        return self.output_tokens[(quality, size)]


@dataclass(frozen=True)
class EndpointSpec:
    name: Endpoint
    # The models the endpoint serves, in the order the API lists them in its errors.
    models: tuple[str, ...]
    default_model: str
    # The default switches to ``inferred_model`` when a parameter specific to it is sent
    # (contract §3.3: the spec says so without naming them; this is our reading).
    inferred_model: str | None = None
    inference_params: frozenset[str] = frozenset()
    inference_values: Mapping[str, frozenset[str]] = field(default_factory=dict)
    # The variations backend is older: alphabetical error keys, one "Additional properties"
    # error for unknown fields, and "leave the model blank" for any other model.
    legacy_errors: bool = False
    # Names no longer served: asking for one gets the retired-model answer (dated catalogs).
    retired: tuple[str, ...] = ()
    # False once the endpoint itself is retired (variations, 2026-10-23).
    available: bool = True
    # Edits take a JSON body (image references) as well as a form (2026-05 on): the model
    # it defaults to, and the parameters only the JSON body has.
    json_body: bool = True
    json_default_model: str | None = None
    # The names an unknown model's error lists when they are not the served ones (real
    # answers listed models no page named), and how that error is worded: "list" (Invalid
    # value ... Supported values are ...) or "does_not_exist" (2026-04-17 on).
    listed_models: tuple[str, ...] | None = None
    unknown_model_wording: Literal["list", "does_not_exist"] = "list"
    json_only_params: Mapping[str, Param] = field(default_factory=dict)

    def default_for(self, args: Mapping[str, object]) -> str:
        if self.inferred_model is not None:
            if any(name in args for name in self.inference_params):
                return self.inferred_model
            for name, values in self.inference_values.items():
                value = args.get(name)
                if isinstance(value, str) and value in values:
                    return self.inferred_model
        return self.default_model


def _frozen(mapping: dict[K, V]) -> Mapping[K, V]:
    return MappingProxyType(mapping)


@dataclass(frozen=True)
class ResponsesRules:
    """How the Responses API answers on the catalog's day; the defaults are today's, and the
    eras table says what each was before its date (``eras.CHANGES``)."""

    unsent_keys: frozenset[str] = frozenset()  # top-level answer keys not sent yet
    tool_echo_names_model: bool = True  # the tools echo names the image model
    call_has_action: bool = True  # image_generation_call items carry ``action``
    cache_write_tokens: bool = True  # usage.input_tokens_details.cache_write_tokens, first
    sorted_event_keys: bool = True  # stream events: type, the rest sorted, sequence_number
    # ``prompt_cache_retention`` says the retention the model used when the request left it
    # out: "in_memory", or "24h" for these text families (``TextFamily.name``); null before.
    cache_retention_named: bool = True
    day_long_cache: frozenset[str] = frozenset({"gpt-5.x", "gpt-5.5"})
    reasoning_context: bool = True  # ``reasoning`` echoes ``context`` and ``mode``


@dataclass(frozen=True)
class BatchRules:
    """What the Batch API takes on the catalog's day."""

    image_endpoints: bool = True  # /v1/images/generations and /edits lines


@dataclass(frozen=True)
class Catalog:
    models: Mapping[str, ModelSpec]
    endpoints: Mapping[Endpoint, EndpointSpec]
    responses: ResponsesRules = ResponsesRules()
    batches: BatchRules = BatchRules()

    def _listed(self, endpoint: Endpoint) -> tuple[str, ...]:
        """Every model the endpoint knows: served, or retired on a dated catalog's day."""
        spec = self.endpoints[endpoint]
        return (*spec.models, *spec.retired)

    def schema_params(self, endpoint: Endpoint) -> dict[str, Param]:
        """Each parameter as the OpenAPI schema allows it: the union over the models."""
        merged: dict[str, Param] = {}
        for model_id in self._listed(endpoint):
            for name, kind in self.models[model_id].endpoints[endpoint].params.items():
                merged[name] = _union(merged[name], kind) if name in merged else kind
        return merged

    def known_params(self, endpoint: Endpoint) -> frozenset[str]:
        """Every parameter some model takes on the endpoint, plus ``model``."""
        names = {"model"}
        for model_id in self._listed(endpoint):
            names.update(self.models[model_id].endpoints[endpoint].params)
        return frozenset(names)


def _union(a: Param, b: Param) -> Param:
    if isinstance(a, Choice) and isinstance(b, Choice):
        return Choice(a.values + tuple(v for v in b.values if v not in a.values))
    if isinstance(a, Integer) and isinstance(b, Integer):
        return Integer(min(a.minimum, b.minimum), max(a.maximum, b.maximum))
    if isinstance(a, Text) and isinstance(b, Text):
        if a.max_length is None or b.max_length is None:
            return Text(non_empty=a.non_empty and b.non_empty)
        return Text(max(a.max_length, b.max_length), a.non_empty and b.non_empty)
    if isinstance(a, Files) and isinstance(b, Files):
        return Files(max(a.max_count, b.max_count), a.array or b.array)
    if isinstance(a, AnyOf):
        return a if b in a.kinds else AnyOf((*a.kinds, b))
    if isinstance(a, FreeSize) or isinstance(b, FreeSize):
        return AnyOf((a, b))  # a listed size, or any size within the limits
    return a
