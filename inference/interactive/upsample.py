"""Low-res logits to image pixels, for any window of the image, and full masks back to logits.

The reference predictors upsample every candidate mask to the whole image with
`F.interpolate(..., mode="bilinear", align_corners=False)` (twice for SAM v1). On a 4000 x 3000
image that is ~40 ms per mask on two CPU cores, more than the decoder's budget. Bilinear
resizing is separable and linear, so each output row (column) is a fixed combination of at most
four low-res rows (columns), whatever the number of steps: `axis_taps` computes those
combinations with PyTorch's own sampling rule, and `region_logits` evaluates only the window
asked for as two small matrix products. The result equals the reference up to float32 rounding.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from inference.interactive.types import LOW_RES, Frame


def _linear_taps(n_in: int, n_out: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """PyTorch's bilinear sampling (align_corners=False) from n_in to n_out samples: for each
    output index the two input indices and the weight of the second, as ATen computes them:
    scale = float32(n_in) / n_out, source = scale * (i + 0.5) - 0.5 clamped at 0, rounded to
    float32 once (ATen's compiled kernels fuse the multiply-add; rounding twice moved some
    weights by 1e-5)."""
    scale = np.float64(np.float32(n_in) / np.float32(n_out))
    src = ((np.arange(n_out, dtype=np.float64) + 0.5) * scale - 0.5).astype(np.float32)
    src = np.maximum(src, np.float32(0.0))
    i0 = np.minimum(src.astype(np.int64), n_in - 1)
    i1 = np.minimum(i0 + 1, n_in - 1)
    return i0, i1, (src - i0).astype(np.float32)


def axis_taps(steps: list[tuple[int, int]], n_low: int = LOW_RES) -> tuple[np.ndarray, np.ndarray]:
    """Compose bilinear resize steps along one axis (see `Frame.steps`).

    Returns (index int64 (n, T), weight float32 (n, T)): output sample i is
    sum_t weight[i, t] * low[index[i, t]], n the final length, T = 2 ** len(steps).
    """
    index = np.arange(n_low, dtype=np.int64)[:, None]
    weight = np.ones((n_low, 1), np.float32)
    length = n_low
    for out_len, keep in steps:
        i0, i1, w1 = _linear_taps(length, out_len)
        w0 = np.float32(1.0) - w1
        index = np.concatenate([index[i0], index[i1]], axis=1)[:keep]
        weight = np.concatenate([weight[i0] * w0[:, None], weight[i1] * w1[:, None]], axis=1)[:keep]
        length = keep
    return index, weight


def _dense(index: np.ndarray, weight: np.ndarray, n_low: int) -> torch.Tensor:
    """The (n, n_low) matrix of the taps (repeated indices add up)."""
    out = torch.zeros((index.shape[0], n_low), dtype=torch.float32)
    return out.scatter_add_(1, torch.from_numpy(index), torch.from_numpy(weight))


def _clip_region(
    region: tuple[int, int, int, int], image_size: tuple[int, int]
) -> tuple[int, int, int, int]:
    h, w = image_size
    x0, y0, x1, y1 = (int(v) for v in region)
    x0, x1 = min(max(x0, 0), w), min(max(x1, 0), w)
    y0, y1 = min(max(y0, 0), h), min(max(y1, 0), h)
    return x0, y0, max(x0, x1), max(y0, y1)


def _window_matrices(
    frame: Frame, window: tuple[int, int, int, int]
) -> tuple[torch.Tensor, torch.Tensor]:
    """Row (h, 256) and column (w, 256) interpolation matrices of a clipped, non-empty window."""
    x0, y0, x1, y1 = window
    iy, wy = axis_taps(frame.steps(0))
    ix, wx = axis_taps(frame.steps(1))
    return _dense(iy[y0:y1], wy[y0:y1], LOW_RES), _dense(ix[x0:x1], wx[x0:x1], LOW_RES)


def region_logits(
    logits: np.ndarray, frame: Frame, region: tuple[int, int, int, int]
) -> np.ndarray:
    """float32 (y1 - y0, x1 - x0) full-resolution logits of one low-res map (256, 256) inside
    `region` (x0, y0, x1, y1), end-exclusive, clipped to the image."""
    x0, y0, x1, y1 = window = _clip_region(region, frame.image_size)
    if x1 <= x0 or y1 <= y0:
        return np.zeros((y1 - y0, x1 - x0), np.float32)
    rows, cols = _window_matrices(frame, window)
    low = torch.from_numpy(np.ascontiguousarray(logits, dtype=np.float32))
    with torch.inference_mode():
        return (rows @ low @ cols.T).numpy()


#: Output elements computed per step of `region_mask` (8 MB of float32): big windows are done in
#: bands of rows, so no temporary is large enough for glibc to mmap (and page-fault) afresh.
_BAND_ELEMENTS = 1 << 21


def region_mask(
    logits: np.ndarray, frame: Frame, region: tuple[int, int, int, int], threshold: float = 0.0
) -> np.ndarray:
    """bool (y1 - y0, x1 - x0): `region_logits(...) > threshold`, without holding the float
    window (computed in bands of rows)."""
    x0, y0, x1, y1 = window = _clip_region(region, frame.image_size)
    out = np.zeros((y1 - y0, x1 - x0), bool)
    if x1 <= x0 or y1 <= y0:
        return out
    low = torch.from_numpy(np.ascontiguousarray(logits, dtype=np.float32))
    h, w = frame.image_size
    if (x1 - x0) * (y1 - y0) > h * w // 2:
        # Most of the image: the reference's own resizes cost ~8 flops per pixel, the matrix
        # product 256 (the cheaper choice from about half the image on).
        with torch.inference_mode():
            return (_reference_upsample(low, frame)[y0:y1, x0:x1] > threshold).numpy()
    rows, cols = _window_matrices(frame, window)
    band = max(1, _BAND_ELEMENTS // (x1 - x0))
    with torch.inference_mode():
        left = rows @ low  # (h, 256)
        cols_t = cols.T.contiguous()
        for start in range(0, y1 - y0, band):
            out[start : start + band] = (left[start : start + band] @ cols_t > threshold).numpy()
    return out


def _reference_upsample(low: torch.Tensor, frame: Frame) -> torch.Tensor:
    """(H, W) logits by the reference predictors' `F.interpolate` steps (see `Frame.steps`)."""
    x = low[None, None]
    for (out_h, keep_h), (out_w, keep_w) in zip(frame.steps(0), frame.steps(1), strict=True):
        x = F.interpolate(x, (out_h, out_w), mode="bilinear", align_corners=False)[
            ..., :keep_h, :keep_w
        ]
    return x[0, 0]


