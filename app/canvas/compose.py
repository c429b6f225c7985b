"""Colouring sampled slot maps into the screen overlay, and the overlay buffer a view reuses.

A frame is a handful of whole-array operations on the screen's slots (from app.canvas.labelmap):
edges by a 3×3 cross erode/dilate (a pixel whose neighbours hold another slot is on an outline),
one palette gather for the fills, and small gathers for the outline pixels. Outlines are a
light/dark double stroke: the class colour on the edge and, just inside, black or white, whichever
contrasts with that colour, so every outline reads on dark and on light images at any zoom.
Selected instances get white over black, the hovered one yellow over black.
The buffer that keeps the last composition between frames is app.canvas.overlay_buffer.
"""

from __future__ import annotations

import cv2
import numpy as np

from app.canvas.render import OverlayStyle, ViewTransform
from app.core.categories import Color, LabelSet
from app.core.instance import Instance

MARGIN = 2  # slots sampled around a rectangle so the edges at its border are right
_CROSS = cv2.getStructuringElement(cv2.MORPH_CROSS, (3, 3))
HOVER_COLOR: Color = (255, 214, 0)
DASH = 4  # suggestion outlines: runs of 4 screen pixels along the diagonal, colour then gap

Rect = tuple[int, int, int, int]  # sx0, sy0, sx1, sy1 (screen pixels, exclusive)


def premultiplied(rgb: Color, alpha: float) -> int:
    """An ARGB32 premultiplied word (Qt's Format_ARGB32_Premultiplied, native byte order)."""
    a = round(255 * alpha)
    r, g, b = (round(c * alpha) for c in rgb)
    return (a << 24) | (r << 16) | (g << 8) | b


def companion(rgb: Color) -> int:
    """The inner stroke that sets off an outline of colour `rgb`: black beside light colours,
    white beside dark ones."""
    luma = 0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2]
    return premultiplied((0, 0, 0), 0.7) if luma >= 140 else premultiplied((255, 255, 255), 0.8)


class Palette:
    """Per slot: fill, outline (dash on), outline (dash off), inner stroke words."""

    def __init__(self) -> None:
        self.words = np.zeros((4, 64), np.uint32)
        self._memo: dict[tuple, tuple[int, int, int, int]] = {}

    def reset(self) -> None:
        self.words[:] = 0
        self._memo.clear()

    def set_many(self, entries: list[tuple[int, Instance | None, bool, bool]], labels: LabelSet, style: OverlayStyle) -> None:
        """Colour slots from (slot, instance or None, selected, hovered): one memo lookup per
        slot and one array write for all of them."""
        if not entries:
            return
        top = max(e[0] for e in entries)
        if top >= self.words.shape[1]:
            grown = np.zeros((4, max(top + 1, 2 * self.words.shape[1])), np.uint32)
            grown[:, : self.words.shape[1]] = self.words
            self.words = grown
        memo, color = self._memo, labels.color
        rows = []
        for _slot, inst, selected, hovered in entries:
            if inst is None:
                rows.append((0, 0, 0, 0))
                continue
            key = (color(inst.category_id), inst.is_suggestion, selected, hovered)
            words = memo.get(key)
            if words is None:
                words = memo[key] = _words(*key, style)
            rows.append(words)
        self.words[:, [e[0] for e in entries]] = np.array(rows, np.uint32).T


def _words(color: Color, suggestion: bool, selected: bool, hovered: bool, style: OverlayStyle) -> tuple[int, int, int, int]:
    alpha = style.suggestion_opacity if suggestion else style.opacity
    alpha = min(1.0, alpha + 0.2) if selected else alpha  # hover changes the outline only:
    # its frame then recolours only outline pixels (OverlayBuffer.recolour_rings)
    fill = premultiplied(color, alpha) if style.fill and alpha > 0 else 0
    dark = premultiplied((0, 0, 0), 0.8)
    if selected:
        return fill, premultiplied((255, 255, 255), 1.0), premultiplied((255, 255, 255), 1.0), dark
    if hovered:
        return fill, premultiplied(HOVER_COLOR, 1.0), premultiplied(HOVER_COLOR, 1.0), dark
    if not style.outline:
        return fill, fill, fill, fill
    edge = premultiplied(color, 1.0)
    # Suggestions are dashed: the gap is dark and translucent, so the dash reads on any image.
    return fill, edge, premultiplied((0, 0, 0), 0.55) if suggestion else edge, companion(color)


