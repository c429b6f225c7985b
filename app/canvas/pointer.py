"""The tool protocol: the canvas turns each Qt mouse event into one PointerEvent in image
coordinates and hands it to the active Tool, so tools (and their tests) never touch QMouseEvent.
It lives with the canvas, which drives it; the tools themselves live in app.editing.tools."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Flag, auto
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PySide6.QtGui import QPainter

    from app.canvas.render import ViewTransform


class Buttons(Flag):
    NONE = 0
    LEFT = auto()
    RIGHT = auto()
    MIDDLE = auto()


class Modifiers(Flag):
    NONE = 0
    SHIFT = auto()
    CTRL = auto()
    ALT = auto()


@dataclass(frozen=True)
class PointerEvent:
    """x, y: image coordinates (float, pixel corners); button: the one that changed (press /
    release) or NONE for moves; buttons: all held; double: a double-click press."""

    x: float
    y: float
    button: Buttons = Buttons.NONE
    buttons: Buttons = Buttons.NONE
    modifiers: Modifiers = Modifiers.NONE
    double: bool = False


class Tool:
    """Base class: every handler is optional. Tools change the document only through the
    undo stack they are given, and ask for UI (dialogs, messages) by emitting requests."""

    name = "tool"
    cursor_shape = "arrow"

    def press(self, event: PointerEvent) -> None:
        pass

    def move(self, event: PointerEvent) -> None:
        pass

    def release(self, event: PointerEvent) -> None:
        pass

    def key(self, key: str) -> bool:
        """A named key ('Escape', 'Return', 'Backspace', ...); True when consumed."""
        return False

    def cancel(self) -> None:
        pass

    def wheel(self, steps: float, modifiers: Modifiers) -> bool:
        """Ctrl+wheel and friends; True when consumed (otherwise the canvas zooms)."""
        return False

    def paint_overlay(self, painter: QPainter, view: ViewTransform) -> None:
        pass
