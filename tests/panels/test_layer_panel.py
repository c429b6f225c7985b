from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QModelIndex, Qt

from app.canvas.selection import Selection
from app.core.categories import LabelSet
from app.core.document import Document
from app.core.geometry import RasterGeometry
from app.core.instance import Instance
from app.panels.layer_panel import COL_VISIBLE, LayerPanel

pytestmark = pytest.mark.gui


@pytest.fixture
def panel(qtbot):
    doc = Document("a.png", 50, 50)
    for k in range(4):
        doc.add(Instance(doc.new_id(), 1 + k % 2, RasterGeometry(np.ones((3, 3), bool), 5 * k, 0)))
    p = LayerPanel(Selection())
    qtbot.addWidget(p)
    p.model.set_document(doc, LabelSet.from_names(["cat", "dog"]))
    return p, doc


def test_rows_are_top_first_and_follow_document(panel):
    p, doc = panel
    assert [p.model.instance_id(r) for r in range(4)] == [4, 3, 2, 1]
    assert "dog" in p.model.index(0, 0).data()
    doc.remove(3)
    assert p.model.rowCount() == 3


def test_selection_is_shared(panel):
    p, _ = panel
    p.selection.set([2])
    assert [i.row() for i in p.view.selectionModel().selectedRows()] == [2]
    p.view.selectRow(0)
    assert p.selection.ids == {4}


def test_visibility_checkbox_requests_an_edit(panel):
    p, _ = panel
    requests = []
    p.model.edit_requested.connect(lambda *a: requests.append(a))
    p.model.setData(p.model.index(1, COL_VISIBLE), Qt.Unchecked.value, Qt.CheckStateRole)
    assert requests == [(3, "visible", False)]


def test_drag_to_reorder_requests_z_index(panel):
    p, _ = panel
    moves = []
    p.model.reorder_requested.connect(lambda iid, z: moves.append((iid, z)))
    data = p.model.mimeData([p.model.index(3, 0)])  # bottom-most (id 1)
    p.model.dropMimeData(data, Qt.MoveAction, 0, 0, QModelIndex())  # dropped on top
    assert moves == [(1, 3)]
    data = p.model.mimeData([p.model.index(0, 0)])  # top-most (id 4) to just above the bottom row
    p.model.dropMimeData(data, Qt.MoveAction, 3, 0, QModelIndex())
    assert moves[-1] == (4, 1)


def test_style_controls(panel, qtbot):
    p, _ = panel
    with qtbot.waitSignal(p.style_changed) as sig:
        p.opacity.setValue(80)
    assert sig.args == [0.8, True, True]
