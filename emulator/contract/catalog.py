"""The model catalog: everything that differs between models, as data.

Which parameters a model takes on an endpoint (and of what kind), its defaults, how its
``auto`` values resolve, its output-token table and its response style all live here:
the DALL·E entries below, the GPT image models in ``gpt_image_models``, the shapes in
``specs``. Adding a model is adding an entry; the request pipeline has no
``if model == ...``. Sources: contract §3, §4, §5, §6, §8, §11 and §14 (which wins where
they disagree).
"""

from __future__ import annotations

from collections.abc import Mapping

from .gpt_image_models import GPT_IMAGE_MODELS
from .params import Choice, Files, Integer, Param, Text
from .specs import (
    Catalog,
    EndpointRules,
    EndpointSpec,
    ImagePrices,
    MaskRules,
    MiB,
    ModelSpec,
    UploadRules,
    _frozen,
)

# --- shared parameter kinds ---------------------------------------------------------------

RESPONSE_FORMAT = Choice(("url", "b64_json"))
USER = Text()
N_UP_TO_10 = Integer(1, 10)

ONE_FILE = Files()
MASK = Files()
# Announced 2025-11-14 (contract §1), shut 2026-05-12 (SDK 3.54: "retired on May 12, 2026");
# the replacements as migration notes of the time quote the deprecations page.
DALL_E_LIFECYCLE = (
    "contract §1 (notice 2025-11-14; SDK 3.54: retired 2026-05-12); replacements as quoted "
    "from the OpenAI deprecations page at the time"
)
DALL_E_2_SIZES = Choice(("256x256", "512x512", "1024x1024"))
# DALL·E 2's generations and edits take the same prompt and, after it (and an edit's mask),
# the same parameters in the same order, with the same defaults.
DALL_E_2_PROMPT = Text(max_length=1000, non_empty=True)
DALL_E_2_AFTER_PROMPT: dict[str, Param] = {
    "n": N_UP_TO_10,
    "quality": Choice(("standard",)),
    "response_format": RESPONSE_FORMAT,
    "size": DALL_E_2_SIZES,
    "user": USER,
}


def dall_e_prices(name: str, **by_quality: dict[str, float]) -> ImagePrices:
    """US dollars per image, by quality then size, as OpenAI's pricing page listed them."""
    table = {(quality, size): price for quality, sizes in by_quality.items()
             for size, price in sizes.items()}  # fmt: skip
    return ImagePrices(_frozen(table), f"OpenAI pricing page ({name}, per image)", "2024-11")


DALL_E_2_DEFAULTS = _frozen(
    {"n": 1, "quality": "standard", "response_format": "url", "size": "1024x1024"}
)
DALL_E_2 = ModelSpec(
    id="dall-e-2",
    response_style="dall-e",
    released="2022-11-03",  # the Images API's launch
    shutdown="2026-05-12",
    deprecated="2025-11-14",
    replacements=(("2025-11-14", "gpt-image-1 or gpt-image-1-mini"),),
    lifecycle_source=DALL_E_LIFECYCLE,
    latency_seconds=_frozen({"standard": 6.0}),
    prices=dall_e_prices(
        "DALL·E 2", standard={"256x256": 0.016, "512x512": 0.018, "1024x1024": 0.020}
    ),
    endpoints=_frozen(
        {
            "generations": EndpointRules(
                params=_frozen({"prompt": DALL_E_2_PROMPT, **DALL_E_2_AFTER_PROMPT}),
                defaults=DALL_E_2_DEFAULTS,
            ),
            "edits": EndpointRules(
                params=_frozen(
                    {
                        "image": ONE_FILE,
                        "prompt": DALL_E_2_PROMPT,
                        "mask": MASK,
                        **DALL_E_2_AFTER_PROMPT,
                    }
                ),
                defaults=DALL_E_2_DEFAULTS,
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
    released="2023-11-06",
    shutdown="2026-05-12",
    deprecated="2025-11-14",
    replacements=(("2025-11-14", "gpt-image-1 or gpt-image-1-mini"),),
    lifecycle_source=DALL_E_LIFECYCLE,
    revised_prompt=True,
    azure_filter_blocks=True,
    latency_seconds=_frozen({"standard": 12.0, "hd": 18.0}),
    prices=dall_e_prices(
        "DALL·E 3",
        standard={"1024x1024": 0.040, "1792x1024": 0.080, "1024x1792": 0.080},
        hd={"1024x1024": 0.080, "1792x1024": 0.120, "1024x1792": 0.120},
    ),
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


# What an answer amounts to for a setting the model does not take at all (DALL·E has no
# output_format, background or stream ...), and for GIF and SVG options left unsent (SDK
# 3.54; the SVG author model has no source: a guess). The jobs read these, never literals.
IMPLIED_SETTINGS: Mapping[str, object] = _frozen(
    {
        "prompt": "",
        "n": 1,
        "size": "1024x1024",
        "quality": "standard",
        "output_format": "png",
        "output_compression": 100,
        "background": "opaque",
        # GPT image models only ever answer base64 (they refuse response_format).
        "response_format": "b64_json",
        "partial_images": 0,
        "frame_count": 9,
        "frame_duration_ms": 200,
        "svg_author": "gpt-5-mini",
    }
)


def _by_name(*models: ModelSpec) -> dict[str, ModelSpec]:
    """Every name a model answers to (its id and its snapshots) to its entry."""
    return {name: model for model in models for name in model.names}


# The order the API lists models in "Supported values are": GPT image models as released,
# then DALL·E (contract §9.2 row 26, §14.6).
GPT_IMAGE_NAMES = tuple(name for model in GPT_IMAGE_MODELS for name in model.names)

CATALOG = Catalog(
    models=_frozen(_by_name(*GPT_IMAGE_MODELS, DALL_E_2, DALL_E_3)),
    endpoints=_frozen(
        {
            "generations": EndpointSpec(
                name="generations",
                # The order of the real "Supported values are" list (contract §14.6).
                models=(*GPT_IMAGE_NAMES, "dall-e-2", "dall-e-3"),
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
                models=(*GPT_IMAGE_NAMES, "dall-e-2"),
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
                # The JSON body's default and its own parameter (S-2605 and later).
                json_default_model="gpt-image-1.5",
                json_only_params=_frozen({"moderation": Choice(("low", "auto"))}),
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
