"""Editing the selected instances: class keys, copy/paste/duplicate, and the mask operations.

Menu actions reach these through dotted slots ("edits.merge_selected"); each edit is one undo
step on the current image's stack. The pixel work lives in app.mask_edits and app.core.mask_ops.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QObject
from PySide6.QtWidgets import QInputDialog

from app import mask_edits
from app.commands import AddInstance, SetFields

if TYPE_CHECKING:
    from app.main_window import MainWindow


def tr(text: str, n: int = -1) -> str:
    return QCoreApplication.translate("EditController", text, None, n)


class EditController(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.clipboard: list = []

    def set_class_number(self, n: int) -> None:
        """Number keys: the n-th class becomes current and is given to the selected instances."""
        if self.window.session is None:
            return
        cats = list(self.window.session.labels)
        if n > len(cats):
            return
        cid = cats[n - 1].id
        self.window.classes.set_current_category(cid)
        self._set_selected_fields(tr("Set class"), category_id=cid)

    def _set_selected_fields(self, text: str, **fields) -> None:
        doc = self.window.document
        ids = [i for i in self.window.selection.ordered if doc is not None and i in doc and not doc.get(i).locked]
        if not ids:
            return
        stack = self.window.undo_group.activeStack()
        stack.beginMacro(text)
        for iid in ids:
            stack.push(SetFields(doc, iid, text, **fields))
        stack.endMacro()

    def copy_selected(self) -> None:
        doc = self.window.document
        if doc is None:
            return
        self.clipboard = [doc.get(i).copy() for i in self.window.selection.ordered if i in doc]
        if self.clipboard:
            self.window.statusBar().showMessage(tr("Copied %n instance(s)", len(self.clipboard)), 3000)

    def paste(self) -> None:
        self._add_copies(self.clipboard, tr("Paste"))

    def duplicate_selected(self) -> None:
        doc = self.window.document
        if doc is not None:
            self._add_copies([doc.get(i) for i in self.window.selection.ordered if i in doc], tr("Duplicate"))

    def _add_copies(self, instances: list, text: str) -> None:
        doc = self.window.document
        if doc is None or not instances:
            return
        stack = self.window.undo_group.activeStack()
        stack.beginMacro(text)
        new_ids = []
        for inst in instances:
            copy = inst.copy(id=doc.new_id(), locked=False)
            stack.push(AddInstance(doc, copy, text=text))
            new_ids.append(copy.id)
        stack.endMacro()
        self.window.selection.set(new_ids)

    # ---- mask operations (one undo step each) ------------------------------------------------
    def _editable_selection(self) -> list:
        doc = self.window.document
        return [doc.get(i) for i in self.window.selection.ordered if doc is not None and i in doc and not doc.get(i).locked]

    def convert_selected(self, kind: str) -> None:
        tolerance = 1.0
        if kind == "polygon":
            tolerance, ok = self.ask_tolerance()
            if not ok:
                return
        mask_edits.convert(self.window.document, self.window.undo_group.activeStack(), self._editable_selection(), kind, tolerance)

    def ask_tolerance(self) -> tuple[float, bool]:
        """Simplification tolerance for Mask → Polygon, in pixels. Tests replace this."""
        return QInputDialog.getDouble(self.window, tr("Mask to polygon"), tr("Simplification tolerance (pixels):"), 1.0, 0.0, 20.0, 1)

    def merge_selected(self) -> None:
        keep = mask_edits.merge(self.window.document, self.window.undo_group.activeStack(), self._editable_selection())
        if keep is not None:
            self.window.selection.set([keep])

    def split_selected(self) -> None:
        new_ids = mask_edits.split(self.window.document, self.window.undo_group.activeStack(), self._editable_selection())
        if new_ids:
            self.window.selection.set([*self.window.selection.ordered, *new_ids])

    def subtract_above(self) -> None:
        mask_edits.subtract_above(self.window.document, self.window.undo_group.activeStack(), self._editable_selection())
