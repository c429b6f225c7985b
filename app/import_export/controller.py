"""File ▸ Import/Export and the labelme offer: opening the dialogs with a saved, consistent store.

The dialogs read and write label files through their own ProjectStore (the session's cached
index is not thread-safe), so everything is saved first and imported images are re-read after.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QMessageBox, QWidget

from app.formats.labelme import find_labelme_files, labelme_files_to_import
from app.formats.store import ProjectStore
from app.import_export.export_dialog import ExportDialog
from app.import_export.import_dialog import ImportDialog
from app.project.session import ProjectSession
from app.ui.i18n import Context, translate


class LabelTransfer:
    """session() -> the open project or None; selected() -> the images selected in the file list
    (the export dialog offers them); paths() -> every image of the file list; reload(rels)
    re-reads images whose label files an import rewrote; parent hosts the dialogs."""

    tr = Context("LabelTransfer").tr  # its plural messages: self.tr(text, "", n) (app.ui.i18n)

    def __init__(
        self, *, session: Callable[[], ProjectSession | None], selected: Callable[[], list[str]],
        paths: Callable[[], list[str]], reload: Callable[[list[str]], None], parent: QWidget,
    ) -> None:  # fmt: skip
        self._session, self._selected, self._paths, self._reload = session, selected, paths, reload
        self.parent = parent

    def _dialog_args(self, session: ProjectSession) -> tuple:
        session.save_all()
        store = ProjectStore(session.folder, session.store.root)
        return session.folder, store, session.labels, self._paths()

    def export_labels(self) -> None:
        session = self._session()
        if session is None:
            return
        ExportDialog(*self._dialog_args(session), selected=self._selected(), parent=self.parent).exec()

    def import_labels(self, fmt: str | None = None) -> None:
        session = self._session()
        if session is None:
            return
        dlg = ImportDialog(*self._dialog_args(session), parent=self.parent, format=fmt)
        dlg.imported.connect(self._reload)
        dlg.exec()

    def offer_labelme_import(self) -> None:
        """A folder with labelme JSON next to its images that would add instances here: offer
        to import them. The count is the importer's own plan (files whose shapes are all here
        already, e.g. our own labelme export, are left out), so offer and import agree."""
        session = self._session()
        if session is None or not find_labelme_files(session.folder, self._paths()):
            return
        session.save_all()
        store = ProjectStore(session.folder, session.store.root)
        found = labelme_files_to_import(session.folder, store, session.labels.copy(), self._paths())
        if found and self.ask_import_labelme(len(found)):
            self.import_labels("labelme")

    def ask_import_labelme(self, count: int) -> bool:
        """Tests replace this."""
        answer = QMessageBox.question(
            self.parent, translate("LabelTransfer", "labelme files found"),
            self.tr("%n image(s) in this folder have labelme JSON files. Import them?", "", count),
        )  # fmt: skip
        return answer == QMessageBox.Yes
