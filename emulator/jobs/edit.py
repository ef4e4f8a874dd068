"""What a checked edits request asks for, and how its pictures are drawn."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..contract.specs import EndpointRules
from ..contract.uploads import InputImage
from ..contract.usage import edit_usage
from ..contract.validation import CheckedRequest
from ..render import Scene, board, fit_to, inpaint, render, scale_area, seed_for
from .base import PromptedJob


def closest_size(sizes: tuple[str, ...], width: int, height: int) -> str:
    """The standard size whose aspect ratio is closest to width:height (first on a tie)."""
    target = math.log(width / height)

    def distance(size: str) -> float:
        w, h = (int(v) for v in size.split("x"))
        return abs(math.log(w / h) - target)

    return min((s for s in sizes if s != "auto"), key=distance)


@dataclass(frozen=True, kw_only=True)
class EditJob(PromptedJob):
    input_fidelity: str | None
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
        values = PromptedJob.common_values(checked)
        if checked.values.get("size") == "auto" and rules.auto_size_follows_image:
            sizes = rules.params["size"].values  # type: ignore[attr-defined]
            values["size"] = closest_size(sizes, *images[0].size)
        return cls(
            **values,
            input_fidelity=checked.optional_text("input_fidelity"),
            images=tuple(images),
            area=area,
        )

    def scene(self, index: int) -> Scene:
        seed = seed_for(
            "edit",
            *self.seed_parts(),
            self.input_fidelity,
            [image.sha256 for image in self.images],
            None if self.area is None else self.area.tobytes(),
            index,
            self.n,
            *self.later_choices(),
        )
        caption = f"{self.model_name} · {self.size} · {self.quality} · edit {index + 1}/{self.n}"
        return self.card(seed, caption)

    def picture(self, index: int) -> np.ndarray:
        scene = self.scene(index)
        fresh = render(scene)
        if self.area is None:  # references: every image shown in the new picture
            return board(fresh, [image.image for image in self.images])
        if len(self.images) > 1:  # the others become part of what is painted in
            fresh = board(fresh, [image.image for image in self.images[1:]])
        base = fit_to(self.images[0].image, scene.width, scene.height, scene.channels)
        return inpaint(base, scale_area(self.area, scene.width, scene.height), fresh)

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
            frames=self.frames_billed,
        )
