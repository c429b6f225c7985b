"""Polygon tool: click to add vertices; double-click, Enter or clicking the first vertex closes;
Backspace removes the last vertex; Esc cancels. The draft is tool-local (not on the undo stack);
closing pushes one AddInstance.

With Ctrl held when closing, the polygon becomes another part of the selected polygon instance
(occluded objects); with Alt, a hole in it.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QPainter, QPen, QPolygonF

from app.canvas.pointer import Buttons, Modifiers, PointerEvent, Tool
from app.canvas.render import ViewTransform
from app.core.geometry import PolygonGeometry
from app.core.instance import Instance
from app.editing.commands import AddInstance, GeometryEdit
from app.editing.tools.base import ToolContext
from app.ui.i18n import translate

CLOSE_RADIUS_PX = 8  # screen pixels around the first vertex that close the polygon


class PolygonTool(Tool):
    name = "polygon"
    cursor_shape = "cross"

    def __init__(self, context: ToolContext) -> None:
        self.ctx = context
        self.points: list[tuple[float, float]] = []
        self.cursor: tuple[float, float] | None = None

    def press(self, event: PointerEvent) -> None:
        if event.button is not Buttons.LEFT:
            return
        if event.double:
            # The first press of the double-click already added this point.
            self._close(event.modifiers)
            return
        if len(self.points) >= 3 and self._near_first(event.x, event.y):
            self._close(event.modifiers)
            return
        self.points.append((event.x, event.y))
        self.ctx.repaint()

    def move(self, event: PointerEvent) -> None:
        self.cursor = (event.x, event.y)
        if self.points:
            self.ctx.repaint()

    def key(self, key: str) -> bool:
        if not self.points:
            return False
        if key == "Backspace":
            self.points.pop()
        elif key == "Escape":
            self.cancel()
        elif key == "Return":
            self._close(Modifiers.NONE)
        else:
            return False
        self.ctx.repaint()
        return True

    def cancel(self) -> None:
        self.points = []
        self.ctx.repaint()

    def _near_first(self, x: float, y: float) -> bool:
        fx, fy = self.points[0]
        return np.hypot(x - fx, y - fy) * self.ctx.view_scale() <= CLOSE_RADIUS_PX

    def _close(self, modifiers: Modifiers) -> None:
        pts = _dedupe(self.points)
        self.points = []
        if len(pts) < 3:
            self.ctx.message(translate("PolygonTool", "A polygon needs at least 3 points."))
            self.ctx.repaint()
            return
        doc = self.ctx.document()
        ring = np.array(pts, np.float64)
        target = self._selected_polygon()
        if target is not None and modifiers & (Modifiers.CTRL | Modifiers.ALT):
            old = target.geometry
            if modifiers & Modifiers.ALT:
                new = PolygonGeometry(old.parts, (*old.holes, ring))
                text = translate("PolygonTool", "Add hole")
            else:
                new = PolygonGeometry((*old.parts, ring), old.holes)
                text = translate("PolygonTool", "Add polygon part")
            self.ctx.push(GeometryEdit(doc, target.id, old, new, text))
        else:
            inst = Instance(doc.new_id(), self.ctx.current_category(), PolygonGeometry((ring,)))
            self.ctx.push(AddInstance(doc, inst, text=translate("PolygonTool", "Draw polygon")))
            self.ctx.selection.set([inst.id])
        self.ctx.repaint()

    def _selected_polygon(self):
        doc = self.ctx.document()
        ids = [i for i in self.ctx.selection.ordered if i in doc]
        if len(ids) != 1:
            return None
        inst = doc.get(ids[0])
        return inst if inst.is_polygon and not inst.locked else None

    def paint_overlay(self, painter: QPainter, view: ViewTransform) -> None:
        if not self.points:
            return
        screen = [QPointF(*view.to_screen(x, y)) for x, y in self.points]
        painter.setRenderHint(QPainter.Antialiasing)
        painter.setPen(QPen(QColor(255, 255, 255), 1.5))
        painter.drawPolyline(QPolygonF(screen))
        if self.cursor is not None:
            painter.setPen(QPen(QColor(255, 255, 255, 170), 1, Qt.DashLine))
            painter.drawLine(screen[-1], QPointF(*view.to_screen(*self.cursor)))
        painter.setPen(QPen(QColor(20, 20, 20), 1))
        painter.setBrush(QColor(255, 255, 255))
        for p in screen:
            painter.drawEllipse(p, 3.5, 3.5)
        if len(screen) >= 3:  # the first vertex closes: show it as a bigger target
            painter.setBrush(QColor(255, 214, 0))
            painter.drawEllipse(screen[0], 5.5, 5.5)


def _dedupe(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    out: list[tuple[float, float]] = []
    for p in points:
        if not out or p != out[-1]:
            out.append(p)
    if len(out) > 1 and out[0] == out[-1]:
        out.pop()
    return out
