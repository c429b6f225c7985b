"""The canvas redoes only what a change needs, and what it keeps equals a fresh composition.

Work is counted (pixels composed, recoloured, drawn; instances rasterized), never timed."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QMouseEvent

from app.canvas.canvas import Canvas
from app.canvas.compose import HOVER_COLOR, premultiplied
from app.core.categories import Category, LabelSet
from app.core.geometry import RasterGeometry
from app.core.instance import InstanceState
from app.formats.image_io import LoadedImage, display_image
from tests.canvas.test_labelmap import scene

W, H = 420, 300


def make_canvas(qtbot, doc, labels=None, value: int = 90, selected=frozenset()) -> Canvas:
    canvas = Canvas()
    qtbot.addWidget(canvas)
    canvas.resize(W, H)
    with qtbot.waitExposed(canvas):
        canvas.show()
    canvas.set_image(display_image(np.full((doc.height, doc.width, 3), value, np.uint8), source="a.png"))
    canvas.set_document(doc, labels or LabelSet.from_names(["a", "b", "c", "d", "e"]))
    canvas.set_selected(selected)
    return canvas


def overlay(canvas: Canvas) -> np.ndarray:
    """The composed overlay for the canvas's current view, completed."""
    arr = canvas.instances.frame(canvas.view, (canvas.width(), canvas.height()))
    return arr.copy()


def fresh(qtbot, canvas: Canvas) -> np.ndarray:
    """The overlay a new canvas composes from scratch for the same document, view and state."""
    other = make_canvas(qtbot, canvas.document, canvas.labels, selected=canvas.selected)
    other.visible_filter = canvas.visible_filter
    other.instances.set_document(canvas.document, canvas.labels)
    other.view = canvas.view
    other.instances.set_selected(canvas.selected)
    other.instances.set_hovered(canvas.instances.hovered)
    return overlay(other)


def same_after_pans(a: np.ndarray, b: np.ndarray) -> bool:
    """Equal, but for the rare column or row whose pixel centres fall exactly on a pixel border:
    a pan keeps the sampling grid, a fresh composition may round such a tie the other way."""
    return np.count_nonzero(a != b) <= 0.002 * a.size


def test_a_pan_composes_only_the_uncovered_strips(qtbot):
    canvas = make_canvas(qtbot, scene(n=50))
    canvas.repaint()
    buf = canvas.instances.buffer
    composed, drawn = buf.composed_pixels, canvas.images.drawn_pixels
    canvas.pan_by(7, -3)
    canvas.repaint()
    strips = 7 * H + 3 * W
    assert buf.composed_pixels - composed == strips
    assert canvas.images.drawn_pixels - drawn == strips
    assert same_after_pans(overlay(canvas), fresh(qtbot, canvas))


def test_selection_and_hover_only_recolour_their_boxes(qtbot):
    doc = scene(n=50)
    canvas = make_canvas(qtbot, doc)
    canvas.repaint()
    buf = canvas.instances.buffer
    composed, coloured = buf.composed_pixels, buf.coloured_pixels
    target = doc.instances[-1]
    canvas.set_selected(frozenset({target.id}))
    canvas.instances.set_hovered(doc.instances[-2].id)
    canvas.repaint()
    assert buf.composed_pixels == composed  # no sampling, no edge finding
    assert 0 < buf.coloured_pixels - coloured < W * H / 2
    assert np.array_equal(overlay(canvas), fresh(qtbot, canvas))


def test_a_hover_change_recolours_only_outline_pixels(qtbot):
    doc = scene(n=50)
    canvas = make_canvas(qtbot, doc)
    x0, y0, x1, y1 = doc.instances[-1].bbox()
    canvas.zoom_to(3.0)
    canvas.center_on((x0 + x1) / 2, (y0 + y1) / 2)
    canvas.repaint()
    buf = canvas.instances.buffer
    composed, coloured = buf.composed_pixels, buf.coloured_pixels
    canvas.instances.set_hovered(doc.instances[-1].id)
    canvas.repaint()
    box_pixels = min((x1 - x0) * 3, W) * min((y1 - y0) * 3, H)
    assert buf.composed_pixels == composed and 0 < buf.coloured_pixels - coloured < box_pixels / 4
    assert np.array_equal(overlay(canvas), fresh(qtbot, canvas))


