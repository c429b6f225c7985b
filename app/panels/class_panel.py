"""Class panel: the project's categories with colour swatch and instance count in this image.

The current row is the class new instances get. A small toolbar edits the label set (add, rename,
recolor, delete, load and save a class list); double-click or F2 renames in place. Edits mutate
the LabelSet, whose `changed` signal drives this panel, the canvas and the session's autosave.

Every question to the user goes through one small method (ask_name, ask_color, ask_open_path,
ask_save_path, ask_load_mode, confirm_delete, warn), so tests replace them instead of dialogs.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction, QBrush, QColor, QFont, QIcon, QKeySequence, QPixmap, QShortcut
from PySide6.QtWidgets import (
    QColorDialog,
    QFileDialog,
    QHeaderView,
    QInputDialog,
    QMessageBox,
    QToolBar,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.core import class_merge
from app.core.categories import Category, Color, LabelSet, default_color
from app.core.document import Change, ChangeKind, Document
from app.formats import class_lists
from app.ui.i18n import show_text, translate

COL_NAME, COL_COUNT = 0, 1
ID_ROLE = Qt.UserRole
ORPHAN_ROLE = Qt.UserRole + 1  # True for ids used in the image but missing from the label set


class ClassPanel(QWidget):
    current_changed = Signal(int)  # category id
    category_removed = Signal(int)  # category id, after the panel removed it from the label set

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.labels = LabelSet()
        self.labels.changed.connect(self._on_labels_changed)
        self.doc: Document | None = None
        self._bulk = False  # while a class list is applied: refresh once at the end
        self._emitted: int | None = None
        self._shown: list[tuple] = []  # what each row shows now, so refresh touches only changes

        self.toolbar = QToolBar()
        self.toolbar.setToolButtonStyle(Qt.ToolButtonTextOnly)
        self.add_action = self._action(translate("ClassPanel", "Add"), translate("ClassPanel", "Add a class"), self.add_category)
        self.rename_action = self._action(translate("ClassPanel", "Rename"), translate("ClassPanel", "Rename the class (F2)"), self.start_rename)
        self.color_action = self._action(translate("ClassPanel", "Colour"), translate("ClassPanel", "Change the class colour"), self.recolor_category)
        self.delete_action = self._action(translate("ClassPanel", "Delete"), translate("ClassPanel", "Delete the class"), self.delete_category)
        self.toolbar.addSeparator()
        self.load_action = self._action(translate("ClassPanel", "Load…"), translate("ClassPanel", "Load a class list (text or COCO JSON)"), self.load_class_list)
        self.save_action = self._action(translate("ClassPanel", "Save…"), translate("ClassPanel", "Save the class list (text or COCO JSON)"), self.save_class_list)

        self.tree = QTreeWidget()
        self.tree.setColumnCount(2)
        self.tree.setHeaderHidden(True)
        self.tree.setRootIsDecorated(False)
        self.tree.setUniformRowHeights(True)
        # Only column 0 may be edited, so editing starts from our handlers, never from a trigger.
        self.tree.setEditTriggers(QTreeWidget.NoEditTriggers)
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(COL_NAME, QHeaderView.Stretch)
        header.setSectionResizeMode(COL_COUNT, QHeaderView.ResizeToContents)
        QShortcut(QKeySequence(Qt.Key_F2), self.tree, self.start_rename, context=Qt.WidgetShortcut)
        QShortcut(QKeySequence(Qt.Key_Delete), self.tree, self.delete_category, context=Qt.WidgetShortcut)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(2)
        layout.addWidget(self.toolbar)
        layout.addWidget(self.tree)
        self.tree.currentItemChanged.connect(self._on_tree_current_changed)
        self.tree.itemDoubleClicked.connect(self._on_tree_double_clicked)
        self.tree.itemChanged.connect(self._on_tree_item_changed)

    def _action(self, text: str, tip: str, slot) -> QAction:
        action = QAction(text, self)
        action.setToolTip(tip)
        action.triggered.connect(lambda _checked=False: slot())
        self.toolbar.addAction(action)
        return action

    # ---- public API ---------------------------------------------------------------------------
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
        item = self.tree.currentItem()
        if item is None or item.data(COL_NAME, ORPHAN_ROLE):
            return None
        return int(item.data(COL_NAME, ID_ROLE))

    def set_current_category(self, category_id: int) -> None:
        item = self._item(category_id)
        if item is not None and not item.data(COL_NAME, ORPHAN_ROLE):
            self.tree.setCurrentItem(item)

    def counts(self) -> Counter[int]:
        """Instances per category id in the current document."""
        return Counter(i.category_id for i in self.doc) if self.doc is not None else Counter()

    def refresh(self) -> None:
        """Show the label set (plus ids the image uses that it lacks) with per-image counts.
        Only rows whose content changed are touched (an image switch updates a few counts, not
        80 rows of icons and flags), in place while the ids are unchanged (an editor survives)."""
        counts = self.counts()
        suggested = Counter(i.category_id for i in self.doc if i.is_suggestion) if self.doc else Counter()
        rows: list[tuple[int, str, Color, bool]] = [(c.id, c.name, c.color, False) for c in self.labels]
        rows += [(cid, f"#{cid}", default_color(cid), True) for cid in sorted(counts) if cid not in self.labels]
        ids = [r[0] for r in rows]
        current = self.current_category()
        old_row = self.tree.indexOfTopLevelItem(self.tree.currentItem()) if self.tree.currentItem() else 0
        self.tree.blockSignals(True)
        if rebuild := ids != [r[0] for r in self._shown] or self.tree.topLevelItemCount() != len(ids):
            self.tree.clear()
        shown: list[tuple] = []
        for index, (cid, name, color, orphan) in enumerate(rows):
            cat = self.labels.get(cid)
            state = (cid, name, color, orphan, cat is None or cat.isthing, counts.get(cid, 0), suggested.get(cid, 0))
            shown.append(state)
            if not rebuild and self._shown[index] == state:
                continue
            item = QTreeWidgetItem() if rebuild else self.tree.topLevelItem(index)
            if rebuild or self._shown[index][:5] != state[:5]:  # name, colour, kind: the slow part
                self._fill_item(item, cid, name, color, orphan)
            self._fill_count(item, state[5], state[6])
            if rebuild:
                self.tree.addTopLevelItem(item)
        self._shown = shown
        self.tree.blockSignals(False)
        if current in self.labels:
            self.set_current_category(current)
        else:
            self._select_near(old_row)
        self._emit_current()

    def _fill_item(self, item: QTreeWidgetItem, cid: int, name: str, color: Color, orphan: bool) -> None:
        pm = QPixmap(14, 14)
        pm.fill(QColor(*color))
        item.setIcon(COL_NAME, QIcon(pm))
        item.setText(COL_NAME, name)
        item.setTextAlignment(COL_COUNT, Qt.AlignRight | Qt.AlignVCenter)
        item.setData(COL_NAME, ID_ROLE, cid)
        item.setData(COL_NAME, ORPHAN_ROLE, orphan)
        font = QFont()
        font.setItalic(orphan)
        item.setFont(COL_NAME, font)
        if orphan:  # shown so the user sees them; naming one puts the class back
            item.setFlags(Qt.ItemIsEnabled | Qt.ItemIsEditable)
            item.setForeground(COL_NAME, QBrush(QColor(140, 140, 140)))
            tip = translate("ClassPanel", "id {id} is used in this image but is not in the class list; rename to restore it")
            item.setToolTip(COL_NAME, tip.format(id=cid))
        else:
            item.setFlags(Qt.ItemIsEnabled | Qt.ItemIsSelectable | Qt.ItemIsEditable)
            item.setForeground(COL_NAME, QBrush())
            cat = self.labels.get(cid)
            kind = translate("ClassPanel", "thing") if cat is None or cat.isthing else translate("ClassPanel", "stuff")
            item.setToolTip(COL_NAME, translate("ClassPanel", "id {id} · {kind}").format(id=cid, kind=kind))

    def _fill_count(self, item: QTreeWidgetItem, count: int, suggested: int) -> None:
        item.setText(COL_COUNT, str(count))
        tip = translate("ClassPanel", "{count} instances in this image, {suggested} of them suggestions")
        item.setToolTip(COL_COUNT, tip.format(count=count, suggested=suggested))

    def _item(self, category_id: int) -> QTreeWidgetItem | None:
        row = next((r for r, shown in enumerate(self._shown) if shown[0] == category_id), -1)  # no item.data() calls
        return self.tree.topLevelItem(row) if row >= 0 else None

    def _select_near(self, row: int) -> None:
        count = self.tree.topLevelItemCount()
        order = list(range(min(row, count - 1), count)) + list(range(min(row, count) - 1, -1, -1))
        for r in order:
            item = self.tree.topLevelItem(r)
            if item is not None and not item.data(COL_NAME, ORPHAN_ROLE):
                self.tree.setCurrentItem(item)
                return
        self.tree.setCurrentItem(None)

    def _emit_current(self) -> None:
        cid = self.current_category()
        if cid is not None and cid != self._emitted:
            self._emitted = cid
            self.current_changed.emit(cid)

    # ---- editing ----------------------------------------------------------------------------
    def add_category(self, name: str | None = None) -> int | None:
        """Add a class (asking for its name when not given); returns its id, or None."""
        if name is None:
            name = self.ask_name(translate("ClassPanel", "Add class"), translate("ClassPanel", "Name of the new class:"))
        name = (name or "").strip()
        if not name or not self._name_is_free(name):
            return None
        cat = self.labels.add(name)
        self.set_current_category(cat.id)
        return cat.id

    def start_rename(self) -> None:
        """Open the in-place editor on the current row."""
        item = self.tree.currentItem()
        if item is not None:
            self.tree.editItem(item, COL_NAME)

    def rename_category(self, category_id: int, name: str) -> bool:
        """Rename a class; an id missing from the label set (an orphan row) is put back under
        `name`. False (and nothing changed) for an empty or already used name."""
        name = name.strip()
        cat = self.labels.get(category_id)
        if not name or (cat is not None and cat.name == name):
            return False
        if not self._name_is_free(name, except_id=category_id):
            return False
        if cat is None:
            self.labels.insert(Category(category_id, name, default_color(category_id)))
        else:
            self.labels.update(category_id, name=name)
        return True

    def recolor_category(self, category_id: int | None = None, color: Color | None = None) -> bool:
        """Change a class colour (the current class; asks with a colour dialog when not given)."""
        category_id = self.current_category() if category_id is None else category_id
        cat = self.labels.get(category_id) if category_id is not None else None
        if cat is None:
            return False
        color = self.ask_color(cat.color) if color is None else color
        if color is None or tuple(color) == cat.color:
            return False
        self.labels.update(cat.id, color=tuple(int(v) for v in color))
        return True

    def delete_category(self, category_id: int | None = None) -> bool:
        """Remove a class from the label set, asking first when instances of this image use it.
        Those instances keep the id and show as an orphan row until it is named again."""
        category_id = self.current_category() if category_id is None else category_id
        cat = self.labels.get(category_id) if category_id is not None else None
        if cat is None:
            return False
        used = self.counts().get(cat.id, 0)
        if used and not self.confirm_delete(cat.name, used):
            return False
        self.labels.remove(cat.id)
        self.category_removed.emit(cat.id)
        return True

    def _name_is_free(self, name: str, except_id: int | None = None) -> bool:
        other = self.labels.by_name(name)
        if other is not None and other.id != except_id:
            self.warn(translate("ClassPanel", 'There is already a class named "{name}".').format(name=other.name))
            return False
        return True

    # ---- class list files ---------------------------------------------------------------------
    def load_class_list(self, path: str | None = None, mode: str | None = None) -> bool:
        """Read a class list (.json: COCO categories, anything else: one name per line) and apply
        it; mode "replace" or "merge" (asked when not given). False when nothing was applied."""
        path = self.ask_open_path() if path is None else path
        if not path:
            return False
        try:
            loaded = class_lists.read_coco_categories(path) if Path(path).suffix.lower() == ".json" else class_lists.read_text(path)
        except class_lists.ClassListError as exc:
            self.warn(show_text(exc))
            return False
        mode = self.ask_load_mode(path, len(loaded)) if mode is None else mode
        if mode not in ("replace", "merge"):
            return False
        return self.apply_class_list(loaded, replace=mode == "replace", keep_ids=Path(path).suffix.lower() == ".json")

    def apply_class_list(self, loaded: LabelSet, replace: bool, keep_ids: bool = False) -> bool:
        """Bring the label set in line with `loaded` (app.core.class_merge), asking first when
        replacing would remove classes this image uses."""
        removed = class_merge.removed_by(self.labels, loaded, replace)
        used = sum(self.counts().get(c.id, 0) for c in removed)
        if used and not self.confirm_delete(", ".join(c.name for c in removed), used):
            return False
        self._bulk = True
        try:
            class_merge.merge(self.labels, loaded, replace, keep_ids)
        finally:
            self._bulk = False
        for cat in removed:
            self.category_removed.emit(cat.id)
        self.refresh()
        return True

    def save_class_list(self, path: str | None = None) -> bool:
        """Write the label set (.json: COCO categories with ids and colours, else plain names)."""
        path = self.ask_save_path() if path is None else path
        if not path:
            return False
        if not Path(path).suffix:
            path = f"{path}.txt"
        try:
            if Path(path).suffix.lower() == ".json":
                class_lists.write_coco_categories(self.labels, path)
            else:
                class_lists.write_text(self.labels, path)
        except OSError as exc:
            self.warn(translate("ClassPanel", "Could not save {name}: {error}").format(name=Path(path).name, error=exc.strerror or exc))
            return False
        return True

    # ---- questions (tests override these) -----------------------------------------------------
    def ask_name(self, title: str, label: str, text: str = "") -> str | None:
        name, ok = QInputDialog.getText(self, title, label, text=text)
        return name if ok else None

    def ask_color(self, initial: Color) -> Color | None:
        color = QColorDialog.getColor(QColor(*initial), self, translate("ClassPanel", "Class colour"))
        return (color.red(), color.green(), color.blue()) if color.isValid() else None

    def ask_open_path(self) -> str | None:
        path, _ = QFileDialog.getOpenFileName(self, translate("ClassPanel", "Load class list"), "", _file_filter())
        return path or None

    def ask_save_path(self) -> str | None:
        path, _ = QFileDialog.getSaveFileName(self, translate("ClassPanel", "Save class list"), "classes.txt", _file_filter())
        return path or None

    def ask_load_mode(self, path: str, count: int) -> str | None:
        """"replace", "merge" or None (cancel) for a file of `count` classes."""
        box = QMessageBox(QMessageBox.Question, translate("ClassPanel", "Load class list"), "", QMessageBox.Cancel, self)
        box.setText(translate("ClassPanel", "{name} holds {count} classes. Replace the current class list, or add the "
                       "new names to it? Classes are matched by name.").format(name=Path(path).name, count=count))
        replace = box.addButton(translate("ClassPanel", "Replace"), QMessageBox.AcceptRole)
        merge = box.addButton(translate("ClassPanel", "Add to current"), QMessageBox.AcceptRole)
        box.exec()
        clicked = box.clickedButton()
        return "replace" if clicked is replace else "merge" if clicked is merge else None

    def confirm_delete(self, name: str, count: int) -> bool:
        answer = QMessageBox.question(self, translate("ClassPanel", "Delete class"), translate("ClassPanel",
            "{count} instances in this image use {name}. Delete the class anyway? The instances "
            "stay, shown by id until the class is named again.").format(count=count, name=name))
        return answer == QMessageBox.Yes

    def warn(self, text: str) -> None:
        QMessageBox.warning(self, translate("ClassPanel", "Classes"), text)

    # ---- slots ------------------------------------------------------------------------------
    def _on_labels_changed(self, _category_id: int) -> None:
        if not self._bulk:
            self.refresh()

    def _on_document_changed(self, change: Change) -> None:
        if change.kind in (ChangeKind.ADDED, ChangeKind.REMOVED) or {"category_id", "state"} & set(change.fields):
            self.refresh()

    def _on_tree_current_changed(self, _item: QTreeWidgetItem | None, _prev) -> None:
        self._emit_current()

    def _on_tree_double_clicked(self, item: QTreeWidgetItem, _column: int) -> None:
        self.tree.editItem(item, COL_NAME)

    def _on_tree_item_changed(self, item: QTreeWidgetItem, column: int) -> None:
        if column != COL_NAME:
            return
        # Applied on the next loop turn: renaming may rebuild the rows, which must not happen
        # while the item view is still inside the editor's commit.
        cid, text = int(item.data(COL_NAME, ID_ROLE)), item.text(COL_NAME)
        row = self.tree.indexOfTopLevelItem(item)
        if 0 <= row < len(self._shown):
            self._shown[row] = (cid,)  # the editor wrote into the row: the next refresh fills it again
        QTimer.singleShot(0, self, lambda: self._commit_rename(cid, text))

    def _commit_rename(self, category_id: int, text: str) -> None:
        if not self.rename_category(category_id, text):
            self.refresh()  # puts the old name back


def _file_filter() -> str:
    return ";;".join([translate("ClassPanel", "Class lists (*.txt *.json)"), translate("ClassPanel", "Text, one name per line (*.txt)"), translate("ClassPanel", "COCO categories (*.json)")])