def mask_bounds(
    logits: np.ndarray, frame: Frame, threshold: float = 0.0
) -> tuple[int, int, int, int]:
    """A window (x0, y0, x1, y1), end-exclusive, holding every image pixel whose upsampled logit
    can exceed `threshold`: a bilinear value is a convex combination of its taps, so a pixel can
    only be foreground when one of its taps is. (0, 0, 0, 0) when no low-res logit exceeds it."""
    positive = np.asarray(logits) > threshold
    rows, cols = positive.any(axis=1), positive.any(axis=0)
    if not rows.any():
        return 0, 0, 0, 0
    iy, _ = axis_taps(frame.steps(0))
    ix, _ = axis_taps(frame.steps(1))
    ys = np.flatnonzero(rows[iy].any(axis=1))
    xs = np.flatnonzero(cols[ix].any(axis=1))
    return int(xs[0]), int(ys[0]), int(xs[-1]) + 1, int(ys[-1]) + 1


def mask_crop(
    logits: np.ndarray, frame: Frame, region: tuple[int, int, int, int] | None = None
) -> tuple[np.ndarray, tuple[int, int]]:
    """The mask of one low-res map, upsampled only inside its bounds (and `region`), cropped to
    its tight box: (bool (h, w), (x0, y0)). Empty: a (0, 0) crop at (0, 0)."""
    h, w = frame.image_size
    bx0, by0, bx1, by1 = mask_bounds(logits, frame)
    if region is not None:
        rx0, ry0, rx1, ry1 = _clip_region(region, (h, w))
        bx0, by0, bx1, by1 = max(bx0, rx0), max(by0, ry0), min(bx1, rx1), min(by1, ry1)
    if bx1 <= bx0 or by1 <= by0:
        return np.zeros((0, 0), bool), (0, 0)
    window = region_mask(logits, frame, (bx0, by0, bx1, by1))
    rows, cols = np.flatnonzero(window.any(axis=1)), np.flatnonzero(window.any(axis=0))
    if rows.size == 0:
        return np.zeros((0, 0), bool), (0, 0)
    crop = np.ascontiguousarray(window[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1])
    return crop, (bx0 + int(cols[0]), by0 + int(rows[0]))


def mask_to_logits(mask: np.ndarray, frame: Frame, confidence: float = 1e-3) -> np.ndarray:
    """A full-image bool mask (H, W) as a float32 (1, 256, 256) mask input for the decoder.

    The mask goes through the model's own geometry (padded or stretched frame) at low
    resolution: each low-res cell gets the mask's coverage of it, clipped to
    [confidence, 1 - confidence] and turned into a logit (about +-6.9 by default); padding
    is background. Use it to refine an existing instance with a few more clicks.
    """
    import cv2

    mask = np.asarray(mask)
    if mask.shape != frame.image_size:
        raise ValueError(f"mask must have the image's shape {frame.image_size}, got {mask.shape}")
    scale = LOW_RES / frame.frame_size
    h = max(1, round(frame.input_size[0] * scale))
    w = max(1, round(frame.input_size[1] * scale))
    # INTER_AREA averages the pixels of each cell: the coverage.
    cover = cv2.resize(mask.astype(np.float32), (w, h), interpolation=cv2.INTER_AREA)
    prob = np.full((LOW_RES, LOW_RES), confidence, np.float32)
    prob[:h, :w] = np.clip(cover, confidence, 1.0 - confidence)
    return np.log(prob / (1.0 - prob)).astype(np.float32)[None]
