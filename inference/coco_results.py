"""COCO results ("detections") export of `Prediction`s, readable by `COCO.loadRes`.

Each result is {image_id, category_id, segmentation: compressed RLE, score}. The RLE counts are
decoded to `str`, since pycocotools returns bytes that `json.dump` rejects.

`bbox` is left out by default on purpose: when the first result carries a bbox, `COCO.loadRes`
takes its box branch and sets every `area` to w*h of the box, which puts mask results into the
wrong small/medium/large bucket. Without it loadRes computes area and bbox from the RLE.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
from pycocotools import mask as mask_utils

from inference.types import Prediction


def encode_rle(mask: np.ndarray) -> dict[str, Any]:
    """Compressed COCO RLE of a bool or uint8 (H, W) mask: {"size": [H, W], "counts": str}."""
    rle = mask_utils.encode(np.asfortranarray(mask.astype(np.uint8)))
    return {"size": [int(rle["size"][0]), int(rle["size"][1])], "counts": rle["counts"].decode("ascii")}


def to_coco_results(
    prediction: Prediction, image_id: int, include_bbox: bool = False
) -> list[dict[str, Any]]:
    """COCO results dicts for one image, one per detection, in score order.

    The full-image mask is materialized one instance at a time for the RLE, so memory stays at
    one H x W mask. With `include_bbox`, `bbox` is [x, y, w, h] from `prediction.boxes`.
    """
    results: list[dict[str, Any]] = []
    for i in range(len(prediction)):
        entry: dict[str, Any] = {
            "image_id": int(image_id),
            "category_id": int(prediction.category_ids[i]),
            "segmentation": encode_rle(prediction.full_mask(i)),
            "score": float(prediction.scores[i]),
        }
        if include_bbox:
            x1, y1, x2, y2 = (float(v) for v in prediction.boxes[i])
            entry["bbox"] = [x1, y1, x2 - x1, y2 - y1]
        results.append(entry)
    return results


def write_coco_results(
    predictions: Iterable[tuple[int, Prediction]], path: str | Path, include_bbox: bool = False
) -> Path:
    """Write the results of (image_id, prediction) pairs as one COCO results JSON file."""
    results: list[dict[str, Any]] = []
    for image_id, pred in predictions:
        results.extend(to_coco_results(pred, image_id, include_bbox=include_bbox))
    out = Path(path)
    out.write_text(json.dumps(results), encoding="utf-8")
    return out
