"""mask_ops against numpy references on full-image masks, plus flood fill and GrabCut on
synthetic images with known regions."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.core.geometry import PolygonGeometry, RasterGeometry, mask_iou
from app.core.mask_ops import (
    flood_fill_region,
    grabcut_box,
    mask_to_polygon,
    merge,
    polygon_to_mask,
    split_parts,
    subtract,
    union_box,
)

H, W = 40, 50


def rect(x0: int, y0: int, x1: int, y1: int) -> RasterGeometry:
    m = np.zeros((H, W), bool)
    m[y0:y1, x0:x1] = True
    return RasterGeometry.from_full(m)


@st.composite
def masks(draw) -> RasterGeometry:
    """A random sparse-ish mask somewhere in an H×W image (possibly empty)."""
    h = draw(st.integers(1, 12))
    w = draw(st.integers(1, 12))
    x = draw(st.integers(0, W - w))
    y = draw(st.integers(0, H - h))
    bits = draw(st.lists(st.booleans(), min_size=h * w, max_size=h * w))
    return RasterGeometry(np.array(bits, bool).reshape(h, w), x, y).tight()


# ---- merge / subtract ---------------------------------------------------------------------


def test_merge_two_rects_bit_exact_and_areas_add_up():
    a, b = rect(2, 3, 10, 12), rect(8, 10, 20, 30)
    m = merge([a, b])
    ref = a.full(H, W) | b.full(H, W)
    assert np.array_equal(m.full(H, W), ref)
    overlap = int(np.count_nonzero(a.full(H, W) & b.full(H, W)))
    assert m.area() == a.area() + b.area() - overlap
    assert m == m.tight()


def test_merge_mixes_polygons_and_rasters_and_handles_empty():
    poly = PolygonGeometry.from_points([(30, 0), (40, 0), (40, 10), (30, 10)])
    m = merge([rect(0, 0, 5, 5), poly, RasterGeometry.empty()])
    assert m.area() == 25 + 100
    assert merge([]).is_empty()
    assert merge([RasterGeometry.empty()]).is_empty()


def test_subtract_removes_overlap_only():
    base, above = rect(0, 0, 20, 20), rect(10, 10, 30, 30)
    far = rect(40, 35, 45, 40)
    out = subtract(base, [above, far])
    assert np.array_equal(out.full(H, W), base.full(H, W) & ~above.full(H, W))
    assert out.area() == 400 - 100
    assert subtract(base, [far]) is base  # nothing overlaps: the same (immutable) geometry
    assert subtract(base, [base]).is_empty()


def test_subtract_does_not_modify_inputs():
    base = rect(0, 0, 20, 20)
    before = base.mask.copy()
    subtract(base, [rect(5, 5, 10, 10)])
    assert np.array_equal(base.mask, before)


@settings(max_examples=60, deadline=None)
@given(st.lists(masks(), min_size=0, max_size=4))
def test_merge_matches_numpy_union(geoms):
    ref = np.zeros((H, W), bool)
    for g in geoms:
        ref |= g.full(H, W)
    got = merge(geoms)
    assert np.array_equal(got.full(H, W), ref)
    assert got == RasterGeometry.from_full(ref)  # tight and canonical


@settings(max_examples=60, deadline=None)
@given(masks(), st.lists(masks(), min_size=0, max_size=3))
def test_subtract_matches_numpy_and_partitions_area(base, others):
    cover = np.zeros((H, W), bool)
    for g in others:
        cover |= g.full(H, W)
    got = subtract(base, others)
    assert got == RasterGeometry.from_full(base.full(H, W) & ~cover)
    # what was removed plus what is left is exactly the base
    assert got.area() + int(np.count_nonzero(base.full(H, W) & cover)) == base.area()


# ---- split -------------------------------------------------------------------------------


def test_split_eight_vs_four_connectivity():
    m = np.zeros((H, W), bool)
    m[0:3, 0:3] = True
    m[3:5, 3:5] = True  # touches the first block only diagonally
    m[20:25, 30:40] = True
    g = RasterGeometry.from_full(m)
    eight = split_parts(g)
    four = split_parts(g, connectivity=4)
    assert [p.area() for p in eight] == [9 + 4, 50]
    assert [p.area() for p in four] == [9, 4, 50]
    for parts in (eight, four):
        assert merge(parts) == g
        assert sum(p.area() for p in parts) == g.area()
        assert all(p == p.tight() for p in parts)
    with pytest.raises(ValueError):
        split_parts(g, connectivity=6)


@settings(max_examples=50, deadline=None)
@given(masks(), st.sampled_from([4, 8]))
def test_split_parts_are_disjoint_and_cover(g, connectivity):
    parts = split_parts(g, connectivity)
    total = np.zeros((H, W), np.int32)
    for p in parts:
        total += p.full(H, W)
    assert total.max(initial=0) <= 1  # disjoint
    assert np.array_equal(total.astype(bool), g.full(H, W))


def test_split_polygon_and_empty():
    poly = PolygonGeometry.from_points([(0, 0), (4, 0), (4, 4), (0, 4)], [(10, 10), (12, 10), (12, 12), (10, 12)])
    assert [p.area() for p in split_parts(poly)] == [16, 4]
    assert split_parts(RasterGeometry.empty()) == []


# ---- conversions -------------------------------------------------------------------------


def test_polygon_round_trip_wrappers():
    r = rect(5, 5, 25, 15)
    poly = mask_to_polygon(r, tolerance=0.5)
    assert isinstance(poly, PolygonGeometry)
    assert polygon_to_mask(poly, clip=(H, W)) == r
    assert union_box([(0, 0, 2, 2), (5, 1, 6, 9)]) == (0, 0, 6, 9)
    assert union_box([]) is None


# ---- flood fill --------------------------------------------------------------------------


def three_region_image() -> np.ndarray:
    """Left half dark grey, right half light, a red square inside the left half."""
    img = np.zeros((60, 80, 3), np.uint8)
    img[:, :40] = (40, 40, 40)
    img[:, 40:] = (200, 200, 200)
    img[10:30, 10:25] = (220, 20, 20)
    return img


def test_flood_fill_finds_known_regions():
    img = three_region_image()
    square = flood_fill_region(img, 15.5, 15.5, tolerance=30)
    assert square.bbox() == (10, 10, 25, 30) and square.area() == 300
    left = flood_fill_region(img, 2, 2, tolerance=30)
    assert left.area() == 60 * 40 - 300
    assert not left.region(square.bbox()).any()
    right = flood_fill_region(img, 70, 50, tolerance=30)
    assert right.bbox() == (40, 0, 80, 60) and right.area() == 60 * 40


def test_flood_fill_tolerance_is_fixed_range_per_channel():
    ramp = np.repeat(np.arange(100, dtype=np.uint8)[None, :], 10, axis=0)
    img = np.stack([ramp] * 3, axis=-1)
    # Seed value 50: with a fixed range of 5 only columns 45..55 join (a floating range
    # would follow the gradient across the whole image).
    got = flood_fill_region(img, 50, 5, tolerance=5)
    assert got.bbox() == (45, 0, 56, 10)
    assert flood_fill_region(img, 50, 5, tolerance=0).area() == 10


def test_flood_fill_outside_image_is_empty_and_grey_works():
    img = three_region_image()
    assert flood_fill_region(img, -1, 5).is_empty()
    assert flood_fill_region(img, 5, 60).is_empty()
    grey = img[:, :, 0].copy()
    assert flood_fill_region(grey, 70, 50, tolerance=10).area() == 60 * 40


# ---- grabcut -----------------------------------------------------------------------------


def noisy_object_image(seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    h, w = 120, 160
    img = rng.normal((60, 90, 60), 12, (h, w, 3))
    truth = np.zeros((h, w), bool)
    yy, xx = np.mgrid[:h, :w]
    truth[((xx - 80) / 35) ** 2 + ((yy - 60) / 25) ** 2 <= 1] = True
    img[truth] = rng.normal((230, 60, 40), 12, (int(truth.sum()), 3))
    return np.clip(img, 0, 255).astype(np.uint8), truth


def test_grabcut_finds_high_contrast_object():
    img, truth = noisy_object_image()
    got = grabcut_box(img, (38, 28, 122, 92))
    assert mask_iou(got, RasterGeometry.from_full(truth)) > 0.8
    x0, y0, x1, y1 = got.bbox()
    assert x0 >= 38 and y0 >= 28 and x1 <= 122 and y1 <= 92  # never outside the box


def test_grabcut_downscaled_solve_still_matches():
    img, truth = noisy_object_image(1)
    got = grabcut_box(img, (38, 28, 122, 92), max_side=60)
    assert mask_iou(got, RasterGeometry.from_full(truth)) > 0.8


def test_grabcut_degenerate_boxes_are_empty():
    img, _ = noisy_object_image()
    assert grabcut_box(img, (10, 10, 11, 40)).is_empty()
    assert grabcut_box(img, (200, 200, 260, 260)).is_empty()  # outside the image
    assert grabcut_box(img, (0, 0, 160, 120)).is_empty()  # no background to learn from
