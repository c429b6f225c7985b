"""Semantic/panoptic overlays: colouring, hover labels, segments, the panel and the controller."""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np
import pytest
from PySide6.QtGui import QUndoStack

from app.ai.overlay_controller import OVERLAY_ACTIONS, OverlayController
from app.ai.overlay_panel import OverlayPanel
from app.canvas.canvas import Canvas
from app.canvas.overlays import (
    DISTINCT_COLORS,
    assign_colors,
    colorize,
    label_at,
    panoptic_layer,
    segment_mask,
    semantic_layer,
)
from app.canvas.render import ViewTransform
from app.canvas.selection import Selection
from app.core.categories import LabelSet, default_color
from app.core.document import Document
from app.formats.image_io import LoadedImage

CATS = ((0, "background"), (1, "road"), (2, "sky"), (7, "tree"))


def class_map() -> np.ndarray:
    """(30, 40): background, a road band, sky on top, two separate trees and an unknown id 9."""
    m = np.zeros((30, 40), np.int64)
    m[:8] = 2
    m[20:] = 1
    m[10:15, 3:9] = 7
    m[10:18, 25:33] = 7
    m[16:19, 12:15] = 9  # not among the categories: transparent
    return m


def semantic(m=None, model="deeplab"):
    return SimpleNamespace(class_map=class_map() if m is None else m, categories=CATS, model=model)


def panoptic():
    ids = np.zeros((30, 40), np.int32)
    ids[:8] = 70000  # stuff "sky", an id beyond 2**16 (COCO panoptic ids are R + 256 G + ...)
    ids[20:] = 5  # stuff "road"
    ids[10:15, 3:9] = 11  # tree instance with two parts
    ids[10:15, 12:14] = 11
    ids[10:18, 25:33] = 12  # another tree
    info = [
        {"id": 70000, "category_id": 2, "isthing": False, "area": 320, "bbox": [0, 0, 40, 8]},
        {"id": 5, "category_id": 1, "isthing": False, "area": 400, "bbox": [0, 20, 40, 10]},
        {"id": 11, "category_id": 7, "isthing": True, "area": 40, "bbox": [3, 10, 11, 5]},
        {"id": 12, "category_id": 7, "isthing": True, "area": 64, "bbox": [25, 10, 8, 8]},
    ]
    return SimpleNamespace(id_map=ids, segments_info=info, model="panoptic_fpn")


def reference_semantic(m, view, size, opacity):
    """Per-pixel loop: the class of the image pixel under each screen pixel centre."""
    w, h = size
    out = np.zeros((h, w, 4), np.uint8)
    names = dict(CATS)
    for sy in range(h):
        y = math.floor((sy + 0.5) / view.scale + view.oy)
        for sx in range(w):
            x = math.floor((sx + 0.5) / view.scale + view.ox)
            if not (0 <= x < m.shape[1] and 0 <= y < m.shape[0]):
                continue
            c = int(m[y, x])
            if c not in names or names[c] == "background":
                continue
            r, g, b = default_color(c)
            out[sy, sx] = (round(r * opacity), round(g * opacity), round(b * opacity), round(255 * opacity))
    return out


@pytest.mark.parametrize(
    ("scale", "ox", "oy"), [(1.0, 0.0, 0.0), (3.0, -2.5, 1.25), (0.37, -10.0, -4.0), (7.5, 20.3, 9.9)]
)
def test_colorize_matches_per_pixel_reference(scale, ox, oy):
    layer = semantic_layer("a.png", semantic())
    view = ViewTransform(scale, ox, oy)
    size = (53, 41)
    got = colorize(layer, view, size, 0.45, outline=False)
    want = reference_semantic(class_map(), view, size, 0.45)
    assert got.shape == (41, 53, 4) and got.dtype == np.uint8
    np.testing.assert_array_equal(got, want)
    assert want[..., 3].any()
    # A sub-rectangle equals the same part of the full render.
    part = colorize(layer, view, size, 0.45, screen_rect=(5, 7, 30, 33), outline=False)
    np.testing.assert_array_equal(part, want[7:33, 5:30])


def test_colorize_zero_opacity_and_offscreen_are_empty():
    layer = semantic_layer("a.png", semantic())
    assert not colorize(layer, ViewTransform(1, 0, 0), (20, 20), 0.0).any()
    assert not colorize(layer, ViewTransform(1, 500, 0), (20, 20), 0.5).any()


