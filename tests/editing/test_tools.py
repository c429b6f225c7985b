"""Tool logic driven by PointerEvents, without widgets."""

from __future__ import annotations

import numpy as np
import pytest

from app.canvas.pointer import Modifiers
from app.core.geometry import RasterGeometry
from app.core.instance import Instance
from app.editing.tools.brush import BrushTool, EraserTool, capsule
from app.editing.tools.polygon import PolygonTool
from app.editing.tools.select import SelectTool
from tests.editing.tool_harness import Harness, click, drag

SQUARE = [(10, 10), (50, 10), (50, 50), (10, 50)]


@pytest.fixture
def h(qapp):
    return Harness()


def draw_square(h, tool=None):
    tool = tool or PolygonTool(h.ctx)
    for x, y in SQUARE:
        click(tool, x, y)
    click(tool, 10.5, 10.5)  # near the first vertex: closes
    return h.doc.instances[-1]


def test_polygon_closes_on_first_vertex_and_undoes(h):
    inst = draw_square(h)
    assert inst.is_polygon and np.array_equal(inst.geometry.parts[0], np.array(SQUARE, float))
    assert inst.category_id == 1 and h.selection.ids == {inst.id}
    assert inst.geometry.to_raster().area() == 40 * 40
    h.stack.undo()
    assert len(h.doc) == 0
    h.stack.redo()
    assert h.doc.get(inst.id).geometry == inst.geometry


def test_polygon_backspace_escape_enter_double_click(h):
    tool = PolygonTool(h.ctx)
    for x, y in SQUARE:
        click(tool, x, y)
    assert tool.key("Backspace") and len(tool.points) == 3
    assert tool.key("Escape") and tool.points == [] and len(h.doc) == 0
    for x, y in SQUARE[:3]:
        click(tool, x, y)
    assert tool.key("Return") and len(h.doc) == 1
    for x, y in SQUARE:
        click(tool, x + 100, y)
    click(tool, SQUARE[-1][0] + 100, SQUARE[-1][1], double=True)
    assert len(h.doc) == 2 and len(h.doc.instances[-1].geometry.parts[0]) == 4


def test_polygon_too_few_points(h):
    tool = PolygonTool(h.ctx)
    click(tool, 1, 1)
    click(tool, 5, 5)
    tool.key("Return")
    assert len(h.doc) == 0 and h.messages


def test_polygon_parts_and_holes(h):
    inst = draw_square(h)
    tool = PolygonTool(h.ctx)
    for x, y in [(60, 60), (80, 60), (80, 80)]:
        click(tool, x, y)
    click(tool, 60, 60, mods=Modifiers.CTRL)  # closes as another part of the selected instance
    for x, y in [(20, 20), (30, 20), (30, 30), (20, 30)]:
        click(tool, x, y)
    click(tool, 20, 20, mods=Modifiers.ALT)  # a hole
    g = h.doc.get(inst.id).geometry
    assert len(g.parts) == 2 and len(g.holes) == 1 and len(h.doc) == 1
    assert g.to_raster().area() == 1600 - 100 + 200 - 10  # triangle of 20x20 half = 200 minus diagonal px
    h.stack.undo()
    h.stack.undo()
    assert h.doc.get(inst.id).geometry == inst.geometry


def test_capsule_has_no_gaps():
    box, m = capsule(10, 10, 110, 40, 2)
    full = RasterGeometry(m, box[0], box[1]).tight()
    # every pixel centre on the segment is covered
    for t in np.linspace(0, 1, 400):
        x, y = 10 + 100 * t, 10 + 30 * t
        assert full.region((int(x), int(y), int(x) + 1, int(y) + 1))[0, 0]


def test_brush_creates_instance_then_undo_redo_bit_exact(h):
    brush = BrushTool(h.ctx, radius=5)
    drag(brush, [(20, 20), (60, 20), (60, 60)])
    assert len(h.doc) == 1
    inst = h.doc.instances[0]
    painted = inst.geometry
    assert inst.is_raster and painted.area() > 0 and h.selection.ids == {inst.id}
    expected = np.zeros((150, 200), bool)
    for seg in [((20, 20), (20, 20)), ((20, 20), (60, 20)), ((60, 20), (60, 60))]:
        box, m = capsule(*seg[0], *seg[1], 5)
        RasterGeometry(m, box[0], box[1]).paste_into(expected)
    assert np.array_equal(painted.full(150, 200), expected)
    h.stack.undo()
    assert len(h.doc) == 0
    h.stack.redo()
    assert h.doc.get(inst.id).geometry == painted


