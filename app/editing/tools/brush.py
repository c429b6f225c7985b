"""Brush and eraser: paint into the selected instance's raster mask.

A stroke is painted into the document live (so the canvas repaints only the dab's box); on
release one PaintStroke holding the stroke box's before/after pixels goes on the undo stack.
Consecutive mouse positions are joined by a capsule (all pixels within `radius` of the
segment), so fast moves leave no gaps. A polygon instance becomes a raster mask on the first
stroke; with nothing selected the brush starts a new instance of the current class. The eraser
only ever removes from the selected instance.
"""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import QPointF
from PySide6.QtGui import QColor, QPainter, QPen

from app.canvas.pointer import Buttons, Modifiers, PointerEvent, Tool
from app.canvas.render import RasterCache, ViewTransform
from app.core.geometry import Box, Geometry, RasterGeometry, to_raster
from app.core.instance import Instance
from app.editing.commands import PaintStroke
from app.editing.tools.base import ToolContext
from app.ui.i18n import translate

MIN_RADIUS, MAX_RADIUS = 1, 500


def capsule(x0: float, y0: float, x1: float, y1: float, radius: float) -> tuple[Box, np.ndarray]:
    """Pixels whose centres lie within `radius` of the segment (x0,y0)-(x1,y1), as (box, bool mask)."""
    bx0 = math.floor(min(x0, x1) - radius)
    by0 = math.floor(min(y0, y1) - radius)
    bx1 = math.ceil(max(x0, x1) + radius) + 1
    by1 = math.ceil(max(y0, y1) + radius) + 1
    px = np.arange(bx0, bx1, dtype=np.float32)[None, :] + 0.5
    py = np.arange(by0, by1, dtype=np.float32)[:, None] + 0.5
    dx, dy = x1 - x0, y1 - y0
    length2 = dx * dx + dy * dy
    if length2 == 0:
        d2 = (px - x0) ** 2 + (py - y0) ** 2
    else:
        t = np.clip(((px - x0) * dx + (py - y0) * dy) / length2, 0.0, 1.0)
        d2 = (px - (x0 + t * dx)) ** 2 + (py - (y0 + t * dy)) ** 2
    return (bx0, by0, bx1, by1), d2 <= radius * radius


