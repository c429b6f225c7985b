"""PQ with panopticapi's rules: the COCO panoptic fixtures against themselves and against
perturbations whose expected values are derived here from segment areas and IoUs, plus small
synthetic cases for void, crowd and the strict IoU > 0.5 rule."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import numpy as np
import pytest

from app.formats.panoptic import read_panoptic_png
from inference.pq import pq_compute

FIX = Path(__file__).resolve().parents[2].parent / "shared" / "fixtures" / "coco_panoptic"

pytestmark = pytest.mark.skipif(not FIX.is_dir(), reason="shared COCO panoptic fixtures not present")


@pytest.fixture(scope="module")
def coco() -> tuple[list[tuple[np.ndarray, list[dict]]], list[dict]]:
    data = json.loads((FIX / "panoptic_examples.json").read_text())
    cats = json.loads((FIX / "panoptic_coco_categories.json").read_text())
    images = [(read_panoptic_png(FIX / "panoptic_examples" / a["file_name"]), a["segments_info"]) for a in data["annotations"]]
    return images, cats


def _present(images: list[tuple[np.ndarray, list[dict]]]) -> dict[int, int]:
    """category id -> number of non-crowd GT segments over all images."""
    count: dict[int, int] = {}
    for _, segs in images:
        for s in segs:
            if not s["iscrowd"]:
                count[s["category_id"]] = count.get(s["category_id"], 0) + 1
    return count


def _mean_all(per_cat_pq: dict[int, float]) -> float:
    return sum(per_cat_pq.values()) / len(per_cat_pq)


def test_ground_truth_against_itself(coco) -> None:
    images, cats = coco
    # the fixtures' JSON areas agree with the PNGs, so recounting areas changes nothing
    for id_map, segs in images:
        for s in segs:
            assert int(np.count_nonzero(id_map == s["id"])) == s["area"]
    res = pq_compute(images, copy.deepcopy(images), cats)
    isthing = {c["id"]: bool(c["isthing"]) for c in cats}
    present = _present(images)
    for key in ("All", "Things", "Stuff"):
        assert res[key]["pq"] == pytest.approx(1.0) and res[key]["sq"] == pytest.approx(1.0)
        assert res[key]["rq"] == pytest.approx(1.0)
    assert res["All"]["n"] == len(present)  # crowd-only categories count nowhere
    assert res["Things"]["n"] == sum(isthing[c] for c in present)


def test_drop_a_segment(coco) -> None:
    images, cats = coco
    present = _present(images)
    pred = copy.deepcopy(images)
    id_map, segs = pred[0]
    victim = next(s for s in segs if not s["iscrowd"])
    id_map[id_map == victim["id"]] = 0
    segs.remove(victim)
    k = present[victim["category_id"]]
    # that category: k-1 perfect matches and one FN; every other category stays perfect
    expected = {c: 1.0 for c in present}
    expected[victim["category_id"]] = (k - 1) / (k - 1 + 0.5)
    res = pq_compute(images, pred, cats)
    assert res["All"]["pq"] == pytest.approx(_mean_all(expected))
    pc = res["per_class"][victim["category_id"]]
    assert (pc["tp"], pc["fp"], pc["fn"]) == (k - 1, 0, 1)
    assert res["All"]["sq"] == pytest.approx(1.0 if k > 1 else (len(present) - 1) / len(present))


def test_relabel_a_segment(coco) -> None:
    images, cats = coco
    present = _present(images)
    isthing = {c["id"]: bool(c["isthing"]) for c in cats}
    pred = copy.deepcopy(images)
    _, segs = pred[1]
    victim = next(s for s in segs if not s["iscrowd"] and isthing[s["category_id"]])
    new_cat = next(c["id"] for c in cats if c["isthing"] and c["id"] not in present)
    old_cat = victim["category_id"]
    victim["category_id"] = new_cat
    k = present[old_cat]
    # old category: k-1 TP + 1 FN; new category: 1 FP only (PQ 0, and it now counts in n)
    expected = {c: 1.0 for c in present}
    expected[old_cat] = (k - 1) / (k - 1 + 0.5)
    expected[new_cat] = 0.0
    res = pq_compute(images, pred, cats)
    assert res["All"]["pq"] == pytest.approx(_mean_all(expected))
    assert res["All"]["n"] == len(present) + 1
    things = {c: v for c, v in expected.items() if isthing[c]}
    assert res["Things"]["pq"] == pytest.approx(_mean_all(things))
    assert res["Stuff"]["pq"] == pytest.approx(1.0)


@pytest.mark.parametrize("fraction", [0.1, 1.0])
def test_shift_a_mask(coco, fraction: float) -> None:
    images, cats = coco
    present = _present(images)
    pred = copy.deepcopy(images)
    gt_map, gt_segs = images[0]
    id_map, segs = pred[0]
    victim = max((s for s in segs if not s["iscrowd"]), key=lambda s: s["area"] if s["area"] < 20000 else 0)
    sid = victim["id"]
    shift = max(1, round(victim["bbox"][2] * fraction))  # 1.0: no overlap left at all
    gt_mask = gt_map == sid
    # the shifted mask may take only void pixels or its own old pixels, so no other segment changes
    moved = np.zeros_like(gt_mask)
    moved[:, shift:] = gt_mask[:, :-shift]
    moved &= (gt_map == 0) | gt_mask
    id_map[gt_mask] = 0
    id_map[moved] = sid
    if not moved.any():  # nothing free to move onto: the segment disappears from the prediction
        segs.remove(victim)
    inter = int(np.count_nonzero(moved & gt_mask))
    on_void = int(np.count_nonzero(moved & (gt_map == 0)))
    union = int(moved.sum()) + int(gt_mask.sum()) - inter - on_void
    iou = inter / union
    k = present[victim["category_id"]]
    expected = {c: 1.0 for c in present}
    if iou > 0.5:
        expected[victim["category_id"]] = (k - 1 + iou) / k
    else:
        fp = 0 if not moved.any() or on_void / moved.sum() > 0.5 else 1
        expected[victim["category_id"]] = (k - 1) / (k - 1 + 0.5 * fp + 0.5)
    res = pq_compute(images, pred, cats)
    assert res["All"]["pq"] == pytest.approx(_mean_all(expected))
    if fraction < 0.5:
        assert iou > 0.5  # the small shift still matches, the large one must not
    else:
        assert iou <= 0.5


def _toy(gt_cells: dict[int, slice], crowd: set[int] = frozenset()) -> tuple[np.ndarray, list[dict]]:
    m = np.zeros((10, 10), np.int32)
    for sid, cols in gt_cells.items():
        m[:, cols] = sid
    return m, [{"id": s, "category_id": 1, "iscrowd": int(s in crowd)} for s in gt_cells]


def test_void_is_left_out_of_the_union_and_iou_must_exceed_half() -> None:
    cats = {1: True}
    gt = _toy({1: slice(0, 2)})  # 20 pixels; columns 2..9 are void
    pred = _toy({7: slice(0, 6)})  # 60 pixels, 40 of them on void
    res = pq_compute([gt], [pred], cats)
    assert res["All"]["pq"] == pytest.approx(1.0)  # IoU = 20 / (60 + 20 - 20 - 40)
    gt2 = _toy({1: slice(0, 4), 2: slice(4, 10)})
    half = _toy({7: slice(0, 2), 8: slice(2, 10)})
    # IoU(1, 7) = 20/40 = 0.5 exactly: not a match; IoU(2, 8) = 60/80 = 0.75
    res = pq_compute([gt2], [half], cats)
    pc = res["per_class"][1]
    assert (pc["tp"], pc["fp"], pc["fn"]) == (1, 1, 1)
    assert pc["pq"] == pytest.approx(0.75 / 2)


def test_crowd_absorbs_unmatched_predictions_of_its_class() -> None:
    cats = {1: True, 2: True}
    gt = _toy({1: slice(0, 5), 9: slice(5, 10)}, crowd={9})
    pred = _toy({3: slice(0, 5), 4: slice(5, 8)})  # 4 lies inside the crowd
    res = pq_compute([gt], [pred], cats)
    assert res["per_class"][1] == {"pq": 1.0, "sq": 1.0, "rq": 1.0, "tp": 1, "fp": 0, "fn": 0}
    # the same prediction with another class is a false positive (crowd is per class)
    pred[1][1]["category_id"] = 2
    res = pq_compute([gt], [pred], cats)
    assert res["per_class"][2]["fp"] == 1 and res["All"]["pq"] == pytest.approx(0.5)


def test_errors() -> None:
    gt = _toy({1: slice(0, 5)})
    with pytest.raises(ValueError, match="not in segments_info"):
        pq_compute([gt], [(gt[0], [])], {1: True})
    with pytest.raises(ValueError, match="no pixels"):
        pq_compute([gt], [(gt[0], gt[1] + [{"id": 5, "category_id": 1}])], {1: True})
    with pytest.raises(ValueError, match="unknown category"):
        pq_compute([gt], [gt], {2: True})
    with pytest.raises(ValueError, match="no prediction"):
        pq_compute({5: gt}, {6: gt}, {1: True})
