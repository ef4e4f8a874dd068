"""Judging uploaded images and masks as the real API does (contract §4.2, §5, §14.5).

Per image part, in order: the declared part type (an explicit non-image type is refused;
none or an empty one means "look at the bytes"), the size limit, what the bytes are, the
pixel count (the decompression-bomb guard, checked from the header before decoding), the
decode itself, then the model's mode, squareness and transparency rules.
"""

from __future__ import annotations

import ctypes
import hashlib
import io
import warnings
from collections.abc import Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field, replace

import numpy as np
from PIL import Image

from ..contract.parts import FormFile
from . import errors
from .specs import MaskRules, MiB, UploadRules

# Largest input decoded, in pixels (6000×6000). Larger images are refused from their
# header alone, so a small file that inflates to gigabytes is never decoded.
MAX_INPUT_PIXELS = 36_000_000

_SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "PNG"),
    (b"\xff\xd8\xff", "JPEG"),
)


# What is kept of a decoded input: the first image (the one an edit paints into) up to the
# largest output side, the others (shown as thumbnails) smaller. Sixteen 6000x6000 inputs then
# hold ~130 MB, not 2.3 GB; sizes, token counts and mask checks use the size as uploaded.
KEPT_SIDE_FIRST = 4096
KEPT_SIDE_OTHERS = 1024


@dataclass(frozen=True)
class InputImage:
    param: str  # "image" or "image[3]"
    index: int
    image: Image.Image  # decoded, at most ``KEPT_SIDE_*`` a side (see ``size``)
    format: str
    sha256: str
    filename: str = ""
    content_type: str | None = None
    raw: bytes = field(default=b"", repr=False)  # the bytes as uploaded, for the journal
    uploaded_size: tuple[int, int] | None = None  # when ``image`` was made smaller

    @property
    def size(self) -> tuple[int, int]:
        """The size as uploaded."""
        return self.uploaded_size or self.image.size


def kept(image: Image.Image, index: int) -> tuple[Image.Image, tuple[int, int] | None]:
    """What is kept of a decoded input (see ``KEPT_SIDE_FIRST``) and, when smaller, the size
    it had."""
    side = KEPT_SIDE_FIRST if index == 0 else KEPT_SIDE_OTHERS
    if max(image.size) <= side:
        return image, None
    original = image.size
    if image.mode not in ("RGB", "RGBA", "L", "LA"):  # what a thumbnail cannot be made of
        image = image.convert("RGBA" if image.mode == "P" or "A" in image.getbands() else "RGB")
    image.thumbnail((side, side), Image.Resampling.BILINEAR)  # in place: the big copy goes
    return image, original


def sniff(head: bytes) -> str | None:
    """The image format the first bytes say, or None."""
    for signature, name in _SIGNATURES:
        if head.startswith(signature):
            return name
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WEBP"
    return None


def _declared_type(file: FormFile) -> str | None:
    if not file.content_type:
        return None
    return file.content_type.split(";")[0].strip().lower() or None


def _decode(data: bytes, param: str, on_failure: errors.APIError) -> Image.Image:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            width, height = image.size
            if width * height > MAX_INPUT_PIXELS:
                raise errors.image_too_many_pixels(param, width, height, MAX_INPUT_PIXELS)
            image.load()
    except errors.APIError:
        raise
    except Image.DecompressionBombError:  # past Pillow's own bound: refused before its size
        width, height = _header_size(data) or (0, 0)
        raise errors.image_too_many_pixels(param, width, height, MAX_INPUT_PIXELS) from None
    except Exception:  # Pillow raises many kinds for broken files
        raise on_failure from None
    return image


def _header_size(data: bytes) -> tuple[int, int] | None:
    """A PNG's width and height from its header (Pillow refuses to open one that large)."""
    if data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR":
        return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    return None


def open_image(
    file: FormFile, param: str, index: int, rules: UploadRules, *, has_mask: bool
) -> InputImage:
    declared = _declared_type(file)
    if declared in rules.sniffed_types:
        declared = None
    if declared is not None and rules.mimetypes and declared not in rules.mimetypes:
        raise errors.unsupported_mimetype(param, declared, rules.mimetypes)
    if file.truncated or file.size > rules.max_bytes:
        if rules.png_only:
            raise errors.dall_e_png_required()
        raise errors.file_too_large(param, rules.max_bytes, file.size)
    data = file.read()
    kind = sniff(data[:16])
    if kind is None:
        if rules.png_only:
            raise errors.dall_e_png_required()
        raise errors.invalid_image_file(index) if declared else errors.missing_mimetype(param)
    if kind not in rules.formats:
        raise errors.dall_e_png_required() if rules.png_only else errors.invalid_image_file(index)
    image = _decode(data, param, errors.invalid_image_file(index))

    mode = image.mode
    if rules.modes and mode not in rules.modes:
        if rules.mode_error == "invalid_image_file":
            raise errors.invalid_image_file(index)
        raise errors.input_image_mode(
            rules.modes_without_mask or rules.modes, mode, rules.error_type
        )
    if rules.square and image.width != image.height:
        raise errors.input_image_not_square(image.width, image.height, rules.error_type)
    if rules.modes_without_mask and not has_mask and mode not in rules.modes_without_mask:
        raise errors.input_image_mode(rules.modes_without_mask, mode, rules.error_type)
    digest = hashlib.sha256(data).hexdigest()
    smaller, uploaded = kept(image, index)
    del image  # the full decode goes now: one input's worth at a time
    return InputImage(
        param, index, smaller, kind, digest, file.filename, file.content_type, data, uploaded
    )


