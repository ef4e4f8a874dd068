"""The GPT image models (contract §1, §3, §4, §11), built by one factory from their differences.

gpt-image-1 is the seed's model. gpt-image-1-mini, gpt-image-1.5 and chatgpt-image-latest
keep its three sizes and the guide's token table. gpt-image-2 takes any size within limits,
counts output tokens from pixels and refuses ``input_fidelity`` (it always works at high
fidelity). The 2.5 family adds ``xhigh``/``max`` quality, GIF and SVG output,
``complexity`` and ``markup``. Every model after gpt-image-1 takes ``safety_identifier``.
Where the contract has '?', an entry takes its closest family member's rules and says so
in its ``note``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from . import errors
from .errors import APIError
from .params import Boolean, Choice, Files, FreeSize, Integer, Param, SvgOptions, Text
from .rules import (
    animation_and_vector_limits,
    compression_needs_lossy_format,
    markup_excludes_mask,
    transparent_needs_alpha_format,
)
from .specs import (
    EndpointRules,
    ImageTokenRule,
    MaskRules,
    MiB,
    ModelSpec,
    PixelTokenRule,
    TokenPrices,
    UploadRules,
    _frozen,
)

STANDARD_SIZES = Choice(("1024x1024", "1024x1536", "1536x1024", "auto"))
STANDARD_QUALITIES = ("low", "medium", "high", "auto")
EXTENDED_QUALITIES = ("low", "medium", "high", "xhigh", "max", "auto")
RASTER_FORMATS = ("png", "jpeg", "webp")
ALL_FORMATS = (*RASTER_FORMATS, "gif", "svg")
SVG_EFFORTS = ("none", "minimal", "low", "medium", "high", "xhigh", "max")

# The guide's table (contract §8.1), exact in every real recording (§14.1); the 2026 guide
# keeps it for GPT image models before gpt-image-2.
TABLE_TOKENS = _frozen(
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

# gpt-image-2 and later: ceil(base × megapixels ** exponent), fitted to contract §11.2.
# low: linear in pixels, exact on all three published points (1024² = 196, 976×704 = 129,
# 960×720 = 130). high: a least-squares fit in log space to the four forum points (1024² =
# 7024, 1536×1024 = 5488, 1792×1024 = 5063, 3584×2048 = 12329), residuals -24.5 %,
# +12.8 %, +29.7 %, -9.5 %: the points disagree with each other more than with any
# smooth rule. medium: the exponent halfway (the mean), the base fitted to a real answer;
# xhigh and max, with no data at all, are 1.5× and 2× high. README has the table.
# Recorded answers win over forum points (README: "gpt-image-2 tokens"): low 1024x1024 =
# 196 (recorded and forum), 1280x720 = 106 and 1536x864 = 120 (recorded: wide pictures bill
# fewer tokens, so they have a rule of their own, fitted through both points); medium at the
# auto size 1254x1254 = 2058 (recorded: the medium base is fitted to it, the exponent stays
# halfway). The forum's low 976x704 = 129 and 960x720 = 130 stay exact.
PIXEL_TOKENS = PixelTokenRule(
    base=_frozen({"low": 196, "medium": 1555.2, "high": 5303, "xhigh": 7955, "max": 10606}),
    exponent=_frozen({"low": 1.0, "medium": 0.691, "high": 0.382, "xhigh": 0.382, "max": 0.382}),
    wide=_frozen({"low": (110.7584, 0.340203)}),
)
# gpt-image-2 on (a recorded JSON edit: one 128x128 input billed 64 image tokens and the
# prompt + 7 text tokens): 16-pixel patches; the fit to 2048² is the tile rule's (inferred).
PATCH_IMAGE_TOKENS = ImageTokenRule(text_base=1, text_per_tile=0, patch=16)

GPT_IMAGE_UPLOADS = UploadRules(
    mimetypes=("image/jpeg", "image/png", "image/webp"),
    formats=("PNG", "JPEG", "WEBP"),
    max_bytes=50 * MiB,
)
# docs/decisions.md: quality auto → medium (what recordings show most, §14.2), size auto →
# 1024x1024, background auto → opaque.
AUTO = _frozen({"quality": "medium", "size": "1024x1024", "background": "opaque"})

# Prices per million tokens: text input, image input, image output (docs/models-and-tokens.md).
GPT_IMAGE_1_PRICES = TokenPrices(
    5.0, 10.0, 40.0, "contract §8.1 (forum 1275254: $5 text, $10 image input, $40 output per M)",
    "2025-05",
)  # fmt: skip
MINI_PRICES = TokenPrices(
    2.0, 2.5, 8.0, "OpenAI pricing page at launch (not in the contract: inferred)", "2025-10"
)
GPT_IMAGE_1_5_PRICES = TokenPrices(
    5.0, 8.0, 32.0, "OpenAI pricing page at launch (not in the contract: inferred)", "2025-12"
)
GPT_IMAGE_2_PRICES = TokenPrices(
    5.0, 8.0, 30.0,
    "contract §11.2 ($30/M output, consistent with high 1024² ≈ $0.211); input prices "
    "gpt-image-1.5's (inferred)",
    "2026-04",
)  # fmt: skip


def borrowed(prices: TokenPrices, whose: str, as_of: str) -> TokenPrices:
    """Another model's prices, for a model no source prices."""
    return replace(prices, source=f"no source: {whose}'s prices", as_of=as_of)