def test_brush_on_polygon_converts_and_undo_restores_polygon(h):
    inst = draw_square(h)
    polygon = inst.geometry
    brush = BrushTool(h.ctx, radius=4)
    drag(brush, [(50, 30), (70, 30)])
    g = h.doc.get(inst.id).geometry
    assert isinstance(g, RasterGeometry) and g.area() > 1600
    h.stack.undo()
    assert h.doc.get(inst.id).geometry == polygon
    h.stack.redo()
    assert h.doc.get(inst.id).geometry == g


def test_eraser_only_touches_selected_and_needs_selection(h):
    a = Instance(1, 1, RasterGeometry(np.ones((40, 40), bool), 10, 10))
    b = Instance(2, 2, RasterGeometry(np.ones((40, 40), bool), 30, 30))
    h.doc.add(a)
    h.doc.add(b)
    eraser = EraserTool(h.ctx, radius=6)
    drag(eraser, [(40, 40), (45, 45)])
    assert h.doc.get(1).geometry.area() == 1600 and h.messages  # nothing selected: refused
    h.selection.set([1])
    drag(eraser, [(40, 40), (45, 45)])
    assert h.doc.get(1).geometry.area() < 1600 and h.doc.get(2).geometry.area() == 1600
    h.stack.undo()
    assert h.doc.get(1).geometry.area() == 1600


def test_brush_protect_others(h):
    h.doc.add(Instance(1, 1, RasterGeometry(np.ones((20, 20), bool), 40, 40)))
    brush = BrushTool(h.ctx, radius=15, protect_others=True)
    drag(brush, [(45, 45)])
    new = h.doc.instances[-1]
    assert new.id != 1 and not (new.geometry.full(150, 200) & h.doc.get(1).geometry.full(150, 200)).any()


def test_brush_locked_and_size_keys(h):
    h.doc.add(Instance(1, 1, RasterGeometry(np.ones((5, 5), bool)), locked=True))
    h.selection.set([1])
    brush = BrushTool(h.ctx, radius=10)
    drag(brush, [(2, 2)])
    assert h.doc.get(1).geometry.area() == 25 and h.messages
    brush.key("BracketRight")
    assert brush.radius == pytest.approx(12)
    brush.key("BracketLeft")
    assert brush.radius == pytest.approx(10)
    assert brush.wheel(1, Modifiers.CTRL) and brush.radius > 10
    assert not brush.wheel(1, Modifiers.NONE)


def test_brush_escape_cancels_stroke(h):
    from app.canvas.pointer import Buttons, PointerEvent

    brush = BrushTool(h.ctx, radius=5)
    brush.press(PointerEvent(20, 20, Buttons.LEFT, Buttons.LEFT))
    brush.move(PointerEvent(40, 20, Buttons.NONE, Buttons.LEFT))
    assert len(h.doc) == 1
    brush.key("Escape")
    assert len(h.doc) == 0 and h.stack.count() == 0


def test_select_drag_vertex_insert_and_delete(h):
    inst = draw_square(h)
    tool = SelectTool(h.ctx)
    drag(tool, [(50, 50), (60, 65)])  # drag the third vertex
    ring = h.doc.get(inst.id).geometry.parts[0]
    assert ring[2].tolist() == [60, 65] and h.stack.count() == 2
    drag(tool, [(30, 10), (30, 0)])  # midpoint handle of the first edge: inserts a vertex
    ring = h.doc.get(inst.id).geometry.parts[0]
    assert len(ring) == 5 and ring[1].tolist() == [30, 0]
    assert tool.delete_active_vertex()
    assert len(h.doc.get(inst.id).geometry.parts[0]) == 4
    click(tool, 20, 10, mods=Modifiers.SHIFT)  # shift+click on an edge inserts there
    assert len(h.doc.get(inst.id).geometry.parts[0]) == 5
    for _ in range(5):
        click(tool, *h.doc.get(inst.id).geometry.parts[0][0])
        tool.delete_active_vertex()
    assert len(h.doc.get(inst.id).geometry.parts[0]) == 3  # never below 3
    while h.stack.canUndo():
        h.stack.undo()
    assert len(h.doc) == 0


def test_select_moves_instances_and_picks_top(h):
    h.doc.add(Instance(1, 1, RasterGeometry(np.ones((10, 10), bool), 0, 0)))
    h.doc.add(Instance(2, 1, RasterGeometry(np.ones((10, 10), bool), 5, 5)))
    tool = SelectTool(h.ctx)
    click(tool, 7, 7)
    assert h.selection.ids == {2}
    drag(tool, [(7, 7), (17.4, 27.6)])
    assert h.doc.get(2).geometry.bbox() == (15, 26, 25, 36)
    h.stack.undo()
    assert h.doc.get(2).geometry.bbox() == (5, 5, 15, 15)
    click(tool, 2, 2, mods=Modifiers.CTRL)
    assert h.selection.ids == {1, 2}
    click(tool, 150, 140)
    assert h.selection.ids == frozenset()
