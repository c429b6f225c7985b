"""Undo commands: thin QUndoCommands over the Document's reversible primitives.

Each command stores only what its primitive returned (an old value, an index, the touched
pixels of a box), never a snapshot of the document. To group commands into one step use
QUndoStack.beginMacro/endMacro or CommandSequence, never Qt's parent/child commands (below).
"""

from __future__ import annotations

from datetime import datetime, timezone

import numpy as np
from PySide6.QtCore import QT_TRANSLATE_NOOP
from PySide6.QtGui import QUndoCommand

from app.core.document import Document, ImageStatus
from app.core.geometry import Box, Geometry
from app.core.instance import Instance, InstanceState
from app.ui.i18n import Context, translate

Commands = Context("Commands")  # plural messages: Commands.tr(text, "", n) (app.ui.i18n)


class CommandSequence(QUndoCommand):
    """Several commands applied as one undo step (redo in order, undo in reverse).

    Deliberately not Qt's parent/child macro: PySide 6.11 does not keep the Python objects of
    child commands alive (a child whose wrapper is collected crashes on redo), and when Python
    keeps them, deleting the parent (QUndoStack.clear) deletes them a second time and crashes.
    Here the children never have a Qt parent; this command owns them as Python objects.
    """

    def __init__(self, text: str, commands: list[QUndoCommand]) -> None:
        super().__init__(text)
        self.commands = list(commands)

    def redo(self) -> None:
        for command in self.commands:
            command.redo()

    def undo(self) -> None:
        for command in reversed(self.commands):
            command.undo()


class AddInstance(QUndoCommand):
    def __init__(self, doc: Document, instance: Instance, index: int | None = None, text: str = "") -> None:
        super().__init__(text or translate("Commands", "Add instance"))
        self.doc, self.instance, self.index = doc, instance, index

    def redo(self) -> None:
        self.doc.add(self.instance, self.index)

    def undo(self) -> None:
        self.doc.remove(self.instance.id)


class RemoveInstance(QUndoCommand):
    def __init__(self, doc: Document, instance_id: int) -> None:
        super().__init__(translate("Commands", "Delete instance"))
        self.doc, self.instance_id = doc, instance_id
        self._removed: tuple[Instance, int] | None = None

    def redo(self) -> None:
        self._removed = self.doc.remove(self.instance_id)

    def undo(self) -> None:
        inst, index = self._removed
        self.doc.add(inst, index)


class SetFields(QUndoCommand):
    """Change plain fields (class, visibility, lock, state...) of one instance."""

    def __init__(self, doc: Document, instance_id: int, text: str = "", **fields) -> None:
        super().__init__(text or translate("Commands", "Edit instance"))
        self.doc, self.instance_id, self.fields = doc, instance_id, fields
        self._old: dict = {}

    def redo(self) -> None:
        self._old = self.doc.set_fields(self.instance_id, **self.fields)

    def undo(self) -> None:
        self.doc.set_fields(self.instance_id, **self._old)


class _AcceptOnEdit:
    """Editing a suggestion's shape accepts it, in the same undo step: the corrected mask is the
    user's work, which "Reject Rest" must never throw away (as CVAT and Label Studio turn an
    edited prediction into an annotation). Undo makes it a suggestion again.

    The acceptance is made once, on the first redo, and reused by every later redo: a redo
    must restore the exact state, "accepted_at" included, however much later it runs.
    """

    doc: Document
    instance_id: int
    _acceptance: AcceptSuggestions | None = None  # made on the first redo that found a suggestion
    _accepted = False  # whether the acceptance is applied now

    def _accept_if_suggested(self) -> None:
        inst = self.doc.get(self.instance_id)
        if inst.state is InstanceState.SUGGESTED:
            if self._acceptance is None:
                self._acceptance = AcceptSuggestions(self.doc, [self.instance_id])
            self._acceptance.redo()
            self._accepted = True

    def _undo_accept(self) -> None:
        if self._accepted:
            self._acceptance.undo()
            self._accepted = False


class SetGeometry(_AcceptOnEdit, QUndoCommand):
    def __init__(self, doc: Document, instance_id: int, geometry: Geometry, text: str = "") -> None:
        super().__init__(text or translate("Commands", "Edit shape"))
        self.doc, self.instance_id, self.geometry = doc, instance_id, geometry
        self._old: Geometry | None = None

    def redo(self) -> None:
        self._old = self.doc.set_geometry(self.instance_id, self.geometry)
        self._accept_if_suggested()

    def undo(self) -> None:
        self._undo_accept()
        self.doc.set_geometry(self.instance_id, self._old)


class MoveInstance(QUndoCommand):
    def __init__(self, doc: Document, instance_id: int, index: int) -> None:
        super().__init__(translate("Commands", "Reorder"))
        self.doc, self.instance_id, self.index = doc, instance_id, index
        self._old = 0

    def redo(self) -> None:
        self._old = self.doc.move(self.instance_id, self.index)

    def undo(self) -> None:
        self.doc.move(self.instance_id, self._old)


