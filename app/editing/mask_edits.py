"""Mask operations on the selected instances, each pushed as one undo macro.

Plain functions over a Document and its QUndoStack, so the main window only routes menu
actions here. The pixel work itself lives in the Qt-free app.core.mask_ops.
"""

from __future__ import annotations

from PySide6.QtGui import QUndoStack

from app.core import mask_ops
from app.core.document import Document
from app.core.geometry import to_raster
from app.core.instance import Instance
from app.editing.commands import AddInstance, GeometryEdit, RemoveInstance
from app.ui.i18n import translate


def _clip(doc: Document) -> tuple[int, int] | None:
    """(H, W) to clip rasters to, or None while the image size is not known yet (still loading)."""
    return (doc.height, doc.width) if doc.width and doc.height else None


def convert(doc: Document, stack: QUndoStack, insts: list[Instance], kind: str, tolerance: float = 1.0) -> None:
    """kind 'polygon': raster masks -> polygons (Douglas-Peucker `tolerance` in pixels; 0 keeps
    every contour pixel); 'mask': polygons -> masks."""
    todo = [i for i in insts if (i.is_raster if kind == "polygon" else i.is_polygon)]
    if not todo:
        return
    stack.beginMacro(translate("MaskEdits", "Convert to polygon") if kind == "polygon" else translate("MaskEdits", "Convert to mask"))
    for inst in todo:
        new = inst.geometry.to_polygon(tolerance) if kind == "polygon" else to_raster(inst.geometry, _clip(doc))
        stack.push(GeometryEdit(doc, inst.id, inst.geometry, new))
    stack.endMacro()


def merge(doc: Document, stack: QUndoStack, insts: list[Instance]) -> int | None:
    """Union into the top-most instance (keeping its place and class); returns its id."""
    if len(insts) < 2:
        return None
    keep = max(insts, key=lambda i: doc.index_of(i.id))
    merged = mask_ops.merge([i.geometry for i in insts], _clip(doc))
    stack.beginMacro(translate("MaskEdits", "Merge instances"))
    stack.push(GeometryEdit(doc, keep.id, keep.geometry, merged))
    for inst in insts:
        if inst.id != keep.id:
            stack.push(RemoveInstance(doc, inst.id))
    stack.endMacro()
    return keep.id


def split(doc: Document, stack: QUndoStack, insts: list[Instance]) -> list[int]:
    """Disconnected parts become instances of the same class, just above the original."""
    new_ids: list[int] = []
    stack.beginMacro(translate("MaskEdits", "Split parts"))
    for inst in insts:
        parts = mask_ops.split_parts(inst.geometry, clip=_clip(doc))
        if len(parts) < 2:
            continue
        stack.push(GeometryEdit(doc, inst.id, inst.geometry, parts[0]))
        index = doc.index_of(inst.id) + 1
        for part in parts[1:]:
            copy = inst.copy(id=doc.new_id(), geometry=part)
            stack.push(AddInstance(doc, copy, index))
            new_ids.append(copy.id)
            index += 1
    stack.endMacro()
    return new_ids


def subtract_above(doc: Document, stack: QUndoStack, insts: list[Instance]) -> None:
    """Remove from each instance the pixels covered by visible instances above it."""
    stack.beginMacro(translate("MaskEdits", "Subtract overlap"))
    for inst in insts:
        above = [i.geometry for i in doc.instances[doc.index_of(inst.id) + 1 :] if i.visible]
        new = mask_ops.subtract(inst.geometry, above, _clip(doc))
        if new != inst.geometry:
            stack.push(GeometryEdit(doc, inst.id, inst.geometry, new))
    stack.endMacro()
