"""Editing a suggestion accepts it in the same undo step; a redo restores that exact acceptance,
"accepted_at" included, however late it runs (found by the monkey, tests/monkey: redo after a
second boundary stamped a new time, so redo-to-top did not give the state back)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from PySide6.QtGui import QUndoStack

from app.core.document import Document
from app.core.geometry import PolygonGeometry, RasterGeometry
from app.core.instance import Instance, InstanceState
from app.editing import commands
from app.editing.commands import GeometryEdit, PaintStroke, SetGeometry


@pytest.fixture
def clock(monkeypatch):
    """A clock that moves on at every reading: any redo that reads it again shows."""
    ticks = itertools.count()
    monkeypatch.setattr(commands, "_now_iso", lambda: f"2024-01-01T00:00:{next(ticks):02d}+00:00")


def suggestion_doc() -> Document:
    doc = Document("t.png", 40, 30)
    geom = RasterGeometry(np.ones((6, 6), bool), 4, 4)
    doc.add(Instance(1, 1, geom, source="maskrcnn", score=0.8, state=InstanceState.SUGGESTED))
    return doc


def edits(doc):
    inst = doc.get(1)
    moved = RasterGeometry(inst.geometry.mask, 10, 8)
    before = np.zeros((6, 6), bool)
    after = np.ones((6, 6), bool)
    return [
        GeometryEdit(doc, 1, inst.geometry, moved),
        SetGeometry(doc, 1, PolygonGeometry.from_points([(1, 1), (9, 1), (5, 8)])),
        PaintStroke(doc, 1, (20, 20, 26, 26), before, after),
    ]


@pytest.mark.usefixtures("qapp", "clock")
@pytest.mark.parametrize("which", [0, 1, 2])
def test_redo_of_an_edited_suggestion_restores_the_same_acceptance(which):
    doc = suggestion_doc()
    command = edits(doc)[which]
    if isinstance(command, PaintStroke):  # a stroke is painted live before its push
        doc.write_pixels(1, command.box, np.ones((6, 6), bool))
    stack = QUndoStack()
    stack.push(command)
    done = doc.get(1).copy()
    assert done.state is InstanceState.ACCEPTED and "accepted_at" in done.provenance
    for _ in range(3):
        stack.undo()
        assert doc.get(1).state is InstanceState.SUGGESTED and "accepted_at" not in doc.get(1).provenance
        stack.redo()
        assert doc.get(1) == done  # the same time stamp, not a new reading of the clock
