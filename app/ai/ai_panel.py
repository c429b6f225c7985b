"""The AI panel: model, device, threshold and class-mapping choices, the auto-fill buttons and
the progress of a running batch. A plain view: it emits requests and shows what it is told;
app.ai.autofill_controller does the work."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QMenu,
    QProgressBar,
    QPushButton,
    QSlider,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.ui.i18n import translate
from app.ui.icons import icon


@dataclass(frozen=True)
class ModelEntry:
    """A model as the panel lists it: registry name, display name, kind, weights file found."""

    name: str
    display_name: str
    kind: str  # "instance", "semantic" or "interactive"
    weights: str | None  # path of the weights file found, None when missing


DEVICES = (("auto", QT_TRANSLATE_NOOP("AIPanel", "Auto")), ("cuda", QT_TRANSLATE_NOOP("AIPanel", "CUDA GPU")),
           ("cpu", QT_TRANSLATE_NOOP("AIPanel", "CPU")))


class AIPanel(QWidget):
    model_changed = Signal(str)  # registry name
    semantic_changed = Signal(str)  # registry name or "" for none
    device_changed = Signal(str)
    threshold_changed = Signal(float)
    hide_duplicates_changed = Signal(bool)
    add_classes_changed = Signal(bool)
    weights_file_requested = Signal()
    interactive_changed = Signal(str)  # registry name of the click-to-mask model
    interactive_weights_requested = Signal()
    download_requested = Signal()
    autofill_requested = Signal(str)  # "current", "all", "unfinished", "selected"
    cancel_requested = Signal()
    accept_all_requested = Signal()
    reject_rest_requested = Signal()
    next_pending_requested = Signal()
    train_requested = Signal()

    def __init__(self) -> None:
        super().__init__()
        self._entries: dict[str, ModelEntry] = {}
        self.model_box = QComboBox()
        self.model_box.setToolTip(translate("AIPanel", "The instance model that proposes suggestions"))
        self.train = QToolButton(text=translate("AIPanel", "Train…"))
        self.train.setToolTip(translate("AIPanel", "Train a model for this project's classes on the images marked done"))
        self.weights_label = QLabel(wordWrap=True)
        self.choose_weights = QPushButton(translate("AIPanel", "Choose File…"))
        self.download = QPushButton(translate("AIPanel", "Download"))
        self.semantic_box = QComboBox()
        self.semantic_box.setToolTip(translate("AIPanel", "A semantic model for the semantic and panoptic overlays"))
        self.interactive_box = QComboBox()
        self.interactive_box.setToolTip(translate("AIPanel", "The click-to-mask model of the Interactive AI tool (S)"))
        self.interactive_weights = QToolButton(text=translate("AIPanel", "File…"))
        self.interactive_weights.setToolTip(translate("AIPanel", "Choose the weights file of the interactive model"))
        self.device_box = QComboBox()
        for key, text in DEVICES:
            self.device_box.addItem(translate("AIPanel", text), key)
        self.device_label = QLabel(translate("AIPanel", "Detected when a model first runs"), wordWrap=True)
        self.device_label.setStyleSheet("color: palette(mid);")
        self.slider = QSlider(Qt.Horizontal, minimum=5, maximum=95, singleStep=5, pageStep=10)
        self.slider.setToolTip(translate("AIPanel", "Suggestions scoring below this are hidden; moving it never re-runs the model"))
        self.slider_value = QLabel()
        self.slider_value.setMinimumWidth(32)
        self.hide_dups = QCheckBox(translate("AIPanel", "Hide suggestions that duplicate an instance"), checked=True)
        self.mapping_label = QLabel(wordWrap=True)
        self.add_classes = QCheckBox(translate("AIPanel", "Add unmapped model classes to the project"))

        self.fill_current = QPushButton(icon("autofill"), translate("AIPanel", "Auto-Fill Image"))
        self.fill_current.setToolTip(translate("AIPanel", "Suggest instances on this image (I)"))
        self.fill_more = QToolButton(text=translate("AIPanel", "Batch"), popupMode=QToolButton.InstantPopup)
        menu = QMenu(self.fill_more)
        for key, text in (("all", QT_TRANSLATE_NOOP("AIPanel", "All Images")), ("unfinished", QT_TRANSLATE_NOOP("AIPanel", "Unfinished Images")),
                          ("selected", QT_TRANSLATE_NOOP("AIPanel", "Selected Images"))):
            menu.addAction(translate("AIPanel", text), lambda k=key: self.autofill_requested.emit(k))
        self.fill_more.setMenu(menu)
        self.cancel = QPushButton(icon("stop"), translate("AIPanel", "Cancel"))
        self.cancel.setEnabled(False)
        self.progress = QProgressBar(textVisible=False, maximumHeight=8)
        self.progress_label = QLabel(wordWrap=True)
        self.banner = QLabel(wordWrap=True, visible=False)
        self.banner.setStyleSheet("background: #fff3e0; color: #6d4c00; border: 1px solid #ffb74d; border-radius: 3px; padding: 4px;")
        self.banner.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.accept_all = QPushButton(translate("AIPanel", "Accept All"))
        self.accept_all.setToolTip(translate("AIPanel", "Accept every shown suggestion on this image (Shift+Y)"))
        self.reject_rest = QPushButton(translate("AIPanel", "Reject Rest"))
        self.reject_rest.setToolTip(translate("AIPanel", "Remove every suggestion still pending on this image (Shift+N)"))
        self.next_pending = QPushButton(translate("AIPanel", "Next Pending"))
        self.next_pending.setToolTip(translate("AIPanel", "Go to the next image with suggestions to review"))
        self.progress.setVisible(False)
        for box in (self.model_box, self.semantic_box, self.interactive_box, self.device_box):
            # Long model names must not widen the dock: the canvas gets the room, names elide.
            box.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
            box.setMinimumContentsLength(12)
        self._layout()
        self._connect()
        self.set_threshold(0.5)

    def _layout(self) -> None:
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.AllNonFixedFieldsGrow)
        model_row = QHBoxLayout()
        model_row.addWidget(self.model_box, 1)
        model_row.addWidget(self.train)
        form.addRow(translate("AIPanel", "Model"), model_row)
        weights_row = QHBoxLayout()
        weights_row.addWidget(self.choose_weights)
        weights_row.addWidget(self.download)
        form.addRow("", self.weights_label)
        form.addRow("", weights_row)
        form.addRow(translate("AIPanel", "Overlay"), self.semantic_box)
        interactive_row = QHBoxLayout()
        interactive_row.addWidget(self.interactive_box, 1)
        interactive_row.addWidget(self.interactive_weights)
        form.addRow(translate("AIPanel", "Interactive"), interactive_row)
        form.addRow(translate("AIPanel", "Device"), self.device_box)
        form.addRow("", self.device_label)
        slider_row = QHBoxLayout()
        slider_row.addWidget(self.slider, 1)
        slider_row.addWidget(self.slider_value)
        form.addRow(translate("AIPanel", "Threshold"), slider_row)
        run_row = QHBoxLayout()
        run_row.addWidget(self.fill_current, 1)
        run_row.addWidget(self.fill_more)
        run_row.addWidget(self.cancel)
        review_row = QHBoxLayout()
        for button in (self.accept_all, self.reject_rest, self.next_pending):
            review_row.addWidget(button)
        box = QVBoxLayout(self)
        box.addLayout(form)
        box.addWidget(self.hide_dups)
        box.addWidget(self.mapping_label)
        box.addWidget(self.add_classes)
        box.addLayout(run_row)
        box.addWidget(self.progress)
        box.addWidget(self.progress_label)
        box.addWidget(self.banner)
        box.addLayout(review_row)
        box.addStretch(1)

    def _connect(self) -> None:
        self.model_box.currentIndexChanged.connect(lambda _i: self._on_model_box_changed())
        self.semantic_box.currentIndexChanged.connect(lambda _i: self.semantic_changed.emit(self.semantic_box.currentData() or ""))
        self.device_box.currentIndexChanged.connect(lambda _i: self.device_changed.emit(self.device_box.currentData()))
        self.slider.valueChanged.connect(self._on_slider_value_changed)
        self.hide_dups.toggled.connect(self.hide_duplicates_changed)
        self.add_classes.toggled.connect(self.add_classes_changed)
        self.choose_weights.clicked.connect(self.weights_file_requested)
        self.interactive_box.currentIndexChanged.connect(lambda _i: self.interactive_changed.emit(self.interactive_name()))
        self.interactive_weights.clicked.connect(self.interactive_weights_requested)
        self.download.clicked.connect(self.download_requested)
        self.train.clicked.connect(self.train_requested)
        self.fill_current.clicked.connect(lambda: self.autofill_requested.emit("current"))
        self.cancel.clicked.connect(self.cancel_requested)
        self.accept_all.clicked.connect(self.accept_all_requested)
        self.reject_rest.clicked.connect(self.reject_rest_requested)
        self.next_pending.clicked.connect(self.next_pending_requested)

    # ---- what the controller sets -------------------------------------------------------------
    def set_models(self, entries: list[ModelEntry], current: str = "", semantic: str = "", interactive: str = "") -> None:
        self._entries = {e.name: e for e in entries}
        boxes = {"instance": self.model_box, "semantic": self.semantic_box, "interactive": self.interactive_box}
        for box in boxes.values():
            box.blockSignals(True)
            box.clear()
        self.semantic_box.addItem(translate("AIPanel", "None"), "")
        for entry in entries:
            text = entry.display_name if entry.weights else translate("AIPanel", "{name} — weights needed").format(name=entry.display_name)
            if entry.kind in boxes:
                boxes[entry.kind].addItem(text, entry.name)
        for box, name in ((self.model_box, current), (self.semantic_box, semantic), (self.interactive_box, interactive)):
            index = box.findData(name)
            box.setCurrentIndex(max(index, 0))
            box.blockSignals(False)
        self._show_weights()

    def model_name(self) -> str:
        return self.model_box.currentData() or ""

    def semantic_name(self) -> str:
        return self.semantic_box.currentData() or ""

    def interactive_name(self) -> str:
        return self.interactive_box.currentData() or ""

    def device(self) -> str:
        return self.device_box.currentData()

    def set_device(self, key: str) -> None:
        self.device_box.setCurrentIndex(max(self.device_box.findData(key), 0))

    def set_devices_description(self, described: dict[str, str]) -> None:
        self.device_label.setText(translate("AIPanel", "Auto uses {auto}. CUDA: {cuda}.").format(auto=described.get("auto", "?"), cuda=described.get("cuda", "?")))

    def threshold(self) -> float:
        return self.slider.value() / 100.0

    def set_threshold(self, value: float) -> None:
        self.slider.setValue(round(value * 100))
        self._on_slider_value_changed(self.slider.value())

    def set_mapping_summary(self, mapped: int, total: int, unmapped: list[str]) -> None:
        text = translate("AIPanel", "{mapped} of {total} model classes match project classes.").format(mapped=mapped, total=total)
        if unmapped:
            text += " " + translate("AIPanel", "Ignored: {names}").format(names=", ".join(unmapped[:6]) + ("…" if len(unmapped) > 6 else ""))
        self.mapping_label.setText(text)
        self.mapping_label.setToolTip(", ".join(unmapped))

    def set_running(self, running: bool) -> None:
        self.cancel.setEnabled(running)
        self.fill_more.setEnabled(not running)
        self.progress.setVisible(running)

    def set_progress(self, done: int, total: int, per_second: float) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)
        left = (total - done) / per_second if per_second > 0 else 0.0
        eta = f"{int(left // 60)}:{int(left % 60):02d}"
        self.progress_label.setText(translate("AIPanel", "{done} / {total} images · {rate:.2f} images/s · ETA {eta}").format(done=done, total=total, rate=per_second, eta=eta))

    def set_status(self, text: str) -> None:
        self.progress_label.setText(text)

    def show_banner(self, text: str) -> None:
        self.banner.setText(text)
        self.banner.setVisible(bool(text))

    # ---- internals ------------------------------------------------------------------------------
    def _on_model_box_changed(self) -> None:
        self._show_weights()
        self.model_changed.emit(self.model_name())

    def _show_weights(self) -> None:
        entry = self._entries.get(self.model_name())
        missing = entry is not None and entry.weights is None
        if entry is None:
            self.weights_label.setText(translate("AIPanel", "No instance model is available."))
        elif missing:
            self.weights_label.setText(translate("AIPanel", "<b>Weights needed.</b> Choose the file, or download it when online."))
        else:
            self.weights_label.setText(translate("AIPanel", "Weights: {file}").format(file=entry.weights))
        self.weights_label.setToolTip(entry.weights if entry is not None and entry.weights else "")
        self.choose_weights.setVisible(entry is not None and not entry.name.startswith("project:"))  # its own file
        self.download.setVisible(missing)

    def _on_slider_value_changed(self, value: int) -> None:
        self.slider_value.setText(f"{value / 100:.2f}")
        self.threshold_changed.emit(value / 100.0)
