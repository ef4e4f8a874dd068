"""What a checked generations request asks for, and how its pictures are drawn."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import numpy as np

from ..contract.usage import generation_usage
from ..contract.validation import CheckedRequest
from ..render import Scene, encode, png_card, render, seed_for
from ..render.bounded_cache import BoundedCache
from .base import PromptedJob

# Finished images kept for identical requests, all sizes and formats together.
KEPT_IMAGES = BoundedCache(64 * 1024 * 1024)
# A PNG card up to this many pixels (all images of the request) takes well under a
# millisecond: drawn on the event loop, it saves the thread hop.
QUICK_PIXELS = 1536 * 1536


Picture = tuple[Scene, str, int]  # what decides an image's bytes: scene, format, compression


def encoded_picture(scene: Scene, output_format: str, compression: int) -> bytes:
    """An image's bytes from what decides them (the same in any process)."""
    if output_format == "png":
        return png_card(scene)  # the pixels of ``render(scene)``, from kept pieces
    return encode(render(scene), output_format, compression)


async def draw_elsewhere(
    job: GenerationJob, draw: Callable[[list[Picture]], Awaitable[list[bytes]]]
) -> list[bytes]:
    """The job's images, those not kept drawn by ``draw`` (a render worker), then kept."""
    pictures = [job.picture_of(index) for index in range(job.n)]
    found = [KEPT_IMAGES.get(picture) for picture in pictures]
    pairs = list(zip(pictures, found, strict=True))
    missing = [picture for picture, kept in pairs if not isinstance(kept, bytes)]
    drawn = iter(await draw(missing) if missing else [])
    images = []
    for picture, kept in pairs:
        if not isinstance(kept, bytes):
            kept = next(drawn)
            KEPT_IMAGES.put(picture, kept, len(kept))
        images.append(kept)
    return images


@dataclass(frozen=True, kw_only=True)
class GenerationJob(PromptedJob):
    style: str | None
    moderation: str | None

    @classmethod
    def from_request(cls, checked: CheckedRequest) -> GenerationJob:
        return cls(
            **PromptedJob.common_values(checked),
            style=checked.optional_text("style"),
            moderation=checked.optional_text("moderation"),
        )

    def scene(self, index: int) -> Scene:
        """The picture of image ``index`` (0-based): the same request, the same picture."""
        seed = seed_for(
            *self.seed_parts(),
            self.style,
            self.moderation,
            index,
            self.n,
            *self.later_choices(),
        )
        caption = [self.model_name, self.size, self.quality]
        if self.style:
            caption.append(self.style)
        caption.append(f"{index + 1}/{self.n}")
        return self.card(seed, " · ".join(caption))

    def picture(self, index: int) -> np.ndarray:
        return render(self.scene(index))

    def picture_of(self, index: int) -> Picture:
        """What decides image ``index``'s bytes entirely, whatever the namespace or the day."""
        return self.scene(index), self.output_format, self.output_compression

    @property
    def drawn_anywhere(self) -> bool:
        """Whether a render worker can draw this job's images (from ``picture_of`` alone)."""
        return self.output_format in ("png", "jpeg", "webp")

    def encoded(self, index: int, pixels: np.ndarray | None = None) -> bytes:
        # An identical request draws the same image: the bytes are kept.
        picture = self.picture_of(index)
        found = KEPT_IMAGES.get(picture)
        if isinstance(found, bytes):
            return found
        if pixels is None or self.output_format == "png":
            data = encoded_picture(*picture)
        else:
            data = super().encoded(index, pixels)
        KEPT_IMAGES.put(picture, data, len(data))
        return data

    @property
    def quick(self) -> bool:
        width, height = self.dimensions
        return self.output_format == "png" and width * height * self.n <= QUICK_PIXELS

    def revised_prompt(self) -> str | None:
        if not self.model.revised_prompt:
            return None
        mood = "vivid, dramatic" if self.style == "vivid" else "natural, true-to-life"
        said = self.prompt.strip()
        said = said[:1].upper() + said[1:]
        if said and said[-1] not in ".!?":
            said += "."  # the prompt as its own sentence, then the rendering's
        return f"{said} The scene is rendered in a {mood} style with rich detail.".lstrip()

    def usage(self, images: int | None = None) -> dict[str, object] | None:
        if not self.model.reports_usage:
            return None
        n = self.n if images is None else images
        return generation_usage(
            self.model, self.prompt, self.quality, self.size, n, frames=self.frames_billed
        )
