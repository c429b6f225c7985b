"""The slot maps: what they hold matches painting every instance in z-order, at every level,
and they do only the work a view or an edit needs."""

from __future__ import annotations

import numpy as np
import pytest

from app.canvas.labelmap import TILE_FULL, LabelMap, level_for
from app.core.document import Document
from app.core.geometry import PolygonGeometry, RasterGeometry
from app.core.instance import Instance


def scene(n: int = 40, seed: int = 0, width: int = 900, height: int = 600) -> Document:
    rng = np.random.default_rng(seed)
    doc = Document("a.png", width, height)
    t = np.linspace(0, 2 * np.pi, 40, endpoint=False)
    for k in range(n):
        r = float(rng.uniform(8, 60))
        cx, cy = float(rng.uniform(0, width)), float(rng.uniform(0, height))
        if k % 2:
            yy, xx = np.ogrid[-int(r) : int(r) + 1, -int(r) : int(r) + 1]
            geom = RasterGeometry((xx**2 + yy**2) <= r * r, int(cx - r), int(cy - r)).tight()
        else:
            geom = PolygonGeometry.from_points(np.stack([cx + r * np.cos(t), cy + r * np.sin(t)], axis=1))
        doc.add(Instance(doc.new_id(), 1 + k % 5, geom))
    return doc


def truth(doc: Document, lm: LabelMap, shown=lambda i: True) -> np.ndarray:
    """Every shown instance pasted in z-order (polygons rasterized the COCO way)."""
    out = np.zeros((doc.height, doc.width), np.int64)
    for inst in doc:
        if inst.visible and shown(inst):
            inst.geometry.to_raster((doc.height, doc.width)).paste_into(out, lm.slots[inst.id]) if inst.is_polygon else inst.geometry.paste_into(out, lm.slots[inst.id])
    return out


def full_level(lm: LabelMap, level: int) -> np.ndarray:
    lv = lm.ensure(level, 0, 0, 1 << 20, 1 << 20)
    return lv.arr.astype(np.int64)


def test_level_zero_is_the_z_ordered_paint_of_every_instance():
    doc = scene()
    lm = LabelMap(doc)
    got, want = full_level(lm, 0), truth(doc, lm)
    rasters = {lm.slots[i.id] for i in doc if i.is_raster}
    # Raster masks land pixel for pixel; polygons (cv2.fillPoly, not pycocotools) may differ
    # on boundary pixels only.
    differ = got != want
    assert differ.mean() < 0.01
    exact = np.isin(want, list(rasters)) & ~np.isin(got, [s for s in lm.slots.values() if s not in rasters])
    assert (got[exact] == want[exact]).all()


@pytest.mark.parametrize("level", [1, 2, 3])
def test_coarser_levels_sample_block_centres(level):
    doc = scene(seed=1)
    lm = LabelMap(doc)
    f, c = 1 << level, (1 << level) // 2
    want = truth(doc, lm)[c::f, c::f]
    got = full_level(lm, level)[: want.shape[0], : want.shape[1]]
    assert (got != want).mean() < 0.03  # polygon boundaries only


def test_only_the_tiles_in_view_are_painted():
    doc = scene(n=60, width=8 * TILE_FULL, height=8 * TILE_FULL)
    lm = LabelMap(doc)
    lm.ensure(0, 0, 0, 10, 10)  # one tile in the corner
    lv = lm.level(0)
    assert lv.built.sum() == 1
    in_tile = sum(1 for i in doc if i.bbox()[0] < TILE_FULL and i.bbox()[1] < TILE_FULL)
    assert lm.painted == in_tile < len(doc)


def test_an_edit_repaints_its_box_only_and_matches_a_fresh_map():
    doc = scene(seed=2)
    lm = LabelMap(doc)
    full_level(lm, 0)
    full_level(lm, 2)
    target = next(i for i in doc if i.is_raster)
    x0, y0, x1, y1 = target.bbox()
    painted = lm.painted
    box = (x0, y0, x0 + 10, y0 + 10)
    doc.write_pixels(target.id, box, np.zeros((10, 10), bool))
    lm.update(box, [target.id])
    lm.flush()
    m = 16  # the repaint's margin at level 2 (a level pixel, the outline reach)
    near = sum(1 for i in doc if i.bbox()[0] < box[2] + m and i.bbox()[2] > box[0] - m and i.bbox()[1] < box[3] + m and i.bbox()[3] > box[1] - m)
    assert lm.painted - painted <= 2 * near < len(doc)  # two levels, only the instances near the box
    fresh = LabelMap(doc)
    fresh.slots = dict(lm.slots)
    fresh.instances = list(lm.instances)
    for level in (0, 2):
        assert np.array_equal(full_level(lm, level), full_level(fresh, level))


def test_order_and_visibility_changes_follow_the_document():
    doc = scene(seed=3)
    lm = LabelMap(doc)
    full_level(lm, 1)
    ids = [i.id for i in doc]
    doc.move(ids[0], len(ids) - 1)  # bottom to top
    lm.update(doc.get(ids[0]).bbox(), order_changed=True)
    removed, _ = doc.remove(ids[5])
    lm.update(removed.bbox(), order_changed=True)
    doc.set_fields(ids[7], visible=False)
    lm.update(doc.get(ids[7]).bbox(), order_changed=True)
    hidden = {ids[9]}
    lm._shown = lambda inst: inst.id not in hidden  # a filter we only query
    assert lm.sync()  # it noticed
    fresh = LabelMap(doc, lambda inst: inst.id not in hidden)
    fresh.slots, fresh.instances = dict(lm.slots), list(lm.instances)
    assert np.array_equal(full_level(lm, 1), full_level(fresh, 1))
    assert ids[5] not in [lm.instances[s].id for s in np.unique(full_level(lm, 1)) if s]


def test_level_for_keeps_a_level_pixel_per_screen_pixel():
    assert level_for(4.0) == level_for(1.0) == 0
    assert level_for(0.5) == 1 and level_for(0.49) == 1 and level_for(0.245) == 2


def test_sample_matches_the_level_and_is_zero_outside_the_image():
    doc = scene(seed=4)
    lm = LabelMap(doc)
    xs = np.arange(-5, 50, dtype=np.int64) * 3
    ys = np.arange(-2, 30, dtype=np.int64) * 3
    got = lm.sample(1, xs, ys)
    lv = full_level(lm, 1)
    for r, y in enumerate(ys):
        for c, x in enumerate(xs):
            want = lv[y >> 1, x >> 1] if 0 <= x < doc.width and 0 <= y < doc.height else 0
            assert got[r, c] == want
