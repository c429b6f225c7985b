"""The training dialog: options, live progress and curves, the final metrics table.

A view only: it emits `start_requested(TrainOptions)` and `cancel_requested`, and the
TrainingController (controller.py) feeds it what the training process reports. Not modal, so
the user keeps labelling while a model trains.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.training.curves import TrainingCurves
from app.ui.i18n import translate


def base_model_titles() -> dict[str, str]:
    return {
        "small": translate("TrainingDialog", "Small model (trains fast on a CPU)"),
        "maskrcnn_v1": translate("TrainingDialog", "Mask R-CNN v1 (from the COCO weights when you have them)"),
        "maskrcnn_v2": translate("TrainingDialog", "Mask R-CNN v2 (from the COCO weights when you have them)"),
    }


@dataclass(frozen=True)
class TrainOptions:
    """What the user chose: base model key, a budget of minutes or epochs (the other None),
    the validation fraction, the model's name, and whether to resume the last run."""

    base: str
    minutes: float | None
    epochs: int | None
    val_fraction: float
    name: str
    resume: bool


def _figure(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"


def format_duration(seconds: float) -> str:
    seconds = max(0, int(round(seconds)))
    if seconds < 60:
        return translate("TrainingDialog", "%1 s").replace("%1", str(seconds))
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return translate("TrainingDialog", "%1 min %2 s").replace("%1", str(minutes)).replace("%2", str(seconds))
    hours, minutes = divmod(minutes, 60)
    return translate("TrainingDialog", "%1 h %2 min").replace("%1", str(hours)).replace("%2", str(minutes))


class TrainingDialog(QDialog):
    start_requested = Signal(object)  # TrainOptions
    cancel_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(translate("TrainingDialog", "Train a model on your labels"))
        self.setModal(False)
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        self.base = QComboBox()
        for key, title in base_model_titles().items():
            self.base.addItem(title, key)
        self.by_minutes = QRadioButton(translate("TrainingDialog", "Minutes"))
        self.by_epochs = QRadioButton(translate("TrainingDialog", "Epochs"))
        self.by_minutes.setChecked(True)
        self.minutes = QSpinBox(minimum=1, maximum=24 * 60, value=5)
        self.epochs = QSpinBox(minimum=1, maximum=1000, value=20)
        budget = QHBoxLayout()
        for w in (self.by_minutes, self.minutes, self.by_epochs, self.epochs):
            budget.addWidget(w)
        budget.addStretch(1)
        self.val = QDoubleSpinBox(minimum=0.05, maximum=0.5, singleStep=0.05, value=0.2, decimals=2)
        self.name = QLineEdit("model")
        self.resume = QCheckBox(translate("TrainingDialog", "Continue the last run of this model"))
        form = QFormLayout()
        form.addRow(translate("TrainingDialog", "Base model:"), self.base)
        form.addRow(translate("TrainingDialog", "Train for:"), budget)
        form.addRow(translate("TrainingDialog", "Held out for validation:"), self.val)
        form.addRow(translate("TrainingDialog", "Model name:"), self.name)
        form.addRow("", self.resume)

        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.status = QLabel(translate("TrainingDialog", "Not started."))
        self.status.setWordWrap(True)
        self.curves = TrainingCurves()
        self.curves.setMinimumHeight(180)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.table = QTableWidget(0, 4)
        self.table.setHorizontalHeaderLabels([translate("TrainingDialog", "Class"), translate("TrainingDialog", "AP50"), translate("TrainingDialog", "Precision"), translate("TrainingDialog", "Recall")])
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.Stretch)
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.setMaximumHeight(160)

        self.start_button = QPushButton(translate("TrainingDialog", "Start training"))
        self.cancel_button = QPushButton(translate("TrainingDialog", "Stop (keep the best so far)"))
        self.close_button = QPushButton(translate("TrainingDialog", "Close"))
        self.start_button.setDefault(True)
        self.start_button.clicked.connect(self._start)
        self.cancel_button.clicked.connect(self.cancel_requested)
        self.close_button.clicked.connect(self.close)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        for b in (self.start_button, self.cancel_button, self.close_button):
            buttons.addWidget(b)

        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addLayout(form)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addWidget(self.curves, 1)
        layout.addWidget(self.summary)
        layout.addWidget(self.table)
        layout.addLayout(buttons)
        self.table.setVisible(False)
        self.set_running(False)
        self.resize(700, 640)  # fits a 1366×768 screen with room for the window behind

    # ---- what the controller calls --------------------------------------------------------------
    def set_data_summary(self, done: int, classes: int) -> None:
        """How many done images and classes training will use (and that only done ones count)."""
        self.intro.setText(
            translate("TrainingDialog", "Trains an instance model for this project's %1 classes on the %2 images marked done "
               "(only those: an unfinished image would teach the model that its unlabelled objects "
               "are background).").replace("%1", str(classes)).replace("%2", str(done))
        )  # fmt: skip

    def set_running(self, running: bool) -> None:
        for w in (self.base, self.by_minutes, self.by_epochs, self.minutes, self.epochs, self.val, self.name, self.resume):
            w.setEnabled(not running)
        self.start_button.setEnabled(not running)
        self.cancel_button.setEnabled(running)

    def begin(self) -> None:
        """A run starts: clear what the last one showed."""
        self.curves.clear()
        self.table.setRowCount(0)
        self.table.setVisible(False)  # the curves get its room until the metrics come
        self.summary.clear()
        self.progress.setValue(0)
        self.status.setText(translate("TrainingDialog", "Starting the training process…"))
        self.set_running(True)

    def show_progress(self, fraction: float, epoch: float, images_per_s: float, eta_s: float | None,
                      loss: float) -> None:  # fmt: skip
        self.progress.setValue(int(round(1000 * min(max(fraction, 0.0), 1.0))))
        text = (translate("TrainingDialog", "Epoch %1 · %2 images/s · loss %3 · about %4 left") if eta_s is not None
                else translate("TrainingDialog", "Epoch %1 · %2 images/s · loss %3"))  # fmt: skip
        text = text.replace("%1", f"{epoch:.1f}").replace("%2", f"{images_per_s:.1f}").replace("%3", f"{loss:.3f}")
        self.status.setText(text.replace("%4", format_duration(eta_s)) if eta_s is not None else text)

    def show_message(self, text: str) -> None:
        self.status.setText(text)

    def show_metrics(self, metrics: dict) -> None:
        """The card's metrics: validation mask AP and AP50, and per class AP50, precision and
        recall at the score threshold (None where there was nothing to count)."""
        self.summary.setText(
            translate("TrainingDialog", "Validation: mask AP %1, AP50 %2. Precision and recall at score ≥ %3:")
            .replace("%1", f"{metrics.get('AP', 0.0):.3f}").replace("%2", f"{metrics.get('AP50', 0.0):.3f}")
            .replace("%3", f"{metrics.get('score_threshold', 0.5):.2f}")
        )  # fmt: skip
        rows = metrics.get("classes") or []
        self.table.setVisible(True)
        self.table.setRowCount(len(rows))
        for row, c in enumerate(rows):
            values = [c.get("name", "")] + [_figure(c.get(k)) for k in ("ap50", "precision", "recall")]
            for col, text in enumerate(values):
                item = QTableWidgetItem(text)
                if col:
                    item.setTextAlignment(Qt.AlignRight | Qt.AlignVCenter)
                self.table.setItem(row, col, item)

    # ---- user input ----------------------------------------------------------------------------
    def options(self) -> TrainOptions:
        by_minutes = self.by_minutes.isChecked()
        return TrainOptions(
            base=self.base.currentData(),
            minutes=float(self.minutes.value()) if by_minutes else None,
            epochs=None if by_minutes else int(self.epochs.value()),
            val_fraction=float(self.val.value()),
            name=self.name.text().strip() or "model",
            resume=self.resume.isChecked(),
        )

    def _start(self) -> None:
        self.start_requested.emit(self.options())
