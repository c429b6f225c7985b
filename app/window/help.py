"""Help menu: the keyboard-shortcut sheet (F1), made from the action tables so it is never out of
date, and opening the generated sample folder."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.ui.action_table import MENU_TITLES, ActionSpec, menu_title, plain_text, strip_mnemonic
from app.ui.i18n import translate


def shortcut_rows(specs: Sequence[ActionSpec]) -> list[tuple[str, str, str]]:
    """(menu, command, keys) for every action that has a shortcut, in menu order; the keys as
    this platform writes them (Ctrl on Linux and Windows, ⌘ on macOS)."""
    order = {menu: k for k, menu in enumerate(MENU_TITLES)}
    rows = []
    for spec in sorted((s for s in specs if s.shortcuts), key=lambda s: order.get(s.menu, len(order))):
        keys = ", ".join(QKeySequence(k).toString(QKeySequence.NativeText) for k in spec.shortcuts)
        rows.append((strip_mnemonic(menu_title(spec.menu)), plain_text(spec), keys))
    return rows


class ShortcutSheet(QDialog):
    def __init__(self, specs: Sequence[ActionSpec], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(translate("Help", "Keyboard Shortcuts"))
        rows = shortcut_rows(specs)
        self.table = QTableWidget(len(rows), 3, self)
        self.table.setHorizontalHeaderLabels([translate("Help", "Menu"), translate("Help", "Command"), translate("Help", "Keys")])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.NoEditTriggers)
        for r, row in enumerate(rows):
            for c, text in enumerate(row):
                self.table.setItem(r, c, QTableWidgetItem(text))
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.Stretch)
        self.table.resizeColumnsToContents()
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        self.resize(560, 620)


class HelpActions:
    """Slots of the Help menu: specs() -> every action row the window built."""

    def __init__(self, specs: Callable[[], Sequence[ActionSpec]], open_folder: Callable[[str], object], parent: QWidget) -> None:
        self._specs, self._open_folder, self.parent = specs, open_folder, parent
        self.sheet: ShortcutSheet | None = None

    def show_shortcuts(self) -> None:
        if self.sheet is None:
            self.sheet = ShortcutSheet(self._specs(), self.parent)
        self.sheet.show()
        self.sheet.raise_()

    def open_sample(self) -> None:
        from app.sample import ensure_sample_folder

        self._open_folder(str(ensure_sample_folder()))
