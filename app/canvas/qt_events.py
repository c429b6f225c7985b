"""Qt input in the canvas's terms: buttons, modifiers, key names and cursors for the tools
(which never see Qt types), and the status-bar text for the instance under the pointer."""

from __future__ import annotations

from PySide6.QtCore import Qt

from app.canvas.pointer import Buttons, Modifiers
from app.core.categories import LabelSet
from app.core.instance import Instance
from app.ui.i18n import translate

KEY_NAMES = {
    Qt.Key_Escape: "Escape", Qt.Key_Return: "Return", Qt.Key_Enter: "Return",
    Qt.Key_Backspace: "Backspace", Qt.Key_Delete: "Delete",
    Qt.Key_BracketLeft: "BracketLeft", Qt.Key_BracketRight: "BracketRight", Qt.Key_Tab: "Tab",
}  # fmt: skip
CURSORS = {"arrow": Qt.ArrowCursor, "cross": Qt.CrossCursor, "blank": Qt.BlankCursor}
_BUTTONS = ((Qt.LeftButton, Buttons.LEFT), (Qt.RightButton, Buttons.RIGHT), (Qt.MiddleButton, Buttons.MIDDLE))
_MODIFIERS = ((Qt.ShiftModifier, Modifiers.SHIFT), (Qt.ControlModifier, Modifiers.CTRL), (Qt.AltModifier, Modifiers.ALT))


def _flags(qt_value, table, none):
    """Translate Qt button or modifier flags into ours."""
    out = none
    for qt_flag, ours in table:
        if qt_value & qt_flag:
            out |= ours
    return out


def buttons(qt_buttons) -> Buttons:
    return _flags(qt_buttons, _BUTTONS, Buttons.NONE)


def modifiers(qt_mods) -> Modifiers:
    return _flags(qt_mods, _MODIFIERS, Modifiers.NONE)


def hover_text(inst: Instance, labels: LabelSet) -> str:
    """What the status bar says about the instance under the pointer: id, class, score."""
    score = "" if inst.score is None else f" {inst.score:.2f}"
    kind = translate("Canvas", " (suggestion)") if inst.is_suggestion else ""
    return f"#{inst.id} {labels.name(inst.category_id)}{score}{kind}"
