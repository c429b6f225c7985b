"""Review filters of app.ai.domain.review: threshold, duplicate hiding, accept-all / reject-rest sets."""

from __future__ import annotations

import numpy as np
import pytest

from app.ai.domain.review import (
    below_threshold_ids,
    duplicate_ids,
    pending_ids,
    remaining_ids,
    review_order,
    visible_suggestions,
)
from app.core.document import Document
from app.core.geometry import PolygonGeometry, RasterGeometry
from app.core.instance import Instance, InstanceState


def square(x: int, y: int, size: int = 10) -> RasterGeometry:
    return RasterGeometry(np.ones((size, size), bool), x, y)


def suggestion(doc: Document, geometry, score: float | None, category: int = 1) -> int:
    iid = doc.new_id()
    doc.add(Instance(iid, category, geometry, source="fake", score=score, state=InstanceState.SUGGESTED))
    return iid


def accepted(doc: Document, geometry, category: int = 1) -> int:
    iid = doc.new_id()
    doc.add(Instance(iid, category, geometry))
    return iid


def test_threshold_keeps_scores_at_or_above_and_unscored():
    doc = Document("a.png", 100, 100)
    low = suggestion(doc, square(0, 0), 0.3)
    edge = suggestion(doc, square(20, 0), 0.5)
    high = suggestion(doc, square(40, 0), 0.9)
    unscored = suggestion(doc, square(60, 0), None)
    accepted(doc, square(0, 40))
    assert visible_suggestions(doc, 0.5) == {edge, high, unscored}
    assert visible_suggestions(doc, 0.95) == {unscored}
    assert visible_suggestions(doc, 0.0) == {low, edge, high, unscored}


def test_duplicate_needs_same_class_and_iou_above_threshold():
    doc = Document("a.png", 100, 100)
    accepted(doc, square(10, 10))
    near = suggestion(doc, square(11, 10), 0.9)  # IoU 90/110 = 0.82
    shifted = suggestion(doc, square(12, 10), 0.9)  # IoU 80/120 = 0.67
    other_class = suggestion(doc, square(10, 10), 0.9, category=2)
    assert duplicate_ids(doc) == {near}
    assert duplicate_ids(doc, iou=0.6) == {near, shifted}
    assert visible_suggestions(doc, 0.5) == {shifted, other_class}
    assert visible_suggestions(doc, 0.5, hide_duplicates=False) == {near, shifted, other_class}


def test_polygon_accepted_instance_is_compared_by_its_pixels():
    doc = Document("a.png", 100, 100)
    accepted(doc, PolygonGeometry.from_points([[20, 20], [40, 20], [40, 40], [20, 40]]))
    same = suggestion(doc, square(20, 20, 20), 0.7)
    assert duplicate_ids(doc) == {same}


def test_suggestions_do_not_hide_each_other():
    doc = Document("a.png", 100, 100)
    a = suggestion(doc, square(10, 10), 0.9)
    b = suggestion(doc, square(10, 10), 0.8)
    assert duplicate_ids(doc) == set()
    assert visible_suggestions(doc, 0.5) == {a, b}


def test_pending_is_review_order_and_rest_is_its_complement():
    doc = Document("a.png", 100, 100)
    accepted(doc, square(10, 10))
    dup = suggestion(doc, square(10, 10), 0.99)
    mid = suggestion(doc, square(40, 40), 0.6)
    top = suggestion(doc, square(60, 60), 0.95)
    low = suggestion(doc, square(70, 10), 0.2)
    tie = suggestion(doc, square(80, 80), 0.6)  # same score as mid, higher in z-order
    assert pending_ids(doc, 0.5) == [top, tie, mid]
    assert below_threshold_ids(doc, 0.5) == [dup, low]
    # Shown duplicates are accepted by "accept all" and so are not "the rest".
    assert pending_ids(doc, 0.5, hide_duplicates=False) == [dup, top, tie, mid]
    assert below_threshold_ids(doc, 0.5, hide_duplicates=False) == [low]
    assert review_order(doc, {low, top}) == [top, low]
    assert remaining_ids(doc) == [dup, mid, top, low, tie]


@pytest.mark.parametrize("seed", range(6))
def test_duplicates_match_brute_force_full_image_iou(seed):
    """The box prefilter and IoU bound must never change the answer of a plain full-mask IoU."""
    rng = np.random.default_rng(seed)
    h, w = 60, 80
    doc = Document("a.png", w, h)
    for k in range(30):
        x, y = rng.integers(0, 50), rng.integers(0, 35)
        mw, mh = rng.integers(4, 25), rng.integers(4, 25)
        mask = rng.random((mh, mw)) < 0.9
        geom = RasterGeometry(mask, int(x), int(y)).tight()
        if geom.is_empty():
            continue
        cat = int(rng.integers(1, 3))
        if k % 2:
            suggestion(doc, geom, float(rng.random()), cat)
        else:
            accepted(doc, geom, cat)
        if k % 5 == 0:  # near-copies, so that some pairs really are duplicates
            jitter = RasterGeometry(mask, int(x) + int(rng.integers(0, 2)), int(y)).tight()
            suggestion(doc, jitter, 0.9, cat)
    full = {i.id: i.geometry.full(h, w) for i in doc}
    expected = set()
    for s in doc:
        if not s.is_suggestion:
            continue
        for a in doc:
            if a.is_suggestion or a.category_id != s.category_id:
                continue
            inter = np.count_nonzero(full[s.id] & full[a.id])
            union = np.count_nonzero(full[s.id] | full[a.id])
            if union and inter / union > 0.8:
                expected.add(s.id)
    assert duplicate_ids(doc) == expected
    assert expected  # the jittered copies make the case non-trivial
