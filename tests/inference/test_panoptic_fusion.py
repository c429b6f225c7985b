"""Panoptic fusion: invariants on random overlapping instances, the overlap and score rules, stuff
from a semantic map, and the round trip through COCO panoptic RGB ids and PQ."""

from __future__ import annotations

import numpy as np
import pytest

from app.formats.panoptic import id_to_rgb, rgb_to_id
from inference import Prediction, SemanticPrediction
from inference.categories import VOC_CATEGORIES, VOC_TO_COCO
from inference.panoptic import check_panoptic, fuse
from inference.pq import pq_compute
from inference.types import tight_crop


def _prediction(full_masks: list[np.ndarray], scores: list[float], cats: list[int]) -> Prediction:
    h, w = full_masks[0].shape if full_masks else (1, 1)
    crops = [tight_crop(m, 0, 0, np.zeros(4), (h, w)) for m in full_masks]
    return Prediction(
        boxes=np.zeros((len(scores), 4)), scores=scores, category_ids=cats,
        masks=[c for c, _ in crops], mask_offsets=[o for _, o in crops], image_size=(h, w), model="t",
    )  # fmt: skip


def _rect(h: int, w: int, x0: int, y0: int, x1: int, y1: int) -> np.ndarray:
    m = np.zeros((h, w), bool)
    m[y0:y1, x0:x1] = True
    return m


