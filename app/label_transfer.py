"""File ▸ Import/Export and the labelme offer: opening the dialogs with a saved, consistent store.

The dialogs read and write label files through their own ProjectStore (the session's cached
index is not thread-safe), so everything is saved first and imported images are re-read after.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.dialogs.export_dialog import ExportDialog
from app.dialogs.import_dialog import ImportDialog
from app.formats.labelme import find_labelme_files
from app.formats.store import ProjectStore

if TYPE_CHECKING:
    from app.main_window import MainWindow


def _dialog_args(window: MainWindow) -> tuple:
    session = window.session
    session.save_all()
    store = ProjectStore(session.folder, session.store.root)
    return session.folder, store, session.labels, window.files.model.paths()


def export_labels(window: MainWindow) -> None:
    if window.session is None:
        return
    selected = [window.current] if window.current else None
    ExportDialog(*_dialog_args(window), selected=selected, parent=window).exec()


def import_labels(window: MainWindow, fmt: str | None = None) -> None:
    if window.session is None:
        return
    dlg = ImportDialog(*_dialog_args(window), parent=window, format=fmt)
    dlg.imported.connect(window.reload_images)
    dlg.exec()


def offer_labelme_import(window: MainWindow) -> None:
    """A folder with labelme JSON next to images not yet labelled here: offer to import them."""
    if window.session is None:
        return
    index = window.session.store.index()
    found = [rel for rel in find_labelme_files(window.session.folder, window.files.model.paths()) if rel not in index]
    if found and window.ask_import_labelme(len(found)):
        import_labels(window, "labelme")
