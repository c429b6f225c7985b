"""FillTool and GrabCutTool driven by PointerEvents on a Document and a QUndoStack (no widgets)."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtGui import QImage, QPainter, QUndoStack

from app.canvas.pointer import Buttons, Modifiers, PointerEvent
from app.canvas.render import ViewTransform
from app.canvas.selection import Selection
from app.core.document import Document
from app.core.geometry import PolygonGeometry, RasterGeometry, mask_iou
from app.core.instance import Instance
from app.editing.tools.base import ToolContext
from app.editing.tools.fill import FillTool
from app.editing.tools.grabcut import GrabCutTool


class Harness:
    """A ToolContext over one document, recording messages and repaints."""

    def __init__(self, image: np.ndarray, instances=(), category: int | None = 3) -> None:
        h, w = image.shape[:2]
        self.image = image
        self.doc = Document("img.png", w, h, instances)
        self.stack = QUndoStack()
        self.selection = Selection()
        self.messages: list[str] = []
        self.repaints = 0
        self.category = category
        self.context = ToolContext(
            document=lambda: self.doc,
            image=lambda: self.image,
            push=self.stack.push,
            selection=self.selection,
            current_category=lambda: self.category,
            hit=lambda x, y: None,
            repaint=self._repaint,
            message=self.messages.append,
        )

    def _repaint(self) -> None:
        self.repaints += 1

    def snapshot(self) -> list[tuple]:
        """Every instance's fields and a deep copy of its geometry's arrays."""
        out = []
        for i in self.doc:
            g = i.geometry
            if isinstance(g, RasterGeometry):
                geo = ("raster", g.x, g.y, g.mask.copy())
            else:
                geo = ("polygon", [p.copy() for p in g.parts], [r.copy() for r in g.holes])
            out.append((i.id, i.category_id, i.locked, geo))
        return out


def same(a: list[tuple], b: list[tuple]) -> bool:
    def eq(x, y) -> bool:
        if isinstance(x, np.ndarray):
            return isinstance(y, np.ndarray) and x.shape == y.shape and np.array_equal(x, y)
        if isinstance(x, (list, tuple)):
            return type(x) is type(y) and len(x) == len(y) and all(eq(p, q) for p, q in zip(x, y))
        return x == y

    return eq(a, b)


def click(tool, x: float, y: float, button: Buttons = Buttons.LEFT, **kw) -> None:
    tool.press(PointerEvent(x, y, button, button, **kw))
    tool.release(PointerEvent(x, y, button, Buttons.NONE))


def drag(tool, a: tuple[float, float], b: tuple[float, float]) -> None:
    tool.press(PointerEvent(*a, Buttons.LEFT, Buttons.LEFT))
    tool.move(PointerEvent((a[0] + b[0]) / 2, (a[1] + b[1]) / 2, buttons=Buttons.LEFT))
    tool.move(PointerEvent(*b, buttons=Buttons.LEFT))
    tool.release(PointerEvent(*b, Buttons.LEFT))


def blocks_image() -> np.ndarray:
    """Grey background, a red block (10..30, 10..25) and a blue block (40..60, 10..25)."""
    img = np.full((50, 80, 3), 120, np.uint8)
    img[10:25, 10:30] = (220, 30, 30)
    img[10:25, 40:60] = (30, 30, 220)
    return img


def assert_undo_redo_exact(h: Harness, before: list[tuple]) -> None:
    after = h.snapshot()
    h.stack.undo()
    assert same(h.snapshot(), before)
    h.stack.redo()
    assert same(h.snapshot(), after)


# ---- fill --------------------------------------------------------------------------------


def test_fill_with_nothing_selected_creates_selected_instance(qapp):
    h = Harness(blocks_image())
    before = h.snapshot()
    click(FillTool(h.context), 15, 15)
    assert len(h.doc) == 1 and h.stack.count() == 1
    inst = h.doc.instances[0]
    assert inst.category_id == 3 and inst.is_raster
    assert inst.geometry.bbox() == (10, 10, 30, 25) and inst.geometry.area() == 300
    assert h.selection.ordered == (inst.id,)
    assert_undo_redo_exact(h, before)


def test_fill_adds_region_to_selected_raster(qapp):
    m = np.zeros((5, 5), bool)
    m[2, 2] = True
    h = Harness(blocks_image(), [Instance(7, 1, RasterGeometry(m, 0, 0).tight())])
    h.selection.set([7])
    before = h.snapshot()
    click(FillTool(h.context), 45, 12)  # blue block
    assert len(h.doc) == 1 and h.stack.count() == 1
    g = h.doc.get(7).geometry
    assert g.area() == 1 + 300 and g.bbox() == (2, 2, 60, 25)
    assert_undo_redo_exact(h, before)
    assert h.selection.ordered == (7,)


def test_fill_converts_selected_polygon_in_one_undo_step(qapp):
    poly = PolygonGeometry.from_points([(0, 0), (5, 0), (5, 5), (0, 5)])
    h = Harness(blocks_image(), [Instance(4, 2, poly)])
    h.selection.set([4])
    before = h.snapshot()
    click(FillTool(h.context), 20, 20)
    assert h.stack.count() == 1
    inst = h.doc.get(4)
    assert inst.is_raster and inst.geometry.area() == 25 + 300
    h.stack.undo()
    assert h.doc.get(4).is_polygon and h.doc.get(4).geometry == poly
    assert same(h.snapshot(), before)
    h.stack.redo()
    assert h.doc.get(4).geometry.area() == 325


def test_fill_never_changes_locked_instances(qapp):
    h = Harness(blocks_image(), [Instance(1, 1, RasterGeometry(np.ones((2, 2), bool), 0, 0), locked=True)])
    h.selection.set([1])
    before = h.snapshot()
    click(FillTool(h.context), 15, 15)
    assert h.stack.count() == 0 and same(h.snapshot(), before)
    assert h.messages


def test_fill_ignores_other_buttons_double_clicks_and_missing_image(qapp):
    h = Harness(blocks_image())
    tool = FillTool(h.context)
    click(tool, 15, 15, Buttons.RIGHT)
    tool.press(PointerEvent(15, 15, Buttons.LEFT, Buttons.LEFT, Modifiers.NONE, double=True))
    click(tool, -5, 15)  # outside the image: empty region
    h.image = None
    click(tool, 15, 15)
    assert h.stack.count() == 0 and len(h.doc) == 0


def test_fill_refuses_several_selected_and_no_class(qapp):
    r = RasterGeometry(np.ones((2, 2), bool), 0, 0)
    h = Harness(blocks_image(), [Instance(1, 1, r), Instance(2, 1, r)], category=None)
    h.selection.set([1, 2])
    click(FillTool(h.context), 15, 15)
    assert h.stack.count() == 0 and len(h.messages) == 1
    h.selection.set([])
    click(FillTool(h.context), 15, 15)
    assert h.stack.count() == 0 and len(h.messages) == 2 and len(h.doc) == 2


def test_fill_of_region_already_inside_pushes_nothing(qapp):
    h = Harness(blocks_image())
    tool = FillTool(h.context)
    click(tool, 15, 15)
    click(tool, 20, 20)  # same red block, now selected
    assert h.stack.count() == 1 and h.messages


def test_fill_tolerance_is_clamped_and_used(qapp):
    img = blocks_image()
    img[10:25, 20:30] = (200, 30, 30)  # right half of the red block slightly darker
    h = Harness(img)
    tool = FillTool(h.context, tolerance=10)
    click(tool, 12, 12)
    assert h.doc.instances[0].geometry.area() == 150
    tool.tolerance = 999
    assert tool.tolerance == 255


# ---- grabcut -----------------------------------------------------------------------------


def object_image() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(3)
    h, w = 100, 140
    img = rng.normal((70, 100, 70), 10, (h, w, 3))
    truth = np.zeros((h, w), bool)
    yy, xx = np.mgrid[:h, :w]
    truth[((xx - 70) / 30) ** 2 + ((yy - 50) / 22) ** 2 <= 1] = True
    img[truth] = rng.normal((235, 50, 40), 10, (int(truth.sum()), 3))
    return np.clip(img, 0, 255).astype(np.uint8), truth


def test_grabcut_drag_adds_selected_instance_and_undoes_exactly(qapp):
    img, truth = object_image()
    h = Harness(img)
    before = h.snapshot()
    tool = GrabCutTool(h.context)
    drag(tool, (32.4, 22.7), (108.2, 78.9))
    assert not tool.dragging
    assert len(h.doc) == 1 and h.stack.count() == 1
    inst = h.doc.instances[0]
    assert inst.category_id == 3 and inst.is_raster
    assert mask_iou(inst.geometry, RasterGeometry.from_full(truth)) > 0.8
    assert h.selection.ordered == (inst.id,)
    assert_undo_redo_exact(h, before)


def test_grabcut_box_is_normalised_and_clipped(qapp):
    img, _ = object_image()
    tool = GrabCutTool(Harness(img).context)
    tool.press(PointerEvent(150.0, 90.5, Buttons.LEFT, Buttons.LEFT))
    tool.move(PointerEvent(-10.0, 20.2))
    assert tool.box() == (0, 20, 140, 91)


def test_grabcut_tiny_box_and_escape_do_nothing(qapp, monkeypatch):
    img, _ = object_image()
    h = Harness(img)
    calls = []
    monkeypatch.setattr(
        "app.editing.tools.grabcut.grabcut_box",
        lambda image, box, iterations: calls.append(box) or RasterGeometry(np.ones((2, 2), bool), 1, 1),
    )
    tool = GrabCutTool(h.context)
    tool.press(PointerEvent(50, 50, Buttons.LEFT, Buttons.LEFT))
    tool.move(PointerEvent(52.5, 90, buttons=Buttons.LEFT))  # covers 3 pixel columns
    assert tool.box() is None
    tool.move(PointerEvent(53.5, 90, buttons=Buttons.LEFT))  # covers 4
    assert tool.box() == (50, 50, 54, 90)
    tool.move(PointerEvent(52.5, 90, buttons=Buttons.LEFT))
    tool.release(PointerEvent(52.5, 90, Buttons.LEFT))
    assert calls == [] and h.stack.count() == 0
    tool.press(PointerEvent(30, 20, Buttons.LEFT, Buttons.LEFT))
    tool.move(PointerEvent(110, 80, buttons=Buttons.LEFT))
    assert tool.key("Escape") is True and not tool.dragging
    tool.release(PointerEvent(110, 80, Buttons.LEFT))
    assert tool.key("Escape") is False
    tool.release(PointerEvent(110, 80, Buttons.LEFT))  # release without a press
    assert calls == [] and h.stack.count() == 0 and len(h.doc) == 0


def test_grabcut_without_class_or_result_reports(qapp):
    img, _ = object_image()
    h = Harness(img, category=None)
    drag(GrabCutTool(h.context), (30, 20), (110, 80))
    assert h.stack.count() == 0 and h.messages == ["Choose a class for the new instance first."]
    h.category = 1
    drag(GrabCutTool(h.context), (0, 0), (140, 100))  # whole image: no background to model
    assert h.stack.count() == 0 and h.messages[-1] == "GrabCut found no object in the box."


def test_grabcut_result_arrives_later_and_only_on_its_own_image(qapp):
    img, _ = object_image()
    h = Harness(img)
    deferred = []
    h.context.run_async = lambda work, done: deferred.append((work, done))
    drag(GrabCutTool(h.context), (30, 20), (110, 80))
    assert len(deferred) == 1 and len(h.doc) == 0 and h.messages == ["GrabCut: segmenting the box…"]
    work, done = deferred.pop()
    done(work())
    assert len(h.doc) == 1 and h.stack.count() == 1 and h.messages[-1] == ""
    drag(GrabCutTool(h.context), (30, 20), (110, 80))
    first = h.doc
    h.doc = Document("other.png", 140, 100)  # the user went to another image meanwhile
    work, done = deferred.pop()
    done(work())
    assert len(first) == 1 and len(h.doc) == 0 and h.stack.count() == 1
    assert "dropped" in h.messages[-1]


@pytest.mark.parametrize("scale", [1.0, 2.0])
def test_grabcut_overlay_draws_rubber_band_in_screen_coords(qapp, scale):
    img, _ = object_image()
    h = Harness(img)
    tool = GrabCutTool(h.context)
    canvas = QImage(300, 220, QImage.Format_ARGB32)
    view = ViewTransform(scale, 10.0, 5.0)

    def painted() -> np.ndarray:
        canvas.fill(0)
        painter = QPainter(canvas)
        tool.paint_overlay(painter, view)
        painter.end()
        ptr = canvas.constBits()
        return np.frombuffer(ptr, np.uint8).reshape(220, canvas.bytesPerLine() // 4, 4)[:, :300, 3]

    assert not painted().any()
    tool.press(PointerEvent(30, 20, Buttons.LEFT, Buttons.LEFT))
    tool.move(PointerEvent(90, 60, buttons=Buttons.LEFT))
    alpha = painted()
    (sx0, sy0), (sx1, sy1) = view.to_screen(30, 20), view.to_screen(90, 60)
    mid_y = int((sy0 + sy1) / 2)
    assert alpha[mid_y, int(sx0)] > 0 and alpha[mid_y, int(sx1)] > 0
    assert alpha[mid_y, int((sx0 + sx1) / 2)] == 0  # outline only, no fill
    assert h.repaints >= 2


def test_fill_macro_survives_collection_and_stack_clear(qapp):
    import gc

    poly = PolygonGeometry.from_points([(0, 0), (5, 0), (5, 5), (0, 5)])
    h = Harness(blocks_image(), [Instance(4, 2, poly)])
    h.selection.set([4])
    click(FillTool(h.context), 20, 20)
    for _ in range(2):
        gc.collect()
        h.stack.undo()
        gc.collect()
        h.stack.redo()
    assert h.doc.get(4).geometry.area() == 325
    h.stack.clear()  # deletes the command; must not free anything twice
    gc.collect()
    assert h.stack.count() == 0
