"""Layer panel: a table over the Document, top-most instance first, sharing the selection.

Pending suggestions are shown in italics and orange, with their score; suggestions the review
filter hides (below the threshold, duplicates) are left out, and Accept / Reject buttons act on
the selected suggestions (app.ai.review_controller connects them)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import (
    QAbstractTableModel,
    QItemSelection,
    QItemSelectionModel,
    QMimeData,
    QModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QFont, QIcon, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSlider,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.canvas.selection import Selection
from app.core.categories import LabelSet
from app.core.document import Change, ChangeKind, Document
from app.core.instance import Instance
from app.ui.i18n import translate
from app.ui.icons import icon

COL_CLASS, COL_SOURCE, COL_SCORE, COL_VISIBLE, COL_LOCKED = range(5)
SUGGESTION_COLOR = QColor(251, 140, 0)


class LayerTableModel(QAbstractTableModel):
    #: (instance id, field name, new value): the main window turns it into an undo command.
    edit_requested = Signal(int, str, object)
    #: (instance id, new z index): a row was dragged to a new place.
    reorder_requested = Signal(int, int)
    MIME = "application/x-maskpilot-layer-row"

    def __init__(self) -> None:
        super().__init__()
        self.doc: Document | None = None
        self.labels = LabelSet()
        self._ids: list[int] = []
        self._swatches: dict[tuple[int, int, int], QIcon] = {}
        self._row_filter: Callable[[Instance], bool] | None = None
        self._italic = QFont()
        self._italic.setItalic(True)

    def set_row_filter(self, row_filter: Callable[[Instance], bool] | None) -> None:
        """Only instances passing `row_filter` get a row (the review filter hides suggestions)."""
        self._row_filter = row_filter
        self.refilter()

    def refilter(self) -> None:
        self.beginResetModel()
        self._ids = self._rows()
        self.endResetModel()

    def _rows(self) -> list[int]:
        if self.doc is None:
            return []
        keep = self._row_filter
        return [i.id for i in reversed(self.doc.instances) if keep is None or keep(i)]

    def set_document(self, doc: Document | None, labels: LabelSet) -> None:
        if self.doc is not None:
            self.doc.changed.disconnect(self._on_document_changed)
        self.beginResetModel()
        self.doc, self.labels = doc, labels
        self._ids = self._rows()
        self.endResetModel()
        if doc is not None:
            doc.changed.connect(self._on_document_changed)

    def _on_document_changed(self, change: Change) -> None:
        if change.kind in (ChangeKind.FIELDS, ChangeKind.GEOMETRY):
            for iid in change.ids:
                if iid in self._ids:
                    row = self._ids.index(iid)
                    self.dataChanged.emit(self.index(row, 0), self.index(row, COL_LOCKED))
            return
        if change.kind is ChangeKind.STATUS:
            return
        self.refilter()

    def instance_id(self, row: int) -> int:
        return self._ids[row]

    def row_of(self, iid: int) -> int:
        return self._ids.index(iid) if iid in self._ids else -1

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802
        return 5

    def headerData(self, section: int, orientation, role: int = Qt.DisplayRole):  # noqa: N802
        if orientation == Qt.Horizontal and role == Qt.DisplayRole:
            return [translate("LayerPanel", "Class"), translate("LayerPanel", "Source"), translate("LayerPanel", "Score"), translate("LayerPanel", "Show"), translate("LayerPanel", "Lock")][section]
        return None

    def data(self, index: QModelIndex, role: int = Qt.DisplayRole):
        if not index.isValid() or self.doc is None:
            return None
        inst = self.doc.get(self._ids[index.row()])
        col = index.column()
        if inst.is_suggestion and role == Qt.FontRole:
            return self._italic
        if inst.is_suggestion and role == Qt.ForegroundRole and col in (COL_CLASS, COL_SOURCE, COL_SCORE):
            return SUGGESTION_COLOR
        if col == COL_CLASS:
            if role == Qt.DisplayRole:
                kind = translate("LayerPanel", "mask") if inst.is_raster else translate("LayerPanel", "polygon")
                return f"{self.labels.name(inst.category_id)}  · {kind}"
            if role == Qt.DecorationRole:
                return self._swatch(self.labels.color(inst.category_id))
        elif col == COL_SOURCE and role == Qt.DisplayRole:
            source = translate("LayerPanel", "manual") if inst.source == "manual" else inst.source  # else a model's name
            return source + (translate("LayerPanel", " (suggested)") if inst.is_suggestion else "")
        elif col == COL_SCORE and role == Qt.DisplayRole:
            return "" if inst.score is None else f"{inst.score:.2f}"
        elif col == COL_VISIBLE and role == Qt.CheckStateRole:
            return Qt.Checked if inst.visible else Qt.Unchecked
        elif col == COL_LOCKED and role == Qt.CheckStateRole:
            return Qt.Checked if inst.locked else Qt.Unchecked
        return None

    def flags(self, index: QModelIndex):
        if not index.isValid():
            return Qt.ItemIsDropEnabled
        base = Qt.ItemIsEnabled | Qt.ItemIsSelectable | Qt.ItemIsDragEnabled
        if index.column() in (COL_VISIBLE, COL_LOCKED):
            base |= Qt.ItemIsUserCheckable
        return base

    # Drag and drop moves one row; the document (through an undo command) does the reorder.
    def supportedDropActions(self):  # noqa: N802
        return Qt.MoveAction

    def mimeTypes(self) -> list[str]:  # noqa: N802
        return [self.MIME]

    def mimeData(self, indexes) -> QMimeData:  # noqa: N802
        data = QMimeData()
        rows = sorted({i.row() for i in indexes})
        data.setData(self.MIME, str(rows[0] if rows else -1).encode())
        return data

    def dropMimeData(self, data: QMimeData, action, row: int, column: int, parent: QModelIndex) -> bool:  # noqa: N802
        if action != Qt.MoveAction or not data.hasFormat(self.MIME):
            return False
        src = int(bytes(data.data(self.MIME)).decode() or -1)
        if src < 0:
            return False
        if row < 0:
            row = parent.row() if parent.isValid() else len(self._ids)
        dest = row if row <= src else row - 1  # display position after removal of the source
        if dest == src:
            return False
        self.reorder_requested.emit(self._ids[src], len(self._ids) - 1 - dest)
        return False  # the model resets from the document change; Qt must not remove rows itself

    def setData(self, index: QModelIndex, value, role: int = Qt.EditRole) -> bool:  # noqa: N802
        if role != Qt.CheckStateRole or index.column() not in (COL_VISIBLE, COL_LOCKED):
            return False
        field = "visible" if index.column() == COL_VISIBLE else "locked"
        checked = Qt.CheckState(value) == Qt.Checked
        self.edit_requested.emit(self._ids[index.row()], field, checked)
        return True

    def _swatch(self, color: tuple[int, int, int]) -> QIcon:
        icon = self._swatches.get(color)
        if icon is None:
            pm = QPixmap(14, 14)
            pm.fill(QColor(*color))
            icon = self._swatches[color] = QIcon(pm)
        return icon


class LayerPanel(QWidget):
    #: fill opacity 0..1, fill on, outline on
    style_changed = Signal(float, bool, bool)
    #: the Accept / Reject buttons were pressed (they act on the selected suggestions)
    accept_requested = Signal()
    reject_requested = Signal()

    def __init__(self, selection: Selection) -> None:
        super().__init__()
        self.selection = selection
        self.model = LayerTableModel()
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.ExtendedSelection)
        self.view.verticalHeader().hide()
        self.view.setShowGrid(False)
        self.view.setAlternatingRowColors(True)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(COL_CLASS, QHeaderView.Stretch)
        for col in (COL_SOURCE, COL_SCORE, COL_VISIBLE, COL_LOCKED):
            header.setSectionResizeMode(col, QHeaderView.ResizeToContents)
        # Sizing columns to contents would otherwise ask every row for its data after each reset
        # (thousands of data() calls per accept or reject with a few hundred instances).
        header.setResizeContentsPrecision(64)
        self.view.setDragDropMode(QAbstractItemView.InternalMove)
        self.view.setDragEnabled(True)
        self.view.setDropIndicatorShown(True)
        self.opacity = QSlider(Qt.Horizontal, minimum=0, maximum=100, value=45)
        self.opacity.setToolTip(translate("LayerPanel", "Mask opacity"))
        self.fill_box = QCheckBox(translate("LayerPanel", "Fill"), checked=True)
        self.outline_box = QCheckBox(translate("LayerPanel", "Outline"), checked=True)
        row = QHBoxLayout()
        row.addWidget(QLabel(translate("LayerPanel", "Opacity")))
        row.addWidget(self.opacity, 1)
        row.addWidget(self.fill_box)
        row.addWidget(self.outline_box)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(row)
        layout.addWidget(self.view)
        layout.addLayout(self._build_review_row())
        for w in (self.opacity.valueChanged, self.fill_box.toggled, self.outline_box.toggled):
            w.connect(self._on_style_controls_changed)
        self._syncing = False
        self.view.selectionModel().selectionChanged.connect(self._on_view_selection_changed)
        self.selection.changed.connect(self._on_selection_changed)
        self.model.modelReset.connect(self._on_selection_changed)
        for sig in (self.selection.changed, self.model.modelReset, self.model.dataChanged):
            sig.connect(self._update_review_buttons)
        self._update_review_buttons()

    def _build_review_row(self) -> QHBoxLayout:
        self.accept_button = QToolButton(icon=icon("accept"), text=translate("LayerPanel", "Accept"))
        self.accept_button.setToolTip(translate("LayerPanel", "Accept the selected suggestions (Y)"))
        self.reject_button = QToolButton(icon=icon("reject"), text=translate("LayerPanel", "Reject"))
        self.reject_button.setToolTip(translate("LayerPanel", "Reject the selected suggestions (N)"))
        for button, signal in ((self.accept_button, self.accept_requested), (self.reject_button, self.reject_requested)):
            button.setToolButtonStyle(Qt.ToolButtonTextBesideIcon)
            button.clicked.connect(signal.emit)
        self.pending_label = QLabel()
        row = QHBoxLayout()
        row.addWidget(self.accept_button)
        row.addWidget(self.reject_button)
        row.addStretch(1)
        row.addWidget(self.pending_label)
        return row

    def set_pending_counts(self, shown: int, total: int) -> None:
        """Pending suggestions of the image: `shown` pass the review filter, `total` exist."""
        if total == 0:
            self.pending_label.setText("")
        elif shown == total:
            self.pending_label.setText(translate("LayerPanel", "pending: {n}").format(n=total))
        else:
            self.pending_label.setText(translate("LayerPanel", "pending: {shown} shown of {total}").format(shown=shown, total=total))

    def _update_review_buttons(self, *_args) -> None:
        doc = self.model.doc
        any_suggestion = doc is not None and any(i in doc and doc.get(i).is_suggestion for i in self.selection.ordered)
        self.accept_button.setEnabled(any_suggestion)
        self.reject_button.setEnabled(any_suggestion)

    def _on_style_controls_changed(self, *_args) -> None:
        self.style_changed.emit(self.opacity.value() / 100, self.fill_box.isChecked(), self.outline_box.isChecked())

    def _on_view_selection_changed(self, *_args) -> None:
        if self._syncing:
            return
        rows = sorted({i.row() for i in self.view.selectionModel().selectedRows()})
        self._syncing = True
        self.selection.set(self.model.instance_id(r) for r in rows)
        self._syncing = False

    def _on_selection_changed(self) -> None:
        if self._syncing:
            return
        self._syncing = True
        sel = QItemSelection()
        for iid in self.selection.ordered:
            row = self.model.row_of(iid)
            if row >= 0:
                sel.select(self.model.index(row, 0), self.model.index(row, COL_LOCKED))
        self.view.selectionModel().select(sel, QItemSelectionModel.ClearAndSelect)
        if self.selection.ordered and (row := self.model.row_of(self.selection.ordered[-1])) >= 0:
            self.view.scrollTo(self.model.index(row, 0))
        self._syncing = False
