"""COCO mask AP of predictions against samples, computed by pycocotools' COCOeval, and the
per-class precision and recall at a score threshold.

The detections go through our own results writer (`inference.coco_results`) into a JSON file
that `COCO.loadRes` reads, so the export format is exercised by every evaluation.

AP integrates over all scores; a user choosing an auto-fill threshold wants to know what that
threshold gives: of the suggestions above it, how many are right (precision), and how many of
the objects it finds (recall). `evaluate_detailed` reports both, per class.
"""

from __future__ import annotations

import contextlib
import io
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
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


@dataclass
class ClassMetrics:
    """One class's figures. ap50: COCO mask AP at IoU 0.5 (None without ground truth).
    precision / recall: at the report's score threshold, a detection matching an unmatched
    ground-truth mask of its class with mask IoU >= 0.5 (greedy, by score); None when there is
    nothing to divide by. true_positives, false_positives, ground_truth: the counts behind them."""

    category_id: int
    name: str
    ap50: float | None
    precision: float | None
    recall: float | None
    true_positives: int
    false_positives: int
    ground_truth: int


@dataclass
class EvalReport:
    """COCO mask AP, AP50, AP75 over all classes, and per-class figures at `score_threshold`."""

    AP: float
    AP50: float
    AP75: float
    score_threshold: float
    classes: list[ClassMetrics] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """JSON-able form (the project model's card stores it)."""
        return {
            "AP": self.AP, "AP50": self.AP50, "AP75": self.AP75, "score_threshold": self.score_threshold,
            "classes": [vars(c).copy() for c in self.classes],
        }  # fmt: skip


def _run_cocoeval(
    predictions: Sequence[Prediction],
    samples: Sequence[InstanceSample],
    categories: Sequence[tuple[int, str]],
    results_path: str | Path | None,
) -> COCOeval | None:
    """An evaluated and accumulated COCOeval (segm), or None when there are no detections at all
    (pycocotools cannot load an empty results list)."""
    if len(predictions) != len(samples):
        raise ValueError(f"{len(predictions)} predictions for {len(samples)} samples")
    if sum(len(p) for p in predictions) == 0:
        return None
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
    return evaluator


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
    evaluator = _run_cocoeval(predictions, samples, categories, results_path)
    if evaluator is None:
        return dict.fromkeys(_METRICS, 0.0)
    stats = np.maximum(evaluator.stats[: len(_METRICS)], 0.0)  # -1 means "no ground truth"
    return {name: float(v) for name, v in zip(_METRICS, stats, strict=True)}


def _class_ap50(evaluator: COCOeval | None, category_id: int) -> float | None:
    if evaluator is None:
        return 0.0
    k = list(evaluator.params.catIds).index(category_id)
    # precision[T, R, K, A, M]: IoU 0.5 is T=0, area "all" A=0, maxDets 100 is the last M.
    curve = evaluator.eval["precision"][0, :, k, 0, -1]
    curve = curve[curve > -1]
    return float(curve.mean()) if curve.size else None


def _match_counts(
    pred: Prediction, sample: InstanceSample, category_id: int, score_threshold: float, iou: float
) -> tuple[int, int, int]:
    """(true positives, false positives, ground-truth count) of one class on one image."""
    gt = [m for m, c in zip(sample.masks, sample.category_ids, strict=True) if c == category_id and m.any()]
    dets = [i for i in np.argsort(-pred.scores, kind="stable")
            if pred.category_ids[i] == category_id and pred.scores[i] >= score_threshold]  # fmt: skip
    if not dets:
        return 0, 0, len(gt)
    if not gt:
        return 0, len(dets), 0
    gt_rle = [mask_utils.encode(np.asfortranarray(m.astype(np.uint8))) for m in gt]
    dt_rle = [mask_utils.encode(np.asfortranarray(pred.full_mask(int(i)).astype(np.uint8))) for i in dets]
    ious = mask_utils.iou(dt_rle, gt_rle, [0] * len(gt_rle))
    taken = np.zeros(len(gt), bool)
    tp = 0
    for row in np.atleast_2d(ious):
        free = np.where(taken, -1.0, row)
        best = int(np.argmax(free))
        if free[best] >= iou:
            taken[best] = True
            tp += 1
    return tp, len(dets) - tp, len(gt)


def evaluate_detailed(
    predictions: Sequence[Prediction],
    samples: Sequence[InstanceSample],
    categories: Sequence[tuple[int, str]],
    score_threshold: float = 0.5,
    iou_threshold: float = 0.5,
) -> EvalReport:
    """`evaluate_masks` plus per-class AP50, precision and recall at `score_threshold` (see
    ClassMetrics). Predictions should be made with a low threshold (AP needs the whole curve);
    the precision/recall threshold is applied here."""
    evaluator = _run_cocoeval(predictions, samples, categories, None)
    overall = dict.fromkeys(_METRICS, 0.0)
    if evaluator is not None:
        stats = np.maximum(evaluator.stats[: len(_METRICS)], 0.0)
        overall = {name: float(v) for name, v in zip(_METRICS, stats, strict=True)}
    classes = []
    for cid, name in categories:
        tp = fp = n_gt = 0
        for pred, sample in zip(predictions, samples, strict=True):
            a, b, c = _match_counts(pred, sample, cid, score_threshold, iou_threshold)
            tp, fp, n_gt = tp + a, fp + b, n_gt + c
        classes.append(ClassMetrics(
            int(cid), name, _class_ap50(evaluator, cid) if n_gt else None,
            tp / (tp + fp) if tp + fp else None, tp / n_gt if n_gt else None, tp, fp, n_gt,
        ))  # fmt: skip
    return EvalReport(overall["AP"], overall["AP50"], overall["AP75"], float(score_threshold), classes)


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
