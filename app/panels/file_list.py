"""File list dock: every image of the folder with its status, a filter box, a sort and counts.

The sort is folder order or "most uncertain first": images by the uncertainty their latest
auto-fill recorded (app.ai.domain.uncertainty; the store's index carries it, so sorting 10,000
images reads no label file), never-filled images last in folder order. Stepping with D / A
follows what is shown, so a sorted list is reviewed in that order.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QVBoxLayout,
    QWidget,
)

from app.panels.file_rows import SORT_NAME, SORT_UNCERTAIN, ShownRows
from app.ui.i18n import translate

StatusRole = Qt.UserRole + 1

STATUS_COLORS = {
    "new": QColor(140, 140, 140),
    "in_progress": QColor(66, 133, 244),
    "done": QColor(52, 168, 83),
    "pending": QColor(251, 140, 0),
    "error": QColor(219, 68, 55),
}


def sort_label(key: str) -> str:
    return {SORT_NAME: translate("FileListPanel", "Folder order"), SORT_UNCERTAIN: translate("FileListPanel", "Most uncertain first")}[key]


def status_label(status: str) -> str:
    return {
        "new": translate("FileListPanel", "new"),
        "in_progress": translate("FileListPanel", "in progress"),
        "done": translate("FileListPanel", "done"),
        "pending": translate("FileListPanel", "suggestions to review"),
        "error": translate("FileListPanel", "cannot be opened"),
    }[status]


def shown_status(status: str, instances: int) -> str:
    """The status the list shows for a stored one: a 'new' image that already has instances
    (suggestions written while it was not open, say) is shown as in progress."""
    return "in_progress" if status == "new" and instances else status


@dataclass
class FileState:
    status: str = "new"  # new | in_progress | done | error
    pending: int = 0
    error: str = ""
    uncertainty: float | None = None  # of the latest auto-fill, in [0, 1); None: never filled

    @property
    def shown(self) -> str:
        """What the badge shows: errors first, then pending suggestions, then the status."""
        if self.status == "error":
            return "error"
        return "pending" if self.pending and self.status != "done" else self.status


class FileListModel(QAbstractListModel):
    def __init__(self) -> None:
        super().__init__()
        self._paths: list[str] = []
        self._states: list[FileState] = []
        self._row: dict[str, int] = {}
        # -uncertainty of every row, inf where unknown: plain floats, the sort key of "most
        # uncertain first" (app.panels.file_rows sorts 10,000 of them in milliseconds).
        self.sort_values: list[float] = []
        self.icons = {key: _dot_icon(color) for key, color in STATUS_COLORS.items()}  # by shown status
        self.show_uncertainty = False  # the rows name their uncertainty (while sorted by it)

    def set_files(self, paths: list[str], states: dict[str, FileState]) -> None:
        self.beginResetModel()
        self._paths = list(paths)
        self._states = [states.get(p) or FileState() for p in self._paths]
        self._row = {p: i for i, p in enumerate(self._paths)}
        self.sort_values = [_sort_value(st.uncertainty) for st in self._states]
        self.endResetModel()

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self._paths)

    def data(self, index: QModelIndex, role: int = Qt.DisplayRole):
        if not index.isValid():
            return None
        path, state = self._paths[index.row()], self._states[index.row()]
        if role == Qt.DisplayRole:
            text = f"{path}  ({state.pending})" if state.shown == "pending" else path
            if self.show_uncertainty and state.uncertainty is not None:
                text += f"  · {state.uncertainty:.2f}"
            return text
        if role == Qt.DecorationRole:
            return self.icons[state.shown]
        if role == Qt.ToolTipRole:
            tip = state.error or status_label(state.shown)
            if state.uncertainty is not None and not state.error:
                tip += " · " + translate("FileListPanel", "uncertainty {u:.2f}").format(u=state.uncertainty)
            return tip
        if role == StatusRole:
            return state.shown
        return None

    def path(self, row: int) -> str:
        return self._paths[row]

    def paths(self) -> list[str]:
        return self._paths

    def row_of(self, path: str) -> int:
        return self._row.get(path, -1)

    def state(self, path: str) -> FileState:
        return self._states[self._row[path]]

    def state_at(self, row: int) -> FileState:
        return self._states[row]

    def uncertainty_key(self, row: int) -> tuple[float, int]:
        """Sort key of a row for "most uncertain first": known uncertainties descending, then
        the unknown ones (inf); folder order breaks ties."""
        return self.sort_values[row], row

    def set_show_uncertainty(self, on: bool) -> None:
        if on != self.show_uncertainty:
            self.show_uncertainty = on
            if self._paths:
                self.dataChanged.emit(self.index(0), self.index(len(self._paths) - 1), [Qt.DisplayRole])

    def update_state(self, path: str, **fields) -> None:
        row = self._row.get(path)
        if row is None:
            return
        st = self._states[row]
        for k, v in fields.items():
            setattr(st, k, v)
        self.sort_values[row] = _sort_value(st.uncertainty)
        idx = self.index(row)
        self.dataChanged.emit(idx, idx)

    def next_with_pending(self, current: str | None) -> str | None:
        """The first image after `current` (in list order, wrapping around, ignoring the filter
        box) with pending suggestions; None when no other image has any."""
        n = len(self._paths)
        start = self._row.get(current, -1) if current is not None else -1
        for k in range(1, n + 1):
            row = (start + k) % n
            st = self._states[row]
            if st.pending > 0 and st.status != "error" and self._paths[row] != current:
                return self._paths[row]
        return None

    def counts(self) -> dict[str, int]:
        out = {k: 0 for k in STATUS_COLORS}
        for s in self._states:
            out[s.shown] += 1
        return out


class FileListPanel(QWidget):
    image_activated = Signal(str)
    sort_changed = Signal(str)  # SORT_NAME or SORT_UNCERTAIN, when the user picks one

    def __init__(self) -> None:
        super().__init__()
        self.model = FileListModel()
        self.proxy = ShownRows(self.model)
        self.filter_edit = QLineEdit(placeholderText=translate("FileListPanel", "Filter by name…"), clearButtonEnabled=True)
        self.filter_edit.setMinimumWidth(110)  # "Filter by name…" stays readable in a slim dock
        self.status_combo = QComboBox()
        self.status_combo.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
        self.status_combo.setMinimumContentsLength(6)
        self.status_combo.addItem(translate("FileListPanel", "All"), "")
        for key in STATUS_COLORS:
            self.status_combo.addItem(self.model.icons[key], status_label(key).capitalize(), key)
        self.sort_combo = QComboBox()
        self.sort_combo.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
        self.sort_combo.setMinimumContentsLength(6)
        self.sort_combo.setToolTip(translate("FileListPanel", "Sort: folder order, or the images the model was least sure about first"))
        for key in (SORT_NAME, SORT_UNCERTAIN):
            self.sort_combo.addItem(sort_label(key), key)
        self.view = QListView()
        self.view.setModel(self.proxy)
        self.view.setUniformItemSizes(True)  # constant-time layout for 10,000+ rows
        self.view.setEditTriggers(QListView.NoEditTriggers)
        self.counts_label = QLabel()
        self.counts_label.setWordWrap(True)
        top = QHBoxLayout()
        top.addWidget(self.filter_edit, 1)
        top.addWidget(self.status_combo)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addWidget(self.sort_combo)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.counts_label)
        self.filter_edit.textChanged.connect(self.proxy.setFilterFixedString)
        self.status_combo.currentIndexChanged.connect(
            lambda _: self.proxy.set_status(self.status_combo.currentData())
        )
        self.sort_combo.currentIndexChanged.connect(self._on_sort_combo_changed)
        self._following = False  # set_current is moving the view: not the user's choice
        self.view.selectionModel().currentChanged.connect(self._on_view_current_changed)
        self.model.dataChanged.connect(self._update_counts)
        self.model.modelReset.connect(self._update_counts)

    def set_current(self, path: str) -> None:
        row = self.model.row_of(path)
        if row < 0:
            return
        idx = self.proxy.mapFromSource(self.model.index(row))
        if idx.isValid() and idx != self.view.currentIndex():
            # A guard, not blockSignals: the view must hear the selection change to repaint the
            # row it leaves (blocked signals left two rows drawn selected).
            self._following = True
            try:
                self.view.setCurrentIndex(idx)
            finally:
                self._following = False
            self.view.scrollTo(idx)

    def next_with_pending(self, current: str | None) -> str | None:
        return self.model.next_with_pending(current)

    def sort_key(self) -> str:
        return self.proxy.sort_key

    def set_sort(self, key: str) -> None:
        """Show the list in `key` order (an unknown key means folder order)."""
        key = key if key in (SORT_NAME, SORT_UNCERTAIN) else SORT_NAME
        self.sort_combo.blockSignals(True)  # sort_changed is for the user's choice only
        self.sort_combo.setCurrentIndex(self.sort_combo.findData(key))
        self.sort_combo.blockSignals(False)
        self._apply_sort(key)

    def _on_sort_combo_changed(self, _index: int) -> None:
        key = self.sort_combo.currentData()
        if key != self.proxy.sort_key:
            self._apply_sort(key)
            self.sort_changed.emit(key)

    def _apply_sort(self, key: str) -> None:
        if key == self.proxy.sort_key:
            return
        self.model.set_show_uncertainty(key == SORT_UNCERTAIN)
        self.proxy.set_sort_key(key)
        current = self.view.currentIndex()
        if current.isValid():
            self.view.scrollTo(current)

    def selected_paths(self) -> list[str]:
        """The images selected in the list, in list order of selection."""
        rows = self.view.selectionModel().selectedRows()
        return [self.model.path(self.proxy.mapToSource(i).row()) for i in rows]

    def _on_view_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid() and not self._following:
            self.image_activated.emit(self.model.path(self.proxy.mapToSource(current).row()))

    def _update_counts(self, *_args) -> None:
        c = self.model.counts()
        n = self.model.rowCount()
        self.counts_label.setText(
            translate("FileListPanel", "{n} images · {done} done · {prog} in progress · {pend} to review · {err} unreadable").format(
                n=n, done=c["done"], prog=c["in_progress"], pend=c["pending"], err=c["error"]
            )
        )


def _sort_value(uncertainty: float | None) -> float:
    return math.inf if uncertainty is None else -float(uncertainty)


def _dot_icon(color: QColor) -> QIcon:
    pm = QPixmap(12, 12)
    pm.fill(Qt.transparent)
    p = QPainter(pm)
    p.setRenderHint(QPainter.Antialiasing)
    p.setBrush(color)
    p.setPen(color.darker(130))
    p.drawEllipse(1, 1, 10, 10)
    p.end()
    return QIcon(pm)
