"""Raster -> polygon tracing: every mask comes back from the polygons, under the rasterizer of each
format that reads them (pycocotools for COCO and our own polygons, PIL ImageDraw.polygon with its
outline for labelme, cv2.fillPoly of int32 points for Ultralytics YOLO)."""

from __future__ import annotations

import cv2
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image, ImageDraw
from pycocotools import mask as mask_utils

from app.core.geometry import RasterGeometry
from app.core.tracing import trace_mask

#: IoU bound of the default simplification (tolerance 1 px, min_iou 0.95 per connected part).
DEFAULT_TOLERANCE_IOU = 0.95


def iou(a: np.ndarray, b: np.ndarray) -> float:
    union = np.count_nonzero(a | b)
    return np.count_nonzero(a & b) / union if union else 1.0


def coco_raster(parts: list[np.ndarray], holes: list[np.ndarray], h: int, w: int) -> np.ndarray:
    """What pycocotools makes of the rings (each ring filled by its own rule, then merged)."""
    def fill(rings: list[np.ndarray]) -> np.ndarray:
        if not rings:
            return np.zeros((h, w), bool)
        rles = mask_utils.frPyObjects([r.reshape(-1).tolist() for r in rings], h, w)
        return mask_utils.decode(mask_utils.merge(rles)).astype(bool)

    return fill(parts) & ~fill(holes)


def labelme_raster(rings: list[np.ndarray], h: int, w: int) -> np.ndarray:
    """labelme's shape_to_mask for each polygon shape: PIL polygon with outline=1, fill=1."""
    out = np.zeros((h, w), bool)
    for ring in rings:
        img = Image.new("L", (w, h), 0)
        ImageDraw.Draw(img).polygon([tuple(p) for p in ring.tolist()], outline=1, fill=1)
        out |= np.array(img, bool)
    return out


def ultralytics_raster(rings: list[np.ndarray], h: int, w: int) -> np.ndarray:
    """Ultralytics' polygon2mask: points cast to int32, then cv2.fillPoly."""
    out = np.zeros((h, w), np.uint8)
    for ring in rings:
        cv2.fillPoly(out, [np.asarray(ring, np.int32).reshape(-1, 1, 2)], 1)
    return out.astype(bool)


def noise(seed: int, h: int, w: int, p: float) -> np.ndarray:
    return np.random.default_rng(seed).random((h, w)) < p


def thin_line(seed: int, h: int, w: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    m = np.zeros((h, w), np.uint8)
    pts = rng.integers(0, [w, h], size=(rng.integers(2, 5), 2))
    cv2.polylines(m, [pts.reshape(-1, 1, 2).astype(np.int32)], False, 1, 1, cv2.LINE_8 if seed % 2 else cv2.LINE_4)
    return m.astype(bool)


def ring_mask(seed: int, h: int, w: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[:h, :w]
    cx, cy = rng.uniform(0, w), rng.uniform(0, h)
    r = rng.uniform(2, max(h, w) / 2 + 2)
    width = rng.uniform(0.6, 3)
    d = np.hypot(xx + 0.5 - cx, yy + 0.5 - cy)
    m = (d < r) & (d >= r - width)
    m |= d < rng.uniform(0, max(r - 2 * width, 0.1))  # sometimes an island in the hole
    return m


def specks(seed: int, h: int, w: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    m = np.zeros((h, w), bool)
    m[rng.integers(0, h, 6), rng.integers(0, w, 6)] = True
    return m


masks = st.builds(
    lambda kind, seed, h, w, p: {"noise": lambda: noise(seed, h, w, p), "line": lambda: thin_line(seed, h, w),
                                 "ring": lambda: ring_mask(seed, h, w), "specks": lambda: specks(seed, h, w)}[kind](),
    st.sampled_from(["noise", "line", "ring", "specks"]), st.integers(0, 2**31 - 1),
    st.integers(1, 40), st.integers(1, 40), st.floats(0.05, 0.95),
)


@settings(max_examples=300, deadline=None)
@given(masks, st.integers(0, 30), st.integers(0, 30))
def test_exact_tracing_round_trips_under_every_reader(m, x, y):
    h, w = m.shape
    traced = trace_mask(m, x, y)
    full = np.zeros((h + y, w + x), bool)
    full[y:, x:] = m
    parts, holes = traced.polygon_rings()
    assert np.array_equal(coco_raster(parts, holes, h + y, w + x), full)
    singles = traced.single_rings()
    assert np.array_equal(labelme_raster(singles, h + y, w + x), full)
    assert np.array_equal(ultralytics_raster(singles, h + y, w + x), full)
    geom = RasterGeometry(m, x, y).tight()
    if not geom.is_empty():
        assert geom.to_polygon(tolerance=0).to_raster() == geom


@settings(max_examples=200, deadline=None)
@given(masks)
def test_default_simplification_stays_above_the_bound(m):
    geom = RasterGeometry(m, 0, 0).tight()
    if geom.is_empty():
        return
    poly = geom.to_polygon()  # the app's Mask -> Polygon
    h, w = m.shape
    assert iou(poly.to_raster((h, w)).full(h, w), m) >= DEFAULT_TOLERANCE_IOU - 1e-9
    assert all(len(p) >= 3 for p in poly.parts + poly.holes)


def test_thin_diagonal_line_is_not_a_box():
    """The issue's case: a 1-px diagonal line came back as its bounding box (IoU 0.016)."""
    m = np.eye(60, dtype=bool)
    geom = RasterGeometry.from_full(m)
    for tolerance in (0.0, 1.0, 3.0):
        back = geom.to_polygon(tolerance).to_raster((60, 60))
        assert iou(back.full(60, 60), m) >= 0.95, tolerance


def test_hole_outlines_are_not_skewed():
    """Holes came back shifted by about half a pixel; now they are exact at tolerance 0."""
    m = np.zeros((40, 40), bool)
    m[5:35, 5:35] = True
    m[12:20, 14:27] = False
    m[15, 18] = True  # an island inside the hole
    poly = RasterGeometry.from_full(m).to_polygon(tolerance=0)
    assert len(poly.parts) == 1 and len(poly.holes) == 1
    assert np.array_equal(poly.to_raster((40, 40)).full(40, 40), m)


def test_every_component_is_kept():
    m = np.zeros((30, 30), bool)
    m[2, 2] = True  # a speck
    m[10:20, 10:20] = True
    m[np.arange(20, 30), np.arange(2, 12)] = True  # a diagonal 1-px line
    poly = RasterGeometry.from_full(m).to_polygon()
    assert len(poly.parts) == 3
    back = poly.to_raster((30, 30)).full(30, 30)
    for region in ((slice(0, 5), slice(0, 5)), (slice(8, 22), slice(8, 22)), (slice(20, 30), slice(0, 14))):
        assert iou(back[region], m[region]) >= DEFAULT_TOLERANCE_IOU - 1e-9, region


def test_a_big_blob_is_simplified():
    yy, xx = np.mgrid[:1000, :1000]
    blob = (xx - 500) ** 2 / 480**2 + (yy - 500) ** 2 / 400**2 < 1
    geom = RasterGeometry.from_full(blob)
    exact, simple = geom.to_polygon(0), geom.to_polygon(1.0)
    assert sum(map(len, simple.parts)) < sum(map(len, exact.parts)) / 10
    assert iou(simple.to_raster((1000, 1000)).full(1000, 1000), blob) >= 0.995
