"""YOLACT detection and mask assembly, reproducing the reference eval path.

Detection: softmax over all classes, drop background, keep priors whose best foreground score is
> conf_thresh, then Fast NMS per class (top_k by score, drop a box whose IoU with ANY
higher-scored box of its class, suppressed or not, exceeds nms_thresh), top max_detections.

Masks: sigmoid(prototypes @ coefficients), zeroed outside the box at prototype resolution with one
prototype pixel of padding on the unrounded edges, bilinearly upsampled (align_corners=False) to the
image and thresholded at > 0.5. The upsampling is evaluated only on each mask's window, with the
same source indices and weights as PyTorch's kernel, which equals resizing the whole map.

YOLACT++ re-scores between the crop and the upsampling: its mask-IoU net reads the cropped soft
masks, and the score becomes class score x predicted IoU (`rescore`).
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
    # Per-coordinate contiguous tensors: broadcasting strided (..., 2) slices is several times
    # slower on the CPU, and this runs on 80 x 200 x 200 pairs per image.
    ax1, ay1, ax2, ay2 = (t.contiguous()[..., :, None] for t in a.unbind(-1))
    bx1, by1, bx2, by2 = (t.contiguous()[..., None, :] for t in b.unbind(-1))
    iw = (torch.minimum(ax2, bx2) - torch.maximum(ax1, bx1)).clamp_(min=0)
    ih = (torch.minimum(ay2, by2) - torch.maximum(ay1, by1)).clamp_(min=0)
    inter = iw * ih
    area_a = (ax2 - ax1) * (ay2 - ay1)
    area_b = (bx2 - bx1) * (by2 - by1)
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
    # topk equals a full descending sort cut at top_k, without sorting all M candidates.
    sorted_scores, order = scores.topk(min(top_k, scores.shape[1]), dim=1)
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


class AxisResize(NamedTuple):
    """1-D bilinear resizing tables (align_corners=False) from `in_size` to `out_size` cells, as
    PyTorch computes them: src = max((dst + 0.5) * in/out - 0.5, 0), low = floor(src),
    high = min(low + 1, in - 1), weights 1 - (src - low) and src - low. `last` is the last
    input cell with a non-zero weight (non-decreasing, for binary search)."""

    low: np.ndarray
    high: np.ndarray
    w_low: np.ndarray
    w_high: np.ndarray
    last: np.ndarray


def axis_resize(out_size: int, in_size: int) -> AxisResize:
    """Tables resizing an axis of `in_size` cells to `out_size` pixels; see `AxisResize`."""
    scale = np.float32(in_size) / np.float32(out_size)
    src = np.maximum((np.arange(out_size, dtype=np.float32) + np.float32(0.5)) * scale - np.float32(0.5), 0)
    low = np.floor(src).astype(np.int64)
    high = np.minimum(low + 1, in_size - 1)
    frac = (src - low).astype(np.float32)
    return AxisResize(low, high, (np.float32(1) - frac).astype(np.float32), frac,
                      np.where(frac > 0, high, low))  # fmt: skip


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


class SoftMasks(NamedTuple):
    """sigmoid(prototypes @ coefficients) of N detections at prototype resolution, zeroed outside
    each box: masks (N, Hp, Wp); cols/rows: per detection the kept (first, stop) prototype indices."""

    masks: torch.Tensor
    cols: list[tuple[int, int]]
    rows: list[tuple[int, int]]


def cropped_soft_masks(proto: torch.Tensor, dets: Detections) -> SoftMasks:
    """Soft masks of `dets` from the (Hp, Wp, K) prototypes, cropped to their padded boxes."""
    hp, wp = proto.shape[:2]
    device = proto.device
    soft = torch.sigmoid(proto.float() @ dets.coeffs.t()).permute(2, 0, 1)  # (N, Hp, Wp)
    boxes = dets.boxes.tolist()
    cols_kept = [crop_bounds(b[0], b[2], wp) for b in boxes]
    rows_kept = [crop_bounds(b[1], b[3], hp) for b in boxes]
    if not boxes:
        return SoftMasks(soft, cols_kept, rows_kept)
    c_lo, c_hi = (torch.tensor(v, device=device)[:, None, None] for v in zip(*cols_kept, strict=True))
    r_lo, r_hi = (torch.tensor(v, device=device)[:, None, None] for v in zip(*rows_kept, strict=True))
    cols = torch.arange(wp, device=device)[None, None, :]
    rows = torch.arange(hp, device=device)[None, :, None]
    soft = soft * ((cols >= c_lo) & (cols < c_hi) & (rows >= r_lo) & (rows < r_hi))
    return SoftMasks(soft, cols_kept, rows_kept)


def rescore(scores: torch.Tensor, classes: torch.Tensor, predicted_iou: torch.Tensor) -> torch.Tensor:
    """YOLACT++ scores as its display path reports them: class score times the mask IoU predicted
    for the detection's class. predicted_iou: (N, classes) from `FastMaskIoUNet`."""
    return scores * predicted_iou.gather(1, classes[:, None]).squeeze(1)