def test_panoptic_outlines_and_distinct_thing_shades():
    layer = panoptic_layer("a.png", panoptic(), CATS)
    view = ViewTransform(4.0, 0, 0)
    fill = colorize(layer, view, (160, 120), 0.4, outline=False)
    lined = colorize(layer, view, (160, 120), 0.4)
    changed = np.any(fill != lined, axis=2)
    # Borders only: the last sky row above y=8, the last tree column left of x=9.
    assert changed[8 * 4 - 1, :].all() and changed[10 * 4 : 15 * 4, 9 * 4 - 1].all()
    assert not changed[8 * 4, 16 * 4 : 24 * 4].any()  # background side of the border stays clear
    assert not changed[2 * 4 + 2, 20 * 4 + 2] and 0 < changed.mean() < 0.2
    a, b = lined[12 * 4 + 2, 5 * 4 + 2], lined[12 * 4 + 2, 28 * 4 + 2]  # two trees
    assert a[3] == b[3] and not np.array_equal(a[:3], b[:3])
    sky = lined[2 * 4 + 2, 20 * 4 + 2]
    assert tuple(sky[:3]) == tuple(round(c * 0.4) for c in default_color(2))


def test_label_at_and_void():
    sem = semantic_layer("a.png", semantic())
    assert label_at(sem, 20.5, 25.0) == "road" and label_at(sem, 4, 11) == "tree"
    assert label_at(sem, 20, 12) is None  # background: transparent, no label
    assert label_at(sem, 13, 17) is None  # id 9 is not a category
    assert label_at(sem, -1, 5) is None and label_at(sem, 40, 5) is None
    pan = panoptic_layer("a.png", panoptic(), dict(CATS))
    assert label_at(pan, 13, 12) == "tree" and label_at(pan, 1, 1) == "sky" and label_at(pan, 20, 12) is None


def test_segment_mask_semantic_component_and_panoptic_segment():
    sem = semantic_layer("a.png", semantic())
    mask, (x0, y0), cat = segment_mask(sem, 27, 12)
    assert cat == 7 and (x0, y0) == (25, 10) and mask.shape == (8, 8) and mask.all()  # one tree only
    mask, (x0, y0), cat = segment_mask(sem, 0, 25)
    assert cat == 1 and (x0, y0, mask.shape) == (0, 20, (10, 40))
    assert segment_mask(sem, 20, 12) is None
    pan = panoptic_layer("a.png", panoptic(), CATS)
    mask, (x0, y0), cat = segment_mask(pan, 4, 12)
    assert cat == 7 and (x0, y0) == (3, 10) and mask.shape == (5, 11) and mask.sum() == 30 + 10
    full = np.zeros((30, 40), bool)
    full[y0 : y0 + 5, x0 : x0 + 11] = mask
    assert np.array_equal(full, panoptic().id_map == 11)


def test_legend_lists_present_classes_by_area():
    legend = semantic_layer("a.png", semantic()).legend()
    assert [e.name for e in legend] == ["road", "sky", "tree"]
    assert legend[0].fraction == pytest.approx(400 / 1200) and legend[2].fraction == pytest.approx(94 / 1200)
    assert legend[0].color == default_color(1)
    pan = panoptic_layer("a.png", panoptic(), CATS).legend()
    assert [(e.name, round(e.fraction * 1200)) for e in pan] == [("road", 400), ("sky", 320), ("tree", 104)]


def test_assign_colors_distinct_by_area_and_shared_between_layers():
    sem, pan = semantic_layer("a.png", semantic()), panoptic_layer("a.png", panoptic(), CATS)
    colors = assign_colors([sem, pan])
    # road 400 + 400, sky 320 + 320, tree 94 + 104: ranked by total area.
    assert colors == {1: DISTINCT_COLORS[0], 2: DISTINCT_COLORS[1], 7: DISTINCT_COLORS[2]}
    assert len(set(DISTINCT_COLORS)) == len(DISTINCT_COLORS)
    for layer in (sem, pan):
        layer.recolor(colors)
        assert {e.category_id: e.color for e in layer.legend()} == colors
    view = ViewTransform(1.0, 0, 0)
    a = colorize(sem, view, (40, 30), 1.0, outline=False)
    b = colorize(pan, view, (40, 30), 1.0, outline=False)
    assert tuple(a[25, 5, :3]) == tuple(b[25, 5, :3]) == DISTINCT_COLORS[0]  # road in both
    many = semantic_layer("b.png", SimpleNamespace(
        class_map=np.arange(25 * 4).reshape(10, 10) // 4, categories=[(i, f"c{i}") for i in range(25)], model="m",
    ))  # fmt: skip
    more = assign_colors([many])
    assert len(more) == 25 and set(DISTINCT_COLORS) <= set(more.values())
    assert more[24] == default_color(24)  # beyond the 20 distinct colours (ties ranked by id)


