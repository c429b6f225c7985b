"""What the interactive tool places on an image and what an interactive model (SAM) answers.

A `Prompt`: points (image pixels, label 1 = include, 0 = exclude), an optional box, and either the
low-resolution logits of an earlier answer (SAM's "mask input", for the next click) or the mask
of an instance being refined. `Candidates`: the masks the model proposes, best first.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from app.core.geometry import RasterGeometry

#: sample(k, (x0, y0, x1, y1), out_w, out_h) -> bool (out_h, out_w): mask k over that image box
#: at the given resolution, straight from the model's low-resolution logits (a preview on screen
#: costs screen pixels, not image pixels).
Sampler = Callable[[int, tuple[float, float, float, float], int, int], np.ndarray]
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


class Candidates:
    """The masks a prompt produced for one image, best first. Only the best mask is made when
    the answer arrives; the others are cropped from the model's low-resolution answer when first
    asked for (Tab), since upsampling every candidate would double the cost of a click.
    `low_res[k]` feeds the next refinement of candidate k (SAM's mask input)."""

    def __init__(self, rel: str, prompt: Prompt, scores: tuple[float, ...], crop: Callable[[int], RasterGeometry],
                 low_res: np.ndarray | None = None, sample: Sampler | None = None,
                 bounds: Callable[[int], tuple[int, int, int, int]] | None = None) -> None:
        self.rel, self.prompt, self.scores, self.low_res = rel, prompt, tuple(scores), low_res
        self._crop, self.sample, self._bounds = crop, sample, bounds
        self._masks: dict[int, RasterGeometry] = {}
        if self.scores and sample is None:
            self.mask(0)  # without a sampler the preview draws the exact mask: make it off the GUI thread

    def bounds(self, k: int) -> tuple[int, int, int, int]:
        """(x0, y0, x1, y1) image pixels outside which mask k has nothing (conservative when the
        exact mask is not made yet)."""
        if k in self._masks or self._bounds is None:
            return self.mask(k).bbox()
        return self._bounds(k)

    def __len__(self) -> int:
        return len(self.scores)

    def mask(self, k: int) -> RasterGeometry:
        if k not in self._masks:
            self._masks[k] = self._crop(k)
        return self._masks[k]

    @property
    def masks(self) -> tuple[RasterGeometry, ...]:
        return tuple(self.mask(k) for k in range(len(self)))
