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

from .catalog import ModelSpec
from .render import MEDIA_TYPES, encode
from .responses import images_response
from .validation import CheckedRequest


@dataclass(frozen=True, kw_only=True)
class ImageJob:
    model: ModelSpec
    n: int
    size: str  # resolved, never "auto"
    response_format: str  # "b64_json" or "url"
    output_format: str = "png"
    output_compression: int = 100

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

    def render_images(self) -> list[bytes]:
        return [
            encode(self.picture(i), self.output_format, self.output_compression)
            for i in range(self.n)
        ]

    def settings(self) -> dict[str, object]:
        """The resolved values GPT image responses report at the top level."""
        return {}

    def usage(self, images: int | None = None) -> dict[str, object] | None:
        """Usage for ``images`` images (all of them by default), or None if not reported."""
        return None

    def revised_prompt(self) -> str | None:
        return None

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
            settings=self.settings(),
            usage=self.usage(),
        )


class PromptedFields(TypedDict):
    model: ModelSpec
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


@dataclass(frozen=True, kw_only=True)
class PromptedJob(ImageJob):
    prompt: str
    quality: str  # resolved
    background: str  # "opaque" or "transparent"
    stream: bool
    partial_images: int

    @staticmethod
    def common_values(checked: CheckedRequest) -> PromptedFields:
        """The shared fields from a checked request. Defaults cover parameters a model does
        not have at all (DALL·E: no output_format, background, stream ...)."""
        return {
            "model": checked.model,
            "prompt": checked.text("prompt", ""),
            "n": checked.integer("n", 1),
            "size": checked.text("size", "1024x1024"),
            "quality": checked.text("quality", "standard"),
            "output_format": checked.text("output_format", "png"),
            "output_compression": checked.integer("output_compression", 100),
            "background": checked.text("background", "opaque"),
            # GPT image models only ever answer base64 (they refuse response_format).
            "response_format": checked.text("response_format", "b64_json"),
            "stream": checked.flag("stream"),
            "partial_images": checked.integer("partial_images", 0),
        }

    def settings(self) -> dict[str, object]:
        return {
            "background": self.background,
            "output_format": self.output_format,
            "quality": self.quality,
            "size": self.size,
        }
