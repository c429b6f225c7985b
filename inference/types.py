"""Numpy-only result types passed from the models to the app (never tensors).

Coordinate conventions (all models):
- Pixel (x, y) covers the square [x, x+1) x [y, y+1); box coordinates are continuous pixel-corner
  coordinates in the original image, so a box x1=0, x2=1 encloses exactly the first column.
- `boxes` are the model's boxes, which need not coincide with the mask extent (Mask R-CNN
  masks may spill slightly past their box; YOLACT boxes are integer-valued, truncated as the
  reference implementation reports them).
- Each mask is stored cropped to its own tight bounding box (the smallest window holding every
  True pixel). `mask_offsets[i] = (x0, y0)` is the top-left pixel of that window, so
  `full[y0:y0+h, x0:x0+w] = masks[i]` with `(h, w) = masks[i].shape`. The window always lies
  inside the image. An empty mask has shape (0, 0) and offset (min(floor(x1), W), min(floor(y1), H))
  with x1, y1 clipped at 0.
Holding crops instead of full-image masks keeps 300 instances on a 24 MP image affordable.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass
class Prediction:
    """Instance predictions for one image.

    boxes: float32 (N, 4) x1, y1, x2, y2 in original-image pixels (see module docstring).
    scores: float32 (N,), sorted descending.
    category_ids: int64 (N,), dataset category ids (COCO ids 1..90 for the COCO models).
    masks: N bool arrays (h_i, w_i), each cropped to its tight bounding box.
    mask_offsets: int64 (N, 2), (x0, y0) of each mask crop in the image.
    image_size: (H, W) of the original image.
    model: registry name of the model that produced it.
    """

    boxes: np.ndarray
    scores: np.ndarray
    category_ids: np.ndarray
    masks: list[np.ndarray]
    mask_offsets: np.ndarray
    image_size: tuple[int, int]
    model: str

    def __post_init__(self) -> None:
        n = len(self.scores)
        self.boxes = np.asarray(self.boxes, dtype=np.float32).reshape(n, 4)
        self.scores = np.asarray(self.scores, dtype=np.float32).reshape(n)
        self.category_ids = np.asarray(self.category_ids, dtype=np.int64).reshape(n)
        self.mask_offsets = np.asarray(self.mask_offsets, dtype=np.int64).reshape(n, 2)
        self.image_size = (int(self.image_size[0]), int(self.image_size[1]))
        if len(self.masks) != n:
            raise ValueError(f"{len(self.masks)} masks for {n} detections")
        h, w = self.image_size
        for i, m in enumerate(self.masks):
            if m.dtype != np.bool_ or m.ndim != 2:
                raise ValueError(f"mask {i} must be a 2-D bool array, got {m.dtype} {m.shape}")
            x0, y0 = self.mask_offsets[i]
            if x0 < 0 or y0 < 0 or x0 + m.shape[1] > w or y0 + m.shape[0] > h:
                raise ValueError(f"mask {i} window exceeds the {w}x{h} image")

    def __len__(self) -> int:
        return len(self.scores)

    def mask_box(self, i: int) -> tuple[int, int, int, int]:
        """Integer window (x0, y0, x1, y1) of mask i, end-exclusive, in image pixels."""
        x0, y0 = (int(v) for v in self.mask_offsets[i])
        h, w = self.masks[i].shape
        return x0, y0, x0 + w, y0 + h

    def full_mask(self, i: int) -> np.ndarray:
        """Mask i pasted into a bool (H, W) array of the original image size."""
        out = np.zeros(self.image_size, dtype=bool)
        x0, y0, x1, y1 = self.mask_box(i)
        out[y0:y1, x0:x1] = self.masks[i]
        return out

    def mask_area(self, i: int) -> int:
        """Number of True pixels of mask i."""
        return int(self.masks[i].sum())

    def to_coco_results(self, image_id: int, include_bbox: bool = False) -> list[dict[str, Any]]:
        """COCO results dicts (compressed RLE, counts as str); see `coco_results.to_coco_results`."""
        from inference.coco_results import to_coco_results

        return to_coco_results(self, image_id, include_bbox=include_bbox)

    @classmethod
    def empty(cls, image_size: tuple[int, int], model: str) -> Prediction:
        """A prediction with no detections."""
        return cls(
            boxes=np.zeros((0, 4), np.float32),
            scores=np.zeros(0, np.float32),
            category_ids=np.zeros(0, np.int64),
            masks=[],
            mask_offsets=np.zeros((0, 2), np.int64),
            image_size=image_size,
            model=model,
        )


def tight_crop(
    window: np.ndarray, x0: int, y0: int, box: np.ndarray, image_size: tuple[int, int]
) -> tuple[np.ndarray, tuple[int, int]]:
    """Shrink a bool mask `window` whose top-left pixel is (x0, y0) to its tight bounding box.

    Returns (crop, (x, y)) following the `Prediction` convention. An empty window gives a (0, 0)
    crop at the floor corner of `box` (x1, y1, x2, y2), clipped to the `image_size` (H, W).
    """
    rows = np.flatnonzero(window.any(axis=1))
    if rows.size == 0:
        h, w = image_size
        x = min(max(math.floor(float(box[0])), 0), w)
        y = min(max(math.floor(float(box[1])), 0), h)
        return np.zeros((0, 0), dtype=bool), (x, y)
    cols = np.flatnonzero(window.any(axis=0))
    r0, r1, c0, c1 = rows[0], rows[-1] + 1, cols[0], cols[-1] + 1
    return np.ascontiguousarray(window[r0:r1, c0:c1]), (x0 + int(c0), y0 + int(r0))


@dataclass
class SemanticPrediction:
    """Semantic segmentation of one image: a category id for every pixel.

    class_map: (H, W) integer category ids at the original image resolution; uint8 when every
        category id is below 256 (the VOC models: 0 = background, 1..20), else int32.
    probabilities: None (the default: a 21-class float map of a 24 MP image would take 1 GB), or
        float16 (C, H, W) per-class probabilities, channel c belonging to `categories[c]`.
    categories: ((id, name), ...) of the model, in channel order.
    image_size: (H, W) of the original image.
    model: registry name of the model that produced it.
    """

    class_map: np.ndarray
    categories: tuple[tuple[int, str], ...]
    image_size: tuple[int, int]
    model: str
    probabilities: np.ndarray | None = None

    def __post_init__(self) -> None:
        self.image_size = (int(self.image_size[0]), int(self.image_size[1]))
        self.categories = tuple((int(i), str(n)) for i, n in self.categories)
        if self.class_map.ndim != 2 or self.class_map.shape != self.image_size:
            raise ValueError(f"class_map must have shape {self.image_size}, got {self.class_map.shape}")
        if not np.issubdtype(self.class_map.dtype, np.integer):
            raise ValueError(f"class_map must hold integer ids, got {self.class_map.dtype}")
        if self.probabilities is not None:
            expected = (len(self.categories), *self.image_size)
            if self.probabilities.shape != expected:
                raise ValueError(f"probabilities must have shape {expected}, got {self.probabilities.shape}")

    @property
    def names(self) -> dict[int, str]:
        """Category id -> name."""
        return dict(self.categories)

    def present_ids(self) -> list[int]:
        """The category ids that label at least one pixel, ascending."""
        return [int(v) for v in np.unique(self.class_map)]

    def area(self, category_id: int) -> int:
        """Number of pixels labelled `category_id`."""
        return int(np.count_nonzero(self.class_map == category_id))