# Lenient mode: any declared type, any decodable mode, no shape rules.
LENIENT_UPLOADS = UploadRules(
    mimetypes=(), formats=("PNG", "JPEG", "WEBP"), max_bytes=50 * MiB, modes=()
)
_PLAIN_MODES = ("RGB", "RGBA", "L", "LA")


def open_image_leniently(file: FormFile, param: str, index: int) -> InputImage:
    """What lenient mode makes of any part: the image if it decodes, else a grey square."""
    try:
        opened = open_image(file, param, index, LENIENT_UPLOADS, has_mask=True)
    except errors.APIError:
        placeholder = Image.new("RGB", (256, 256), (128, 128, 128))
        digest = hashlib.sha256(file.read()).hexdigest()
        return InputImage(
            param, index, placeholder, "PNG", digest, file.filename, file.content_type
        )
    if opened.image.mode in _PLAIN_MODES:
        return opened
    return replace(opened, image=opened.image.convert("RGBA"))


# Large decodes leave freed pages in the decode threads' malloc arenas (glibc keeps them
# for reuse): after a request whose inputs decode to more pixels than this, they are handed
# back to the system.
GIVE_BACK_AFTER_PIXELS = 16_000_000


def give_back_memory() -> None:
    """Return freed heap pages to the system (glibc's malloc_trim; elsewhere nothing)."""
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return
    trim = getattr(libc, "malloc_trim", None)
    if trim is not None:
        trim(0)


def open_images(
    files: Sequence[tuple[str, FormFile]],
    rules: UploadRules,
    *,
    has_mask: bool,
    lenient: bool = False,
    pool: Executor,
) -> list[InputImage]:
    """``open_image`` for every part, side by side in ``pool`` (Pillow lets go of the GIL
    while it decodes); the first failure in part order is raised, as if they had been
    checked one after another."""
    futures = [
        pool.submit(open_image_leniently, file, name, index)
        if lenient
        else pool.submit(open_image, file, name, index, rules, has_mask=has_mask)
        for index, (name, file) in enumerate(files)
    ]
    try:
        return [future.result() for future in futures]
    finally:  # every decode has ended (exception() waits), kept or refused
        decoded = sum(
            width * height
            for future in futures
            if future.exception() is None
            for width, height in [future.result().size]
        )
        if decoded > GIVE_BACK_AFTER_PIXELS:
            give_back_memory()


def open_overlay(
    file: FormFile,
    param: str,
    rules: MaskRules,
    mimetypes: tuple[str, ...],
    first: InputImage,
) -> Image.Image:
    """A PNG with an alpha channel the size of the first image (a mask or a markup)."""
    declared = _declared_type(file)
    if declared in rules.sniffed_types:
        declared = None
    if declared is not None and declared not in mimetypes:
        raise errors.unsupported_mimetype(param, declared, mimetypes)
    if file.truncated or file.size > rules.max_bytes:
        raise errors.mask_png_required(param)
    data = file.read()
    kind = sniff(data[:16])
    if kind is None and declared is None:
        raise errors.missing_mimetype(param)
    if kind != "PNG":
        raise errors.mask_png_required(param)
    overlay = _decode(data, param, errors.mask_png_required(param))
    if overlay.mode == "P" and "transparency" in overlay.info:
        overlay = overlay.convert("RGBA")
    if overlay.mode not in ("RGBA", "LA"):
        raise errors.mask_without_alpha(overlay.mode, param)
    if overlay.size != first.size:
        raise errors.mask_size_mismatch(overlay.size, first.size, param)
    return overlay


def open_mask(
    file: FormFile, rules: MaskRules, mimetypes: tuple[str, ...], first: InputImage
) -> np.ndarray:
    """The area to edit: True where the mask's alpha is 0. Same size as the first image."""
    mask = open_overlay(file, "mask", rules, mimetypes, first)
    return np.asarray(mask.getchannel("A")) == 0


def apply_markup(
    file: FormFile, rules: MaskRules, mimetypes: tuple[str, ...], first: InputImage
) -> InputImage:
    """The first image with the markup drawn over it: what the model is shown."""
    markup = open_overlay(file, "markup", rules, mimetypes, first).convert("RGBA")
    if np.asarray(markup.getchannel("A")).min() == 255:
        raise errors.markup_without_transparency()
    marked = Image.alpha_composite(first.image.convert("RGBA"), markup)
    return replace(first, image=marked if "A" in first.image.getbands() else marked.convert("RGB"))


def own_transparency(image: InputImage) -> np.ndarray | None:
    """DALL·E 2 without a mask edits where the image itself is transparent."""
    if "A" not in image.image.getbands():
        return None
    return np.asarray(image.image.getchannel("A")) == 0
