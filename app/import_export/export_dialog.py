"""Export labels: pick a format, the images (all or the selection), options and an output path.

The export itself is one of the Qt-free app.formats functions, run by TaskDialog in a QThread.
The main window should save open documents (session.save_all()) before showing this dialog,
because exports read the project store.
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
    QStackedWidget,
    QWidget,
)

from app.core.categories import LabelSet
from app.formats.coco import export_coco
from app.formats.labelme import export_labelme
from app.formats.panoptic import export_panoptic
from app.formats.png_masks import export_png_masks
from app.formats.project_io import ExportReport
from app.formats.store import ProjectStore
from app.formats.yolo import export_yolo
from app.import_export.task_dialog import Task, TaskDialog
from app.ui.i18n import translate

#: key, whether the output is a single JSON file (else a folder), default output name suffix
FORMATS = (("coco", True, "_coco.json"), ("panoptic", True, "_panoptic.json"), ("png", False, "_masks"),
           ("labelme", False, "_labelme"), ("yolo", False, "_yolo"))


def format_title(key: str) -> str:
    return {
        "coco": translate("ExportDialog", "COCO instances (JSON)"),
        "panoptic": translate("ExportDialog", "COCO panoptic (JSON + PNG)"),
        "png": translate("ExportDialog", "PNG masks (Pascal VOC layout)"),
        "labelme": translate("ExportDialog", "labelme JSON"),
        "yolo": translate("ExportDialog", "YOLO segmentation (txt)"),
    }[key]


class ExportDialog(TaskDialog):
    """Modal export dialog. `exported` carries the ExportReport of a finished export."""

    exported = Signal(object)

    def __init__(self, image_folder: str | os.PathLike, store: ProjectStore, labels: LabelSet,
                 images: list[str], selected: list[str] | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.folder = Path(image_folder)
        self.store = store
        self.labels = labels
        self.images = list(images)
        self.selected = [s for s in (selected or []) if s in set(self.images)]
        self.setWindowTitle(translate("ExportDialog", "Export labels"))
        self.start_button.setText(translate("ExportDialog", "Export"))
        box = QWidget()
        form = QFormLayout(box)
        self.format_combo = QComboBox()
        for key, _, _ in FORMATS:
            self.format_combo.addItem(format_title(key), key)
        form.addRow(translate("ExportDialog", "Format:"), self.format_combo)
        self.all_radio = QRadioButton(translate("ExportDialog", "All %1 images").replace("%1", str(len(self.images))))
        self.selected_radio = QRadioButton(translate("ExportDialog", "Selected images (%1)").replace("%1", str(len(self.selected))))
        self.selected_radio.setEnabled(bool(self.selected))
        self.all_radio.setChecked(True)  # a dataset export is of every image unless asked otherwise
        scope = QHBoxLayout()
        scope.addWidget(self.all_radio)
        scope.addWidget(self.selected_radio)
        form.addRow(translate("ExportDialog", "Images:"), scope)
        self.suggestions_check = QCheckBox(translate("ExportDialog", "Include suggestions not yet accepted"))
        form.addRow("", self.suggestions_check)
        self.option_stack = QStackedWidget()
        self._build_format_options()
        form.addRow(translate("ExportDialog", "Options:"), self.option_stack)
        self.out_edit = QLineEdit()
        browse = QPushButton(translate("ExportDialog", "Browse…"))
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.out_edit)
        row.addWidget(browse)
        form.addRow(translate("ExportDialog", "Save to:"), row)
        self.options.addWidget(box)
        self.format_combo.currentIndexChanged.connect(self._on_format_changed)
        self._on_format_changed()
        self.resize(560, 0)

    def _build_format_options(self) -> None:
        coco = QWidget()
        f = QFormLayout(coco)
        self.segmentation_combo = QComboBox()
        for key, text in (("auto", translate("ExportDialog", "Polygons for vector, RLE for raster instances")),
                          ("polygon", translate("ExportDialog", "Polygons only (masks are traced)")), ("rle", translate("ExportDialog", "RLE only"))):
            self.segmentation_combo.addItem(text, key)
        self.scores_check = QCheckBox(translate("ExportDialog", "Write model scores"))
        self.scores_check.setChecked(True)
        f.addRow(translate("ExportDialog", "Segmentation:"), self.segmentation_combo)
        f.addRow("", self.scores_check)
        png = QWidget()
        f = QFormLayout(png)
        self.semantic_check = QCheckBox(translate("ExportDialog", "Class PNGs (SegmentationClass)"))
        self.instance_check = QCheckBox(translate("ExportDialog", "Instance-id PNGs, 16-bit (SegmentationObject)"))
        self.binary_check = QCheckBox(translate("ExportDialog", "One binary PNG per instance"))
        self.semantic_check.setChecked(True)
        self.instance_check.setChecked(True)
        for w in (self.semantic_check, self.instance_check, self.binary_check):
            f.addRow(w)
        labelme = QWidget()
        f = QFormLayout(labelme)
        self.raster_combo = QComboBox()
        self.raster_combo.addItem(translate("ExportDialog", "Mask shapes (exact)"), "mask")
        self.raster_combo.addItem(translate("ExportDialog", "Traced polygons"), "polygon")
        f.addRow(translate("ExportDialog", "Raster masks as:"), self.raster_combo)
        yolo = QWidget()
        f = QFormLayout(yolo)
        self.link_check = QCheckBox(translate("ExportDialog", "Link or copy the images into images/"))
        self.link_check.setChecked(True)
        f.addRow(self.link_check)
        self._option_pages = {"coco": coco, "panoptic": QWidget(), "png": png, "labelme": labelme, "yolo": yolo}
        for page in self._option_pages.values():
            self.option_stack.addWidget(page)

    # ---- options ---------------------------------------------------------------------------
    def format_key(self) -> str:
        return str(self.format_combo.currentData())

    def set_format(self, key: str) -> None:
        self.format_combo.setCurrentIndex(self.format_combo.findData(key))

    def _is_file_format(self) -> bool:
        return next(is_file for key, is_file, _ in FORMATS if key == self.format_key())

    def _on_format_changed(self) -> None:
        key = self.format_key()
        self.option_stack.setCurrentWidget(self._option_pages[key])
        suffix = next(s for k, _, s in FORMATS if k == key)
        self.out_edit.setText(str(self.folder.parent / f"{self.folder.name}{suffix}"))

    def _browse(self) -> None:
        path = self.ask_output_path(self._is_file_format(), self.out_edit.text())
        if path:
            self.out_edit.setText(path)

    def ask_output_path(self, is_file: bool, current: str) -> str:
        """A file or folder chosen by the user ('' when cancelled); tests replace this."""
        if is_file:
            return QFileDialog.getSaveFileName(self, translate("ExportDialog", "Export to"), current, translate("ExportDialog", "JSON files (*.json)"))[0]
        return QFileDialog.getExistingDirectory(self, translate("ExportDialog", "Export into folder"), current)

    def warn(self, text: str) -> None:
        QMessageBox.warning(self, translate("ExportDialog", "Export labels"), text)

    def chosen_images(self) -> list[str]:
        return self.selected if self.selected_radio.isChecked() else self.images

    # ---- running ---------------------------------------------------------------------------
    def build_task(self) -> Task | None:
        out = Path(self.out_edit.text().strip()) if self.out_edit.text().strip() else None
        if out is None:
            self.warn(translate("ExportDialog", "Choose where to save the export."))
            return None
        if self._is_file_format() and out.is_dir():
            self.warn(translate("ExportDialog", "%1 is a folder; this format writes a JSON file.").replace("%1", str(out)))
            return None
        if not self._is_file_format() and out.exists() and not out.is_dir():
            self.warn(translate("ExportDialog", "%1 is a file; this format writes into a folder.").replace("%1", str(out)))
            return None
        labels = LabelSet(list(self.labels))  # a snapshot: the worker must not see later edits
        # The worker gets its own ProjectStore: ProjectStore caches an index that is not
        # thread-safe, and the session's store may be written by autosave meanwhile.
        store = ProjectStore(self.store.image_folder, self.store.root)
        args = (self.folder, store, labels, list(self.chosen_images()), out)
        common = {"include_suggestions": self.suggestions_check.isChecked()}
        key = self.format_key()
        if key == "coco":
            fn = partial(export_coco, *args, segmentation=self.segmentation_combo.currentData(),
                         include_scores=self.scores_check.isChecked(), **common)
        elif key == "panoptic":
            fn = partial(export_panoptic, *args, **common)
        elif key == "png":
            fn = partial(export_png_masks, *args, semantic=self.semantic_check.isChecked(),
                         instances=self.instance_check.isChecked(), binary=self.binary_check.isChecked(), **common)
        elif key == "labelme":
            fn = partial(export_labelme, *args, raster_as=self.raster_combo.currentData(), **common)
        else:
            fn = partial(export_yolo, *args, link_images=self.link_check.isChecked(), **common)
        return lambda should_stop, progress: fn(should_stop=should_stop, progress=progress)

    def task_done(self, result: object) -> None:
        report = result if isinstance(result, ExportReport) else ExportReport()
        if report.cancelled:
            self.status.setText(translate("ExportDialog", "Cancelled. %1 of %2 image(s) were done; the export is incomplete.")
                                .replace("%1", str(report.images)).replace("%2", str(len(self.chosen_images()))))
        else:
            self.status.setText(translate("ExportDialog", "Exported %1 instance(s) from %2 image(s) to %3.")
                                .replace("%1", str(report.instances)).replace("%2", str(report.images))
                                .replace("%3", report.path))
        self.show_warnings(report.warnings)
        self.exported.emit(report)