@pytest.mark.parametrize("seed", range(5))
def test_invariants_on_random_instances(seed: int) -> None:
    rng = np.random.default_rng(seed)
    h, w = 60, 80
    masks, scores, cats = [], [], []
    for _ in range(12):
        cy, cx, r = rng.integers(0, h), rng.integers(0, w), rng.integers(3, 20)
        yy, xx = np.mgrid[:h, :w]
        masks.append((yy - cy) ** 2 + (xx - cx) ** 2 < r * r)
        scores.append(float(rng.uniform(0.2, 1.0)))
        cats.append(int(rng.integers(1, 4)))
    sem_map = rng.integers(0, 3, (h, w)).astype(np.uint8) * 10  # stuff 10, 20 and void 0
    sem_map[:, : w // 2] = 10
    semantic = SemanticPrediction(sem_map, ((0, "background"), (10, "sky"), (20, "road")), (h, w), "s")
    res = fuse(_prediction(masks, scores, cats), semantic, stuff_area_min=50, score_threshold=0.3)
    assert res.id_map.dtype == np.int32 and res.id_map.shape == (h, w)
    assert check_panoptic(res.id_map, res.segments_info) == []
    assert [s["id"] for s in res.segments_info] == list(range(1, len(res.segments_info) + 1))
    # every pixel is void or one listed segment (one id map: no overlaps possible)
    assert set(np.unique(res.id_map)) <= {0} | {s["id"] for s in res.segments_info}
    # recompute the expected placement independently: things in score order on free pixels
    taken = np.zeros((h, w), bool)
    things = [s for s in res.segments_info if s["isthing"]]
    kept_scores = [s["score"] for s in things]
    assert kept_scores == sorted(kept_scores, reverse=True) and min(kept_scores, default=1) >= 0.3
    for i in np.argsort(-np.asarray(scores), kind="stable"):
        if scores[i] < 0.3:
            continue
        visible = masks[i] & ~taken
        if (masks[i].sum() - visible.sum()) / masks[i].sum() > 0.5:
            continue
        seg = things.pop(0)
        assert seg["category_id"] == cats[i]
        assert np.array_equal(res.id_map == seg["id"], visible)
        taken |= visible
    assert things == []
    for seg in (s for s in res.segments_info if not s["isthing"]):
        pix = res.id_map == seg["id"]
        assert seg["category_id"] in (10, 20) and seg["area"] >= 50
        assert np.array_equal(pix, (sem_map == seg["category_id"]) & ~taken)
    assert not np.any((res.id_map == 0) & ~taken & (sem_map == 10))  # sky is big: fully used


def test_overlap_threshold_and_score_threshold() -> None:
    h, w = 20, 20
    a = _rect(h, w, 0, 0, 10, 10)  # 100 px
    b60 = _rect(h, w, 4, 0, 14, 10)  # 60 of its 100 px under a
    b40 = _rect(h, w, 6, 0, 16, 10)  # 40 under a
    res = fuse(_prediction([a, b60], [0.9, 0.8], [1, 2]), None)
    assert [s["category_id"] for s in res.segments_info] == [1]
    res = fuse(_prediction([a, b40], [0.9, 0.8], [1, 2]), None)
    assert [(s["category_id"], s["area"]) for s in res.segments_info] == [(1, 100), (2, 60)]
    assert res.segments_info[1]["bbox"] == [10, 0, 6, 10]
    res = fuse(_prediction([a, b60], [0.9, 0.8], [1, 2]), None, overlap_threshold=0.7)
    assert len(res.segments_info) == 2
    res = fuse(_prediction([b40, a], [0.4, 0.9], [2, 1]), None, score_threshold=0.5)
    assert [s["category_id"] for s in res.segments_info] == [1]


def test_voc_semantic_with_coco_things() -> None:
    """VOC classes are COCO things: with the COCO thing ids known, a VOC map adds no stuff unless
    the caller names stuff ids; background is always void."""
    h, w = 30, 30
    sem = np.zeros((h, w), np.uint8)
    sem[:, :15] = 12  # VOC dog
    sem[:10, 15:] = 15  # VOC person (150 px)
    semantic = SemanticPrediction(sem, VOC_CATEGORIES, (h, w), "fcn_resnet50")
    inst = _prediction([_rect(h, w, 0, 0, 5, 5)], [0.9], [18])  # a COCO dog
    coco_things = set(VOC_TO_COCO.values())
    res = fuse(inst, semantic, thing_ids=coco_things, semantic_to_category=VOC_TO_COCO, stuff_area_min=1)
    assert [(s["category_id"], s["isthing"]) for s in res.segments_info] == [(18, True)]
    assert np.count_nonzero(res.id_map) == 25
    res = fuse(inst, semantic, thing_ids=coco_things, semantic_to_category=VOC_TO_COCO,
               stuff_ids={18, 1}, stuff_area_min=200)  # fmt: skip
    # the rest of the dog region (450 - 25 px) becomes a segment; the 150-px person is too small
    assert [(s["category_id"], s["isthing"], s["area"]) for s in res.segments_info] == [(18, True, 25), (18, False, 425)]
    assert check_panoptic(res.id_map, res.segments_info) == []
    # semantic only, no instances: everything but background
    res = fuse(None, semantic, stuff_area_min=1)
    assert sorted(s["category_id"] for s in res.segments_info) == [12, 15]
    assert np.count_nonzero(res.id_map) == 450 + 150


def test_coco_panoptic_round_trip_and_self_pq() -> None:
    rng = np.random.default_rng(7)
    h, w = 40, 50
    masks = [_rect(h, w, *sorted(rng.integers(0, 50, 2)), *sorted(rng.integers(0, 40, 2))) for _ in range(6)]
    masks = [m if m.any() else _rect(h, w, 0, 0, 3, 3) for m in masks]
    sem = np.full((h, w), 3, np.uint8)
    sem[20:] = 4
    semantic = SemanticPrediction(sem, ((3, "wall"), (4, "floor")), (h, w), "s")
    res = fuse(_prediction(masks, list(rng.uniform(0.5, 1, 6)), [1] * 6), semantic, stuff_area_min=10)
    ann = res.annotation(42, "x.png")
    assert ann["image_id"] == 42 and ann["file_name"] == "x.png"
    ids = rgb_to_id(id_to_rgb(res.id_map))
    assert np.array_equal(ids, res.id_map)
    cats = [{"id": 1, "isthing": 1}, {"id": 3, "isthing": 0}, {"id": 4, "isthing": 0}]
    out = pq_compute([(ids, ann["segments_info"])], [(res.id_map, res.segments_info)], cats)
    assert out["All"]["pq"] == pytest.approx(1.0)


def test_size_mismatch_and_nothing_to_fuse() -> None:
    with pytest.raises(ValueError):
        fuse(None, None)
    semantic = SemanticPrediction(np.zeros((5, 5), np.uint8), VOC_CATEGORIES, (5, 5), "s")
    with pytest.raises(ValueError, match="sizes differ"):
        fuse(Prediction.empty((6, 5), "t"), semantic)
