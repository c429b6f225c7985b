"""Select tool: pick instances, and edit the selected polygon's vertices.

- click: select the top-most instance under the cursor (Ctrl/Shift+click toggles);
- drag a vertex of the selected polygon; drag an edge's midpoint handle (or Shift+click an
  edge) to insert a vertex; Delete/Backspace removes the active vertex (a ring keeps >= 3);
- drag inside a selected instance to move it (polygon or mask).
Every edit is shown live and lands on the undo stack as one GeometryEdit on release.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QPointF
from PySide6.QtGui import QColor, QPainter, QPen

from app.canvas.pointer import Buttons, Modifiers, PointerEvent, Tool
from app.canvas.render import ViewTransform
from app.core.geometry import Geometry, PolygonGeometry, RasterGeometry
from app.editing.commands import GeometryEdit
from app.editing.tools.base import ToolContext
from app.ui.i18n import translate

HANDLE_PX = 6  # grab radius of vertex and midpoint handles, in screen pixels


@dataclass(frozen=True)
class VertexRef:
    """A vertex of a polygon geometry: ring kind ('parts' or 'holes'), ring index, vertex index."""

    kind: str
    ring: int
    index: int


def _rings(geom: PolygonGeometry):
    for kind in ("parts", "holes"):
        for r, ring in enumerate(getattr(geom, kind)):
            yield kind, r, ring


def _with_ring(geom: PolygonGeometry, kind: str, r: int, ring: np.ndarray) -> PolygonGeometry:
    rings = list(getattr(geom, kind))
    rings[r] = ring
    return PolygonGeometry(tuple(rings), geom.holes) if kind == "parts" else PolygonGeometry(geom.parts, tuple(rings))


def _translated(geom: Geometry, dx: int, dy: int) -> Geometry:
    if isinstance(geom, RasterGeometry):
        return RasterGeometry(geom.mask, geom.x + dx, geom.y + dy)
    return geom.translated(dx, dy)


class SelectTool(Tool):
    name = "select"

    def __init__(self, context: ToolContext) -> None:
        self.ctx = context
        self.active: VertexRef | None = None  # last grabbed vertex, for Delete
        self._drag: str | None = None  # "vertex" | "move"
        self._iid: int | None = None
        self._before: Geometry | None = None
        self._anchor: tuple[float, float] = (0.0, 0.0)

    # ---- helpers -------------------------------------------------------------------------
    def _selected_polygon(self):
        doc = self.ctx.document()
        ids = [i for i in self.ctx.selection.ordered if doc is not None and i in doc]
        if len(ids) != 1:
            return None
        inst = doc.get(ids[0])
        return inst if inst.is_polygon and not inst.locked else None

    def _tolerance(self) -> float:
        return HANDLE_PX / self.ctx.view_scale()

    def find_vertex(self, geom: PolygonGeometry, x: float, y: float) -> VertexRef | None:
        best, best_d = None, self._tolerance()
        for kind, r, ring in _rings(geom):
            d = np.hypot(ring[:, 0] - x, ring[:, 1] - y)
            i = int(np.argmin(d))
            if d[i] <= best_d:
                best, best_d = VertexRef(kind, r, i), float(d[i])
        return best

    def find_edge(self, geom: PolygonGeometry, x: float, y: float, midpoint_only: bool) -> tuple[VertexRef, float] | None:
        """The edge under (x, y): (ref of its first vertex, parameter t in [0, 1])."""
        tol = self._tolerance()
        for kind, r, ring in _rings(geom):
            a, b = ring, np.roll(ring, -1, axis=0)
            if midpoint_only:
                mid = (a + b) / 2
                d = np.hypot(mid[:, 0] - x, mid[:, 1] - y)
                i = int(np.argmin(d))
                if d[i] <= tol:
                    return VertexRef(kind, r, i), 0.5
                continue
            ab = b - a
            length2 = np.maximum((ab**2).sum(axis=1), 1e-12)
            t = np.clip(((x - a[:, 0]) * ab[:, 0] + (y - a[:, 1]) * ab[:, 1]) / length2, 0, 1)
            proj = a + t[:, None] * ab
            d = np.hypot(proj[:, 0] - x, proj[:, 1] - y)
            i = int(np.argmin(d))
            if d[i] <= tol:
                return VertexRef(kind, r, i), float(t[i])
        return None

    # ---- events ----------------------------------------------------------------------------
    def press(self, event: PointerEvent) -> None:
        if event.button is not Buttons.LEFT:
            return
        poly = self._selected_polygon()
        if poly is not None:
            geom = poly.geometry
            ref = self.find_vertex(geom, event.x, event.y)
            edge = None
            if ref is None:
                edge = self.find_edge(geom, event.x, event.y, midpoint_only=not (event.modifiers & Modifiers.SHIFT))
            if ref is None and edge is not None:
                (kind, r, i), t = (edge[0].kind, edge[0].ring, edge[0].index), edge[1]
                ring = getattr(geom, kind)[r]
                new_pt = ring[i] + t * (ring[(i + 1) % len(ring)] - ring[i])
                self._start_drag("vertex", poly.id, event)
                self.ctx.document().set_geometry(poly.id, _with_ring(geom, kind, r, np.insert(ring, i + 1, new_pt, axis=0)))
                ref = VertexRef(kind, r, i + 1)
            if ref is not None:
                if self._drag is None:
                    self._start_drag("vertex", poly.id, event)
                self.active = ref
                return
        hit = self.ctx.hit(event.x, event.y)
        if event.modifiers & (Modifiers.CTRL | Modifiers.SHIFT):
            if hit is not None:
                self.ctx.selection.toggle(hit)
            return
        if hit is None:
            self.ctx.selection.set([])
            self.active = None
            return
        if hit not in self.ctx.selection.ids:
            self.ctx.selection.set([hit])
            self.active = None
        if not self.ctx.document().get(hit).locked:
            self._start_drag("move", hit, event)

    def _start_drag(self, mode: str, iid: int, event: PointerEvent) -> None:
        self._drag, self._iid = mode, iid
        self._before = self.ctx.document().get(iid).geometry
        self._anchor = (event.x, event.y)

    def move(self, event: PointerEvent) -> None:
        if self._drag is None or not event.buttons & Buttons.LEFT:
            return
        doc = self.ctx.document()
        if self._drag == "vertex":
            geom = doc.get(self._iid).geometry
            ref = self.active
            ring = getattr(geom, ref.kind)[ref.ring].copy()
            ring[ref.index] = (event.x, event.y)
            doc.set_geometry(self._iid, _with_ring(geom, ref.kind, ref.ring, ring))
        else:
            # Masks move by whole pixels; polygons follow the same integer steps so both feel alike.
            dx = round(event.x - self._anchor[0])
            dy = round(event.y - self._anchor[1])
            doc.set_geometry(self._iid, _translated(self._before, dx, dy))
        self.ctx.repaint()

    def release(self, event: PointerEvent) -> None:
        if event.button is not Buttons.LEFT or self._drag is None:
            return
        doc = self.ctx.document()
        after = doc.get(self._iid).geometry
        if after != self._before:
            text = translate("SelectTool", "Move instance") if self._drag == "move" else translate("SelectTool", "Edit vertex")
            self.ctx.push(GeometryEdit(doc, self._iid, self._before, after, text))
        self._drag = self._iid = self._before = None

    def cancel(self) -> None:
        if self._drag is not None:
            self.ctx.document().set_geometry(self._iid, self._before)
            self._drag = self._iid = self._before = None
        self.active = None

    def key(self, key: str) -> bool:
        if key in ("Delete", "Backspace"):
            return self.delete_active_vertex()
        if key == "Escape" and self._drag is not None:
            self.cancel()
            return True
        return False

    def delete_active_vertex(self) -> bool:
        """Remove the active vertex; False when there is none (so Delete removes the instance)."""
        poly = self._selected_polygon()
        ref = self.active
        if poly is None or ref is None:
            return False
        rings = getattr(poly.geometry, ref.kind)
        if ref.ring >= len(rings) or ref.index >= len(rings[ref.ring]):
            self.active = None
            return False
        ring = rings[ref.ring]
        if len(ring) <= 3:
            self.ctx.message(translate("SelectTool", "A polygon keeps at least 3 vertices."))
            return True
        new = _with_ring(poly.geometry, ref.kind, ref.ring, np.delete(ring, ref.index, axis=0))
        self.ctx.push(GeometryEdit(self.ctx.document(), poly.id, poly.geometry, new, translate("SelectTool", "Delete vertex")))
        self.active = None
        return True

    def paint_overlay(self, painter: QPainter, view: ViewTransform) -> None:
        poly = self._selected_polygon()
        if poly is None:
            return
        painter.setRenderHint(QPainter.Antialiasing)
        for kind, r, ring in _rings(poly.geometry):
            pts = [QPointF(*view.to_screen(x, y)) for x, y in ring]
            painter.setPen(QPen(QColor(255, 255, 255), 1.2))
            painter.setBrush(QColor(255, 255, 255, 110))
            for a, b in zip(pts, pts[1:] + pts[:1]):
                painter.drawEllipse((a + b) / 2, 2.5, 2.5)  # midpoint handles: drag to insert
            painter.setPen(QPen(QColor(20, 20, 20), 1))
            for i, p in enumerate(pts):
                active = self.active == VertexRef(kind, r, i)
                painter.setBrush(QColor(255, 214, 0) if active else QColor(255, 255, 255))
                painter.drawEllipse(p, 4.5 if active else 3.5, 4.5 if active else 3.5)
