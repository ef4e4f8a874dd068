"""SVG output (``output_format: svg``): the same picture as the raster images, as vectors.

The background, the mosaic subject (its cells as rectangles, clipped to the subject's disc,
squircle or diamond) and the card with the wrapped prompt and the caption line sit where
the raster renderer puts them (``scene``), so a person sees the same image either way.
"""

from __future__ import annotations

import math
import re
from xml.sax.saxutils import escape

from .scene import (
    FINGERPRINT_CELLS,
    GRID,
    SUBJECT_CENTRE_Y,
    SUBJECT_RADIUS,
    Scene,
    card_layout,
    fingerprint,
    fingerprint_height,
    mosaic_for,
    palette_for,
    subject_shape,
)

FONT = "Aileron, Helvetica, Arial, sans-serif"  # Aileron is what the raster card uses


def _hex(colour: tuple[int, ...]) -> str:
    return "#{:02x}{:02x}{:02x}".format(*colour[:3])


def _subject_circle(scene: Scene) -> tuple[float, float, float]:
    """Centre and radius of the subject in pixels, as the raster grid places it."""
    rows, cols = -(-scene.height // GRID), -(-scene.width // GRID)
    cx, cy = cols / 2 * GRID, rows * SUBJECT_CENTRE_Y * GRID + GRID / 2
    return cx, cy, min(rows, cols) * SUBJECT_RADIUS * GRID


def _subject_outline(scene: Scene) -> str:
    """The subject's shape in pixels, matching the raster grid's mask."""
    cx, cy, r = _subject_circle(scene)
    shape = subject_shape(scene.seed)
    if shape == 0:
        return f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="{r:.1f}"/>'
    if shape == 1:  # |x|^4 + |y|^4 <= 1, as a polygon of 64 points
        points = []
        for i in range(64):
            t = i / 64 * 6.283185307179586
            c, s = math.cos(t), math.sin(t)
            x = abs(c) ** 0.5 * (1 if c >= 0 else -1)
            y = abs(s) ** 0.5 * (1 if s >= 0 else -1)
            points.append(f"{cx + r * x:.1f},{cy + r * y:.1f}")
        return f'<polygon points="{" ".join(points)}"/>'
    d = 1.2 * r
    return (
        f'<polygon points="{cx:.1f},{cy - d:.1f} {cx + d:.1f},{cy:.1f} '
        f'{cx:.1f},{cy + d:.1f} {cx - d:.1f},{cy:.1f}"/>'
    )


# Characters XML 1.0 does not allow even escaped: a prompt may hold them.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _text(value: str) -> str:
    return escape(_NOT_XML.sub("\ufffd", value))


def svg_document(scene: Scene) -> bytes:
    colours = palette_for(scene.seed)
    width, height = scene.width, scene.height
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}">',
        f"<title>{_text(scene.prompt[:200])}</title>",
        f'<clipPath id="subject">{_subject_outline(scene)}</clipPath>',
    ]
    if not scene.transparent:
        out.append(f'<rect width="{width}" height="{height}" fill="{_hex(colours.background)}"/>')
    cells = mosaic_for(scene, colours)
    side = cells.cell * GRID
    cx, cy, r = _subject_circle(scene)
    reach = 1.2 * r  # the diamond reaches furthest
    out.append('<g clip-path="url(#subject)" shape-rendering="crispEdges">')
    for row, choices in enumerate(cells.choice.tolist()):
        y = row * side
        if y + side < cy - reach or y > cy + reach:
            continue
        column = 0
        while column < len(choices):  # one rectangle per run of one tile
            run = column
            while run + 1 < len(choices) and choices[run + 1] == choices[column]:
                run += 1
            x, x_end = column * side, (run + 1) * side
            if x_end >= cx - reach and x <= cx + reach:
                fill = _hex(tuple(colours.tiles[choices[column]]))
                out.append(
                    f'<rect x="{x}" y="{y}" width="{x_end - x}" height="{side}" fill="{fill}"/>'
                )
            column = run + 1
    out.append("</g>")
    card = card_layout(scene)
    box = (
        f'x="{card.left}" y="{card.top}" width="{card.right - card.left}" '
        f'height="{card.bottom - card.top}"'
    )
    out.append(f'<rect {box} fill="{_hex(colours.card)}"/>')
    out.append(f'<clipPath id="card"><rect {box}/></clipPath><g clip-path="url(#card)">')
    width, strip = card.right - card.left, fingerprint_height(card)  # as the raster draws it
    for cell, colour in enumerate(fingerprint(scene.seed, colours.card)):
        x, x_end = (
            -(-(cell * width) // FINGERPRINT_CELLS),
            -(-((cell + 1) * width) // FINGERPRINT_CELLS),
        )
        out.append(
            f'<rect x="{card.left + x}" y="{card.top}" width="{x_end - x}" height="{strip}" '
            f'fill="{_hex(tuple(colour))}"/>'
        )
    text_x = card.left + card.pad
    for index, line in enumerate(card.lines):
        baseline = card.top + card.pad + index * card.line + round(card.body_size * 0.9)
        out.append(
            f'<text x="{text_x}" y="{baseline}" font-family="{FONT}" '
            f'font-size="{card.body_size}" fill="{_hex(colours.ink)}">{_text(line)}</text>'
        )
    baseline = card.top + card.caption_y + round(card.small_size * 0.9)
    out.append(
        f'<text x="{text_x}" y="{baseline}" font-family="{FONT}" font-size="{card.small_size}" '
        f'fill="{_hex(colours.muted)}">{_text(scene.caption)}</text>'
    )
    out.append("</g></svg>")
    return ("\n".join(out) + "\n").encode()
