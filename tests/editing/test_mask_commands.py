"""Mask operations from the Tools menu: each is one undo step."""

from __future__ import annotations

import numpy as np
import pytest

from app.core.geometry import PolygonGeometry, RasterGeometry
from app.core.instance import Instance
from app.editing.commands import AddInstance
from tests.gui import wait_loaded

pytestmark = pytest.mark.gui


@pytest.fixture
def win(window, image_folder, qtbot):
    window.open_folder(image_folder)
    window.show_image("img1.jpg")
    wait_loaded(qtbot, window)
    return window


def add(win, geom, cat=1):
    doc = win.document
    inst = Instance(doc.new_id(), cat, geom)
    win.push(AddInstance(doc, inst))
    return inst.id


def test_merge_split_subtract_convert(win):
    doc = win.document
    a = add(win, RasterGeometry(np.ones((10, 10), bool), 0, 0))
    b = add(win, RasterGeometry(np.ones((10, 10), bool), 30, 30))
    win.selection.set([a, b])
    win.edits.merge_selected()
    assert len(doc) == 1 and doc.get(b).geometry.area() == 200
    win.edits.split_selected()
    assert len(doc) == 2 and sorted(i.geometry.area() for i in doc) == [100, 100]
    win.undo()
    win.undo()
    assert {i.id for i in doc} == {a, b} and doc.get(a).geometry.area() == 100
    c = add(win, RasterGeometry(np.ones((10, 10), bool), 5, 5))  # on top of a
    win.selection.set([a])
    win.edits.subtract_above()
    assert doc.get(a).geometry.area() == 100 - 25
    p = add(win, PolygonGeometry.from_points([(40, 0), (60, 0), (60, 20), (40, 20)]))
    win.selection.set([p])
    win.edits.convert_selected("mask")
    assert doc.get(p).is_raster and doc.get(p).geometry.area() == 400
    win.edits.ask_tolerance = lambda: (0.0, True)
    win.edits.convert_selected("polygon")
    assert doc.get(p).is_polygon and doc.get(p).geometry.to_raster().area() == 400
    assert c in doc


def test_fill_and_grabcut_tools_are_wired(win):
    assert {"fill", "grabcut"} <= set(win.tools)
    win.actions_by_key["tool_fill"].trigger()
    assert win.canvas.tool is win.tools["fill"]


def test_mask_ops_before_the_image_size_is_known(window, image_folder):
    """Right after switching, the document may not know its size yet: nothing is clipped away."""
    from app.core.document import Document
    from app.editing.mask_edits import convert

    doc = Document("x.png", 0, 0)
    inst = Instance(1, 1, PolygonGeometry.from_points([(0, 0), (10, 0), (10, 10), (0, 10)]))
    doc.add(inst)
    from PySide6.QtGui import QUndoStack

    convert(doc, QUndoStack(), [inst], "mask")
    assert doc.get(1).geometry.area() == 100
