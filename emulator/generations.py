"""What a checked generations request asks for, and the images and body that answer it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .catalog import ModelSpec
from .render import MEDIA_TYPES, Scene, encode, render, seed_for
from .responses import images_response
from .usage import generation_usage
from .validation import CheckedRequest

# How coarse the mosaic is per quality: mosaic cells across the subject.
DETAIL = {"low": 8, "medium": 16, "standard": 16, "high": 32, "hd": 32}


@dataclass(frozen=True)
class GenerationJob:
    model: ModelSpec
    prompt: str
    n: int
    size: str  # resolved, never "auto"
    quality: str  # resolved
    output_format: str
    output_compression: int
    background: str  # "opaque" or "transparent"
    response_format: str  # "b64_json" or "url"
    style: str | None
    moderation: str | None
    stream: bool
    partial_images: int

    @classmethod
    def from_request(cls, checked: CheckedRequest) -> GenerationJob:
        # Values were checked against the catalog; the defaults here cover parameters a
        # model does not have at all (DALL·E: no output_format, background, stream...).
        return cls(
            model=checked.model,
            prompt=checked.text("prompt", ""),
            n=checked.integer("n", 1),
            size=checked.text("size", "1024x1024"),
            quality=checked.text("quality", "standard"),
            output_format=checked.text("output_format", "png"),
            output_compression=checked.integer("output_compression", 100),
            background=checked.text("background", "opaque"),
            # GPT image models only ever answer base64 (they refuse response_format).
            response_format=checked.text("response_format", "b64_json"),
            style=checked.optional_text("style"),
            moderation=checked.optional_text("moderation"),
            stream=checked.flag("stream"),
            partial_images=checked.integer("partial_images", 0),
        )

    @property
    def dimensions(self) -> tuple[int, int]:
        width, height = self.size.split("x")
        return int(width), int(height)

    @property
    def media_type(self) -> str:
        return MEDIA_TYPES[self.output_format]

    def scene(self, index: int) -> Scene:
        """The picture of image ``index`` (0-based): the same request, the same picture."""
        width, height = self.dimensions
        seed = seed_for(
            self.model.id,
            self.prompt,
            self.size,
            self.quality,
            self.output_format,
            self.output_compression,
            self.background,
            self.style,
            self.moderation,
            index,
            self.n,
        )
        caption = [self.model.id, self.size, self.quality]
        if self.style:
            caption.append(self.style)
        caption.append(f"{index + 1}/{self.n}")
        return Scene(
            width=width,
            height=height,
            seed=seed,
            prompt=self.prompt,
            caption=" · ".join(caption),
            detail=DETAIL.get(self.quality, 16),
            transparent=self.background == "transparent",
        )

    def picture(self, index: int) -> np.ndarray:
        return render(self.scene(index))

    def render_images(self) -> list[bytes]:
        return [
            encode(self.picture(i), self.output_format, self.output_compression)
            for i in range(self.n)
        ]

    def revised_prompt(self) -> str | None:
        if not self.model.revised_prompt:
            return None
        mood = "vivid, dramatic" if self.style == "vivid" else "natural, true-to-life"
        return f"{self.prompt.strip()} The scene is rendered in a {mood} style with rich detail."

    def settings(self) -> dict[str, object]:
        """The resolved values GPT image responses report at the top level."""
        return {
            "background": self.background,
            "output_format": self.output_format,
            "quality": self.quality,
            "size": self.size,
        }

    def usage(self, images: int | None = None) -> dict[str, object] | None:
        if not self.model.reports_usage:
            return None
        n = self.n if images is None else images
        return generation_usage(self.model, self.prompt, self.quality, self.size, n)

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
