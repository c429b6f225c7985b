"""Random edit sequences: undoing everything restores the start bit-exact, redoing restores the end."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.core.geometry import PolygonGeometry, RasterGeometry
from app.core.instance import Instance
from app.editing.commands import AddInstance, GeometryEdit, MoveInstance, RemoveInstance, SetFields
from app.editing.tools.brush import BrushTool, EraserTool
from tests.editing.tool_harness import Harness, drag

coord = st.integers(0, 119)
op = st.one_of(
    st.tuples(st.just("polygon"), st.lists(st.tuples(coord, coord), min_size=3, max_size=6)),
    st.tuples(st.just("raster"), coord, coord, st.integers(1, 30), st.integers(1, 30), st.integers(0, 999)),
    st.tuples(st.just("brush"), st.lists(st.tuples(coord, coord), min_size=1, max_size=4), st.integers(1, 9),
              st.one_of(st.none(), st.integers(0, 99))),
    st.tuples(st.just("erase"), st.integers(0, 99), st.lists(st.tuples(coord, coord), min_size=1, max_size=3)),
    st.tuples(st.just("move"), st.integers(0, 99), st.integers(-20, 20), st.integers(-20, 20)),
    st.tuples(st.just("fields"), st.integers(0, 99), st.integers(1, 5), st.booleans()),
    st.tuples(st.just("remove"), st.integers(0, 99)),
    st.tuples(st.just("reorder"), st.integers(0, 99), st.integers(0, 99)),
)


def snapshot(doc):
    return [inst.copy() for inst in doc]


def pick(doc, k):
    return doc.instances[k % len(doc)] if len(doc) else None


def apply(h: Harness, operation) -> None:
    kind, *args = operation
    doc = h.doc
    if kind == "polygon":
        inst = Instance(doc.new_id(), 1, PolygonGeometry.from_points(args[0]))
        h.stack.push(AddInstance(doc, inst))
    elif kind == "raster":
        x, y, w, hh, seed = args
        mask = np.random.default_rng(seed).random((hh, w)) > 0.5
        geom = RasterGeometry(mask, x, y).tight()
        if not geom.is_empty():
            h.stack.push(AddInstance(doc, Instance(doc.new_id(), 2, geom)))
    elif kind == "brush":
        target = None if args[2] is None else pick(doc, args[2])
        h.selection.set([target.id] if target is not None else [])  # none selected: a new instance
        drag(BrushTool(h.ctx, radius=args[1]), [(x + 0.5, y + 0.5) for x, y in args[0]])
    elif kind == "erase":
        target = pick(doc, args[0])
        if target is not None:
            h.selection.set([target.id])
            drag(EraserTool(h.ctx, radius=6), [(x + 0.5, y + 0.5) for x, y in args[1]])
    elif kind == "move":
        target = pick(doc, args[0])
        if target is not None:
            g = target.geometry
            moved = RasterGeometry(g.mask, g.x + args[1], g.y + args[2]) if target.is_raster else g.translated(args[1], args[2])
            h.stack.push(GeometryEdit(doc, target.id, g, moved))
    elif kind == "fields":
        target = pick(doc, args[0])
        if target is not None:
            h.stack.push(SetFields(doc, target.id, category_id=args[1], visible=args[2], state="suggested" if args[2] else "accepted"))
    elif kind == "remove":
        target = pick(doc, args[0])
        if target is not None:
            h.stack.push(RemoveInstance(doc, target.id))
    elif kind == "reorder":
        target = pick(doc, args[0])
        if target is not None:
            h.stack.push(MoveInstance(doc, target.id, args[1] % len(doc)))


@pytest.mark.usefixtures("qapp")
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(op, min_size=1, max_size=25))
def test_random_edits_undo_redo_bit_exact(ops):
    h = Harness(width=120, height=120)
    # Pre-existing instances (not on the undo stack), so undo must restore them, not delete them.
    h.doc.add(Instance(h.doc.new_id(), 3, RasterGeometry(np.ones((8, 8), bool), 50, 50)))
    h.doc.add(Instance(h.doc.new_id(), 4, PolygonGeometry.from_points([(10, 10), (40, 12), (30, 45)])))
    start = snapshot(h.doc)
    for operation in ops:
        apply(h, operation)
    end = snapshot(h.doc)
    while h.stack.canUndo():
        h.stack.undo()
    assert snapshot(h.doc) == start
    while h.stack.canRedo():
        h.stack.redo()
    assert snapshot(h.doc) == end
