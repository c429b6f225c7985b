"""What the interactive tool places on an image and what an interactive model (SAM) answers.

A `Prompt`: points (image pixels, label 1 = include, 0 = exclude), an optional box, and either the
low-resolution logits of an earlier answer (SAM's "mask input", for the next click) or the mask
of an instance being refined. `Candidates`: the masks the model proposes, best first.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from app.core.geometry import RasterGeometry

Point = tuple[float, float, int]  # x, y (image pixels), label: 1 include / 0 exclude
Box4 = tuple[float, float, float, float]  # x0, y0, x1, y1 (image pixels)


@dataclass(frozen=True)
class Prompt:
    points: tuple[Point, ...] = ()
    box: Box4 | None = None
    mask_input: np.ndarray | None = field(default=None, compare=False)  # (1, 256, 256) float32 logits
    refine: RasterGeometry | None = field(default=None, compare=False)  # the instance being refined
    multimask: bool = True

    def is_empty(self) -> bool:
        return not self.points and self.box is None


@dataclass(frozen=True)
class Candidates:
    """The masks a prompt produced for one image, best first; `low_res[k]` feeds the next
    refinement of candidate k (SAM's mask input)."""

    rel: str  # the image the masks belong to
    prompt: Prompt
    masks: tuple[RasterGeometry, ...]
    scores: tuple[float, ...]
    low_res: np.ndarray | None = None  # (K, 256, 256) float32

    def __len__(self) -> int:
        return len(self.masks)