class BrushTool(Tool):
    name = "brush"
    cursor_shape = "blank"
    erase = False

    def __init__(self, context: ToolContext, radius: float = 12, protect_others: bool = False) -> None:
        self.ctx = context
        self.radius = radius
        self.protect_others = protect_others
        self.cursor: tuple[float, float] | None = None
        self._iid: int | None = None
        self._last: tuple[float, float] | None = None
        self._box: Box | None = None
        self._start: RasterGeometry | None = None
        self._converted_from: Geometry | None = None
        self._created: bool = False
        self._rasters = RasterCache()  # neighbours' polygons, rasterized once, not per dab

    # ---- size ---------------------------------------------------------------------------
    def set_radius(self, radius: float) -> None:
        self.radius = float(min(max(radius, MIN_RADIUS), MAX_RADIUS))
        self.ctx.repaint()

    def key(self, key: str) -> bool:
        if key == "BracketLeft":
            self.set_radius(self.radius / 1.2 if self.radius > 5 else self.radius - 1)
        elif key == "BracketRight":
            self.set_radius(self.radius * 1.2 if self.radius >= 5 else self.radius + 1)
        elif key == "Escape" and self._iid is not None:
            self.cancel()
        else:
            return False
        return True

    def wheel(self, steps: float, modifiers: Modifiers) -> bool:
        if not modifiers & Modifiers.CTRL:
            return False
        self.set_radius(self.radius * (1.15**steps))
        return True

    # ---- stroke -------------------------------------------------------------------------
    def press(self, event: PointerEvent) -> None:
        if event.button is not Buttons.LEFT or self._iid is not None:
            return
        if not self._begin():
            return
        self._last = (event.x, event.y)
        self._dab(event.x, event.y)

    def move(self, event: PointerEvent) -> None:
        self.cursor = (event.x, event.y)
        if self._iid is not None and event.buttons & Buttons.LEFT:
            self._dab(event.x, event.y)
        self.ctx.repaint()

    def release(self, event: PointerEvent) -> None:
        if event.button is Buttons.LEFT and self._iid is not None:
            self._finish()

    def cancel(self) -> None:
        """Esc during a stroke: put everything back as it was before the press."""
        if self._iid is None:
            return
        doc = self.ctx.document()
        if self._created:
            doc.remove(self._iid)
        else:
            doc.set_geometry(self._iid, self._converted_from or self._start)
        self._reset()

    def _begin(self) -> bool:
        doc = self.ctx.document()
        if doc is None:
            return False
        ids = [i for i in self.ctx.selection.ordered if i in doc]
        target = doc.get(ids[-1]) if ids else None
        if target is not None and target.locked:
            self.ctx.message(translate("BrushTool", "The selected instance is locked."))
            return False
        if target is None:
            if self.erase:
                self.ctx.message(translate("BrushTool", "Select the instance to erase from."))
                return False
            target = Instance(doc.new_id(), self.ctx.current_category(), RasterGeometry.empty())
            doc.add(target)
            self._created = True
            self.ctx.selection.set([target.id])
        elif target.is_polygon:
            self._converted_from = target.geometry
            doc.set_geometry(target.id, to_raster(target.geometry, (doc.height, doc.width)))
        self._iid = target.id
        self._start = doc.get(target.id).geometry
        return True

    def _dab(self, x: float, y: float) -> None:
        doc = self.ctx.document()
        lx, ly = self._last
        box, stamp = capsule(lx, ly, x, y, self.radius)
        self._last = (x, y)
        if self.protect_others and not self.erase:
            stamp &= ~self._others(box)
        doc.write_pixels(self._iid, box, np.full(stamp.shape, not self.erase), where=stamp)
        b = self._box
        self._box = box if b is None else (min(b[0], box[0]), min(b[1], box[1]), max(b[2], box[2]), max(b[3], box[3]))

    def _others(self, box: Box) -> np.ndarray:
        """Union of the other visible instances' pixels over `box`."""
        doc = self.ctx.document()
        out = np.zeros((box[3] - box[1], box[2] - box[0]), bool)
        for inst in doc:
            if inst.id == self._iid or not inst.visible:
                continue
            ix0, iy0, ix1, iy1 = inst.bbox()
            if ix1 <= box[0] or ix0 >= box[2] or iy1 <= box[1] or iy0 >= box[3]:
                continue
            out |= self._rasters.get(inst, (doc.height, doc.width)).region(box)
        return out

    def _finish(self) -> None:
        doc = self.ctx.document()
        iid = self._iid
        box = _clip(self._box, doc.width, doc.height)
        final = doc.get(iid).geometry
        if self._created and final.is_empty():
            doc.remove(iid)  # nothing painted (everything protected or outside the image)
            self.ctx.selection.set([])
            self._reset()
            return
        before = self._start.region(box)
        after = final.region(box)
        created = doc.get(iid) if self._created else None
        text = translate("BrushTool", "Erase") if self.erase else translate("BrushTool", "Paint")
        self.ctx.push(
            PaintStroke(doc, iid, box, before, after, text, created=created,
                        converted_from=self._converted_from, start_geometry=self._start)
        )
        self._reset()

    def _reset(self) -> None:
        self._iid = self._last = self._box = self._start = self._converted_from = None
        self._created = False
        self.ctx.repaint()

    def paint_overlay(self, painter: QPainter, view: ViewTransform) -> None:
        if self.cursor is None:
            return
        cx, cy = view.to_screen(*self.cursor)
        r = self.radius * view.scale
        painter.setRenderHint(QPainter.Antialiasing)
        painter.setBrush(QColor(0, 0, 0, 0))
        painter.setPen(QPen(QColor(0, 0, 0, 200), 3))
        painter.drawEllipse(QPointF(cx, cy), r, r)
        painter.setPen(QPen(QColor(255, 90, 90) if self.erase else QColor(255, 255, 255), 1.5))
        painter.drawEllipse(QPointF(cx, cy), r, r)


class EraserTool(BrushTool):
    name = "eraser"
    erase = True


def _clip(box: Box, width: int, height: int) -> Box:
    x0, y0, x1, y1 = box
    x0, y0 = min(max(x0, 0), width), min(max(y0, 0), height)
    return (x0, y0, max(min(x1, width), x0), max(min(y1, height), y0))
