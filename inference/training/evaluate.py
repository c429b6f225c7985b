"""COCO mask AP of predictions against samples, computed by pycocotools' COCOeval.

The detections go through our own results writer (`inference.coco_results`) into a JSON file
that `COCO.loadRes` reads, so the export format is exercised by every evaluation.
"""

from __future__ import annotations

import contextlib
import io
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from pycocotools import mask as mask_utils
from pycocotools.coco import COCO
from pycocotools.cocoeval import COCOeval

from inference.coco_results import encode_rle, write_coco_results
from inference.predictor import Predictor
from inference.training.data import InstanceSample
from inference.types import Prediction

#: Names of COCOeval.stats[0..2].
_METRICS = ("AP", "AP50", "AP75")


def coco_ground_truth(samples: Sequence[InstanceSample], categories: Sequence[tuple[int, str]]) -> dict[str, Any]:
    """COCO instances dict for samples: image ids 1..n, annotation ids from 1 (0 would read as
    'unmatched' inside COCOeval), RLE segmentations, area = mask pixel count, tight bbox."""
    images, annotations = [], []
    for image_id, sample in enumerate(samples, start=1):
        h, w = sample.image.shape[:2]
        images.append({"id": image_id, "width": w, "height": h, "file_name": f"{image_id}.png"})
        for mask, cid in zip(sample.masks, sample.category_ids, strict=True):
            if not mask.any():
                continue
            rle = encode_rle(mask)
            annotations.append({
                "id": len(annotations) + 1, "image_id": image_id, "category_id": int(cid),
                "segmentation": rle, "area": float(mask.sum()), "iscrowd": 0,
                "bbox": [float(v) for v in mask_utils.toBbox({**rle, "counts": rle["counts"].encode()})],
            })  # fmt: skip
    return {
        "images": images,
        "annotations": annotations,
        "categories": [{"id": cid, "name": name} for cid, name in categories],
    }


def evaluate_masks(
    predictions: Sequence[Prediction],
    samples: Sequence[InstanceSample],
    categories: Sequence[tuple[int, str]],
    results_path: str | Path | None = None,
) -> dict[str, float]:
    """Mask AP, AP50 and AP75 (COCO definitions, maxDets 100) of predictions[i] on samples[i].

    The results JSON is written to `results_path` (or a temporary file). No detections at all
    scores 0 (pycocotools cannot load an empty results list).
    """
    if len(predictions) != len(samples):
        raise ValueError(f"{len(predictions)} predictions for {len(samples)} samples")
    if sum(len(p) for p in predictions) == 0:
        return dict.fromkeys(_METRICS, 0.0)
    gt = COCO()
    gt.dataset = coco_ground_truth(samples, categories)
    with contextlib.redirect_stdout(io.StringIO()):  # pycocotools prints progress lines
        gt.createIndex()
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(results_path) if results_path else Path(tmp) / "results.json"
            write_coco_results(((i + 1, p) for i, p in enumerate(predictions)), path)
            dt = gt.loadRes(str(path))
        evaluator = COCOeval(gt, dt, iouType="segm")
        evaluator.evaluate()
        evaluator.accumulate()
        evaluator.summarize()
    stats = np.maximum(evaluator.stats[: len(_METRICS)], 0.0)  # -1 means "no ground truth"
    return {name: float(v) for name, v in zip(_METRICS, stats, strict=True)}


def evaluate_predictor(
    predictor: Predictor,
    samples: Sequence[InstanceSample],
    categories: Sequence[tuple[int, str]],
    score_threshold: float = 0.05,
) -> dict[str, float]:
    """Run `predictor` on the sample images and return `evaluate_masks` of its predictions.

    A low score threshold is used because AP integrates over the whole precision-recall curve.
    """
    predictions = predictor.predict([s.image for s in samples], score_threshold=score_threshold)
    return evaluate_masks(predictions, samples, categories)
