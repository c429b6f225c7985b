"""YOLACT detection and mask assembly, reproducing the reference eval path.

Detection: softmax over all classes, drop background, keep priors whose best foreground score is
> conf_thresh, then Fast NMS per class (top_k by score, drop a box whose IoU with ANY
higher-scored box of its class, suppressed or not, exceeds nms_thresh), top max_detections.

Masks: sigmoid(prototypes @ coefficients), zeroed outside the box at prototype resolution with one
prototype pixel of padding on the unrounded edges, bilinearly upsampled (align_corners=False) to the
image and thresholded at > 0.5. The upsampling is evaluated only on each mask's window as
R_y @ M @ R_x^T with the interpolation weight matrices, which equals resizing the whole map.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
import torch

from inference.yolact.anchors import decode_boxes
from inference.yolact.config import YolactConfig

MASK_THRESHOLD = 0.5
_CROP_PADDING = 1


class Detections(NamedTuple):
    """Detections of one image on the device, sorted by score.

    boxes: (N, 4) normalized x1, y1, x2, y2 (unclamped); coeffs: (N, K); classes: (N,) int64
    foreground class index 0..C-2; scores: (N,).
    """

    boxes: torch.Tensor
    coeffs: torch.Tensor
    classes: torch.Tensor
    scores: torch.Tensor


def pairwise_iou(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """IoU of (..., n, 4) and (..., m, 4) xyxy boxes -> (..., n, m); areas are (x2-x1)*(y2-y1)."""
    lt = torch.maximum(a[..., :, None, :2], b[..., None, :, :2])
    rb = torch.minimum(a[..., :, None, 2:], b[..., None, :, 2:])
    inter = (rb - lt).clamp(min=0).prod(dim=-1)
    area_a = ((a[..., 2] - a[..., 0]) * (a[..., 3] - a[..., 1]))[..., :, None]
    area_b = ((b[..., 2] - b[..., 0]) * (b[..., 3] - b[..., 1]))[..., None, :]
    return inter / (area_a + area_b - inter)


def fast_nms(
    boxes: torch.Tensor,
    scores: torch.Tensor,
    coeffs: torch.Tensor,
    top_k: int = 200,
    iou_threshold: float = 0.5,
    max_detections: int = 100,
) -> Detections:
    """Fast NMS over candidate boxes (M, 4), per-class scores (C, M) and coefficients (M, K).

    Keeps a box when its largest IoU with a higher-scored box of the same class is <= iou_threshold.
    """
    sorted_scores, order = scores.sort(dim=1, descending=True)
    order = order[:, :top_k]
    sorted_scores = sorted_scores[:, :top_k]
    num_classes, k = order.shape
    cls_boxes = boxes[order.reshape(-1)].reshape(num_classes, k, 4)
    cls_coeffs = coeffs[order.reshape(-1)].reshape(num_classes, k, -1)
    iou = pairwise_iou(cls_boxes, cls_boxes).triu_(diagonal=1)
    keep = iou.max(dim=1).values <= iou_threshold
    classes = torch.arange(num_classes, device=boxes.device)[:, None].expand_as(keep)[keep]
    kept_scores, best = sorted_scores[keep].sort(descending=True)
    best = best[:max_detections]
    return Detections(
        boxes=cls_boxes[keep][best],
        coeffs=cls_coeffs[keep][best],
        classes=classes[best],
        scores=kept_scores[:max_detections],
    )


def detect(
    loc: torch.Tensor,
    conf_logits: torch.Tensor,
    coeffs: torch.Tensor,
    priors: torch.Tensor,
    cfg: YolactConfig,
    max_detections: int,
) -> Detections:
    """Detections of one image from its (P, 4) loc, (P, C) logits, (P, K) coefficients, (P, 4) priors.

    Runs in float32 whatever the network precision, so ties near IoU 0.5 behave as the reference.
    """
    fg = torch.softmax(conf_logits.float(), dim=-1)[:, 1:].t()
    candidates = fg.max(dim=0).values > cfg.nms_conf_thresh
    if not bool(candidates.any()):
        empty = loc.new_zeros((0, 4), dtype=torch.float32)
        return Detections(empty, coeffs.new_zeros((0, coeffs.shape[1]), dtype=torch.float32),
                          torch.zeros(0, dtype=torch.int64, device=loc.device),
                          loc.new_zeros(0, dtype=torch.float32))  # fmt: skip
    boxes = decode_boxes(loc[candidates].float(), priors[candidates])
    return fast_nms(boxes, fg[:, candidates], coeffs[candidates].float(), cfg.nms_top_k,
                    cfg.nms_thresh, max_detections)  # fmt: skip


def interpolation_matrix(out_size: int, in_size: int) -> np.ndarray:
    """float32 (out_size, in_size) weights of 1-D bilinear resizing with align_corners=False, as
    PyTorch computes them: src = max((dst + 0.5) * in/out - 0.5, 0), neighbours floor(src) and
    the next one (clamped to the edge), weights 1 - frac and frac."""
    scale = np.float32(in_size) / np.float32(out_size)
    src = np.maximum((np.arange(out_size, dtype=np.float32) + np.float32(0.5)) * scale - np.float32(0.5), 0)
    i0 = np.floor(src).astype(np.int64)
    i1 = np.minimum(i0 + 1, in_size - 1)
    frac = (src - i0).astype(np.float32)
    mat = np.zeros((out_size, in_size), dtype=np.float32)
    rows = np.arange(out_size)
    np.add.at(mat, (rows, i0), 1 - frac)
    np.add.at(mat, (rows, i1), frac)
    return mat


def crop_bounds(lo: float, hi: float, size: int) -> tuple[int, int]:
    """Prototype indices kept for a normalized box side [lo, hi]: integers c with
    max(lo*size - 1, 0) <= c < min(hi*size + 1, size), returned as (first, stop) with
    stop exclusive; first == stop when no index qualifies."""
    # float32 arithmetic, as the reference does it on tensors, so edge cases round the same way.
    a, b = sorted((np.float32(lo) * np.float32(size), np.float32(hi) * np.float32(size)))
    start = max(a - np.float32(_CROP_PADDING), np.float32(0))
    stop = min(b + np.float32(_CROP_PADDING), np.float32(size))
    first = min(math.ceil(float(start)), size)
    return first, max(math.ceil(float(stop)), first)


def assemble_masks(
    proto: torch.Tensor, dets: Detections, image_size: tuple[int, int]
) -> list[tuple[torch.Tensor, tuple[int, int]]]:
    """Thresholded masks of `dets` on per-instance windows of the (H, W) image.

    proto: (Hp, Wp, K). Returns per detection a bool (h, w) window on the device and the (x0, y0)
    of its top-left pixel; every pixel outside a window is False in the reference's full mask.
    """
    n = dets.scores.shape[0]
    if n == 0:
        return []
    hp, wp = proto.shape[:2]
    im_h, im_w = image_size
    soft = torch.sigmoid(proto.float() @ dets.coeffs.t()).permute(2, 0, 1)  # (N, Hp, Wp)
    ry_np = interpolation_matrix(im_h, hp)
    rx_np = interpolation_matrix(im_w, wp)
    ry = torch.from_numpy(ry_np).to(proto.device)
    rx = torch.from_numpy(rx_np).to(proto.device)
    # Output pixel X reads prototype columns x_first[X]..x_last[X]; a window spans the pixels
    # that read at least one kept column.
    y_first, y_last = _touch_tables(ry_np > 0)
    x_first, x_last = _touch_tables(rx_np > 0)
    boxes = dets.boxes.tolist()
    out: list[tuple[torch.Tensor, tuple[int, int]]] = []
    for i, (bx1, by1, bx2, by2) in enumerate(boxes):
        c0, c1 = crop_bounds(bx1, bx2, wp)
        r0, r1 = crop_bounds(by1, by2, hp)
        if c1 <= c0 or r1 <= r0:
            out.append((soft.new_zeros((0, 0), dtype=torch.bool), (0, 0)))
            continue
        X0, X1 = int(np.searchsorted(x_last, c0, "left")), int(np.searchsorted(x_first, c1, "left"))
        Y0, Y1 = int(np.searchsorted(y_last, r0, "left")), int(np.searchsorted(y_first, r1, "left"))
        window = ry[Y0:Y1, r0:r1] @ soft[i, r0:r1, c0:c1] @ rx[X0:X1, c0:c1].t()
        out.append((window > MASK_THRESHOLD, (X0, Y0)))
    return out


def _touch_tables(weights_nonzero: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each output pixel, the first and last input index with a non-zero weight (both
    non-decreasing along the output axis, so windows can be found by binary search)."""
    cols = np.arange(weights_nonzero.shape[1])
    first = np.where(weights_nonzero, cols, weights_nonzero.shape[1]).min(axis=1)
    last = np.where(weights_nonzero, cols, -1).max(axis=1)
    return first, last


def image_boxes(boxes: torch.Tensor, image_size: tuple[int, int]) -> torch.Tensor:
    """Normalized (N, 4) boxes to image pixels as the reference reports them: scaled, each pair
    ordered min/max, clamped to [0, W] / [0, H], then truncated to integers. Returns int64."""
    h, w = image_size
    x = boxes[:, [0, 2]] * w
    y = boxes[:, [1, 3]] * h
    x1, x2 = x.min(dim=1).values.clamp(min=0), x.max(dim=1).values.clamp(max=w)
    y1, y2 = y.min(dim=1).values.clamp(min=0), y.max(dim=1).values.clamp(max=h)
    return torch.stack((x1, y1, x2, y2), dim=1).long()
