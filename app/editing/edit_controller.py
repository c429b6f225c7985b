"""Editing the selected instances: class keys, copy/paste/duplicate, and the mask operations.

Menu actions reach these through dotted slots ("edits.merge_selected"); each edit is one undo
step on the current image's stack. The pixel work lives in app.editing.mask_edits and app.core.mask_ops.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import QInputDialog, QWidget

from app.canvas.selection import Selection
from app.core.categories import LabelSet
from app.core.document import Document, ImageStatus
from app.editing import mask_edits
from app.editing.commands import (
    AddInstance,
    MoveInstance,
    RemoveInstance,
    SetFields,
    SetImageStatus,
)
from app.ui.i18n import Context, translate


class EditController(QObject):
    """Edits of the current image's selected instances.

    document() -> the current Document or None; labels() -> the project's LabelSet or None;
    set_current_category(id) makes a class current in the class panel; stack() -> the current
    image's QUndoStack (edits made of several commands are one macro on it); message(text) shows
    a status message; parent hosts the tolerance dialog.
    """

    tr = Context("EditController").tr  # its plural messages: self.tr(text, "", n) (app.ui.i18n)

    def __init__(
        self, *, document: Callable[[], Document | None], labels: Callable[[], LabelSet | None],
        set_current_category: Callable[[int], None], selection: Selection,
        stack: Callable[[], QUndoStack | None], message: Callable[[str], None], parent: QWidget,
    ) -> None:  # fmt: skip
        super().__init__(parent)
        self._document, self._labels, self._stack = document, labels, stack
        self._set_current_category, self._message = set_current_category, message
        self.selection = selection
        self.clipboard: list = []

    def set_class_number(self, n: int) -> None:
        """Number keys: the n-th class becomes current and is given to the selected instances."""
        labels = self._labels()
        if labels is None:
            return
        cats = list(labels)
        if n > len(cats):
            return
        cid = cats[n - 1].id
        self._set_current_category(cid)
        self._set_selected_fields(translate("EditController", "Set class"), category_id=cid)

    def _set_selected_fields(self, text: str, **fields) -> None:
        doc = self._document()
        ids = [i for i in self.selection.ordered if doc is not None and i in doc and not doc.get(i).locked]
        if not ids:
            return
        stack = self._stack()
        stack.beginMacro(text)
        for iid in ids:
            stack.push(SetFields(doc, iid, text, **fields))
        stack.endMacro()

    def _push(self, command) -> None:
        stack = self._stack()
        if stack is not None:
            stack.push(command)

    def delete_selected(self) -> None:
        doc = self._document()
        ids = [i for i in self.selection.ordered if doc is not None and i in doc and not doc.get(i).locked]
        if not ids:
            return
        stack = self._stack()
        stack.beginMacro(self.tr("Delete %n instance(s)", "", len(ids)))
        for iid in ids:
            stack.push(RemoveInstance(doc, iid))
        stack.endMacro()
        self.selection.set([])

    def toggle_done(self) -> None:
        doc = self._document()
        if doc is not None:
            done = doc.status is ImageStatus.DONE
            self._push(SetImageStatus(doc, ImageStatus.IN_PROGRESS if done else ImageStatus.DONE))

    def set_field(self, iid: int, field: str, value: object) -> None:
        """The layer panel's eye and lock toggles."""
        doc = self._document()
        if doc is not None:
            text = translate("EditController", "Show/hide instance") if field == "visible" else translate("EditController", "Lock/unlock instance")
            self._push(SetFields(doc, iid, text, **{field: value}))

    def move_to(self, iid: int, z_index: int) -> None:
        """The layer panel's drag and drop: instance `iid` goes to position `z_index`."""
        doc = self._document()
        if doc is not None:
            self._push(MoveInstance(doc, iid, z_index))

    def copy_selected(self) -> None:
        doc = self._document()
        if doc is None:
            return
        self.clipboard = [doc.get(i).copy() for i in self.selection.ordered if i in doc]
        if self.clipboard:
            self._message(self.tr("Copied %n instance(s)", "", len(self.clipboard)))

    def paste(self) -> None:
        self._add_copies(self.clipboard, translate("EditController", "Paste"))

    def duplicate_selected(self) -> None:
        doc = self._document()
        if doc is not None:
            self._add_copies([doc.get(i) for i in self.selection.ordered if i in doc], translate("EditController", "Duplicate"))

    def _add_copies(self, instances: list, text: str) -> None:
        doc = self._document()
        if doc is None or not instances:
            return
        stack = self._stack()
        stack.beginMacro(text)
        new_ids = []
        for inst in instances:
            copy = inst.copy(id=doc.new_id(), locked=False)
            stack.push(AddInstance(doc, copy, text=text))
            new_ids.append(copy.id)
        stack.endMacro()
        self.selection.set(new_ids)

    # ---- mask operations (one undo step each) ------------------------------------------------
    def _editable_selection(self) -> list:
        doc = self._document()
        return [doc.get(i) for i in self.selection.ordered if doc is not None and i in doc and not doc.get(i).locked]

    def convert_selected(self, kind: str) -> None:
        tolerance = 1.0
        if kind == "polygon":
            tolerance, ok = self.ask_tolerance()
            if not ok:
                return
        mask_edits.convert(self._document(), self._stack(), self._editable_selection(), kind, tolerance)

    def ask_tolerance(self) -> tuple[float, bool]:
        """Simplification tolerance for Mask → Polygon, in pixels. Tests replace this."""
        return QInputDialog.getDouble(self.parent(), translate("EditController", "Mask to polygon"), translate("EditController", "Simplification tolerance (pixels):"), 1.0, 0.0, 20.0, 1)

    def merge_selected(self) -> None:
        keep = mask_edits.merge(self._document(), self._stack(), self._editable_selection())
        if keep is not None:
            self.selection.set([keep])

    def split_selected(self) -> None:
        new_ids = mask_edits.split(self._document(), self._stack(), self._editable_selection())
        if new_ids:
            self.selection.set([*self.selection.ordered, *new_ids])

    def subtract_above(self) -> None:
        mask_edits.subtract_above(self._document(), self._stack(), self._editable_selection())