@dataclass(frozen=True)
class Family:
    """What a generation of GPT image models takes and how it counts."""

    sizes: Param
    qualities: tuple[str, ...]
    formats: tuple[str, ...]
    input_fidelity: Param | None  # None: refused with the model's own error
    table_tokens: bool  # the guide's table; else tokens from pixels
    output_token_details: bool
    complexity: bool = False
    markup: bool = False
    safety_identifier: bool = True  # every model after gpt-image-1
    latency: Mapping[str, float] = field(
        default_factory=lambda: _frozen({"low": 10.0, "medium": 20.0, "high": 50.0})
    )


GPT_IMAGE_1_FAMILY = Family(
    sizes=STANDARD_SIZES,
    qualities=STANDARD_QUALITIES,
    formats=RASTER_FORMATS,
    input_fidelity=Choice(("high", "low")),
    table_tokens=True,
    output_token_details=False,
    safety_identifier=False,
    latency=_frozen({"low": 12.0, "medium": 25.0, "high": 60.0}),
)
MINI = Family(
    sizes=STANDARD_SIZES,
    qualities=STANDARD_QUALITIES,
    formats=RASTER_FORMATS,
    input_fidelity=Choice(("low",)),  # "gpt-image-1-mini supports only low"
    table_tokens=True,
    output_token_details=False,  # output_tokens_details came with gpt-image-1.5 (§6)
    latency=_frozen({"low": 5.0, "medium": 10.0, "high": 25.0}),
)
GPT_IMAGE_1_5 = Family(
    sizes=STANDARD_SIZES,
    qualities=STANDARD_QUALITIES,
    formats=RASTER_FORMATS,
    input_fidelity=Choice(("high", "low")),
    table_tokens=True,
    output_token_details=True,
)
GPT_IMAGE_2 = Family(
    sizes=FreeSize(),
    qualities=STANDARD_QUALITIES,
    formats=RASTER_FORMATS,
    input_fidelity=None,
    table_tokens=False,
    output_token_details=True,
    latency=_frozen({"low": 15.0, "medium": 30.0, "high": 70.0}),
)
GPT_IMAGE_2_5 = Family(
    sizes=FreeSize(),
    qualities=EXTENDED_QUALITIES,
    formats=ALL_FORMATS,
    input_fidelity=None,
    table_tokens=False,
    output_token_details=True,
    complexity=True,
    markup=True,
    latency=_frozen({"low": 15.0, "medium": 30.0, "high": 70.0, "xhigh": 100.0, "max": 150.0}),
)


def _output_params(family: Family) -> dict[str, Param]:
    """The parameters after ``partial_images`` that only some families take."""
    params: dict[str, Param] = {}
    if family.complexity:
        params["complexity"] = Choice(("low", "medium", "high"))
    if "gif" in family.formats:
        params["frame_count"] = Integer(2, 16)
        params["frame_duration_ms"] = Integer(0, 2_147_483_647)  # capped when encoded
    if "svg" in family.formats:
        params["svg"] = SvgOptions(SVG_EFFORTS)
    return params