def test_edits_keep_the_overlay_equal_to_a_fresh_composition(qtbot):
    doc = scene(n=50, seed=5)
    canvas = make_canvas(qtbot, doc)
    canvas.repaint()
    ids = [i.id for i in doc]
    raster = next(i for i in doc if i.is_raster)
    x0, y0 = raster.bbox()[:2]
    doc.write_pixels(raster.id, (x0, y0, x0 + 12, y0 + 9), np.ones((9, 12), bool))
    canvas.repaint()
    doc.move(ids[0], len(ids) - 1)
    doc.remove(ids[3])
    doc.set_fields(ids[4], visible=False)
    doc.set_fields(ids[6], category_id=3, state=InstanceState.SUGGESTED)
    new = doc.new_id()
    from app.core.instance import Instance

    doc.add(Instance(new, 2, RasterGeometry(np.ones((30, 40), bool), 100, 80)))
    canvas.repaint()
    assert np.array_equal(overlay(canvas), fresh(qtbot, canvas))
    hidden = {ids[8], ids[9]}
    canvas.visible_filter = lambda inst: inst.id not in hidden  # what the review filter does
    canvas.invalidate_overlay()
    canvas.repaint()
    assert np.array_equal(overlay(canvas), fresh(qtbot, canvas))


def test_a_zoom_is_composed_in_bands_over_frames_and_ends_exact(qtbot):
    canvas = make_canvas(qtbot, scene(n=50, seed=6))
    canvas.repaint()
    canvas.zoom_to(canvas.view.scale * 1.25)
    layer, size = canvas.instances, (canvas.width(), canvas.height())
    layer.frame(canvas.view, size, budget_s=1e-9)  # the smallest budget: a band (or a tile) per frame
    assert layer.buffer.pending() is not None and layer.buffer.previous is not None
    frames = 1
    while layer.buffer.pending() is not None:
        layer.frame(canvas.view, size, budget_s=1e-9)
        frames += 1
    assert frames > 1 and layer.buffer.previous is None
    assert np.array_equal(overlay(canvas), fresh(qtbot, canvas))


@pytest.mark.parametrize("pan", [(6, 9), (-7, -11), (5, -3), (-4, 8)])
def test_panning_in_the_middle_of_a_zoom_keeps_what_was_composed(qtbot, pan):
    canvas = make_canvas(qtbot, scene(n=50, seed=8))
    canvas.repaint()
    layer, size = canvas.instances, (canvas.width(), canvas.height())
    canvas.zoom_to(canvas.view.scale * 1.25)
    layer.frame(canvas.view, size, budget_s=1e-9)
    layer.frame(canvas.view, size, budget_s=1e-9)
    done = layer.buffer.done
    canvas.pan_by(*pan)
    composed = layer.buffer.composed_pixels
    layer.frame(canvas.view, size, budget_s=1e-9)
    assert layer.buffer.composed_pixels - composed < 3 * 64 * W  # strips and one band, no restart
    assert not layer.buffer.arr[layer.buffer.done :].any() and abs(layer.buffer.done - done - pan[1]) <= 64
    while layer.buffer.pending() is not None:
        layer.frame(canvas.view, size, budget_s=1e-9)
    assert same_after_pans(overlay(canvas), fresh(qtbot, canvas))


def test_opening_zoomed_in_rasterizes_only_what_is_in_view(qtbot):
    doc = scene(n=80, width=3000, height=2000, seed=7)
    canvas = make_canvas(qtbot, doc)
    canvas.zoom_to(2.0)
    canvas.center_on(400, 300)
    canvas.set_document(doc, canvas.labels)  # reopened at this view: nothing painted yet
    canvas.repaint()
    x0, y0, x1, y1 = canvas.view.visible_image_box(W, H)
    near = [i for i in doc if i.bbox()[0] < x1 + 300 and i.bbox()[2] > x0 - 300 and i.bbox()[1] < y1 + 300 and i.bbox()[3] > y0 - 300]
    assert 0 < canvas.instances.map.painted <= len(near) < len(doc)


def _move(canvas: Canvas, x: float, y: float) -> None:
    sx, sy = canvas.view.to_screen(x, y)
    ev = QMouseEvent(QEvent.MouseMove, QPointF(sx, sy), QPointF(sx, sy), Qt.NoButton, Qt.NoButton, Qt.NoModifier)
    canvas.mouseMoveEvent(ev)


