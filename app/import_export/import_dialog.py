"""Import labels from COCO, COCO panoptic, VOC-style PNGs or labelme JSON into the project.

Imports append to the labels images already have. The import runs on a copy of the LabelSet in
a QThread; classes it had to add are inserted into the real LabelSet on the GUI thread when it
has finished (LabelSet.changed listeners are GUI code). `imported` then carries the changed
image paths: the main window must drop/reload those documents, and should save open documents
(session.save_all()) before showing this dialog so the import appends to what the user sees.
"""

from __future__ import annotations

import os
from functools import partial
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QRadioButton,
    QWidget,
)

from app.core.categories import LabelSet
from app.formats.coco import import_coco
from app.formats.labelme import import_labelme
from app.formats.panoptic import import_panoptic
from app.formats.png_masks import import_png_masks
from app.formats.project_io import ImportReport
from app.formats.store import ProjectStore
from app.import_export.task_dialog import Task, TaskDialog
from app.ui.i18n import translate

#: key -> whether the source is a single file (else a folder)
FORMATS = {"coco": True, "panoptic": True, "png": False, "labelme": False}


def format_title(key: str) -> str:
    return {
        "coco": translate("ImportDialog", "COCO instances (JSON)"),
        "panoptic": translate("ImportDialog", "COCO panoptic (JSON + PNG folder)"),
        "png": translate("ImportDialog", "PNG masks (Pascal VOC layout)"),
        "labelme": translate("ImportDialog", "labelme JSON"),
    }[key]


def copy_labels(labels: LabelSet) -> LabelSet:
    """The worker imports into a copy; new classes are inserted into the real set on the GUI thread."""
    return labels.copy()


