"""What every images request becomes once checked: a job that draws, encodes and answers.

``ImageJob`` holds what all three endpoints share (model, n, size, output encoding, how the
images are returned); ``PromptedJob`` adds what generations and edits share (prompt,
quality, background, streaming). Each endpoint's job says how its pictures are drawn.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypedDict

import numpy as np

from ..contract.catalog import IMPLIED_SETTINGS
from ..contract.shapes import images_response
from ..contract.specs import ModelSpec
from ..contract.usage import svg_usage
from ..contract.validation import CheckedRequest
from ..render import MEDIA_TYPES, Scene, encode, encode_gif, svg_document

# How coarse the mosaic is per quality: mosaic cells across the subject.
DETAIL = {"low": 8, "medium": 16, "standard": 16, "high": 32, "hd": 32, "xhigh": 48, "max": 64}


@dataclass(frozen=True, kw_only=True)
class ImageJob:
    model: ModelSpec
    n: int
    size: str  # resolved, never "auto"
    response_format: str  # "b64_json" or "url"
    output_format: str
    output_compression: int

    @property
    def dimensions(self) -> tuple[int, int]:
        width, height = self.size.split("x")
        return int(width), int(height)

    @property
    def media_type(self) -> str:
        return MEDIA_TYPES[self.output_format]

    def picture(self, index: int) -> np.ndarray:
        """The pixels of image ``index`` (0-based): the same job, the same pixels."""
        raise NotImplementedError

    @property
    def quick(self) -> bool:
        """Whether rendering costs less than handing it to a thread (a small PNG card): then
        it runs on the event loop."""
        return False

    def encoded(self, index: int, pixels: np.ndarray | None = None) -> bytes:
        """Image ``index`` in the job's output format (from ``pixels`` when drawn already)."""
        drawn = self.picture(index) if pixels is None else pixels
        return encode(drawn, self.output_format, self.output_compression)

    def render_images(self) -> list[bytes]:
        return [self.encoded(i) for i in range(self.n)]

    def settings(self) -> dict[str, object]:
        """The resolved values GPT image responses report at the top level."""
        return {}

    def usage(self, images: int | None = None) -> dict[str, object] | None:
        """Usage for ``images`` images (all of them by default), or None if not reported."""
        return None

    def revised_prompt(self) -> str | None:
        return None

    def extra_fields(self, images: list[bytes]) -> dict[str, object]:
        """Top-level response fields beyond the settings and usage (``svg_usage``)."""
        return {}

    def body(
        self, created: int, images: list[bytes], url_for: Callable[[bytes], str]
    ) -> dict[str, object]:
        return images_response(
            self.model,
            created,
            images,
            response_format=self.response_format,
            url_for=url_for,
            revised_prompt=self.revised_prompt(),
            settings={**self.settings(), **self.extra_fields(images)},
            usage=self.usage(),
        )


class PromptedFields(TypedDict):
    model: ModelSpec
    model_name: str
    prompt: str
    n: int
    size: str
    quality: str
    output_format: str
    output_compression: int
    background: str
    response_format: str
    stream: bool
    partial_images: int
    safety_identifier: str | None
    complexity: str | None
    frame_count: int
    frame_duration_ms: int
    svg_author: str
    svg_effort: str | None


@dataclass(frozen=True, kw_only=True)
class PromptedJob(ImageJob):
    model_name: str  # as asked: a snapshot's name, shown on the picture
    prompt: str
    quality: str  # resolved
    background: str  # "opaque" or "transparent"
    stream: bool
    partial_images: int
    # The effective safety identifier the answer echoes (models that take one).
    safety_identifier: str | None = None
    complexity: str | None = None
    frame_count: int
    frame_duration_ms: int
    svg_author: str
    svg_effort: str | None = None

    @staticmethod
    def common_values(checked: CheckedRequest) -> PromptedFields:
        """The shared fields from a checked request. Defaults cover parameters a model does
        not have at all (DALL·E: no output_format, background, stream ...)."""
        svg = checked.values.get("svg")
        svg_options = svg if isinstance(svg, dict) else {}
        return {
            "model": checked.model,
            "model_name": checked.asked_model,
            "prompt": checked.text("prompt"),
            "n": checked.integer("n"),
            "size": checked.text("size"),
            "quality": checked.text("quality"),
            "output_format": checked.text("output_format"),
            "output_compression": checked.integer("output_compression"),
            "background": checked.text("background"),
            "response_format": checked.text("response_format"),
            "stream": checked.flag("stream"),
            "partial_images": checked.integer("partial_images"),
            "safety_identifier": effective_safety_identifier(checked),
            "complexity": checked.optional_text("complexity"),
            "frame_count": checked.integer("frame_count"),
            "frame_duration_ms": checked.integer("frame_duration_ms"),
            "svg_author": str(svg_options.get("model") or IMPLIED_SETTINGS["svg_author"]),
            "svg_effort": effort if isinstance(effort := svg_options.get("effort"), str) else None,
        }

    def later_choices(self) -> tuple[str, ...]:
        """Choices only later models offer that change the picture; empty for the seed's
        models, so their pictures stay exactly as they were."""
        return ("complexity", self.complexity) if self.complexity else ()

    @property
    def frames_billed(self) -> int:
        """Images' worth of output tokens each image costs: every GIF frame is drawn."""
        return self.frame_count if self.output_format == "gif" else 1

    def scene(self, index: int) -> Scene:
        """The card picture of image ``index``, which SVG output draws as vectors."""
        raise NotImplementedError

    def seed_parts(self) -> tuple[object, ...]:
        """What decides every picture of a prompted job (each job adds its own choices)."""
        return (
            self.model.id,
            self.prompt,
            self.size,
            self.quality,
            self.output_format,
            self.output_compression,
            self.background,
        )

    def card(self, seed: bytes, caption: str) -> Scene:
        """The card of this job's size, quality and background, for ``seed``."""
        width, height = self.dimensions
        return Scene(
            width=width,
            height=height,
            seed=seed,
            prompt=self.prompt,
            caption=caption,
            detail=DETAIL.get(self.quality, 16),
            transparent=self.background == "transparent",
        )

    def render_images(self) -> list[bytes]:
        if self.output_format == "gif":
            return [
                encode_gif(self.picture(i), self.frame_count, self.frame_duration_ms)
                for i in range(self.n)
            ]
        if self.output_format == "svg":
            return [svg_document(self.scene(i)) for i in range(self.n)]
        return super().render_images()

    def extra_fields(self, images: list[bytes]) -> dict[str, object]:
        if self.output_format != "svg":
            return {}
        return {"svg_usage": svg_usage(self.prompt, images, self.svg_author, self.svg_effort)}

    def settings(self) -> dict[str, object]:
        settings: dict[str, object] = {
            "background": self.background,
            "output_format": self.output_format,
            "quality": self.quality,
            "size": self.size,
        }
        if self.safety_identifier is not None:
            settings["safety_identifier"] = self.safety_identifier
        return settings


def effective_safety_identifier(checked: CheckedRequest) -> str | None:
    """What the answer echoes, for models that take ``safety_identifier``: that value when
    non-empty, else ``user`` when non-empty, else nothing (SDK 3.54)."""
    if not checked.model.takes("safety_identifier"):
        return None
    return checked.optional_text("safety_identifier") or checked.optional_text("user") or None
