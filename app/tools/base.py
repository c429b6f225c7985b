"""The tool protocol: the canvas turns each Qt mouse event into one PointerEvent in image
coordinates, so tools (and their tests) never touch QMouseEvent."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import Flag, auto
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from PySide6.QtGui import QPainter

    from app.render import ViewTransform


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


class ToolContext:
    """What a tool may use, supplied by the main window (tests build one without widgets).

    document() -> Document | None; image() -> RGB uint8 (H, W, 3) | None; push(QUndoCommand)
    puts an edit on the current image's undo stack (and applies it); selection is the shared
    Selection; current_category() -> int is the class for new instances; hit(x, y) -> top-most
    instance id under an image point or None; repaint() asks the canvas for a redraw (tool
    overlays); view_scale() -> current zoom (1.0 = 100 %); message(text) shows a status message;
    segment_box((x0, y0, x1, y1)) -> bool, when given, asks the AI controller to segment an image
    box in the background (True: the request was taken and its result will arrive as an undoable
    AddInstance; False: no box-capable model is loaded); run_async(work, done) runs `work()` off
    the GUI thread and then `done(result)` on it (the window's BackgroundCalls; by default both
    run at once, which suits tests that build a context without widgets).
    """

    def __init__(self, document, image, push, selection, current_category, hit, repaint=lambda: None,
                 view_scale=lambda: 1.0, message=lambda text: None,
                 segment_box: Callable[[tuple[float, float, float, float]], bool] | None = None,
                 run_async: Callable[[Callable[[], Any], Callable[[Any], None]], None] | None = None) -> None:
        self.document = document
        self.image = image
        self.push = push
        self.selection = selection
        self.current_category = current_category
        self.hit = hit
        self.repaint = repaint
        self.view_scale = view_scale
        self.message = message
        self.segment_box = segment_box
        self.run_async = run_async or (lambda work, done: done(work()))
