"""Numpy-only prompts, frames and results of the interactive (click-to-mask) models.

Coordinates: image pixels of the original image, x = column, y = row, exactly as Meta's
`SamPredictor` and `SAM2ImagePredictor` take them. The prompt encoders add 0.5 themselves, so an
integer (x, y) means the centre of that pixel; a click on pixel (col, row) is (col, row). Boxes are
(x0, y0, x1, y1) in the same convention.

The mask decoders answer on a 256 x 256 grid of logits ("low-res logits", > 0 is foreground)
that covers the model's square input frame. `Frame` says how that grid maps onto the image:
- SAM v1 resizes the image so its long side is 1024, puts it in the top-left corner of a
  1024 x 1024 frame and pads the rest; its full-resolution mask is the logits resized to 1024,
  cropped to the image part and resized to the image size (two bilinear steps).
- SAM 2.1 stretches the image to 1024 x 1024; its mask is the logits resized straight to the
  image size (one bilinear step).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: Side of the decoders' low-res logits grid (and of a mask input).
LOW_RES = 256


@dataclass(frozen=True)
class Frame:
    """Where an image sits in a model's square input frame.

    image_size: (H, W) of the original image. input_size: (h, w) of the image inside the frame
    (SAM v1: the long side resized to `frame_size`; SAM 2.1: the whole frame). frame_size: the
    frame side (1024). stretched: True when the image fills the frame (SAM 2.1), False when it is
    padded at the bottom/right (SAM v1).
    """

    image_size: tuple[int, int]
    input_size: tuple[int, int]
    frame_size: int
    stretched: bool

    def steps(self, axis: int) -> list[tuple[int, int]]:
        """The bilinear resize steps from the LOW_RES grid to the image along `axis` (0 = rows,
        1 = columns): a list of (resize to this length, then keep this many leading samples)."""
        full = self.image_size[axis]
        if self.stretched:
            return [(full, full)]
        return [(self.frame_size, self.input_size[axis]), (full, full)]


@dataclass(frozen=True)
class Prompt:
    """A validated prompt. points: float64 (N, 2) x, y; labels: int32 (N,), 1 = positive,
    0 = negative; box: float64 (4,) x0, y0, x1, y1 or None; mask_input: float32 (1, 256, 256)
    low-res logits (as a previous prediction returned them) or None."""

    points: np.ndarray
    labels: np.ndarray
    box: np.ndarray | None
    mask_input: np.ndarray | None

    @classmethod
    def make(
        cls,
        points: object = None,
        box: object = None,
        mask_input: object = None,
    ) -> Prompt:
        """Validate user prompts: `points` an iterable of (x, y, label) or None, `box`
        (x0, y0, x1, y1) or None, `mask_input` a (256, 256) or (1, 256, 256) array or None.
        Raises ValueError for malformed prompts and when all three are empty."""
        pts = (
            np.zeros((0, 3), np.float64) if points is None else np.asarray(points, dtype=np.float64)
        )
        if pts.size == 0:
            pts = pts.reshape(0, 3)
        if pts.ndim != 2 or pts.shape[1] != 3:
            raise ValueError(f"points must be (x, y, label) triples, got shape {pts.shape}")
        labels = pts[:, 2]
        if not np.isin(labels, (0, 1)).all():
            raise ValueError("point labels must be 1 (positive) or 0 (negative)")
        if not np.isfinite(pts).all():
            raise ValueError("point coordinates must be finite")
        arr_box = None
        if box is not None:
            arr_box = np.asarray(box, dtype=np.float64).reshape(-1)
            if arr_box.shape != (4,) or not np.isfinite(arr_box).all():
                raise ValueError(f"box must be (x0, y0, x1, y1), got {box!r}")
        mask = None
        if mask_input is not None:
            mask = np.asarray(mask_input, dtype=np.float32)
            if mask.shape == (LOW_RES, LOW_RES):
                mask = mask[None]
            if mask.shape != (1, LOW_RES, LOW_RES):
                raise ValueError(
                    f"mask_input must be (1, {LOW_RES}, {LOW_RES}) logits, got {mask.shape}"
                )
        if len(pts) == 0 and arr_box is None and mask is None:
            raise ValueError("give at least one point, a box or a mask input")
        return cls(np.ascontiguousarray(pts[:, :2]), labels.astype(np.int32), arr_box, mask)


@dataclass
class PromptPrediction:
    """Full-resolution answer to one prompt (the reference predictors' output, best first).

    masks: bool (K, H, W), K = 3 with multimask output, else 1. scores: float32 (K,), the
    predicted IoU of each mask, descending. low_res_logits: float32 (K, 256, 256), what the
    reference returns as low-res masks (SAM 2.1 clips them to [-32, 32]); `mask_input(k)` feeds
    one back as the next prompt's mask input. image_size: (H, W). model: registry name.
    """

    masks: np.ndarray
    scores: np.ndarray
    low_res_logits: np.ndarray
    image_size: tuple[int, int]
    model: str

    def mask_input(self, k: int = 0) -> np.ndarray:
        """float32 (1, 256, 256) logits of mask k, to pass as `mask_input` when refining it."""
        return np.ascontiguousarray(self.low_res_logits[k : k + 1])


@dataclass
class LowResPrediction:
    """The decoder's answer before upsampling: the fast path for interactive use.

    logits: float32 (K, 256, 256) raw low-res logits, best first. scores: float32 (K,)
    descending. frame: how the grid maps onto the image. model: registry name.
    input_clip: SAM 2.1 clips the logits it feeds back as mask input to [-input_clip,
    input_clip] (None: no clipping). Masks are computed on demand, only where asked: `mask`
    returns a tight crop, `region_mask` any window, `full_mask` the whole image; each equals
    the full-resolution path's mask up to float32 rounding of logits within ~1e-5 of 0.
    """

    logits: np.ndarray
    scores: np.ndarray
    frame: Frame
    model: str
    input_clip: float | None = None

    @property
    def image_size(self) -> tuple[int, int]:
        return self.frame.image_size

    def mask_input(self, k: int = 0) -> np.ndarray:
        """float32 (1, 256, 256) logits of mask k, to pass as `mask_input` when refining it."""
        out = self.logits[k : k + 1]
        if self.input_clip is not None:
            out = np.clip(out, -self.input_clip, self.input_clip)
        return np.ascontiguousarray(out, dtype=np.float32)

    def bounds(self, k: int = 0) -> tuple[int, int, int, int]:
        """Window (x0, y0, x1, y1), end-exclusive, outside which mask k has no pixel
        (conservative: the tight box is found by `mask`). (0, 0, 0, 0) when it is empty."""
        from inference.interactive.upsample import mask_bounds

        return mask_bounds(self.logits[k], self.frame)

    def region_mask(self, region: tuple[int, int, int, int], k: int = 0) -> np.ndarray:
        """bool (y1 - y0, x1 - x0) of mask k inside `region` (x0, y0, x1, y1), end-exclusive,
        clipped to the image."""
        from inference.interactive.upsample import region_mask

        return region_mask(self.logits[k], self.frame, region)

    def mask(
        self, k: int = 0, region: tuple[int, int, int, int] | None = None
    ) -> tuple[np.ndarray, tuple[int, int]]:
        """Mask k cropped to its tight box, as `Prediction` stores masks: (crop bool (h, w),
        (x0, y0) of its top-left pixel). With `region`, only pixels inside it are considered
        (e.g. the visible part of the canvas). An empty mask is a (0, 0) crop at (0, 0)."""
        from inference.interactive.upsample import mask_crop

        return mask_crop(self.logits[k], self.frame, region)

    def full_mask(self, k: int = 0) -> np.ndarray:
        """bool (H, W) mask k on the whole image (costs as much as the full-resolution path)."""
        h, w = self.frame.image_size
        return self.region_mask((0, 0, w, h), k)
