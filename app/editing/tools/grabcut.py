"""GrabCut tool: drag a box around an object; on release GrabCut segments it into a new raster
instance of the current class, which becomes the selection.

GrabCut takes seconds on a big box (9 s for a 3000 x 2000 box here, even solved at 800 px), so it
runs off the GUI thread (`ToolContext.run_async`) and the instance is added when it finishes, to
the document the box was drawn on; a result for an image the user has left is dropped with a
message."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPen

from app.canvas.pointer import Buttons, PointerEvent, Tool
from app.core.geometry import Box
from app.core.instance import Instance
from app.core.mask_ops import grabcut_box
from app.editing.commands import AddInstance
from app.editing.tools.base import ToolContext
from app.ui.i18n import translate

if TYPE_CHECKING:
    from PySide6.QtGui import QPainter

    from app.canvas.render import ViewTransform
    from app.core.document import Document
    from app.core.geometry import RasterGeometry


#: Boxes narrower or shorter than this (image pixels) are treated as a stray click.
MIN_BOX_SIDE = 4


class GrabCutTool(Tool):
    """Press-drag-release draws the box (left button); Esc or cancel() drops it."""

    name = "grabcut"
    cursor_shape = "cross"

    def __init__(self, context: ToolContext, iterations: int = 5) -> None:
        self.context = context
        self.iterations = iterations
        self._start: tuple[float, float] | None = None
        self._end: tuple[float, float] | None = None

    @property
    def dragging(self) -> bool:
        return self._start is not None

    def press(self, event: PointerEvent) -> None:
        if event.button is not Buttons.LEFT or event.double:
            return
        if self.context.document() is None or self.context.image() is None:
            return
        self._start = self._end = (event.x, event.y)
        self.context.repaint()

    def move(self, event: PointerEvent) -> None:
        if self._start is None:
            return
        self._end = (event.x, event.y)
        self.context.repaint()

    def release(self, event: PointerEvent) -> None:
        if event.button is not Buttons.LEFT or self._start is None:
            return
        self._end = (event.x, event.y)
        box = self.box()
        self._reset()
        if box is None:
            return
        self._segment(box)

    def key(self, key: str) -> bool:
        if key == "Escape" and self.dragging:
            self.cancel()
            return True
        return False

    def cancel(self) -> None:
        if self.dragging:
            self._reset()

    def box(self) -> Box | None:
        """The dragged box in image pixels (x0, y0, x1, y1), clipped to the image; None while not
        dragging or when a side is under MIN_BOX_SIDE pixels."""
        image = self.context.image()
        if self._start is None or self._end is None or image is None:
            return None
        (ax, ay), (bx, by) = self._start, self._end
        h, w = image.shape[:2]
        x0, y0 = max(math.floor(min(ax, bx)), 0), max(math.floor(min(ay, by)), 0)
        x1, y1 = min(math.ceil(max(ax, bx)), w), min(math.ceil(max(ay, by)), h)
        if x1 - x0 < MIN_BOX_SIDE or y1 - y0 < MIN_BOX_SIDE:
            return None
        return (x0, y0, x1, y1)

    def _segment(self, box: Box) -> bool:
        """Start GrabCut on the box; True when it was started (the instance comes in `_finish`)."""
        doc, image = self.context.document(), self.context.image()
        category = self.context.current_category()
        if doc is None or image is None:
            return False
        if category is None:
            self.context.message(translate("GrabCutTool", "Choose a class for the new instance first."))
            return False
        self.context.message(translate("GrabCutTool", "GrabCut: segmenting the box…"))
        iterations = self.iterations
        self.context.run_async(
            lambda: grabcut_box(image, box, iterations),
            lambda region: self._finish(doc, int(category), region),
        )
        return True

    def _finish(self, doc: Document, category: int, region: RasterGeometry) -> None:
        """GUI thread: add GrabCut's region as a new selected instance of `doc`."""
        if self.context.document() is not doc:
            self.context.message(translate("GrabCutTool", "GrabCut finished after the image changed; its result was dropped."))
            return
        if region.is_empty():
            self.context.message(translate("GrabCutTool", "GrabCut found no object in the box."))
            return
        inst = Instance(doc.new_id(), category, region, provenance=self._provenance())
        self.context.push(AddInstance(doc, inst, text=translate("GrabCutTool", "GrabCut")))
        self.context.selection.set([inst.id])
        self.context.message(self._added_message())

    def _added_message(self) -> str:
        """Status text once the instance is added (empty: clear the 'segmenting' message)."""
        return ""

    def _provenance(self) -> dict:
        """Stored with the new instance (subclasses that fall back to GrabCut say so)."""
        return {"tool": "grabcut"}

    def _reset(self) -> None:
        self._start = self._end = None
        self.context.repaint()

    def paint_overlay(self, painter: QPainter, view: ViewTransform) -> None:
        if self._start is None or self._end is None:
            return
        (ax, ay), (bx, by) = view.to_screen(*self._start), view.to_screen(*self._end)
        rect = QRectF(min(ax, bx), min(ay, by), abs(bx - ax), abs(by - ay))
        painter.save()
        painter.setBrush(Qt.NoBrush)
        # A dark line under a dashed light one stays visible on any image.
        painter.setPen(QPen(QColor(0, 0, 0, 200), 1))
        painter.drawRect(rect)
        pen = QPen(QColor(255, 255, 255), 1, Qt.DashLine)
        painter.setPen(pen)
        painter.drawRect(rect)
        painter.restore()
