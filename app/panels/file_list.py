"""File list dock: every image of the folder with its status, a filter box and counts."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import (
    QAbstractListModel,
    QCoreApplication,
    QModelIndex,
    QSortFilterProxyModel,
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

StatusRole = Qt.UserRole + 1

STATUS_COLORS = {
    "new": QColor(140, 140, 140),
    "in_progress": QColor(66, 133, 244),
    "done": QColor(52, 168, 83),
    "pending": QColor(251, 140, 0),
    "error": QColor(219, 68, 55),
}


def tr(text: str) -> str:
    return QCoreApplication.translate("FileListPanel", text)


def status_label(status: str) -> str:
    return {
        "new": tr("new"),
        "in_progress": tr("in progress"),
        "done": tr("done"),
        "pending": tr("suggestions to review"),
        "error": tr("cannot be opened"),
    }[status]


@dataclass
class FileState:
    status: str = "new"  # new | in_progress | done | error
    pending: int = 0
    error: str = ""

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
        self.icons = {key: _dot_icon(color) for key, color in STATUS_COLORS.items()}  # by shown status

    def set_files(self, paths: list[str], states: dict[str, FileState]) -> None:
        self.beginResetModel()
        self._paths = list(paths)
        self._states = [states.get(p) or FileState() for p in self._paths]
        self._row = {p: i for i, p in enumerate(self._paths)}
        self.endResetModel()

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self._paths)

    def data(self, index: QModelIndex, role: int = Qt.DisplayRole):
        if not index.isValid():
            return None
        path, state = self._paths[index.row()], self._states[index.row()]
        if role == Qt.DisplayRole:
            return f"{path}  ({state.pending})" if state.shown == "pending" else path
        if role == Qt.DecorationRole:
            return self.icons[state.shown]
        if role == Qt.ToolTipRole:
            return state.error or status_label(state.shown)
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

    def update_state(self, path: str, **fields) -> None:
        row = self._row.get(path)
        if row is None:
            return
        st = self._states[row]
        for k, v in fields.items():
            setattr(st, k, v)
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


class _StatusFilter(QSortFilterProxyModel):
    def __init__(self) -> None:
        super().__init__()
        self.status = ""
        self.setFilterCaseSensitivity(Qt.CaseInsensitive)

    def set_status(self, status: str) -> None:
        self.status = status
        self.invalidateFilter()

    def filterAcceptsRow(self, row: int, parent: QModelIndex) -> bool:  # noqa: N802
        if self.status and self.sourceModel().index(row, 0, parent).data(StatusRole) != self.status:
            return False
        return super().filterAcceptsRow(row, parent)


class FileListPanel(QWidget):
    image_activated = Signal(str)

    def __init__(self) -> None:
        super().__init__()
        self.model = FileListModel()
        self.proxy = _StatusFilter()
        self.proxy.setSourceModel(self.model)
        self.filter_edit = QLineEdit(placeholderText=tr("Filter by name…"), clearButtonEnabled=True)
        self.filter_edit.setMinimumWidth(110)  # "Filter by name…" stays readable in a slim dock
        self.status_combo = QComboBox()
        self.status_combo.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
        self.status_combo.setMinimumContentsLength(6)
        self.status_combo.addItem(tr("All"), "")
        for key in STATUS_COLORS:
            self.status_combo.addItem(self.model.icons[key], status_label(key).capitalize(), key)
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
        layout.addWidget(self.view, 1)
        layout.addWidget(self.counts_label)
        self.filter_edit.textChanged.connect(self.proxy.setFilterFixedString)
        self.status_combo.currentIndexChanged.connect(
            lambda _: self.proxy.set_status(self.status_combo.currentData())
        )
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
            tr("{n} images · {done} done · {prog} in progress · {pend} to review · {err} unreadable").format(
                n=n, done=c["done"], prog=c["in_progress"], pend=c["pending"], err=c["error"]
            )
        )


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
