"""What a tool may use: the ToolContext the main window (or a test) hands every tool."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


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
    run at once, which suits tests that build a context without widgets); prompt(Prompt, (w, h),
    preview) -> bool, when given, asks the interactive model (SAM) for the masks of a prompt on
    the current image (True: taken, the answer reaches the tool's show_candidates; False: no
    interactive model can run); cancel_preview() drops a pending hover preview.
    """

    def __init__(self, document, image, push, selection, current_category, hit, repaint=lambda: None,
                 view_scale=lambda: 1.0, message=lambda text: None,
                 segment_box: Callable[[tuple[float, float, float, float]], bool] | None = None,
                 run_async: Callable[[Callable[[], Any], Callable[[Any], None]], None] | None = None,
                 prompt: Callable[..., bool] | None = None, cancel_preview: Callable[[], None] = lambda: None) -> None:
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
        self.prompt = prompt
        self.cancel_preview = cancel_preview
