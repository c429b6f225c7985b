"""Panoptic Quality (Kirillov et al. 2019) with the matching rules of cocodataset/panopticapi.

Per image, with ground truth (GT) and predicted id maps:
- A GT segment and a predicted segment of the same category match when IoU > 0.5 (strictly;
  this makes matches unique). The union leaves out the predicted pixels that lie on GT void
  (id 0), so predicting over unlabeled pixels costs nothing.
- GT crowd segments (iscrowd=1) never match and are never false negatives.
- An unmatched prediction is not a false positive when more than half of its pixels lie on GT
  void plus GT crowd regions of its own category.
- Areas are counted from the id maps (panopticapi recounts predictions and trusts the GT JSON;
  for valid GT files both agree). Several crowd segments of one category are pooled
  (panopticapi keeps only the last one; COCO has at most one per category and image).
Per category: PQ = sum IoU(TP) / (TP + FP/2 + FN/2), SQ = sum IoU(TP) / TP, RQ = TP / (TP + FP/2
+ FN/2); the All / Things / Stuff figures average over the categories with TP + FP + FN > 0.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

#: Joint key of a (GT id, predicted id) pixel pair: gt * OFFSET + pred (ids are < 256^3).
OFFSET = 256**3
VOID = 0

#: One image: (id map int (H, W), segments_info dicts with id, category_id and, for GT, iscrowd).
Segments = tuple[np.ndarray, Sequence[Mapping[str, Any]]]


@dataclass
class PQStat:
    """Accumulated counts of one category."""

    iou: float = 0.0
    tp: int = 0
    fp: int = 0
    fn: int = 0


def _areas(id_map: np.ndarray, segments: Sequence[Mapping[str, Any]], which: str) -> dict[int, int]:
    ids, counts = np.unique(id_map, return_counts=True)
    in_map = {int(i): int(c) for i, c in zip(ids, counts) if i != VOID}
    listed = {int(s["id"]) for s in segments}
    if len(listed) != len(segments):
        raise ValueError(f"{which}: duplicate segment ids in segments_info")
    missing = sorted(set(in_map) - listed)
    if missing:
        raise ValueError(f"{which}: ids {missing[:5]} are in the id map but not in segments_info")
    empty = sorted(listed - set(in_map))
    if empty:
        raise ValueError(f"{which}: segments {empty[:5]} are listed but have no pixels in the id map")
    return {sid: in_map[sid] for sid in listed}


def pq_image(gt: Segments, pred: Segments, categories: Mapping[int, bool], stats: dict[int, PQStat]) -> None:
    """Add one image's TP/FP/FN/IoU to `stats` (category id -> PQStat); see the module doc."""
    gt_map, gt_segs = gt
    pred_map, pred_segs = pred
    if gt_map.shape != pred_map.shape:
        raise ValueError(f"id maps differ in size: {gt_map.shape} vs {pred_map.shape}")
    gt_info = {int(s["id"]): s for s in gt_segs}
    pred_info = {int(s["id"]): s for s in pred_segs}
    for which, info in (("ground truth", gt_info), ("prediction", pred_info)):
        unknown = {int(s["category_id"]) for s in info.values()} - set(categories)
        if unknown:
            raise ValueError(f"{which}: unknown category ids {sorted(unknown)}")
    gt_area = _areas(gt_map, gt_segs, "ground truth")
    pred_area = _areas(pred_map, pred_segs, "prediction")

    joint = gt_map.astype(np.uint64) * np.uint64(OFFSET) + pred_map.astype(np.uint64)
    keys, counts = np.unique(joint, return_counts=True)
    inter = {(int(k) // OFFSET, int(k) % OFFSET): int(c) for k, c in zip(keys, counts)}

    gt_matched: set[int] = set()
    pred_matched: set[int] = set()
    for (g, p), n in inter.items():
        if g not in gt_info or p not in pred_info:
            continue
        gs, ps = gt_info[g], pred_info[p]
        if int(gs.get("iscrowd", 0)) == 1 or int(gs["category_id"]) != int(ps["category_id"]):
            continue
        union = pred_area[p] + gt_area[g] - n - inter.get((VOID, p), 0)
        iou = n / union
        if iou > 0.5:
            st = stats.setdefault(int(gs["category_id"]), PQStat())
            st.tp += 1
            st.iou += iou
            gt_matched.add(g)
            pred_matched.add(p)

    crowd: dict[int, list[int]] = {}
    for g, gs in gt_info.items():
        if g in gt_matched:
            continue
        if int(gs.get("iscrowd", 0)) == 1:
            crowd.setdefault(int(gs["category_id"]), []).append(g)
            continue
        stats.setdefault(int(gs["category_id"]), PQStat()).fn += 1

    for p, ps in pred_info.items():
        if p in pred_matched:
            continue
        cat = int(ps["category_id"])
        ignored = inter.get((VOID, p), 0) + sum(inter.get((g, p), 0) for g in crowd.get(cat, []))
        if ignored / pred_area[p] > 0.5:
            continue
        stats.setdefault(cat, PQStat()).fp += 1


def _average(stats: Mapping[int, PQStat], categories: Mapping[int, bool], isthing: bool | None) -> dict[str, float]:
    pq = sq = rq = 0.0
    n = 0
    for cat, thing in categories.items():
        if isthing is not None and thing != isthing:
            continue
        st = stats.get(cat)
        if st is None or st.tp + st.fp + st.fn == 0:
            continue
        n += 1
        denom = st.tp + 0.5 * st.fp + 0.5 * st.fn
        pq += st.iou / denom
        sq += st.iou / st.tp if st.tp else 0.0
        rq += st.tp / denom
    if n == 0:
        return {"pq": 0.0, "sq": 0.0, "rq": 0.0, "n": 0}
    return {"pq": pq / n, "sq": sq / n, "rq": rq / n, "n": n}


def _category_table(categories: Sequence[Mapping[str, Any]] | Mapping[int, bool]) -> dict[int, bool]:
    if isinstance(categories, Mapping):
        return {int(k): bool(v) for k, v in categories.items()}
    return {int(c["id"]): bool(c.get("isthing", 1)) for c in categories}


def pq_compute(
    gt_segments: Sequence[Segments] | Mapping[Any, Segments],
    pred_segments: Sequence[Segments] | Mapping[Any, Segments],
    categories: Sequence[Mapping[str, Any]] | Mapping[int, bool],
) -> dict[str, Any]:
    """PQ, SQ and RQ over a set of images.

    gt_segments / pred_segments: per image, (id map int (H, W) with 0 = void, segments_info with
        "id", "category_id" and, for GT, "iscrowd"); either two aligned sequences or two mappings
        keyed by image id (every GT image needs a prediction). Convert COCO panoptic PNGs to id
        maps first (id = R + 256 G + 256^2 B).
    categories: COCO panoptic category dicts ("id", "isthing") or {category id: isthing}.
    Returns {"All"|"Things"|"Stuff": {"pq", "sq", "rq" (fractions 0..1), "n" (categories
    counted)}, "per_class": {category id: {"pq", "sq", "rq", "tp", "fp", "fn"}}}.
    Raises ValueError for unknown category ids, ids missing from segments_info, size mismatches
    or a GT image without a prediction.
    """
    table = _category_table(categories)
    if isinstance(gt_segments, Mapping):
        if not isinstance(pred_segments, Mapping):
            raise ValueError("ground truth is keyed by image id, so predictions must be too")
        missing = [k for k in gt_segments if k not in pred_segments]
        if missing:
            raise ValueError(f"no prediction for images {missing[:5]}")
        pairs = [(gt_segments[k], pred_segments[k]) for k in gt_segments]
    else:
        if isinstance(pred_segments, Mapping) or len(gt_segments) != len(pred_segments):
            raise ValueError("ground truth and predictions must be aligned sequences of equal length")
        pairs = list(zip(gt_segments, pred_segments))
    stats: dict[int, PQStat] = {}
    for gt, pred in pairs:
        pq_image(gt, pred, table, stats)
    per_class: dict[int, dict[str, float]] = {}
    for cat, st in sorted(stats.items()):
        denom = st.tp + 0.5 * st.fp + 0.5 * st.fn
        per_class[cat] = {
            "pq": st.iou / denom if denom else 0.0,
            "sq": st.iou / st.tp if st.tp else 0.0,
            "rq": st.tp / denom if denom else 0.0,
            "tp": st.tp, "fp": st.fp, "fn": st.fn,
        }  # fmt: skip
    return {
        "All": _average(stats, table, None),
        "Things": _average(stats, table, True),
        "Stuff": _average(stats, table, False),
        "per_class": per_class,
    }
