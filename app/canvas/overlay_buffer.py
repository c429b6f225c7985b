"""The composed instance overlay of the widget, kept between frames and redone in parts.

Per screen pixel it keeps the slot, the variant (app.canvas.compose.classify) and the colour, so:
- a pan by whole pixels moves the three arrays (into spare arrays: one pass, not two) and
  composes only the uncovered strips;
- a selection or style change only colours the boxes concerned again (`recolour`), from the
  slots and variants kept, a gather instead of sampling and edge finding; a hover change only
  the outline pixels of one slot (`recolour_rings`);
- a zoom composes the new view in bands of rows within a time budget per frame (painting the
  slot-map tiles a band needs first, `prepare`, also within the budget), and shows the previous
  composition, scaled, where the bands have not reached yet (`pending`), so no frame waits for
  a whole screen of 1,000 instances, nor for a pyramid level never seen before.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np

from app.canvas.compose import Palette, Rect, colour
from app.canvas.render import ViewTransform

BAND = 64  # rows composed at a time while a zoom is composed over several frames

Classify = Callable[[ViewTransform, Rect], tuple[np.ndarray, np.ndarray | None]]
Prepare = Callable[[ViewTransform, Rect, float], bool]  # (view, rect, deadline) -> ready


class OverlayBuffer:
    """`frame(view, size, budget_s)` brings the overlay (uint32 ARGB32 premultiplied, (h, w)) up
    to date for `view`; `recompose(rect)` classifies a rectangle again (geometry changed),
    `recolour(rect)` colours it again (palette changed). `composed_pixels` and `coloured_pixels`
    count the work (tests count work, never time)."""

    def __init__(self, classify_rect: Classify, palette: Palette, prepare: Prepare | None = None) -> None:
        self._classify = classify_rect
        self._prepare = prepare
        self.palette = palette
        self.arr: np.ndarray | None = None
        self.slots: np.ndarray | None = None
        self.variant: np.ndarray | None = None
        self.view: ViewTransform | None = None
        self.done = 0  # rows [0, done) are composed for self.view
        self.restarted = False  # the last frame began the view from scratch
        self.previous: tuple[np.ndarray, ViewTransform] | None = None  # last complete composition
        self._spares: dict[str, np.ndarray] = {}
        self.composed_pixels = 0
        self.coloured_pixels = 0

    def invalidate(self) -> None:
        self.arr, self.previous, self.view = None, None, None

    @property
    def complete(self) -> bool:
        return self.arr is not None and self.done >= self.arr.shape[0]

    def pending(self) -> Rect | None:
        """The screen rows not composed yet for the current view (drawn from `previous`)."""
        if self.arr is None or self.complete:
            return None
        h, w = self.arr.shape
        return (0, self.done, w, h)

    def frame(self, view: ViewTransform, size: tuple[int, int], budget_s: float | None = None) -> np.ndarray:
        w, h = size
        old = self.view
        self.restarted = False
        if self.arr is None or self.arr.shape != (h, w) or old is None or old.scale != view.scale:
            self._start(view, size)
        elif old != view:
            dx, dy = (old.ox - view.ox) * view.scale, (old.oy - view.oy) * view.scale
            ix, iy = round(dx), round(dy)
            if abs(dx - ix) > 1e-6 or abs(dy - iy) > 1e-6 or abs(ix) >= w or abs(iy) >= h:
                self._start(view, size)
            else:
                self._pan(view, ix, iy)
        self._advance(budget_s if self.previous is not None else None)
        return self.arr

    def _start(self, view: ViewTransform, size: tuple[int, int]) -> None:
        """Begin composing `view` from scratch (keeping the last complete composition to show)."""
        if self.complete and self.arr.shape == (size[1], size[0]):
            self.previous = (self.arr, self.view)
        elif self.previous is not None and self.previous[0].shape != (size[1], size[0]):
            self.previous = None
        self.view = view
        self.arr = np.zeros((size[1], size[0]), np.uint32)
        self.variant = np.zeros((size[1], size[0]), np.uint8)
        self.slots = None  # typed by the first classification (uint16, or float32 when huge)
        self.done = 0
        self.restarted = True

    def _advance(self, budget_s: float | None) -> None:
        """Compose bands of pending rows, all of them, or until `budget_s` is spent."""
        h, w = self.arr.shape
        if budget_s is not None and budget_s <= 0:
            return  # the frame is spent: the previous composition stands in once more
        deadline = time.perf_counter() + budget_s if budget_s is not None else None
        while self.done < h:
            y1 = h if deadline is None else min(self.done + BAND, h)
            band = (0, self.done, w, y1)
            if deadline is not None and self._prepare is not None and not self._prepare(self.view, band, deadline):
                break  # what the band samples is still being painted: the next frame goes on
            self._compose(band)
            self.done = y1
            if deadline is not None and time.perf_counter() >= deadline:
                break
        if self.complete:
            self.previous = None

    def _pan(self, view: ViewTransform, dx: int, dy: int) -> None:
        """Keep what is composed, moved by (dx, dy), and compose the strips it uncovered. While
        a zoom is still being composed, the rows not reached yet move along and stay pending
        (rows uncovered at the bottom join them)."""
        h, w = self.arr.shape
        self._shift(dx, dy)
        self.view = view
        self.done = min(max(self.done + dy, 0), h) if self.done < h else h
        self.arr[self.done :] = 0  # pending rows stay transparent (the spare held old pixels)
        if dy < 0 and self.done == h:
            self.recompose((0, h + dy, w, h))
        elif dy > 0:
            self.recompose((0, 0, w, dy))
        if dx:
            self.recompose((0, 0, dx, h) if dx > 0 else (w + dx, 0, w, h))  # clipped to composed rows

    def _shift(self, dx: int, dy: int) -> None:
        for name in ("arr", "slots", "variant"):
            a = getattr(self, name)
            if a is None:
                continue  # no band classified yet
            spare = self._spares.get(name)
            if spare is None or spare.shape != a.shape or spare.dtype != a.dtype:
                spare = np.empty_like(a)
            shift_into(a, spare, dx, dy)
            self._spares[name] = a
            setattr(self, name, spare)

    def _clip(self, rect: Rect) -> Rect | None:
        """`rect` within the composed rows (pending rows are composed later anyway)."""
        if self.arr is None or self.view is None:
            return None
        w = self.arr.shape[1]
        x0, y0, x1, y1 = max(rect[0], 0), max(rect[1], 0), min(rect[2], w), min(rect[3], self.done)
        return (x0, y0, x1, y1) if x1 > x0 and y1 > y0 else None

    def recompose(self, rect: Rect) -> Rect | None:
        """Classify and colour `rect` (clipped to the buffer) again; returns the clipped rect."""
        r = self._clip(rect)
        if r is not None:
            self._compose(r)
        return r

    def _compose(self, r: Rect) -> None:
        x0, y0, x1, y1 = r
        ids, variant = self._classify(self.view, r)
        if self.slots is None or self.slots.dtype != ids.dtype:
            self.slots = np.zeros(self.arr.shape, ids.dtype)
        self.slots[y0:y1, x0:x1] = ids
        if variant is None:  # no instance in the rectangle
            self.variant[y0:y1, x0:x1] = 0
            self.arr[y0:y1, x0:x1] = 0
        else:
            self.variant[y0:y1, x0:x1] = variant
            self.arr[y0:y1, x0:x1] = colour(ids, variant, self.palette)
        self.composed_pixels += (x1 - x0) * (y1 - y0)

    def recolour(self, rect: Rect) -> Rect | None:
        """Colour `rect` again from the slots and variants already classified."""
        r = self._clip(rect)
        if r is None or self.slots is None:
            return None
        x0, y0, x1, y1 = r
        sl = (slice(y0, y1), slice(x0, x1))
        self.arr[sl] = colour(np.ascontiguousarray(self.slots[sl]), np.ascontiguousarray(self.variant[sl]), self.palette)
        self.coloured_pixels += (x1 - x0) * (y1 - y0)
        return r

    def recolour_rings(self, rect: Rect, slot: int) -> Rect | None:
        """Colour again only the outline pixels (variant 1-3) of `slot` in `rect`: what a hover
        change touches, a few thousand pixels instead of the instance's whole box."""
        r = self._clip(rect)
        if r is None or self.slots is None or slot <= 0:
            return None
        sl = (slice(r[1], r[3]), slice(r[0], r[2]))
        variant, slots = self.variant[sl], self.slots[sl]
        ys, xs = np.nonzero((variant != 0) & (slots == slot))
        self.arr[sl][ys, xs] = self.palette.words[variant[ys, xs], slots[ys, xs].astype(np.intp)]
        self.coloured_pixels += len(ys)
        return r

    def slot_at(self, sx: float, sy: float) -> int:
        """The slot drawn at widget point (sx, sy), 0 for none (or not composed yet)."""
        if self.slots is None:
            return 0
        x, y = int(sx // 1), int(sy // 1)
        w = self.slots.shape[1]
        return int(self.slots[y, x]) if 0 <= x < w and 0 <= y < self.done else 0


def shift_into(src: np.ndarray, dst: np.ndarray, dx: int, dy: int) -> None:
    """dst = src moved by (dx, dy); the uncovered strips of dst keep whatever they held."""
    h, w = src.shape[:2]
    dst[max(dy, 0) : h - max(-dy, 0), max(dx, 0) : w - max(-dx, 0)] = src[max(-dy, 0) : h - max(dy, 0), max(-dx, 0) : w - max(dx, 0)]
