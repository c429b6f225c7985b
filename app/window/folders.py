"""Which folders the user opened (File ▸ Open Recent) and where a read-only folder's labels go."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFileDialog, QMenu, QMessageBox, QWidget

from app.formats.store import ProjectStore
from app.ui.i18n import translate

MAX_RECENT = 10


class Folders:
    """Recent folders and per-folder choices, kept in QSettings."""

    def __init__(self, settings: QSettings, parent: QWidget) -> None:
        self.settings = settings
        self.parent = parent

    def recent(self) -> list[str]:
        value = self.settings.value("recent/folders", [])
        return [value] if isinstance(value, str) else list(value or [])

    def remember(self, folder: Path) -> None:
        recent = [str(folder)] + [f for f in self.recent() if f != str(folder)]
        self.settings.setValue("recent/folders", recent[:MAX_RECENT])

    def add_recent_menu(self, open_action: QAction, before: QAction, open_folder: Callable[[str], object]) -> QMenu:
        """File ▸ Open Recent, placed after `open_action` and before `before` in their menu."""
        file_menu = open_action.associatedObjects()[0]
        menu = file_menu.addMenu(translate("Folders", "Open &Recent"))
        file_menu.insertMenu(before, menu)
        menu.aboutToShow.connect(lambda: self.fill_menu(menu, open_folder))
        return menu

    def fill_menu(self, menu: QMenu, open_folder: Callable[[str], object]) -> None:
        menu.clear()
        for folder in self.recent():
            menu.addAction(folder, lambda f=folder: open_folder(f))
        if not menu.actions():
            menu.addAction(translate("Folders", "(none)")).setEnabled(False)

    def choose(self) -> str:
        """Ask for an image folder ('' when cancelled)."""
        recent = self.recent()
        return QFileDialog.getExistingDirectory(self.parent, translate("Folders", "Open image folder"), recent[0] if recent else "")

    def store_dir(self, folder: Path) -> str | None:
        """Where labels of `folder` go when it is read-only: a remembered choice or a new one
        (None: the folder can hold its own labels; '' : the user chose nothing)."""
        if ProjectStore.can_write_in(folder):
            return None
        key = f"store_dirs/{folder.as_posix()}"
        chosen = self.settings.value(key) or self.ask_output_folder(folder)
        if chosen:
            self.settings.setValue(key, str(chosen))
        return str(chosen or "")

    def ask_output_folder(self, folder: Path) -> str:
        """A read-only image folder needs somewhere else for its labels. Tests replace this."""
        QMessageBox.information(
            self.parent, translate("Folders", "Read-only folder"),
            translate("Folders", "{folder} is read-only, so labels cannot be saved next to the images.\n"
               "Choose a folder for MaskPilot's labels.").format(folder=folder),
        )  # fmt: skip
        return QFileDialog.getExistingDirectory(self.parent, translate("Folders", "Folder for labels"))

    def recursive(self, folder: Path) -> bool:
        return bool(self.settings.value(f"recursive/{folder.as_posix()}", False, type=bool))

    def set_recursive(self, folder: Path, on: bool) -> None:
        self.settings.setValue(f"recursive/{folder.as_posix()}", on)

    def last_image(self, folder: Path) -> str | None:
        return self.settings.value(f"last_image/{folder.as_posix()}")

    def set_last_image(self, folder: Path, rel: str) -> None:
        self.settings.setValue(f"last_image/{folder.as_posix()}", rel)
