"""What a checked edits request asks for, and how its pictures are drawn."""

from __future__ import annotations

import math
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass

import numpy as np

from ..contract import errors
from ..contract.params import upload
from ..contract.parts import FormFile
from ..contract.specs import EndpointRules
from ..contract.uploads import (
    InputImage,
    apply_markup,
    open_images,
    open_mask,
    own_transparency,
)
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


# What the caller is told as an edit's inputs are read (the journal keeps them even when a
# later check refuses the request): the decoded images, then each overlay (a markup or a mask)
# with the size of the first image.
SeenImages = Callable[[list[InputImage]], None]
SeenOverlay = Callable[[str, FormFile, tuple[int, int]], None]


def plan_edit(
    checked: CheckedRequest,
    body: dict[str, object],
    *,
    pool: Executor,
    lenient: bool,
    image_param: str = "image",
    seen_images: SeenImages = lambda images: None,
    seen_overlay: SeenOverlay = lambda name, file, size: None,
) -> EditJob:
    """Decode the images, mask and markup of a checked edit (form or JSON edit, or the
    Responses tool's edit), and plan its pictures."""
    rules = checked.model.endpoints["edits"]
    assert rules.uploads is not None and rules.mask is not None
    masks = upload(body, "mask")
    images = open_images(
        upload(body, "image").named_files(image_param),
        rules.uploads,
        has_mask=bool(masks.parts),
        lenient=lenient,
        pool=pool,
    )
    seen_images(images)
    markups = upload(body, "markup")
    if markups.parts:
        markup = markups.files()[0]
        images[0] = apply_markup(markup, rules.mask, rules.uploads.mimetypes, images[0])
        seen_overlay("markup", markup, images[0].size)
    area: np.ndarray | None = None
    if masks.parts:
        mask = masks.files()[0]
        try:
            area = open_mask(mask, rules.mask, rules.uploads.mimetypes, images[0])
        except errors.APIError:
            if not lenient:
                raise  # lenient: a mask that does not fit is ignored
        seen_overlay("mask", mask, images[0].size)
    elif rules.uploads.modes_without_mask is not None:  # DALL·E 2: the image's own alpha
        area = own_transparency(images[0])
        if area is None:  # no alpha at all: nothing to replace
            width, height = images[0].size
            area = np.zeros((height, width), bool)
    return EditJob.from_request(checked, rules, images, area)
