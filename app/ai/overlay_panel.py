"""Overlay panel: show/hide the semantic and panoptic overlays of the current image, their
opacity, a legend of the classes present, and "Make Instance From Segment".

A passive view: OverlayController pushes state in (set_available, set_state, set_legend) and
listens to the signals; the panel never touches layers or documents itself.
"""

from __future__ import annotations

from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtGui import QColor, QFont, QIcon, QPixmap
from PySide6.QtWidgets import (
    QCheckBox,
    QGridLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from app.canvas.overlays import PANOPTIC, SEMANTIC, LegendEntry
from app.ui.i18n import translate

KINDS = (SEMANTIC, PANOPTIC)
CATEGORY_ROLE = Qt.UserRole


def swatch(color: tuple[int, int, int], size: int = 14) -> QIcon:
    pix = QPixmap(size, size)
    pix.fill(QColor(*color))
    return QIcon(pix)


class OverlayPanel(QWidget):
    visibility_changed = Signal(str, bool)  # kind, shown
    opacity_changed = Signal(str, float)  # kind, 0..1
    make_instance_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        titles = {SEMANTIC: translate("OverlayPanel", "Semantic"), PANOPTIC: translate("OverlayPanel", "Panoptic")}
        grid = QGridLayout()
        self.checks: dict[str, QCheckBox] = {}
        self.sliders: dict[str, QSlider] = {}
        self.percent: dict[str, QLabel] = {}
        for row, kind in enumerate(KINDS):
            check = QCheckBox(titles[kind])
            check.setEnabled(False)
            check.setToolTip(translate("OverlayPanel", "Show the {kind} overlay of this image").format(kind=titles[kind].lower()))
            check.toggled.connect(lambda on, k=kind: self.visibility_changed.emit(k, on))
            slider = QSlider(Qt.Horizontal)
            slider.setRange(0, 100)
            slider.setToolTip(translate("OverlayPanel", "Opacity"))
            slider.valueChanged.connect(lambda v, k=kind: self._on_slider_value_changed(k, v))
            label = QLabel()
            label.setMinimumWidth(40)
            label.setAlignment(Qt.AlignRight | Qt.AlignVCenter)
            grid.addWidget(check, row, 0)
            grid.addWidget(slider, row, 1)
            grid.addWidget(label, row, 2)
            self.checks[kind], self.sliders[kind], self.percent[kind] = check, slider, label
        grid.setColumnStretch(1, 1)

        self.legend = QListWidget()
        self.legend.setSelectionMode(QListWidget.NoSelection)
        self.legend.setFocusPolicy(Qt.NoFocus)
        self.empty_label = QLabel(translate("OverlayPanel", "No overlays for this image yet. Run a semantic or panoptic model from the AI menu."))
        self.empty_label.setWordWrap(True)
        self.make_button = QPushButton(translate("OverlayPanel", "Make Instance From Segment"))
        self.make_button.setToolTip(
            translate("OverlayPanel", "Turns the segment under the mouse pointer into an editable instance (Shift+M while pointing at it)")
        )
        self.make_button.setEnabled(False)
        self.make_button.clicked.connect(self.make_instance_requested)

        layout = QVBoxLayout(self)
        layout.addLayout(grid)
        layout.addWidget(self.empty_label)
        layout.addWidget(self.legend, 1)
        layout.addWidget(self.make_button)
        for kind in KINDS:
            self.set_state(kind, False, 0.45)

    def _on_slider_value_changed(self, kind: str, value: int) -> None:
        self.percent[kind].setText(f"{value} %")
        self.opacity_changed.emit(kind, value / 100.0)

    # ---- state pushed in by the controller ---------------------------------------------------
    def set_state(self, kind: str, shown: bool, opacity: float) -> None:
        """Reflect the controller's state without echoing it back as signals."""
        with QSignalBlocker(self.checks[kind]), QSignalBlocker(self.sliders[kind]):
            self.checks[kind].setChecked(shown)
            self.sliders[kind].setValue(round(opacity * 100))
        self.percent[kind].setText(f"{self.sliders[kind].value()} %")

    def set_available(self, available: dict[str, bool]) -> None:
        """Which layers the current image has; the others cannot be switched on."""
        for kind in KINDS:
            self.checks[kind].setEnabled(available.get(kind, False))
            self.sliders[kind].setEnabled(available.get(kind, False))
        self.empty_label.setVisible(not any(available.values()))

    def set_shown(self, any_shown: bool) -> None:
        self.make_button.setEnabled(any_shown)

    def set_legend(self, sections: list[tuple[str, list[LegendEntry]]]) -> None:
        """One section per shown layer: (kind, entries largest first)."""
        self.legend.clear()
        titles = {SEMANTIC: translate("OverlayPanel", "Semantic classes"), PANOPTIC: translate("OverlayPanel", "Panoptic classes")}
        bold = QFont(self.legend.font())
        bold.setBold(True)
        for kind, entries in sections:
            if len(sections) > 1:
                header = QListWidgetItem(titles[kind])
                header.setFont(bold)
                header.setFlags(Qt.NoItemFlags | Qt.ItemIsEnabled)
                self.legend.addItem(header)
            for entry in entries:
                share = entry.fraction * 100
                shown = f"{share:.1f} %" if share >= 0.1 else "<0.1 %"
                item = QListWidgetItem(swatch(entry.color), f"{entry.name}  ({shown})")
                item.setData(CATEGORY_ROLE, entry.category_id)
                item.setToolTip(translate("OverlayPanel", "class id {id}").format(id=entry.category_id))
                self.legend.addItem(item)

    def legend_names(self) -> list[str]:
        """The class names listed (tests and screenshots)."""
        out = []
        for i in range(self.legend.count()):
            item = self.legend.item(i)
            if item.data(CATEGORY_ROLE) is not None:
                out.append(item.text().rsplit("  (", 1)[0])
        return out
