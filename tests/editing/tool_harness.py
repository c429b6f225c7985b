"""A ToolContext over a Document and a QUndoStack, without widgets."""

from __future__ import annotations

from PySide6.QtGui import QUndoStack

from app.canvas.pointer import Buttons, Modifiers, PointerEvent
from app.canvas.render import RasterCache, hit_test
from app.canvas.selection import Selection
from app.core.document import Document
from app.editing.tools.base import ToolContext


class Harness:
    def __init__(self, width: int = 200, height: int = 150, category: int = 1, scale: float = 1.0) -> None:
        self.doc = Document("t.png", width, height)
        self.stack = QUndoStack()
        self.selection = Selection()
        self.messages: list[str] = []
        self.category = category
        self.scale = scale
        self.image = None
        self.ctx = ToolContext(
            document=lambda: self.doc,
            image=lambda: self.image,
            push=self.stack.push,
            selection=self.selection,
            current_category=lambda: self.category,
            hit=lambda x, y: hit_test(self.doc, x, y, RasterCache()),
            view_scale=lambda: self.scale,
            message=self.messages.append,
        )


def click(tool, x, y, mods=Modifiers.NONE, double=False):
    tool.press(PointerEvent(x, y, Buttons.LEFT, Buttons.LEFT, mods, double))
    tool.release(PointerEvent(x, y, Buttons.LEFT, Buttons.NONE, mods))


def drag(tool, points, mods=Modifiers.NONE):
    (x0, y0), rest = points[0], points[1:]
    tool.press(PointerEvent(x0, y0, Buttons.LEFT, Buttons.LEFT, mods))
    for x, y in rest:
        tool.move(PointerEvent(x, y, Buttons.NONE, Buttons.LEFT, mods))
    x1, y1 = points[-1]
    tool.release(PointerEvent(x1, y1, Buttons.LEFT, Buttons.NONE, mods))