def classify(slots: np.ndarray, sx0: int, sy0: int) -> tuple[np.ndarray, np.ndarray | None]:
    """(slots (h, w), variant uint8 (h, w)) of the screen rectangle whose top-left is (sx0, sy0),
    from `slots` sampled over it with MARGIN extra pixels on every side. The variant says how a
    pixel is coloured: 0 fill, 1 outline, 2 outline in a dash gap, 3 inner stroke, from a few
    whole-array cv2 operations (a slot boundary is where a 3×3 cross sees two slots).
    variant is None when no instance is there at all (nothing to colour)."""
    m = MARGIN
    inner = (slice(m, slots.shape[0] - m), slice(m, slots.shape[1] - m))
    ids = slots[inner]
    h, w = ids.shape
    if ids.size == 0 or not ids.any():
        return ids, None
    # No "inside" mask is needed: background pixels beside an instance come out as outline
    # pixels too, but slot 0 is transparent in every variant.
    ring1 = cv2.compare(cv2.erode(slots, _CROSS), cv2.dilate(slots, _CROSS), cv2.CMP_NE)
    ring2 = cv2.bitwise_xor(cv2.dilate(ring1, _CROSS), ring1)  # the pixels just inside ring1
    ring1, ring2 = ring1[inner], ring2[inner]
    variant = cv2.bitwise_and(ring1, _dash(h, w, sx0 + sy0))  # 1 on the dashes, 2 in the gaps
    return ids, cv2.bitwise_or(variant, cv2.bitwise_and(ring2, 3))


def colour(ids: np.ndarray, variant: np.ndarray, palette: Palette) -> np.ndarray:
    """uint32 ARGB32 premultiplied (h, w): one gather through the (variant, slot) palette."""
    h, w = ids.shape
    words = palette.words
    if not ids.size:
        return np.zeros((h, w), np.uint32)
    if words.shape[1] < _REMAP_LIMIT and ids.dtype == np.uint16:
        # cv2.remap as a 2-D gather: the palette is a 4 × n image of colours read at
        # (x = slot, y = variant); one pass, where numpy's take first widens 1.6 M indices.
        table = words.view(np.uint8).reshape(words.shape[0], words.shape[1], 4)
        out = cv2.remap(table, ids.astype(np.float32), variant.astype(np.float32), cv2.INTER_NEAREST)
        return out.view(np.uint32).reshape(h, w)
    flat = variant.astype(np.intp) * words.shape[1] + ids.astype(np.intp)
    return words.reshape(-1).take(flat)


_REMAP_LIMIT = 32000  # cv2.remap wants a source narrower than SHRT_MAX
_dash_pattern = np.zeros((0, 0), np.uint8)


def _dash(h: int, w: int, phase: int) -> np.ndarray:
    """uint8 (h, w): 2 on the gap runs of the suggestion dash, ((x + y + phase) // DASH) odd,
    1 on the dashes."""
    global _dash_pattern
    if _dash_pattern.shape[0] < h or _dash_pattern.shape[1] < w + 2 * DASH:
        hh, ww = max(h, 1024), max(w + 2 * DASH, 2048)
        _dash_pattern = (1 + ((np.arange(hh)[:, None] + np.arange(ww)[None, :]) // DASH) % 2).astype(np.uint8)
    k = phase % (2 * DASH)
    return _dash_pattern[:h, k : k + w]


def sample_grid(view: ViewTransform, rect: Rect, margin: int = MARGIN) -> tuple[np.ndarray, np.ndarray]:
    """Image pixels (xs, ys) sampled by the centres of the screen pixels of `rect` grown by
    `margin`: the same nearest-neighbour rule as the image, so masks sit on their pixels."""
    sx0, sy0, sx1, sy1 = rect
    xs = np.floor((np.arange(sx0 - margin, sx1 + margin) + 0.5) / view.scale + view.ox).astype(np.int64)
    ys = np.floor((np.arange(sy0 - margin, sy1 + margin) + 0.5) / view.scale + view.oy).astype(np.int64)
    return xs, ys
