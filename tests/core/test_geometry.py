from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pycocotools import mask as mask_utils

from app.core import rle
from app.core.geometry import PolygonGeometry, RasterGeometry, mask_iou


def test_square_polygon_matches_coco_area_and_bbox():
    poly = PolygonGeometry.from_points([(0, 0), (10, 0), (10, 10), (0, 10)])
    r = poly.to_raster()
    assert r.area() == 100
    assert r.bbox() == (0, 0, 10, 10)
    # pycocotools rasterizes the same polygon to the same pixels
    ref = mask_utils.decode(mask_utils.frPyObjects([[0, 0, 10, 0, 10, 10, 0, 10]], 20, 20)[0]).astype(bool)
    assert np.array_equal(r.full(20, 20), ref)


def test_half_pixel_polygon_area_four():
    poly = PolygonGeometry.from_points([(0.5, 0.5), (2.5, 0.5), (2.5, 2.5), (0.5, 2.5)])
    r = poly.to_raster()
    assert r.area() == 4 and r.bbox() == (1, 1, 3, 3)


def test_polygon_with_hole():
    poly = PolygonGeometry.from_points(
        [(0, 0), (20, 0), (20, 20), (0, 20)], holes=([(5, 5), (15, 5), (15, 15), (5, 15)],)
    )
    r = poly.to_raster()
    assert r.area() == 400 - 100
    full = r.full(20, 20)
    assert not full[10, 10] and full[2, 2]


def test_tight_crop_is_canonical():
    m = np.zeros((50, 60), bool)
    m[10:20, 30:35] = True
    g = RasterGeometry.from_full(m)
    assert (g.x, g.y, g.mask.shape) == (30, 10, (10, 5))
    assert g == RasterGeometry(np.pad(g.mask, 3), 27, 7).tight()
    assert RasterGeometry.from_full(np.zeros((5, 5), bool)).is_empty()


def test_with_region_grows_and_shrinks():
    g = RasterGeometry(np.ones((4, 4), bool), 10, 10)
    grown = g.with_region((20, 20, 22, 22), np.ones((2, 2), bool))
    assert grown.bbox() == (10, 10, 22, 22) and grown.area() == 20
    shrunk = grown.with_region((20, 20, 22, 22), np.zeros((2, 2), bool))
    assert shrunk == g


def test_mask_to_polygon_roundtrip_close():
    m = np.zeros((100, 100), bool)
    m[20:60, 30:80] = True
    poly = RasterGeometry.from_full(m).to_polygon(tolerance=0.0)
    back = poly.to_raster((100, 100))
    assert back == RasterGeometry.from_full(m)  # axis-aligned: exact


def test_mask_iou():
    a = RasterGeometry(np.ones((10, 10), bool), 0, 0)
    b = RasterGeometry(np.ones((10, 10), bool), 5, 0)
    assert mask_iou(a, b) == pytest.approx(50 / 150)
    assert mask_iou(a, RasterGeometry(np.ones((2, 2), bool), 50, 50)) == 0.0


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 40), st.integers(1, 40), st.integers(0, 2**31 - 1))
def test_rle_roundtrip_bit_exact(h, w, seed):
    m = np.random.default_rng(seed).random((h, w)) > 0.5
    enc = rle.encode(m)
    assert isinstance(enc["counts"], str) and enc["size"] == [h, w]
    assert np.array_equal(rle.decode(enc), m)


def test_rle_uncompressed_and_malformed():
    m = np.array([[0, 1], [1, 1]], bool)
    # column-major runs: pixels (col 0) 0,1 then (col 1) 1,1 -> counts [1, 3]
    assert np.array_equal(rle.decode({"size": [2, 2], "counts": [1, 3]}), m)
    with pytest.raises(ValueError):
        rle.decode({"size": [2, 2], "counts": [1, 9]})
    with pytest.raises(ValueError):
        rle.decode({"counts": "abc"})


def test_mask_to_polygon_with_hole_and_sliver():
    m = np.zeros((60, 60), bool)
    m[10:50, 10:50] = True
    m[20:30, 20:30] = False
    m[55, 5] = True  # a single-pixel part
    poly = RasterGeometry.from_full(m).to_polygon(tolerance=0.5)
    assert len(poly.parts) == 2 and len(poly.holes) == 1
    assert np.array_equal(poly.to_raster((60, 60)).full(60, 60), m)