class ImportDialog(TaskDialog):
    """Modal import dialog; `imported` carries the list of changed image paths (rel)."""

    imported = Signal(list)

    def __init__(self, image_folder: str | os.PathLike, store: ProjectStore, labels: LabelSet,
                 images: list[str], selected: list[str] | None = None, parent: QWidget | None = None,
                 *, format: str | None = None, source: str | None = None) -> None:
        super().__init__(parent)
        self.folder = Path(image_folder)
        self.store = store
        self.labels = labels
        self.images = list(images)
        self.selected = [s for s in (selected or []) if s in set(self.images)]
        self.report: ImportReport | None = None
        self._work_labels: LabelSet | None = None
        self.setWindowTitle(translate("ImportDialog", "Import labels"))
        self.start_button.setText(translate("ImportDialog", "Import"))
        box = QWidget()
        form = QFormLayout(box)
        self.format_combo = QComboBox()
        for key in FORMATS:
            self.format_combo.addItem(format_title(key), key)
        form.addRow(translate("ImportDialog", "Format:"), self.format_combo)
        self.beside_check = QCheckBox(translate("ImportDialog", "JSON files next to the images"))
        self.beside_check.setChecked(True)
        form.addRow("", self.beside_check)
        self.source_edit = QLineEdit(source or "")
        self.browse_button = QPushButton(translate("ImportDialog", "Browse…"))
        self.browse_button.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.source_edit)
        row.addWidget(self.browse_button)
        form.addRow(translate("ImportDialog", "From:"), row)
        self.all_radio = QRadioButton(translate("ImportDialog", "All %1 images").replace("%1", str(len(self.images))))
        self.selected_radio = QRadioButton(translate("ImportDialog", "Selected images only (%1)").replace("%1", str(len(self.selected))))
        self.selected_radio.setEnabled(bool(self.selected))
        self.all_radio.setChecked(True)
        scope = QHBoxLayout()
        scope.addWidget(self.all_radio)
        scope.addWidget(self.selected_radio)
        form.addRow(translate("ImportDialog", "Into:"), scope)
        self.suggestions_check = QCheckBox(translate("ImportDialog", "Import as suggestions to review"))
        form.addRow("", self.suggestions_check)
        self.options.addWidget(box)
        self.format_combo.currentIndexChanged.connect(self._on_format_changed)
        self.beside_check.toggled.connect(self._on_format_changed)
        if format:
            self.format_combo.setCurrentIndex(self.format_combo.findData(format))
            if format == "labelme" and source:
                self.beside_check.setChecked(False)
        self._on_format_changed()
        self.resize(560, 0)

    def format_key(self) -> str:
        return str(self.format_combo.currentData())

    def _on_format_changed(self) -> None:
        key = self.format_key()
        labelme = key == "labelme"
        self.beside_check.setVisible(labelme)
        use_source = not (labelme and self.beside_check.isChecked())
        self.source_edit.setEnabled(use_source)
        self.browse_button.setEnabled(use_source)
        self.suggestions_check.setVisible(key == "coco")

    def _browse(self) -> None:
        path = self.ask_source_path(FORMATS[self.format_key()], self.source_edit.text() or str(self.folder))
        if path:
            self.source_edit.setText(path)

    def ask_source_path(self, is_file: bool, current: str) -> str:
        """A file or folder chosen by the user ('' when cancelled); tests replace this."""
        if is_file:
            return QFileDialog.getOpenFileName(self, translate("ImportDialog", "Import from"), current, translate("ImportDialog", "JSON files (*.json)"))[0]
        return QFileDialog.getExistingDirectory(self, translate("ImportDialog", "Import from folder"), current)

    def warn(self, text: str) -> None:
        QMessageBox.warning(self, translate("ImportDialog", "Import labels"), text)

    def build_task(self) -> Task | None:
        key = self.format_key()
        text = self.source_edit.text().strip()
        source = Path(text) if text else None
        if key == "labelme" and self.beside_check.isChecked():
            source = None
        elif source is None or not source.exists():
            self.warn(translate("ImportDialog", "Choose an existing file or folder to import from."))
            return None
        elif FORMATS[key] != source.is_file():
            self.warn(translate("ImportDialog", "This format needs a JSON file.") if FORMATS[key] else translate("ImportDialog", "This format needs a folder."))
            return None
        self._work_labels = copy_labels(self.labels)
        images = self.selected if self.selected_radio.isChecked() else self.images
        # The worker gets its own ProjectStore: ProjectStore caches an index that is not
        # thread-safe, and the session's store may be written by autosave meanwhile.
        store = ProjectStore(self.store.image_folder, self.store.root)
        args = (self.folder, store, self._work_labels, list(images))
        if key == "coco":
            fn = partial(import_coco, *args, source, as_suggestions=self.suggestions_check.isChecked())
        elif key == "panoptic":
            fn = partial(import_panoptic, *args, source)
        elif key == "png":
            fn = partial(import_png_masks, *args, source)
        else:
            fn = partial(import_labelme, *args, source_dir=source)
        return lambda should_stop, progress: fn(should_stop=should_stop, progress=progress)

    def task_ended(self) -> None:
        # Also after a failure: documents saved before it already use the added classes' ids.
        if self._work_labels is not None:
            for cat in self._work_labels:
                if cat.id not in self.labels:
                    self.labels.insert(cat)
            self._work_labels = None

    def task_done(self, result: object) -> None:
        report = result if isinstance(result, ImportReport) else ImportReport()
        self.report = report
        text = translate("ImportDialog", "Imported %1 instance(s) into %2 image(s).").replace("%1", str(report.instances_added)) \
            .replace("%2", str(len(report.images_changed)))
        if report.categories_added:
            text += " " + translate("ImportDialog", "New classes: %1.").replace("%1", ", ".join(report.categories_added))
        if report.cancelled:
            text = translate("ImportDialog", "Cancelled.") + " " + text
        self.status.setText(text)
        extra = [translate("ImportDialog", "Not in this folder: %1").replace("%1", name) for name in report.unmatched[:100]]
        self.show_warnings(report.warnings, extra)
        self.imported.emit(list(report.images_changed))
