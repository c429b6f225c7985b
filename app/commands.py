"""Undo commands: thin QUndoCommands over the Document's reversible primitives.

Each command stores only what its primitive returned (an old value, an index, the touched
pixels of a box), never a snapshot of the document.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QUndoCommand

from app.core.document import Document, ImageStatus
from app.core.geometry import Box, Geometry
from app.core.instance import Instance


def tr(text: str) -> str:
    return QCoreApplication.translate("Commands", text)


class AddInstance(QUndoCommand):
    def __init__(self, doc: Document, instance: Instance, index: int | None = None, text: str = "") -> None:
        super().__init__(text or tr("Add instance"))
        self.doc, self.instance, self.index = doc, instance, index

    def redo(self) -> None:
        self.doc.add(self.instance, self.index)

    def undo(self) -> None:
        self.doc.remove(self.instance.id)


class RemoveInstance(QUndoCommand):
    def __init__(self, doc: Document, instance_id: int, parent: QUndoCommand | None = None) -> None:
        super().__init__(tr("Delete instance"), parent)
        self.doc, self.instance_id = doc, instance_id
        self._removed: tuple[Instance, int] | None = None

    def redo(self) -> None:
        self._removed = self.doc.remove(self.instance_id)

    def undo(self) -> None:
        inst, index = self._removed
        self.doc.add(inst, index)


class SetFields(QUndoCommand):
    """Change plain fields (class, visibility, lock, state...) of one instance."""

    def __init__(self, doc: Document, instance_id: int, text: str = "", parent: QUndoCommand | None = None, **fields) -> None:
        super().__init__(text or tr("Edit instance"), parent)
        self.doc, self.instance_id, self.fields = doc, instance_id, fields
        self._old: dict = {}

    def redo(self) -> None:
        self._old = self.doc.set_fields(self.instance_id, **self.fields)

    def undo(self) -> None:
        self.doc.set_fields(self.instance_id, **self._old)


class SetGeometry(QUndoCommand):
    def __init__(self, doc: Document, instance_id: int, geometry: Geometry, text: str = "", parent: QUndoCommand | None = None) -> None:
        super().__init__(text or tr("Edit shape"), parent)
        self.doc, self.instance_id, self.geometry = doc, instance_id, geometry
        self._old: Geometry | None = None

    def redo(self) -> None:
        self._old = self.doc.set_geometry(self.instance_id, self.geometry)

    def undo(self) -> None:
        self.doc.set_geometry(self.instance_id, self._old)


class MoveInstance(QUndoCommand):
    def __init__(self, doc: Document, instance_id: int, index: int) -> None:
        super().__init__(tr("Reorder"))
        self.doc, self.instance_id, self.index = doc, instance_id, index
        self._old = 0

    def redo(self) -> None:
        self._old = self.doc.move(self.instance_id, self.index)

    def undo(self) -> None:
        self.doc.move(self.instance_id, self._old)


class PaintStroke(QUndoCommand):
    """Pixels already painted into the document during a drag. Stores the before and after
    pixels of the stroke's box only (napari's 'history atoms'); the first redo is a no-op."""

    def __init__(self, doc: Document, instance_id: int, box: Box, before: np.ndarray, after: np.ndarray, text: str = "") -> None:
        super().__init__(text or tr("Paint"))
        self.doc, self.instance_id, self.box = doc, instance_id, box
        self.before, self.after = before, after
        self._applied = True

    def redo(self) -> None:
        if not self._applied:
            self.doc.write_pixels(self.instance_id, self.box, self.after)
        self._applied = False

    def undo(self) -> None:
        self.doc.write_pixels(self.instance_id, self.box, self.before)


class SetImageStatus(QUndoCommand):
    def __init__(self, doc: Document, status: ImageStatus) -> None:
        super().__init__(tr("Mark image {status}").format(status=status.value.replace("_", " ")))
        self.doc, self.status = doc, status
        self._old = ImageStatus.NEW

    def redo(self) -> None:
        self._old = self.doc.set_status(self.status)

    def undo(self) -> None:
        self.doc.set_status(self._old)
