"""The image under the instances: display levels, and the widget-sized background they are drawn
into, with the semantic/panoptic overlay layers on top of it.

The background is kept between frames: a pan by whole pixels shifts it and draws only the strips
it uncovered, so panning a 24 MP image costs a strip, not a screen. Levels are 32-bit (Qt's
Format_RGB32), which Qt scales without converting; an image too big for a full-size 32-bit copy
(more than DISPLAY_COPY_PIXELS) converts only the part in view, and only when zoomed in far
enough to need full resolution.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import cv2
import numpy as np
from PySide6.QtCore import QRect, QRectF
from PySide6.QtGui import QColor, QImage, QPainter

from app.canvas.compose import Rect
from app.canvas.overlay_buffer import shift_into
from app.canvas.overlays import OverlayLayer, colorize
from app.canvas.render import ViewTransform
from app.formats.image_io import LoadedImage

_CROP_MARGIN = 2  # image pixels drawn around a strip, so smoothing has its neighbours
SMOOTH_BELOW = 0.9  # screen pixels per level pixel under which the image is drawn smoothed


def wrap(arr: np.ndarray, fmt: QImage.Format) -> QImage:
    """A QImage over a C-contiguous array, without copying; the caller keeps `arr` alive."""
    h, w = arr.shape[:2]
    return QImage(arr.data, w, h, arr.strides[0], fmt)


class ImageLayer:
    """`frame(view, size, dpr)` returns the background QImage for that view, drawing only what
    changed since the last one. `drawn_pixels` counts device pixels drawn (tests count work)."""

    def __init__(self, background: QColor) -> None:
        self.color = background
        self.image: LoadedImage | None = None
        self.rgb: np.ndarray | None = None  # full-size RGB drawn by parts (no 32-bit copy held)
        self.levels: list[tuple[float, np.ndarray, QImage]] = []  # (image px per level px, ...)
        self.overlay_layers: tuple[tuple[OverlayLayer, float], ...] = ()
        self._arr: np.ndarray | None = None
        self._qimage: QImage | None = None
        self._spare: tuple[np.ndarray, QImage] | None = None  # a pan moves the picture into it
        self.rough = False  # drawn unsmoothed for speed (a zoom): the next frame smooths it
        self._key: tuple | None = None  # (view, size, dpr) of the buffer
        self.drawn_pixels = 0

    def set_image(self, image: LoadedImage | None) -> None:
        self.image, self.rgb, self.levels = image, None, []
        if image is not None:
            for arr in image.pyramid:
                arr = arr if arr.shape[2] == 4 else cv2.cvtColor(arr, cv2.COLOR_RGB2BGRA)
                arr = np.ascontiguousarray(arr)
                self.levels.append((image.width / arr.shape[1], arr, wrap(arr, QImage.Format_RGB32)))
            if image.rgb is not None and not any(abs(f - 1) < 1e-9 for f, _, _ in self.levels):
                self.rgb = image.rgb
            self.levels.sort(key=lambda lv: lv[0])
        self.invalidate()

    def invalidate(self) -> None:
        self._key = None
        self.rough = False

    def _needs_smoothing(self, view: ViewTransform) -> bool:
        return self.image is not None and view.scale * self.level_for(view.scale)[0] < SMOOTH_BELOW

    def frame(self, view: ViewTransform, size: tuple[int, int], dpr: float) -> QImage:
        """The background for `view`. The first frame of a new zoom is drawn without smoothing
        (1-2 ms instead of 4-5 for a shrinking scale); `rough` then asks for one more frame,
        which draws it smoothed."""
        w, h = size
        key = (view, size, dpr)
        if self._key == key and self._qimage is not None:
            if self.rough:
                self.rough = False
                self._draw(view, size, (0, 0, w, h))
            return self._qimage
        old = self._key
        same_buffer = old is not None and old[1:] == key[1:]
        zoomed = same_buffer and old[0].scale != view.scale
        # Rough for a zoom; a pan of a rough picture stays rough until it is smoothed whole.
        self.rough = (zoomed and self._needs_smoothing(view)) or (self.rough and same_buffer and not zoomed)
        dw, dh = round(w * dpr), round(h * dpr)
        if self._arr is None or self._arr.shape != (dh, dw):
            self._arr = np.empty((dh, dw), np.uint32)
            self._qimage = wrap(self._arr, QImage.Format_RGB32)
            self._spare = None
            old = None
        self._qimage.setDevicePixelRatio(dpr)
        self._key = key
        strips = self._shifted(old, view, size, dpr) if old is not None else None
        if strips is None and not zoomed:
            self.rough = False  # drawn whole anyway: draw it smoothed
        for rect in strips if strips is not None else [(0, 0, w, h)]:
            self._draw(view, size, rect)
        return self._qimage

    def _shifted(self, old: tuple, view: ViewTransform, size: tuple[int, int], dpr: float) -> list[Rect] | None:
        """Shift the buffer for a pan by whole device pixels; the strips left to draw, or None."""
        old_view, old_size, old_dpr = old
        if old_size != size or old_dpr != dpr or old_view.scale != view.scale:
            return None
        dx, dy = (old_view.ox - view.ox) * view.scale, (old_view.oy - view.oy) * view.scale
        ix, iy = round(dx), round(dy)
        w, h = size
        if abs(dx - ix) > 1e-6 or abs(dy - iy) > 1e-6 or abs(ix) >= w or abs(iy) >= h or dpr != round(dpr):
            return None
        if self._spare is None:
            spare = np.empty_like(self._arr)
            self._spare = (spare, wrap(spare, QImage.Format_RGB32))
        spare, qimage = self._spare
        shift_into(self._arr, spare, ix * int(dpr), iy * int(dpr))
        self._spare = (self._arr, self._qimage)
        self._arr, self._qimage = spare, qimage
        self._qimage.setDevicePixelRatio(dpr)
        strips = []
        if ix:
            strips.append((0, 0, ix, h) if ix > 0 else (w + ix, 0, w, h))
        if iy:
            strips.append((0, 0, w, iy) if iy > 0 else (0, h + iy, w, h))
        return strips

    def _draw(self, view: ViewTransform, size: tuple[int, int], rect: Rect) -> None:
        x0, y0, x1, y1 = rect
        self.drawn_pixels += (x1 - x0) * (y1 - y0)
        self._fill_outside_image(view, rect)
        p = QPainter(self._qimage)
        p.setClipRect(QRect(x0, y0, x1 - x0, y1 - y0))
        if self.image is not None:
            self._paint_image(p, view, rect)
        for layer, opacity in self.overlay_layers:
            arr = colorize(layer, view, size, opacity, screen_rect=rect)
            p.drawImage(x0, y0, wrap(arr, QImage.Format_RGBA8888_Premultiplied))
        p.end()

    def _fill_outside_image(self, view: ViewTransform, rect: Rect) -> None:
        """The background colour where `rect` shows no image (a memset, not a QPainter fill);
        where the image is drawn it covers every pixel, so those are left alone."""
        d = self._qimage.devicePixelRatio()
        x0, y0, x1, y1 = rect
        if self.image is not None:
            ix0, iy0 = view.to_screen(0, 0)
            ix1, iy1 = view.to_screen(self.image.width, self.image.height)
            ix0, iy0, ix1, iy1 = math.ceil(ix0), math.ceil(iy0), math.floor(ix1), math.floor(iy1)
        else:
            ix0 = iy0 = ix1 = iy1 = 0
        covered = (max(x0, ix0), max(y0, iy0), min(x1, ix1), min(y1, iy1))
        if covered[2] <= covered[0] or covered[3] <= covered[1]:
            parts = [rect]
        else:  # up to four bands around the image
            cx0, cy0, cx1, cy1 = covered
            parts = [(x0, y0, x1, cy0), (x0, cy1, x1, y1), (x0, cy0, cx0, cy1), (cx1, cy0, x1, cy1)]
        for a, b, c, e in parts:
            if c > a and e > b:
                self._arr[round(b * d) : round(e * d), round(a * d) : round(c * d)] = self.color.rgb()

    def level_for(self, scale: float) -> tuple[float, np.ndarray | None, QImage | None]:
        """(image px per level px, array, QImage) drawn at `scale`: the coarsest level that still
        has a pixel per screen pixel; (1, None, None) for the full-size RGB drawn by parts."""
        choices = ([(1.0, None, None)] if self.rgb is not None else []) + self.levels
        fitting = [c for c in choices if c[0] <= 1 / scale + 1e-9]
        return fitting[-1] if fitting else choices[0]

    def _paint_image(self, p: QPainter, view: ViewTransform, rect: Rect) -> None:
        image = self.image
        w, h = image.width, image.height
        f, arr, qimg = self.level_for(view.scale)
        ix0, iy0 = view.to_image(rect[0], rect[1])
        ix1, iy1 = view.to_image(rect[2], rect[3])
        m = _CROP_MARGIN * f
        x0, y0 = max(math.floor(ix0 - m), 0), max(math.floor(iy0 - m), 0)
        x1, y1 = min(math.ceil(ix1 + m), w), min(math.ceil(iy1 + m), h)
        if x1 <= x0 or y1 <= y0:
            return
        sx0, sy0 = view.to_screen(x0, y0)
        sx1, sy1 = view.to_screen(x1, y1)
        target = QRectF(sx0, sy0, sx1 - sx0, sy1 - sy0)
        # Smoothing only when really shrinking (levels keep s*f in [0.5, 1]); near 1:1 it only
        # blurs, and above 100 % pixels must stay crisp squares.
        p.setRenderHint(QPainter.SmoothPixmapTransform, view.scale * f < SMOOTH_BELOW and not self.rough)
        if arr is None:
            crop = cv2.cvtColor(self.rgb[y0:y1, x0:x1], cv2.COLOR_RGB2BGRA)  # only what is seen
            p.drawImage(target, wrap(crop, QImage.Format_RGB32), QRectF(0, 0, x1 - x0, y1 - y0))
        else:
            p.drawImage(target, qimg, QRectF(x0 / f, y0 / f, (x1 - x0) / f, (y1 - y0) / f))

    def set_overlay_layers(self, layers: Sequence[tuple[OverlayLayer, float]]) -> None:
        self.overlay_layers = tuple(layers)
        self.invalidate()