def _safety_identifier(family: Family) -> dict[str, Param]:
    return {"safety_identifier": Text()} if family.safety_identifier else {}


def _generations(family: Family) -> EndpointRules:
    return EndpointRules(
        params=_frozen(
            {
                "prompt": Text(max_length=32000, non_empty=True),
                "n": Integer(1, 10),
                "quality": Choice(family.qualities),
                "output_format": Choice(family.formats),
                "output_compression": Integer(0, 100),
                "size": family.sizes,
                "moderation": Choice(("low", "auto")),
                "background": Choice(("transparent", "opaque", "auto")),
                "user": Text(),
                **_safety_identifier(family),
                "stream": Boolean(),
                "partial_images": Integer(0, 3),
                **_output_params(family),
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
        rules=(
            transparent_needs_alpha_format,
            compression_needs_lossy_format,
            animation_and_vector_limits,
        ),
    )


def _edits(family: Family) -> EndpointRules:
    params: dict[str, Param] = {
        "image": Files(max_count=16, array=True),
        "prompt": Text(max_length=32000, non_empty=True),
        "mask": Files(),
    }
    if family.markup:
        params["markup"] = Files()
    params |= {
        "n": Integer(1, 10),
        "quality": Choice(family.qualities),
        "size": family.sizes,
        "user": Text(),
        **_safety_identifier(family),
        "background": Choice(("transparent", "opaque", "auto")),
        "output_format": Choice(family.formats),
        "output_compression": Integer(0, 100),
    }
    defaults: dict[str, object] = {
        "n": 1,
        "quality": "auto",
        "size": "auto",
        "background": "auto",
        "output_format": "png",
        "output_compression": 100,
        "stream": False,
        "partial_images": 0,
    }
    if family.input_fidelity is not None:
        params["input_fidelity"] = family.input_fidelity
        defaults["input_fidelity"] = "low"
    params |= {"stream": Boolean(), "partial_images": Integer(0, 3), **_output_params(family)}
    refused: dict[str, Callable[[str], APIError]] = {}
    if family.input_fidelity is None:
        refused["input_fidelity"] = errors.input_fidelity_not_supported
    return EndpointRules(
        params=_frozen(params),
        defaults=_frozen(defaults),
        required=("image", "prompt"),
        rules=(
            transparent_needs_alpha_format,
            compression_needs_lossy_format,
            animation_and_vector_limits,
            markup_excludes_mask,
        ),
        uploads=GPT_IMAGE_UPLOADS,
        mask=MaskRules(),
        auto_size_follows_image=True,
        refused=_frozen(refused),
    )


def gpt_image_model(
    id: str,
    family: Family,
    *,
    released: str,
    aliases: tuple[str, ...] = (),
    prices: TokenPrices,
    shutdown: str | None = None,
    note: str = "",
    **lifecycle: Any,
) -> ModelSpec:
    return ModelSpec(
        id=id,
        response_style="gpt-image",
        aliases=aliases,
        released=released,
        shutdown=shutdown,
        note=note,
        **lifecycle,
        auto=AUTO,
        output_tokens=TABLE_TOKENS if family.table_tokens else _frozen({}),
        pixel_tokens=None if family.table_tokens else PIXEL_TOKENS,
        output_token_details=family.output_token_details,
        input_image_tokens=ImageTokenRule() if family.table_tokens else PATCH_IMAGE_TOKENS,
        always_high_fidelity=family.input_fidelity is None,
        latency_seconds=family.latency,
        prices=prices,
        endpoints=_frozen({"generations": _generations(family), "edits": _edits(family)}),
    )


GPT_IMAGE_1 = gpt_image_model(
    "gpt-image-1",
    GPT_IMAGE_1_FAMILY,
    released="2025-04-23",
    prices=GPT_IMAGE_1_PRICES,
    shutdown="2026-10-23",
    note="the seed's model: 25 MB uploads in the guide, 50 MB from 2025-06 (contract §1)",
)
# The deprecations page: notice on 2026-06-02, shutdown on 2026-12-01. Its replacement column
# named the 2.5 models in October 2026 and names the 2.6 ones since their release.
DECEMBER_2026_SHUTDOWN: dict[str, Any] = {
    "shutdown": "2026-12-01",
    "deprecated": "2026-06-02",
    "replacements": (
        ("2026-06-02", "gpt-image-2.5-sunburst or gpt-image-2.5-flare"),
        ("2026-11-04", "gpt-image-2.6-sunburst or gpt-image-2.6-flare"),
    ),
    "lifecycle_source": "OpenAI deprecations page (notice 2026-06-02, shutdown 2026-12-01)",
}
GPT_IMAGE_1_MINI = gpt_image_model(
    "gpt-image-1-mini", MINI, released="2025-10-06", prices=MINI_PRICES, **DECEMBER_2026_SHUTDOWN
)
GPT_IMAGE_1_5_MODEL = gpt_image_model(
    "gpt-image-1.5",
    GPT_IMAGE_1_5,
    aliases=("gpt-image-1.5-2025-12-16",),
    released="2025-12-16",
    prices=GPT_IMAGE_1_5_PRICES,
    **DECEMBER_2026_SHUTDOWN,
)
CHATGPT_IMAGE_LATEST = gpt_image_model(
    "chatgpt-image-latest",
    GPT_IMAGE_1_5,
    released="2026-02-09",
    prices=borrowed(GPT_IMAGE_1_5_PRICES, "gpt-image-1.5", "2026-02"),
    note="the contract gives only 'the same input constraints as GPT image models': "
    "gpt-image-1.5's rules (the model it followed)",
    **DECEMBER_2026_SHUTDOWN,
)
GPT_IMAGE_2_MODEL = gpt_image_model(
    "gpt-image-2",
    GPT_IMAGE_2,
    aliases=("gpt-image-2-2026-04-21",),
    released="2026-04-21",
    prices=GPT_IMAGE_2_PRICES,
)
GPT_IMAGE_2_5_SUNBURST = gpt_image_model(
    "gpt-image-2.5-sunburst",
    GPT_IMAGE_2_5,
    aliases=("gpt-image-2.5-sunburst-2026-09-08",),
    released="2026-09-08",
    prices=borrowed(GPT_IMAGE_2_PRICES, "gpt-image-2", "2026-09"),
    note="input_fidelity is not documented for 2.5: refused as on gpt-image-2",
)
GPT_IMAGE_2_5_FLARE = gpt_image_model(
    "gpt-image-2.5-flare",
    GPT_IMAGE_2_5,
    aliases=("gpt-image-2.5-flare-2026-09-08",),
    released="2026-09-08",
    prices=borrowed(GPT_IMAGE_2_PRICES, "gpt-image-2", "2026-09"),
    note="input_fidelity is not documented for 2.5: refused as on gpt-image-2",
)
_2_6_NOTE = (
    "sizes, qualities and formats are '?' in the contract: the 2.5 family's rules. "
    "First listed by SDK 3.54; released 2026-11-04 (inferred: no public page found for the "
    "day; the deprecations page names the 2.6 models as replacements by December 2026)"
)
GPT_IMAGE_2_6_SUNBURST = gpt_image_model(
    "gpt-image-2.6-sunburst",
    GPT_IMAGE_2_5,
    released="2026-11-04",
    prices=borrowed(GPT_IMAGE_2_PRICES, "gpt-image-2", "2026-10"),
    note=_2_6_NOTE,
)
GPT_IMAGE_2_6_FLARE = gpt_image_model(
    "gpt-image-2.6-flare",
    GPT_IMAGE_2_5,
    released="2026-11-04",
    prices=borrowed(GPT_IMAGE_2_PRICES, "gpt-image-2", "2026-10"),
    note=_2_6_NOTE,
)

# In release order, as the API lists them (§9.2 row 26).
GPT_IMAGE_MODELS = (
    GPT_IMAGE_1,
    GPT_IMAGE_1_MINI,
    GPT_IMAGE_1_5_MODEL,
    CHATGPT_IMAGE_LATEST,
    GPT_IMAGE_2_MODEL,
    GPT_IMAGE_2_5_SUNBURST,
    GPT_IMAGE_2_5_FLARE,
    GPT_IMAGE_2_6_SUNBURST,
    GPT_IMAGE_2_6_FLARE,
)