# ---- panel, controller, canvas -----------------------------------------------------------


class Setup:
    def __init__(self, qtbot, labels=("tree", "car")):
        self.canvas = Canvas()
        qtbot.addWidget(self.canvas)
        self.canvas.resize(400, 300)
        self.panel = OverlayPanel()
        qtbot.addWidget(self.panel)
        self.doc = Document("a.png", 40, 30)
        self.stack = QUndoStack()
        self.selection = Selection()
        self.labels = LabelSet.from_names(list(labels))
        self.messages: list[str] = []
        self.category = 2
        self.hover: list[str] = []
        self.ctl = OverlayController(
            self.canvas, self.panel, lambda: self.doc, self.stack.push, self.selection,
            lambda: self.labels, lambda: self.category, self.messages.append,
        )  # fmt: skip
        self.ctl.hover_text_changed.connect(self.hover.append)


def test_result_for_another_image_is_ignored_and_cache_brings_results_back(qtbot):
    s = Setup(qtbot)
    s.ctl.set_current("a.png")
    assert s.ctl.show_result("b.png", semantic(), panoptic()) is False
    assert s.canvas.overlay_layers == () and not s.panel.checks["semantic"].isEnabled()
    assert s.ctl.show_result("a.png", semantic(), None) is True
    assert [(lay.kind, op) for lay, op in s.canvas.overlay_layers] == [("semantic", 0.45)]
    assert s.panel.checks["semantic"].isEnabled() and not s.panel.checks["panoptic"].isEnabled()
    assert s.panel.legend_names() == ["road", "sky", "tree"] and s.panel.make_button.isEnabled()
    s.ctl.show_result("a.png", None, panoptic())  # adds the panoptic layer, keeps semantic
    assert [lay.kind for lay, _ in s.canvas.overlay_layers] == ["semantic", "panoptic"]
    s.ctl.set_current("b.png")
    assert s.canvas.overlay_layers == () and not s.panel.make_button.isEnabled()
    s.ctl.set_current("a.png")
    assert len(s.canvas.overlay_layers) == 2
    s.ctl.cache_size = 2
    for rel in ("c.png", "d.png"):
        s.ctl.set_current(rel)
        s.ctl.show_result(rel, semantic())
    s.ctl.set_current("a.png")  # evicted (least recently used)
    assert s.canvas.overlay_layers == ()
    s.ctl.show_result("a.png", None, panoptic(), categories=((7, "oak"),))
    assert s.panel.legend_names() == ["class 1", "class 2", "oak"]
    # The caller may pass the image shown now: a result for another one is still ignored.
    assert s.ctl.show_result("e.png", semantic(), None, "f.png") is False and s.ctl.current == "f.png"
    assert s.ctl.show_result("f.png", semantic(), None, "f.png") is True and len(s.canvas.overlay_layers) == 1


def test_panel_toggles_and_opacity_reach_the_canvas(qtbot):
    s = Setup(qtbot)
    s.ctl.set_current("a.png")
    s.ctl.show_result("a.png", semantic(), panoptic())
    s.panel.checks["panoptic"].setChecked(False)
    assert [lay.kind for lay, _ in s.canvas.overlay_layers] == ["semantic"]
    s.panel.sliders["semantic"].setValue(70)
    assert s.canvas.overlay_layers[0][1] == pytest.approx(0.7) and s.panel.percent["semantic"].text() == "70 %"
    s.ctl.toggle_semantic()
    assert s.canvas.overlay_layers == () and not s.panel.checks["semantic"].isChecked()
    assert not s.panel.make_button.isEnabled()
    s.ctl.toggle_panoptic()
    assert s.panel.checks["panoptic"].isChecked() and s.panel.legend_names() == ["road", "sky", "tree"]
    keys = {a.key for a in OVERLAY_ACTIONS}
    assert keys == {"overlay_semantic", "overlay_panoptic", "segment_to_instance"}
    assert all(a.slot.startswith("overlays.") and hasattr(s.ctl, a.slot.split(".")[1]) for a in OVERLAY_ACTIONS)