def test_hover_outlines_the_instance_under_the_pointer_and_names_it(qtbot):
    from app.core.document import Document
    from app.core.instance import Instance

    doc = Document("a.png", 400, 300)
    doc.add(Instance(1, 2, RasterGeometry(np.ones((60, 80), bool), 100, 100), score=0.87, state=InstanceState.SUGGESTED))
    canvas = make_canvas(qtbot, doc)
    canvas.repaint()
    texts = []
    canvas.hover_changed.connect(texts.append)
    _move(canvas, 130, 120)
    assert texts == ["#1 b 0.87 (suggestion)"] and canvas.instances.hovered == 1
    canvas.repaint()
    sx, sy = canvas.view.to_screen(100, 120)
    edge = overlay(canvas)[int(sy), int(np.floor(sx)) + 1]  # the outline pixel of the left side
    assert edge == premultiplied(HOVER_COLOR, 1.0)
    _move(canvas, 30, 30)
    assert texts[-1] == "" and canvas.instances.hovered is None


@pytest.mark.parametrize(("image_value", "class_color"), [(15, (0, 0, 128)), (240, (255, 250, 200))])
def test_outlines_stand_out_on_dark_and_light_images(qtbot, image_value, class_color):
    from app.core.document import Document
    from app.core.instance import Instance

    doc = Document("a.png", 400, 300)
    doc.add(Instance(1, 1, RasterGeometry(np.ones((100, 120), bool), 140, 100)))
    labels = LabelSet([Category(1, "thing", class_color)])
    canvas = make_canvas(qtbot, doc, labels, value=image_value)
    for zoom in (canvas.view.scale, 4.0):
        canvas.zoom_to(zoom)
        canvas.center_on(140, 150)
        overlay(canvas)  # composed in full (a paint may spread a zoom over frames)
        img = canvas.grab().toImage()
        sx, sy = canvas.view.to_screen(140, 150)
        row = [img.pixelColor(x, int(sy)) for x in range(int(sx) - 3, int(sx) + 4)]
        luma = [0.299 * c.red() + 0.587 * c.green() + 0.114 * c.blue() for c in row]
        assert max(abs(v - image_value) for v in luma) > 90, luma  # one of the two strokes contrasts


def test_a_preview_gives_way_to_its_full_image_in_place(qtbot):
    from app.core.document import Document

    rgb = np.full((800, 1200, 3), 120, np.uint8)
    full = display_image(rgb, source="/x/big.jpg")
    preview = LoadedImage(None, None, "preview 1/4", [full.pyramid[-1]], (1200, 800), True, "/x/big.jpg")
    canvas = Canvas()
    qtbot.addWidget(canvas)
    canvas.resize(W, H)
    canvas.set_document(Document("big.jpg", 1200, 800), LabelSet())
    canvas.set_image(preview)
    assert canvas.image is None and canvas.preview is preview and canvas.image_size() == (1200, 800)
    canvas.zoom_to(2.0)
    canvas.center_on(300, 200)
    view = canvas.view
    canvas.set_image(full)
    assert canvas.image is full and canvas.preview is None and canvas.view == view
    canvas.set_image(preview)  # a late preview never replaces the full image
    assert canvas.image is full


def test_hide_all_draws_nothing_and_hovers_nothing(qtbot):
    canvas = make_canvas(qtbot, scene(n=30))
    canvas.set_masks_hidden(True)
    canvas.repaint()
    assert not overlay(canvas).any()
    x0, y0, x1, y1 = canvas.document.instances[-1].bbox()
    _move(canvas, (x0 + x1) / 2, (y0 + y1) / 2)
    assert canvas.instances.hovered is None


def test_instances_appear_when_the_image_size_becomes_known(qtbot):
    from app.core.document import Document
    from app.core.instance import Instance

    doc = Document("a.png", 0, 0)  # a first open: the size comes with the image
    doc.add(Instance(1, 1, RasterGeometry(np.ones((40, 60), bool), 50, 40)))
    canvas = Canvas()
    qtbot.addWidget(canvas)
    canvas.resize(W, H)
    canvas.set_document(doc, LabelSet.from_names(["a"]))
    canvas.grab()
    doc.width, doc.height = 400, 300  # what the window does when the image arrives
    canvas.set_image(display_image(np.full((300, 400, 3), 90, np.uint8)))
    canvas.grab()
    sx, sy = canvas.view.to_screen(80, 60)
    assert overlay(canvas)[int(sy), int(sx)] != 0
