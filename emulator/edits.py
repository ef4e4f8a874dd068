"""What a checked edits request asks for, and the images and body that answer it."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .catalog import EndpointRules, ModelSpec
from .generations import DETAIL
from .render import MEDIA_TYPES, Scene, board, encode, fit_to, inpaint, render, scale_area, seed_for
from .responses import images_response
from .uploads import InputImage
from .usage import edit_usage
from .validation import CheckedRequest


def closest_size(sizes: tuple[str, ...], width: int, height: int) -> str:
    """The standard size whose aspect ratio is closest to width:height (first on a tie)."""
    target = math.log(width / height)

    def distance(size: str) -> float:
        w, h = (int(v) for v in size.split("x"))
        return abs(math.log(w / h) - target)

    return min((s for s in sizes if s != "auto"), key=distance)


@dataclass(frozen=True)
class EditJob:
    model: ModelSpec
    prompt: str
    n: int
    size: str  # resolved
    quality: str  # resolved
    output_format: str
    output_compression: int
    background: str
    response_format: str
    input_fidelity: str | None
    stream: bool
    partial_images: int
    images: tuple[InputImage, ...]
    # Where the first image is replaced (mask alpha 0); None: the images are references.
    area: np.ndarray | None

    @classmethod
    def from_request(
        cls,
        checked: CheckedRequest,
        rules: EndpointRules,
        images: list[InputImage],
        area: np.ndarray | None,
    ) -> EditJob:
        size = checked.text("size", "1024x1024")
        if checked.values.get("size") == "auto" and rules.auto_size_follows_image:
            sizes = rules.params["size"].values  # type: ignore[attr-defined]
            size = closest_size(sizes, *images[0].size)
        return cls(
            model=checked.model,
            prompt=checked.text("prompt", ""),
            n=checked.integer("n", 1),
            size=size,
            quality=checked.text("quality", "standard"),
            output_format=checked.text("output_format", "png"),
            output_compression=checked.integer("output_compression", 100),
            background=checked.text("background", "opaque"),
            response_format=checked.text("response_format", "b64_json"),
            input_fidelity=checked.optional_text("input_fidelity"),
            stream=checked.flag("stream"),
            partial_images=checked.integer("partial_images", 0),
            images=tuple(images),
            area=area,
        )

    @property
    def dimensions(self) -> tuple[int, int]:
        width, height = self.size.split("x")
        return int(width), int(height)

    @property
    def media_type(self) -> str:
        return MEDIA_TYPES[self.output_format]

    def scene(self, index: int) -> Scene:
        width, height = self.dimensions
        seed = seed_for(
            "edit",
            self.model.id,
            self.prompt,
            self.size,
            self.quality,
            self.output_format,
            self.output_compression,
            self.background,
            self.input_fidelity,
            [image.sha256 for image in self.images],
            None if self.area is None else self.area.tobytes(),
            index,
            self.n,
        )
        caption = f"{self.model.id} · {self.size} · {self.quality} · edit {index + 1}/{self.n}"
        return Scene(
            width=width,
            height=height,
            seed=seed,
            prompt=self.prompt,
            caption=caption,
            detail=DETAIL.get(self.quality, 16),
            transparent=self.background == "transparent",
        )

    def picture(self, index: int) -> np.ndarray:
        scene = self.scene(index)
        fresh = render(scene)
        if self.area is None:  # references: every image shown in the new picture
            return board(fresh, [image.image for image in self.images])
        if len(self.images) > 1:  # the others become part of what is painted in
            fresh = board(fresh, [image.image for image in self.images[1:]])
        base = fit_to(self.images[0].image, scene.width, scene.height, scene.channels)
        return inpaint(base, scale_area(self.area, scene.width, scene.height), fresh)

    def render_images(self) -> list[bytes]:
        return [
            encode(self.picture(i), self.output_format, self.output_compression)
            for i in range(self.n)
        ]

    def settings(self) -> dict[str, object]:
        return {
            "background": self.background,
            "output_format": self.output_format,
            "quality": self.quality,
            "size": self.size,
        }

    def usage(self, images: int | None = None) -> dict[str, object] | None:
        if not self.model.reports_usage:
            return None
        return edit_usage(
            self.model,
            self.prompt,
            [image.size for image in self.images],
            high_fidelity=self.input_fidelity == "high",
            quality=self.quality,
            size=self.size,
            n=self.n if images is None else images,
        )

    def body(
        self, created: int, images: list[bytes], url_for: Callable[[bytes], str]
    ) -> dict[str, object]:
        return images_response(
            self.model,
            created,
            images,
            response_format=self.response_format,
            url_for=url_for,
            settings=self.settings(),
            usage=self.usage(),
        )
