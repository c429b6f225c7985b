"""The numpy-only training sample and the error a lazily read sample raises (no torch here).

A sample source may read its images from disk while training runs (the app's project store
does), so an image can vanish or turn unreadable between two reads. Such a source raises
`SampleUnavailable`; the dataset skips the sample and reports it instead of ending training.
This module imports neither torch nor the app, so the app can build samples without torch.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class InstanceSample:
    """One training image and its instances.

    image: uint8 (H, W, 3) RGB. masks: bool (N, H, W). category_ids: int64 (N,), 1-based dataset
    category ids (0 is reserved for background by the detectors). name: where it came from (an
    image path relative to the project), used in reports; "" when it does not matter.
    """

    image: np.ndarray
    masks: np.ndarray
    category_ids: np.ndarray
    name: str = ""


class SampleUnavailable(Exception):
    """A sample that cannot be read now (image deleted, unreadable, labels gone).

    `name` identifies the sample (an image path), `reason` says why, for the user.
    """

    def __init__(self, name: str, reason: str) -> None:
        self.name = name
        self.reason = reason
        super().__init__(f"{name}: {reason}")


def masks_to_boxes(masks: np.ndarray) -> np.ndarray:
    """float32 (N, 4) x1, y1, x2, y2 pixel-corner boxes of bool (N, H, W) masks: a mask covering
    only pixel (x, y) has box (x, y, x + 1, y + 1). Empty masks give (0, 0, 0, 0)."""
    boxes = np.zeros((len(masks), 4), dtype=np.float32)
    for i, m in enumerate(masks):
        rows = np.flatnonzero(m.any(axis=1))
        cols = np.flatnonzero(m.any(axis=0))
        if rows.size:
            boxes[i] = (cols[0], rows[0], cols[-1] + 1, rows[-1] + 1)
    return boxes
