"""The numpy Prediction type, tight mask crops and COCO results export."""

from __future__ import annotations

import json

import numpy as np
import pytest
from pycocotools import mask as mask_utils
from pycocotools.coco import COCO

from inference import Prediction
from inference.coco_results import write_coco_results
from inference.types import tight_crop


def _prediction() -> Prediction:
    window_a = np.zeros((5, 6), bool)
    window_a[1:3, 2:5] = True  # tight box: rows 1..2, cols 2..4
    crop_a, off_a = tight_crop(window_a, 10, 20, np.array([10.5, 20.5, 16, 25]), (40, 50))
    crop_b, off_b = tight_crop(np.zeros((3, 3), bool), 0, 0, np.array([7.9, -3.0, 9, 2]), (40, 50))
    return Prediction(
        boxes=np.array([[10.5, 20.5, 16, 25], [7.9, -3.0, 9, 2]]),
        scores=np.array([0.9, 0.4]),
        category_ids=np.array([3, 1]),
        masks=[crop_a, crop_b],
        mask_offsets=np.array([off_a, off_b]),
        image_size=(40, 50),
        model="m",
    )


def test_tight_crop_and_full_mask() -> None:
    pred = _prediction()
    assert pred.boxes.dtype == np.float32 and pred.scores.dtype == np.float32
    assert pred.category_ids.dtype == np.int64 and len(pred) == 2
    assert pred.masks[0].shape == (2, 3) and pred.masks[0].all()
    assert pred.mask_box(0) == (12, 21, 15, 23)
    full = pred.full_mask(0)
    assert full.shape == (40, 50) and full.sum() == 6 and full[21:23, 12:15].all()
    # The empty mask sits at the floor of its box corner, clipped to the image.
    assert pred.masks[1].shape == (0, 0) and pred.mask_box(1) == (7, 0, 7, 0)
    assert not pred.full_mask(1).any() and pred.mask_area(1) == 0


def test_validation() -> None:
    good = _prediction()
    with pytest.raises(ValueError, match="window exceeds"):
        Prediction(good.boxes, good.scores, good.category_ids, good.masks, np.array([[48, 0], [0, 0]]), (40, 50), "m")
    with pytest.raises(ValueError, match="2 masks for 1"):
        Prediction(good.boxes[:1], good.scores[:1], good.category_ids[:1], good.masks, good.mask_offsets[:1], (40, 50), "m")
    with pytest.raises(ValueError, match="bool"):
        Prediction(good.boxes[:1], good.scores[:1], good.category_ids[:1], [np.ones((2, 2), np.uint8)], good.mask_offsets[:1], (40, 50), "m")
    assert len(Prediction.empty((3, 4), "m")) == 0


def test_coco_results_round_trip(tmp_path) -> None:
    pred = _prediction()
    results = pred.to_coco_results(image_id=7)
    assert [r["category_id"] for r in results] == [3, 1]
    assert all(isinstance(r["segmentation"]["counts"], str) for r in results)
    assert "bbox" not in results[0]
    json.dumps(results)  # serializable as-is
    decoded = mask_utils.decode({"size": results[0]["segmentation"]["size"], "counts": results[0]["segmentation"]["counts"].encode()})
    assert decoded.shape == (40, 50) and np.array_equal(decoded.astype(bool), pred.full_mask(0))
    with_box = pred.to_coco_results(image_id=7, include_bbox=True)
    assert with_box[0]["bbox"] == pytest.approx([10.5, 20.5, 5.5, 4.5])
    # pycocotools accepts the file; area comes from the RLE because no bbox is given.
    gt = COCO()
    gt.dataset = {"images": [{"id": 7, "width": 50, "height": 40}], "annotations": [], "categories": [{"id": 1}, {"id": 3}]}
    gt.createIndex()
    path = write_coco_results([(7, pred)], tmp_path / "res.json")
    res = gt.loadRes(str(path))
    areas = sorted(a["area"] for a in res.dataset["annotations"])
    assert areas == [0, 6]
