"""Class panel: the project's categories with colour swatch and instance count in this image.

The current row is the class new instances get. Editing the class list (add, rename, recolor,
delete, load/save) comes with the editing tools."""

from __future__ import annotations

from collections import Counter

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from app.core.categories import LabelSet
from app.core.document import Change, ChangeKind, Document


def tr(text: str) -> str:
    return QCoreApplication.translate("ClassPanel", text)


class ClassPanel(QWidget):
    current_changed = Signal(int)  # category id

    def __init__(self) -> None:
        super().__init__()
        self.labels = LabelSet()
        self.doc: Document | None = None
        self.list = QListWidget()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.list)
        self.list.currentItemChanged.connect(self._on_list_current_changed)

    def set_labels(self, labels: LabelSet) -> None:
        if self.labels is not labels:
            self.labels.changed.disconnect(self._on_labels_changed)
            self.labels = labels
            labels.changed.connect(self._on_labels_changed)
        self.refresh()

    def set_document(self, doc: Document | None) -> None:
        if self.doc is not None:
            self.doc.changed.disconnect(self._on_document_changed)
        self.doc = doc
        if doc is not None:
            doc.changed.connect(self._on_document_changed)
        self.refresh()

    def current_category(self) -> int | None:
        item = self.list.currentItem()
        return None if item is None else int(item.data(Qt.UserRole))

    def set_current_category(self, category_id: int) -> None:
        for row in range(self.list.count()):
            if self.list.item(row).data(Qt.UserRole) == category_id:
                self.list.setCurrentRow(row)
                return

    def refresh(self) -> None:
        current = self.current_category()
        counts = Counter(i.category_id for i in self.doc) if self.doc is not None else Counter()
        self.list.blockSignals(True)
        self.list.clear()
        for cat in self.labels:
            pm = QPixmap(14, 14)
            pm.fill(QColor(*cat.color))
            item = QListWidgetItem(QIcon(pm), f"{cat.name}    {counts.get(cat.id, 0)}")
            item.setData(Qt.UserRole, cat.id)
            item.setToolTip(tr("id {id} · {kind}").format(id=cat.id, kind=tr("thing") if cat.isthing else tr("stuff")))
            self.list.addItem(item)
        self.list.blockSignals(False)
        if current is not None:
            self.set_current_category(current)
        elif self.list.count():
            self.list.setCurrentRow(0)

    def _on_labels_changed(self, _category_id: int) -> None:
        self.refresh()

    def _on_document_changed(self, change: Change) -> None:
        if change.kind in (ChangeKind.ADDED, ChangeKind.REMOVED) or "category_id" in change.fields:
            self.refresh()

    def _on_list_current_changed(self, item: QListWidgetItem | None, _prev) -> None:
        if item is not None:
            self.current_changed.emit(int(item.data(Qt.UserRole)))