def assemble_masks(
    proto: torch.Tensor, dets: Detections, image_size: tuple[int, int], soft: SoftMasks | None = None
) -> list[tuple[torch.Tensor, tuple[int, int]]]:
    """Thresholded masks of `dets` on per-instance windows of the (H, W) image.

    proto: (Hp, Wp, K); `soft`: their `cropped_soft_masks` when already computed. Returns per
    detection a bool (h, w) window on the device and the (x0, y0) of its top-left pixel; every
    pixel outside a window is False in the reference's full mask. Each window is resized from the
    cropped prototype-resolution mask with the 1-D tables of `axis_resize`, columns first and then
    rows, like PyTorch's bilinear kernel.
    """
    if dets.scores.shape[0] == 0:
        return []
    hp, wp = proto.shape[:2]
    device = proto.device
    masks, cols_kept, rows_kept = soft if soft is not None else cropped_soft_masks(proto, dets)
    ys, xs = axis_resize(image_size[0], hp), axis_resize(image_size[1], wp)
    ty = [torch.from_numpy(a).to(device) for a in ys[:4]]
    tx = [torch.from_numpy(a).to(device) for a in xs[:4]]
    out: list[tuple[torch.Tensor, tuple[int, int]]] = []
    for i, ((c0, c1), (r0, r1)) in enumerate(zip(cols_kept, rows_kept, strict=True)):
        if c1 <= c0 or r1 <= r0:
            out.append((masks.new_zeros((0, 0), dtype=torch.bool), (0, 0)))
            continue
        # Pixels reading at least one kept cell: last touched >= first kept, low < stop.
        x0, x1 = int(np.searchsorted(xs.last, c0)), int(np.searchsorted(xs.low, c1))
        y0, y1 = int(np.searchsorted(ys.last, r0)), int(np.searchsorted(ys.low, r1))
        lo_x, hi_x, wl_x, wh_x = (t[x0:x1] for t in tx)
        lo_y, hi_y, wl_y, wh_y = (t[y0:y1] for t in ty)
        first_row = int(ys.low[y0])
        band = masks[i, first_row : int(ys.high[y1 - 1]) + 1]
        across = band[:, lo_x] * wl_x + band[:, hi_x] * wh_x
        window = across[lo_y - first_row] * wl_y[:, None] + across[hi_y - first_row] * wh_y[:, None]
        out.append((window > MASK_THRESHOLD, (x0, y0)))
    return out


def image_boxes(boxes: torch.Tensor, image_size: tuple[int, int]) -> torch.Tensor:
    """Normalized (N, 4) boxes to image pixels as the reference reports them: scaled, each pair
    ordered min/max, clamped to [0, W] / [0, H], then truncated to integers. Returns int64."""
    h, w = image_size
    x = boxes[:, [0, 2]] * w
    y = boxes[:, [1, 3]] * h
    x1, x2 = x.min(dim=1).values.clamp(min=0), x.max(dim=1).values.clamp(max=w)
    y1, y2 = y.min(dim=1).values.clamp(min=0), y.max(dim=1).values.clamp(max=h)
    return torch.stack((x1, y1, x2, y2), dim=1).long()
