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

from .params import Boolean, Choice, Integer, Param, Text
from .rules import Rule, compression_needs_lossy_format, transparent_needs_alpha_format

K = TypeVar("K")
V = TypeVar("V")
Endpoint = Literal["generations", "edits", "variations"]
ResponseStyle = Literal["gpt-image", "dall-e"]


@dataclass(frozen=True)
class EndpointRules:
    """What one model accepts on one endpoint."""

    # In the order the API checks them; a parameter absent here is refused as unknown.
    params: Mapping[str, Param]
    defaults: Mapping[str, object]
    required: tuple[str, ...] = ("prompt",)
    rules: tuple[Rule, ...] = ()


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
    endpoints=_frozen(
        {
            "generations": EndpointRules(
                params=_frozen(
                    {
                        "prompt": Text(max_length=1000, non_empty=True),
                        "n": N_UP_TO_10,
                        "quality": Choice(("standard",)),
                        "response_format": RESPONSE_FORMAT,
                        "size": Choice(("256x256", "512x512", "1024x1024")),
                        "user": USER,
                    }
                ),
                defaults=_frozen(
                    {"n": 1, "quality": "standard", "response_format": "url", "size": "1024x1024"}
                ),
            ),
        }
    ),
)

DALL_E_3 = ModelSpec(
    id="dall-e-3",
    response_style="dall-e",
    revised_prompt=True,
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
        }
    ),
)


@dataclass(frozen=True)
class Catalog:
    models: Mapping[str, ModelSpec]
    endpoints: Mapping[Endpoint, EndpointSpec]

    def known_params(self, endpoint: Endpoint) -> frozenset[str]:
        """Every parameter some model takes on the endpoint, plus ``model``."""
        names = {"model"}
        for model_id in self.endpoints[endpoint].models:
            names.update(self.models[model_id].endpoints[endpoint].params)
        return frozenset(names)


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
        }
    ),
)