def test_hover_text_and_make_instance_from_segment(qtbot):
    s = Setup(qtbot)
    s.ctl.set_current("a.png")
    s.ctl.show_result("a.png", semantic(), panoptic())
    s.canvas.cursor_moved.emit(27.0, 12.0)
    assert s.hover[-1] == "panoptic: tree"
    s.panel.checks["panoptic"].setChecked(False)
    assert s.hover[-1] == "semantic: tree"
    s.canvas.cursor_moved.emit(20.0, 12.0)
    assert s.hover[-1] == ""
    s.canvas.cursor_moved.emit(27.0, 12.0)
    s.panel.make_button.click()  # converts the segment last pointed at
    assert len(s.doc) == 1 and s.stack.count() == 1
    inst = s.doc.instances[0]
    assert inst.category_id == s.labels.by_name("tree").id and inst.source == "deeplab"
    assert inst.geometry.bbox() == (25, 10, 33, 18) and inst.geometry.area() == 64
    assert inst.provenance["prompt"] == "segment" and s.selection.ordered == (inst.id,)
    road = s.ctl.make_instance_from_segment((5.0, 25.0))  # no "road" class: the current one
    assert road.category_id == 2 and "road" in s.messages[-1] and road.geometry.area() == 400
    assert s.ctl.make_instance_from_segment((20.0, 12.0)) is None and len(s.doc) == 2
    s.stack.undo()
    s.stack.undo()
    assert len(s.doc) == 0


def test_canvas_draws_overlay_over_the_image_and_under_instances(qtbot):
    from app.core.geometry import RasterGeometry
    from app.core.instance import Instance

    s = Setup(qtbot)
    rgb = np.full((30, 40, 3), 100, np.uint8)
    s.canvas.set_image(LoadedImage(rgb, rgb, "test"))
    inst = Instance(1, 1, RasterGeometry(np.ones((4, 4), bool), 26, 11))
    s.doc.add(inst)
    s.canvas.set_document(s.doc, s.labels)
    s.canvas.show()
    s.ctl.set_current("a.png")
    s.ctl.show_result("a.png", semantic())
    s.canvas.fit()

    def pixel(x: float, y: float) -> tuple[int, int, int]:
        img = s.canvas.grab().toImage()
        dpr = img.devicePixelRatio()
        sx, sy = s.canvas.view.to_screen(x, y)
        c = img.pixelColor(round(sx * dpr), round(sy * dpr))
        return c.red(), c.green(), c.blue()

    road = s.ctl.layers()["semantic"].colors[1]
    assert road == DISTINCT_COLORS[0]  # the largest class
    want = tuple(round(100 * 0.55 + c * 0.45) for c in road)
    assert all(abs(a - b) <= 2 for a, b in zip(pixel(10.5, 25.5), want))
    assert pixel(20.5, 12.5) == (100, 100, 100)  # background stays clear
    # The instance (class "tree" colour of the project) is painted over the overlay's tree.
    tree_overlay = tuple(round(100 * 0.55 + c * 0.45) for c in s.ctl.layers()["semantic"].colors[7])
    assert pixel(28.5, 13.5) != tree_overlay and pixel(31.5, 16.5) != pixel(28.5, 13.5)
    s.ctl.toggle_semantic()
    assert pixel(10.5, 25.5) == (100, 100, 100)


def test_colorize_cost_follows_the_screen():
    """A 1600x1000 view of a 6000x4000 class map samples only the screen's pixels of the map:
    counted work, not seconds (a time budget failed on a busy machine; speed is bench_canvas's)."""
    m = np.random.default_rng(0).integers(0, 150, (4000, 6000)).astype(np.uint8)
    layer = semantic_layer("big.png", SimpleNamespace(class_map=m, categories=[(i, f"c{i}") for i in range(1, 150)], model="x"))
    taken: list[int] = []

    class Counted(np.ndarray):
        def take(self, indices, axis=None, **kwargs):  # noqa: ANN001, ANN202
            taken.append(int(np.size(indices)) * (self.size // self.shape[axis]))
            return super().take(indices, axis=axis, **kwargs)

    layer.indices = layer.indices.view(Counted)
    out = colorize(layer, ViewTransform(0.27, 0, 0), (1600, 1000), 0.45)
    assert out.shape == (1000, 1600, 4)
    # rows of the screen (1000 of the map's 6000 columns each), then their screen columns
    assert taken and max(taken) <= 1000 * 6000 and sum(taken) <= 1000 * 6000 + 1000 * 1600, taken
