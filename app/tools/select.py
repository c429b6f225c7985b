"""Select tool: click picks the top-most instance under the cursor; Ctrl/Shift+click toggles."""

from __future__ import annotations

from collections.abc import Callable

from app.tools.base import Buttons, Modifiers, PointerEvent, Tool


class SelectTool(Tool):
    name = "select"

    def __init__(self, hit_test: Callable[[float, float], int | None], selection) -> None:
        self._hit_test = hit_test
        self._selection = selection

    def press(self, event: PointerEvent) -> None:
        if event.button is not Buttons.LEFT:
            return
        hit = self._hit_test(event.x, event.y)
        additive = bool(event.modifiers & (Modifiers.CTRL | Modifiers.SHIFT))
        if additive:
            if hit is not None:
                self._selection.toggle(hit)
        else:
            self._selection.set([hit] if hit is not None else [])
