"""What a checked variations request asks for, and how its pictures are drawn."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..contract.uploads import InputImage
from ..contract.validation import CheckedRequest
from ..render import fit_to, variation
from .base import ImageJob


@dataclass(frozen=True, kw_only=True)
class VariationJob(ImageJob):
    image: InputImage

    @classmethod
    def from_request(cls, checked: CheckedRequest, image: InputImage) -> VariationJob:
        return cls(
            model=checked.model,
            n=checked.integer("n"),
            size=checked.text("size"),
            response_format=checked.text("response_format"),
            output_format=checked.text("output_format"),
            output_compression=checked.integer("output_compression"),
            image=image,
        )

    def picture(self, index: int) -> np.ndarray:
        width, height = self.dimensions
        caption = f"{self.model.id} · {self.size} · variation {index + 1}/{self.n}"
        return variation(fit_to(self.image.image, width, height, 3), index, self.n, caption)
