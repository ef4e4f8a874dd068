"""The model catalog: everything that differs between models, as data.

Which parameters a model takes on an endpoint (and of what kind), its defaults, how its
``auto`` values resolve, its output-token table and its response style all live here.
Adding a model is adding an entry; the request pipeline has no ``if model == ...``.
Sources: contract §3, §4, §5, §6, §8 and §14 (which wins where they disagree).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal, TypeVar

from .params import Boolean, Choice, Files, Integer, Param, Text
from .rules import Rule, compression_needs_lossy_format, transparent_needs_alpha_format

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


@dataclass(frozen=True)
class MaskRules:
    max_bytes: int = 4 * MiB  # the spec's "PNG, less than 4MB"


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


@dataclass(frozen=True)
class ImageTokenRule:
    """Input tokens per uploaded image (contract §14.1): base + per_tile × tiles, where tiles
    count 512-pixel squares after fitting in 2048×2048 and scaling the short side to 512."""

    image_base: int = 65
    image_per_tile: int = 129
    text_base: int = 6
    text_per_tile: int = 10
    # input_fidelity=high adds these image tokens per input image (design.md).
    high_fidelity_square: int = 4160
    high_fidelity_other: int = 6240


@dataclass(frozen=True)
class ModelSpec:
    id: str
    response_style: ResponseStyle
    endpoints: Mapping[Endpoint, EndpointRules]
    # How ``auto`` (or an unset value whose default is ``auto``) resolves, per parameter.
    auto: Mapping[str, str] = field(default_factory=dict)
    # Output tokens per image for (quality, size); empty for models that report no usage.
    output_tokens: Mapping[tuple[str, str], int] = field(default_factory=dict)
    # Fixed text tokens the API adds to each prompt (contract §14.1).
    prompt_token_overhead: int = 6
    revised_prompt: bool = False
    input_image_tokens: ImageTokenRule | None = None
    # Output tokens each streamed partial image adds (design.md, from GUIDE-26).
    partial_image_tokens: int = 100
    # Seconds a request takes on the real API, per quality (estimates, for --latency-factor).
    latency_seconds: Mapping[str, float] = field(default_factory=dict)

    def latency_for(self, quality: str) -> float:
        return self.latency_seconds.get(quality, max(self.latency_seconds.values(), default=0.0))

    @property
    def reports_usage(self) -> bool:
        return bool(self.output_tokens)


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


# --- shared parameter kinds ---------------------------------------------------------------

RESPONSE_FORMAT = Choice(("url", "b64_json"))
USER = Text()
N_UP_TO_10 = Integer(1, 10)

ONE_FILE = Files()
MASK = Files()
DALL_E_2_SIZES = Choice(("256x256", "512x512", "1024x1024"))
GPT_IMAGE_SIZES = ("1024x1024", "1024x1536", "1536x1024", "auto")
GPT_IMAGE_QUALITIES = ("low", "medium", "high", "auto")

# The guide's token table (contract §8.1), exact in every real recording (§14.1).
GPT_IMAGE_1_OUTPUT_TOKENS = _frozen(
    {
        ("low", "1024x1024"): 272,
        ("low", "1024x1536"): 408,
        ("low", "1536x1024"): 400,
        ("medium", "1024x1024"): 1056,
        ("medium", "1024x1536"): 1584,
        ("medium", "1536x1024"): 1568,
        ("high", "1024x1024"): 4160,
        ("high", "1024x1536"): 6240,
        ("high", "1536x1024"): 6208,
    }
)

# design.md: quality auto → medium (what recordings show most, §14.2), size auto →
# 1024x1024, background auto → opaque.
GPT_IMAGE_AUTO = _frozen({"quality": "medium", "size": "1024x1024", "background": "opaque"})

DALL_E_2 = ModelSpec(
    id="dall-e-2",
    response_style="dall-e",
    latency_seconds=_frozen({"standard": 6.0}),
    endpoints=_frozen(
        {
            "generations": EndpointRules(
                params=_frozen(
                    {
                        "prompt": Text(max_length=1000, non_empty=True),
                        "n": N_UP_TO_10,
                        "quality": Choice(("standard",)),
                        "response_format": RESPONSE_FORMAT,
                        "size": DALL_E_2_SIZES,
                        "user": USER,
                    }
                ),
                defaults=_frozen(
                    {"n": 1, "quality": "standard", "response_format": "url", "size": "1024x1024"}
                ),
            ),
            "edits": EndpointRules(
                params=_frozen(
                    {
                        "image": ONE_FILE,
                        "prompt": Text(max_length=1000, non_empty=True),
                        "mask": MASK,
                        "n": N_UP_TO_10,
                        "quality": Choice(("standard",)),
                        "response_format": RESPONSE_FORMAT,
                        "size": DALL_E_2_SIZES,
                        "user": USER,
                    }
                ),
                defaults=_frozen(
                    {"n": 1, "quality": "standard", "response_format": "url", "size": "1024x1024"}
                ),
                required=("image", "prompt"),
                uploads=UploadRules(
                    mimetypes=("image/png",),
                    formats=("PNG",),
                    max_bytes=4 * MiB,
                    modes=("RGB", "RGBA", "L", "LA", "P"),
                    mode_error="input_image_mode",
                    png_only=True,
                    square=True,
                    modes_without_mask=("RGBA", "LA", "L"),
                ),
                mask=MaskRules(),
            ),
            "variations": EndpointRules(
                params=_frozen(
                    {
                        "image": ONE_FILE,
                        "n": N_UP_TO_10,
                        "response_format": RESPONSE_FORMAT,
                        "size": DALL_E_2_SIZES,
                        "user": USER,
                    }
                ),
                defaults=_frozen({"n": 1, "response_format": "url", "size": "1024x1024"}),
                required=("image",),
                uploads=UploadRules(
                    mimetypes=("image/png",),
                    formats=("PNG",),
                    max_bytes=4 * MiB,
                    modes=("RGB", "RGBA"),
                    mode_error="input_image_mode",
                    png_only=True,
                    square=True,
                    error_type="invalid_request_error",
                ),
            ),
        }
    ),
)

DALL_E_3 = ModelSpec(
    id="dall-e-3",
    response_style="dall-e",
    revised_prompt=True,
    latency_seconds=_frozen({"standard": 12.0, "hd": 18.0}),
    endpoints=_frozen(
        {
            "generations": EndpointRules(
                params=_frozen(
                    {
                        "prompt": Text(max_length=4000, non_empty=True),
                        # dall-e-3 makes one image a request; the newer wording (contract §9.2
                        # row 8) is the generic integer bound.
                        "n": Integer(1, 1),
                        "quality": Choice(("standard", "hd")),
                        "response_format": RESPONSE_FORMAT,
                        "size": Choice(("1024x1024", "1792x1024", "1024x1792")),
                        "style": Choice(("vivid", "natural")),
                        "user": USER,
                    }
                ),
                defaults=_frozen(
                    {
                        "n": 1,
                        "quality": "standard",
                        "response_format": "url",
                        "size": "1024x1024",
                        "style": "vivid",
                    }
                ),
            ),
        }
    ),
)

GPT_IMAGE_1 = ModelSpec(
    id="gpt-image-1",
    response_style="gpt-image",
    auto=GPT_IMAGE_AUTO,
    output_tokens=GPT_IMAGE_1_OUTPUT_TOKENS,
    input_image_tokens=ImageTokenRule(),
    latency_seconds=_frozen({"low": 12.0, "medium": 25.0, "high": 60.0}),
    endpoints=_frozen(
        {
            "generations": EndpointRules(
                params=_frozen(
                    {
                        "prompt": Text(max_length=32000, non_empty=True),
                        "n": N_UP_TO_10,
                        "quality": Choice(GPT_IMAGE_QUALITIES),
                        "output_format": Choice(("png", "jpeg", "webp")),
                        "output_compression": Integer(0, 100),
                        "size": Choice(GPT_IMAGE_SIZES),
                        "moderation": Choice(("low", "auto")),
                        "background": Choice(("transparent", "opaque", "auto")),
                        "user": USER,
                        "stream": Boolean(),
                        "partial_images": Integer(0, 3),
                    }
                ),
                defaults=_frozen(
                    {
                        "n": 1,
                        "quality": "auto",
                        "output_format": "png",
                        "output_compression": 100,
                        "size": "auto",
                        "moderation": "auto",
                        "background": "auto",
                        "stream": False,
                        "partial_images": 0,
                    }
                ),
                rules=(transparent_needs_alpha_format, compression_needs_lossy_format),
            ),
            "edits": EndpointRules(
                params=_frozen(
                    {
                        "image": Files(max_count=16, array=True),
                        "prompt": Text(max_length=32000, non_empty=True),
                        "mask": MASK,
                        "n": N_UP_TO_10,
                        "quality": Choice(GPT_IMAGE_QUALITIES),
                        "size": Choice(GPT_IMAGE_SIZES),
                        "user": USER,
                        "background": Choice(("transparent", "opaque", "auto")),
                        "output_format": Choice(("png", "jpeg", "webp")),
                        "output_compression": Integer(0, 100),
                        "input_fidelity": Choice(("high", "low")),
                        "stream": Boolean(),
                        "partial_images": Integer(0, 3),
                    }
                ),
                defaults=_frozen(
                    {
                        "n": 1,
                        "quality": "auto",
                        "size": "auto",
                        "background": "auto",
                        "output_format": "png",
                        "output_compression": 100,
                        "input_fidelity": "low",
                        "stream": False,
                        "partial_images": 0,
                    }
                ),
                required=("image", "prompt"),
                rules=(transparent_needs_alpha_format, compression_needs_lossy_format),
                uploads=UploadRules(
                    mimetypes=("image/jpeg", "image/png", "image/webp"),
                    formats=("PNG", "JPEG", "WEBP"),
                    max_bytes=50 * MiB,  # 25 MB in the guide; 50 MB from 2025-06 (contract §1)
                ),
                mask=MaskRules(),
                auto_size_follows_image=True,
            ),
        }
    ),
)


@dataclass(frozen=True)
class Catalog:
    models: Mapping[str, ModelSpec]
    endpoints: Mapping[Endpoint, EndpointSpec]

    def schema_params(self, endpoint: Endpoint) -> dict[str, Param]:
        """Each parameter as the OpenAPI schema allows it: the union over the models."""
        merged: dict[str, Param] = {}
        for model_id in self.endpoints[endpoint].models:
            for name, kind in self.models[model_id].endpoints[endpoint].params.items():
                merged[name] = _union(merged[name], kind) if name in merged else kind
        return merged

    def known_params(self, endpoint: Endpoint) -> frozenset[str]:
        """Every parameter some model takes on the endpoint, plus ``model``."""
        names = {"model"}
        for model_id in self.endpoints[endpoint].models:
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
    return a


CATALOG = Catalog(
    models=_frozen({m.id: m for m in (GPT_IMAGE_1, DALL_E_2, DALL_E_3)}),
    endpoints=_frozen(
        {
            "generations": EndpointSpec(
                name="generations",
                # The order of the real "Supported values are" list (contract §14.6).
                models=("gpt-image-1", "dall-e-2", "dall-e-3"),
                default_model="dall-e-2",
                inferred_model="gpt-image-1",
                inference_params=frozenset(
                    {
                        "output_format",
                        "output_compression",
                        "moderation",
                        "background",
                        "stream",
                        "partial_images",
                    }
                ),
                inference_values=_frozen({"quality": frozenset({"low", "medium", "high"})}),
            ),
            "edits": EndpointSpec(
                name="edits",
                models=("gpt-image-1", "dall-e-2"),
                default_model="dall-e-2",
                inferred_model="gpt-image-1",
                inference_params=frozenset(
                    {
                        "background",
                        "output_format",
                        "output_compression",
                        "input_fidelity",
                        "stream",
                        "partial_images",
                    }
                ),
                inference_values=_frozen({"quality": frozenset({"low", "medium", "high"})}),
            ),
            "variations": EndpointSpec(
                name="variations",
                models=("dall-e-2",),
                default_model="dall-e-2",
                legacy_errors=True,
            ),
        }
    ),
)