class GeometryEdit(_AcceptOnEdit, QUndoCommand):
    """A geometry change already shown live during a drag (vertex drag, move): redo sets
    `after`, undo sets `before`. Geometries are immutable, so holding both is cheap."""

    def __init__(self, doc: Document, instance_id: int, before: Geometry, after: Geometry, text: str = "") -> None:
        super().__init__(text or translate("Commands", "Edit shape"))
        self.doc, self.instance_id, self.before, self.after = doc, instance_id, before, after

    def redo(self) -> None:
        self.doc.set_geometry(self.instance_id, self.after)
        self._accept_if_suggested()

    def undo(self) -> None:
        self._undo_accept()
        self.doc.set_geometry(self.instance_id, self.before)


class PaintStroke(_AcceptOnEdit, QUndoCommand):
    """A brush or eraser stroke already painted into the document during the drag.

    Stores only the stroke's box: its pixels before and after, bit-packed (napari's "history
    atoms"; a 100-dab stroke costs a few kB). Two special cases cost one geometry each: the
    stroke created the instance (`created`: undo removes it), or converted a polygon to a raster
    mask first (`converted_from`: undo restores the polygon). The first redo (on push) is a no-op.
    """

    def __init__(
        self,
        doc: Document,
        instance_id: int,
        box: Box,
        before: np.ndarray,
        after: np.ndarray,
        text: str = "",
        created: Instance | None = None,
        created_index: int | None = None,
        converted_from: Geometry | None = None,
        start_geometry: Geometry | None = None,
    ) -> None:
        super().__init__(text or translate("Commands", "Paint"))
        self.doc, self.instance_id, self.box = doc, instance_id, box
        self.shape = before.shape
        self._before, self._after = np.packbits(before), np.packbits(after)
        self.created, self.created_index = created, created_index
        self.converted_from, self.start_geometry = converted_from, start_geometry
        self._pushed = False

    def nbytes(self) -> int:
        return self._before.nbytes + self._after.nbytes

    def _pixels(self, packed: np.ndarray) -> np.ndarray:
        n = self.shape[0] * self.shape[1]
        return np.unpackbits(packed, count=n).reshape(self.shape).astype(bool)

    def redo(self) -> None:
        if not self._pushed:
            self._pushed = True
            if self.created is None:
                self._accept_if_suggested()
            return
        if self.created is not None:
            self.doc.add(self.created, self.created_index)  # holds the painted pixels already
            return
        if self.converted_from is not None:
            self.doc.set_geometry(self.instance_id, self.start_geometry)
        self.doc.write_pixels(self.instance_id, self.box, self._pixels(self._after))
        self._accept_if_suggested()

    def undo(self) -> None:
        if self.created is not None:
            self.created, self.created_index = self.doc.remove(self.instance_id)
            return
        self._undo_accept()
        self.doc.write_pixels(self.instance_id, self.box, self._pixels(self._before))
        if self.converted_from is not None:
            self.doc.set_geometry(self.instance_id, self.converted_from)


#: One whole message per status: the status word alone would not fit every language's sentence.
STATUS_TEXT = {
    ImageStatus.NEW: QT_TRANSLATE_NOOP("Commands", "Mark image new"),
    ImageStatus.IN_PROGRESS: QT_TRANSLATE_NOOP("Commands", "Mark image in progress"),
    ImageStatus.DONE: QT_TRANSLATE_NOOP("Commands", "Mark image done"),
}


class SetImageStatus(QUndoCommand):
    def __init__(self, doc: Document, status: ImageStatus) -> None:
        super().__init__(translate("Commands", STATUS_TEXT[status]))
        self.doc, self.status = doc, status
        self._old = ImageStatus.NEW

    def redo(self) -> None:
        self._old = self.doc.set_status(self.status)

    def undo(self) -> None:
        self.doc.set_status(self._old)


# ---- suggestion review (one undo step per user action, whatever the batch size) -------------
def _now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class AcceptSuggestions(QUndoCommand):
    """Turn suggestions into accepted instances. Source and score stay on the instance; the
    provenance keeps the model and score (filled from source/score when the model did not say)
    and gains "accepted_at" (UTC ISO time of the first redo, kept across undo/redo)."""

    def __init__(self, doc: Document, ids: list[int], text: str = "") -> None:
        super().__init__(text or Commands.tr("Accept %n suggestion(s)", "", len(ids)))
        self.doc, self.ids = doc, list(ids)
        self.accepted_at = _now_iso()
        self._old: list[tuple[int, dict]] = []

    def redo(self) -> None:
        self._old = []
        for iid in self.ids:
            inst = self.doc.get(iid)
            provenance = dict(inst.provenance)
            provenance.setdefault("model", inst.source)
            if inst.score is not None:
                provenance.setdefault("score", inst.score)
            provenance["accepted_at"] = self.accepted_at
            old = self.doc.set_fields(iid, state=InstanceState.ACCEPTED, provenance=provenance)
            self._old.append((iid, old))

    def undo(self) -> None:
        for iid, old in reversed(self._old):
            self.doc.set_fields(iid, **old)


class RejectSuggestions(QUndoCommand):
    """Remove suggestions; undo puts each back at its z-index."""

    def __init__(self, doc: Document, ids: list[int], text: str = "") -> None:
        super().__init__(text or Commands.tr("Reject %n suggestion(s)", "", len(ids)))
        self.doc, self.ids = doc, list(ids)
        self._removed: list[tuple[Instance, int]] = []

    def redo(self) -> None:
        self._removed = [self.doc.remove(iid) for iid in self.ids]

    def undo(self) -> None:
        # Re-adding in reverse order of removal restores every index exactly.
        for inst, index in reversed(self._removed):
            self.doc.add(inst, index)
