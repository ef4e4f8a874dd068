"""What a checked variations request asks for, and the images and body that answer it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .catalog import ModelSpec
from .render import encode, fit_to, variation
from .responses import images_response
from .uploads import InputImage
from .validation import CheckedRequest


@dataclass(frozen=True)
class VariationJob:
    model: ModelSpec
    n: int
    size: str
    response_format: str
    image: InputImage
    media_type: str = "image/png"
    output_format: str = "png"

    @classmethod
    def from_request(cls, checked: CheckedRequest, image: InputImage) -> VariationJob:
        return cls(
            model=checked.model,
            n=checked.integer("n", 1),
            size=checked.text("size", "1024x1024"),
            response_format=checked.text("response_format", "url"),
            image=image,
        )

    def render_images(self) -> list[bytes]:
        width, height = (int(v) for v in self.size.split("x"))
        base = fit_to(self.image.image, width, height, 3)
        return [
            encode(
                variation(
                    base, i, self.n, f"{self.model.id} · {self.size} · variation {i + 1}/{self.n}"
                ),
                "png",
            )
            for i in range(self.n)
        ]

    def body(
        self, created: int, images: list[bytes], url_for: Callable[[bytes], str]
    ) -> dict[str, object]:
        return images_response(
            self.model,
            created,
            images,
            response_format=self.response_format,
            url_for=url_for,
            settings={},
            usage=None,
        )
