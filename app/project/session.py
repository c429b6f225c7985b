"""The open project: its store, classes, the documents opened this session, and autosave.

Documents stay in memory once opened (with their undo stacks, owned by the main window), so
switching away and back keeps undo history. Autosave runs at most about a second after the
first unsaved edit (not a second after the last one: continuous editing would postpone a pure
debounce forever, and a crash would lose all of it), and immediately on image switch and on quit.
tests/crash/test_kill.py checks this by SIGKILLing an editing process.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal

from app.core.categories import LabelSet
from app.core.document import Document
from app.formats.class_lists import coco_things
from app.formats.store import LoadResult, ProjectStore
from app.ui.i18n import translate

AUTOSAVE_DELAY_MS = 1000


class ProjectSession(QObject):
    document_saved = Signal(str)  # image rel path
    save_failed = Signal(str)  # user-readable message, translated

    def __init__(self, folder: str | Path, store_dir: str | Path | None = None, recursive: bool = False) -> None:
        super().__init__()
        self.folder = Path(folder)
        self.store = ProjectStore(self.folder, store_dir)
        meta = self.store.load_project()
        self.warnings: list[str] = [meta.warning] if meta.warning else []  # Texts: shown with show_text
        self.labels: LabelSet = meta.labels if meta.labels is not None else coco_things()
        self.settings: dict = meta.settings
        self.settings.setdefault("recursive", recursive)
        self._project_dirty = meta.labels is None
        self.documents: dict[str, Document] = {}
        self._saved_revision: dict[str, int] = {}
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(AUTOSAVE_DELAY_MS)
        self._timer.timeout.connect(self.save_all)
        self.labels.changed.connect(self._on_labels_changed)

    def image_path(self, rel: str) -> Path:
        return self.folder / rel

    def document(self, rel: str, width: int = 0, height: int = 0) -> tuple[Document, str | None]:
        """The document of an image (from memory, else the store). Returns (doc, warning)."""
        doc = self.documents.get(rel)
        if doc is not None:
            return doc, None
        result: LoadResult = self.store.load_document(rel, width, height)
        doc = result.document
        self.documents[rel] = doc
        self._saved_revision[rel] = doc.revision
        doc.changed.connect(self._on_document_changed)
        return doc, result.warning

    def forget(self, rels: list[str]) -> None:
        """Drop in-memory documents whose label files were rewritten elsewhere (an import), so
        they are read again instead of autosaving a stale copy over the new labels."""
        for rel in rels:
            self._drop(rel)
        self.store.invalidate_index()

    def release(self, rel: str) -> bool:
        """Drop a saved document from memory (it is read again from the store when reopened).
        False, and kept, while it has unsaved changes."""
        doc = self.documents.get(rel)
        if doc is None or doc.revision != self._saved_revision.get(rel):
            return False
        self._drop(rel)
        return True

    def _drop(self, rel: str) -> None:
        doc = self.documents.pop(rel, None)
        self._saved_revision.pop(rel, None)
        if doc is not None:  # a dropped copy must not schedule saves if someone still edits it
            doc.changed.disconnect(self._on_document_changed)

    def _on_document_changed(self, _change) -> None:
        self._schedule_save()

    def _on_labels_changed(self, _cid: int) -> None:
        self._project_dirty = True
        self._schedule_save()

    def _schedule_save(self) -> None:
        # Never restart a running timer: every edit reaches the store within AUTOSAVE_DELAY_MS
        # of itself, however long the user keeps editing.
        if not self._timer.isActive():
            self._timer.start()

    def save_all(self) -> bool:
        """Write every changed document (and project.json). False when something failed."""
        self._timer.stop()
        ok = True
        try:
            if self._project_dirty:
                self.store.save_project(self.labels, self.settings)
                self._project_dirty = False
        except OSError as exc:
            ok = False
            self.save_failed.emit(translate("ProjectSession", "Could not save project.json: {error}").format(error=exc))
        for rel, doc in self.documents.items():
            if doc.revision == self._saved_revision.get(rel):
                continue
            try:
                self.store.save_document(doc)
            except OSError as exc:
                ok = False
                self.save_failed.emit(translate("ProjectSession", "Could not save the labels of {image}: {error}")
                                      .format(image=rel, error=exc.strerror or exc))
                continue
            self._saved_revision[rel] = doc.revision
            self.document_saved.emit(rel)
        return ok
