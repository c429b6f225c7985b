"""The rows the file list shows: its filters (name, status) and its order (folder order, or most
uncertain first), as one proxy model computed in Python.

Why not QSortFilterProxyModel: over a Python source model every comparison it makes while
sorting calls back into Python three times (lessThan, and rowCount for each index it builds), so
sorting 10,000 images took over a second. Here the shown rows are one list comprehension and
one `sorted()` of plain floats (milliseconds), and the view hears one layout change, which keeps
its current row and selection (persistent indexes are moved, not reset).

The source model (app.panels.file_list.FileListModel) only ever resets or changes data; it never
inserts, removes or moves rows, so those are the only source signals handled here.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QAbstractProxyModel, QModelIndex, QPersistentModelIndex

if TYPE_CHECKING:
    from app.panels.file_list import FileListModel

#: Sort keys of the list, in the order the sort box offers them.
SORT_NAME, SORT_UNCERTAIN = "name", "uncertain"


class ShownRows(QAbstractProxyModel):
    """The images of `files` that pass the name filter (case-insensitive substring of the path)
    and the status filter (the shown status, "" for all), in folder order or by uncertainty."""

    def __init__(self, files: FileListModel) -> None:
        super().__init__()
        self.files = files
        self.text = ""
        self.status = ""
        self.sort_key = SORT_NAME
        self._rows: list[int] = []  # shown row -> source row
        self._pos: list[int] = []  # source row -> shown row, -1 when filtered out
        self.setSourceModel(files)
        files.modelAboutToBeReset.connect(self.beginResetModel)
        files.modelReset.connect(self._on_files_reset)
        files.dataChanged.connect(self._on_files_data_changed)
        self._compute()

    # ---- what is shown ------------------------------------------------------------------------
    def setFilterFixedString(self, text: str) -> None:  # noqa: N802 - QSortFilterProxyModel's name
        self.text = text.lower()
        self._relayout()

    def set_status(self, status: str) -> None:
        self.status = status or ""
        self._relayout()

    def set_sort_key(self, key: str) -> None:
        self.sort_key = key
        self._relayout()

    def _accepts(self, row: int) -> bool:
        files = self.files
        if self.text and self.text not in files.paths()[row].lower():
            return False
        return not self.status or files.state_at(row).shown == self.status

    def _compute(self) -> None:
        n = len(self.files.paths())
        rows = [r for r in range(n) if self._accepts(r)] if self.text or self.status else list(range(n))
        if self.sort_key == SORT_UNCERTAIN:
            values = self.files.sort_values
            rows.sort(key=values.__getitem__)  # stable: equal values stay in folder order
        pos = [-1] * n
        for shown, row in enumerate(rows):
            pos[row] = shown
        self._rows, self._pos = rows, pos

    def _relayout(self, change: Callable[[], None] | None = None) -> None:
        """Apply `change` (default: compute every shown row again) as one layout change."""
        self.layoutAboutToBeChanged.emit()
        old = self.persistentIndexList()
        sources = [self._rows[i.row()] if i.isValid() and i.row() < len(self._rows) else -1 for i in old]
        (change or self._compute)()
        self.changePersistentIndexList(old, [self._shown_index(r) for r in sources])
        self.layoutChanged.emit()

    def _shown_index(self, row: int) -> QModelIndex:
        shown = self._pos[row] if 0 <= row < len(self._pos) else -1
        return self.createIndex(shown, 0) if shown >= 0 else QModelIndex()

    def _move(self, row: int) -> None:
        """Move shown source `row` to its place in the uncertainty order (one value changed:
        a bisection instead of sorting everything again)."""
        rows, values = self._rows, self.files.sort_values
        old = self._pos[row]
        rows.pop(old)
        new = bisect.bisect_left(rows, (values[row], row), key=lambda r: (values[r], r))
        rows.insert(new, row)
        for shown in range(min(old, new), max(old, new) + 1):
            self._pos[rows[shown]] = shown

    def _in_place(self, row: int) -> bool:
        """Whether source `row`, just changed, is still shown (or hidden) where it was."""
        shown = self._pos[row]
        if self._accepts(row) != (shown >= 0):
            return False
        if shown < 0 or self.sort_key != SORT_UNCERTAIN:
            return True
        values, rows = self.files.sort_values, self._rows
        key = (values[row], row)
        before = shown == 0 or (values[rows[shown - 1]], rows[shown - 1]) < key
        return before and (shown == len(rows) - 1 or key < (values[rows[shown + 1]], rows[shown + 1]))

    # ---- source signals -----------------------------------------------------------------------
    def _on_files_reset(self) -> None:
        self._compute()
        self.endResetModel()

    def _on_files_data_changed(self, top: QModelIndex, bottom: QModelIndex, roles=()) -> None:
        changed = range(top.row(), bottom.row() + 1)
        if not all(self._in_place(r) for r in changed):
            row = top.row()
            if len(changed) == 1 and self._pos[row] >= 0 and self._accepts(row) and self.sort_key == SORT_UNCERTAIN:
                self._relayout(lambda: self._move(row))  # auto-fill recorded one image's value
            else:
                self._relayout()
            return  # the view repaints every row after a layout change
        shown = [self._pos[r] for r in changed if self._pos[r] >= 0]
        if shown:
            self.dataChanged.emit(self.createIndex(min(shown), 0), self.createIndex(max(shown), 0), roles)

    # ---- QAbstractProxyModel ------------------------------------------------------------------
    def index(self, row: int, column: int = 0, parent: QModelIndex = QModelIndex()) -> QModelIndex:
        if parent.isValid() or column != 0 or not 0 <= row < len(self._rows):
            return QModelIndex()
        return self.createIndex(row, 0)

    def parent(self, index: QModelIndex = QModelIndex()) -> QModelIndex:  # type: ignore[override]
        return QModelIndex()

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else 1

    def hasChildren(self, parent: QModelIndex = QModelIndex()) -> bool:  # noqa: N802
        return not parent.isValid() and bool(self._rows)

    def mapToSource(self, index: QModelIndex | QPersistentModelIndex) -> QModelIndex:  # noqa: N802
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return QModelIndex()
        return self.files.index(self._rows[index.row()], 0)

    def mapFromSource(self, index: QModelIndex | QPersistentModelIndex) -> QModelIndex:  # noqa: N802
        return self._shown_index(index.row()) if index.isValid() else QModelIndex()
