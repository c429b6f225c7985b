"""RoIAlign as two matrix products, a faster drop-in for torchvision's MultiScaleRoIAlign when
training on the CPU.

torchvision's CPU RoIAlign backward runs on one thread and took ~44 % of a training step of the
small Mask R-CNN (training-notes.md). Bilinear sampling is separable: with `aligned=False`
semantics, the pooled value of bin (p, q) is sum_ij Ay[p, i] * Ax[q, j] * F[i, j], where Ay / Ax
hold each bin's averaged sampling weights over rows / columns. So a RoI's output is
Ay @ F @ Ax^T, and both passes are plain matrix products. The dense weight matrices cost
O(P * H) per RoI, which is cheap for the small feature maps of 128 px training images; for
large images keep torchvision's pooler.
"""

from __future__ import annotations

import math

import torch
from torchvision.ops import MultiScaleRoIAlign


def axis_weights(start: torch.Tensor, end: torch.Tensor, pooled: int, grid: int, size: int) -> torch.Tensor:
    """(R, pooled, size) averaged bilinear weights along one axis, as torchvision's RoIAlign
    (aligned=False) samples it: RoI extent max(end - start, 1), `grid` samples per bin at
    start + (bin + (k + 0.5) / grid) * extent / pooled; samples beyond (-1, size] contribute 0,
    others are clamped to [0, size - 1] and split between the two nearest cells."""
    extent = torch.clamp(end - start, min=1.0)
    bin_size = extent / pooled
    steps = (torch.arange(pooled, dtype=start.dtype, device=start.device)[:, None]
             + (torch.arange(grid, dtype=start.dtype, device=start.device)[None, :] + 0.5) / grid)  # fmt: skip
    pos = start[:, None, None] + steps[None] * bin_size[:, None, None]  # (R, pooled, grid)
    valid = ((pos >= -1.0) & (pos <= size)).to(start.dtype)
    pos = pos.clamp(min=0.0)
    low = pos.floor().long()
    at_edge = low >= size - 1
    low = torch.where(at_edge, torch.full_like(low, size - 1), low)
    high = torch.where(at_edge, low, low + 1)
    frac = torch.where(at_edge, torch.zeros_like(pos), pos - low.to(pos.dtype))
    scale = valid / grid
    weights = torch.zeros(start.shape[0], pooled, size, dtype=start.dtype, device=start.device)
    weights.scatter_add_(2, low, (1.0 - frac) * scale)
    weights.scatter_add_(2, high, frac * scale)
    return weights


def roi_align_matmul(
    features: torch.Tensor, rois: torch.Tensor, output_size: int, spatial_scale: float, sampling_ratio: int
) -> torch.Tensor:
    """Same result as torchvision.ops.roi_align(features, rois, output_size, spatial_scale,
    sampling_ratio, aligned=False) for sampling_ratio > 0. features (B, C, H, W); rois (R, 5)
    (batch index, x1, y1, x2, y2). Returns (R, C, output_size, output_size). Gradients flow to
    `features` only (proposals are detached in Mask R-CNN)."""
    if sampling_ratio <= 0:
        raise ValueError("adaptive sampling (sampling_ratio <= 0) is not supported")
    b, c, h, w = features.shape
    out = features.new_zeros((rois.shape[0], c, output_size, output_size))
    with torch.no_grad():
        boxes = rois[:, 1:].to(features.dtype) * spatial_scale
        ay = axis_weights(boxes[:, 1], boxes[:, 3], output_size, sampling_ratio, h)
        ax = axis_weights(boxes[:, 0], boxes[:, 2], output_size, sampling_ratio, w)
        batch_idx = rois[:, 0].long()
    for image in range(b):
        sel = torch.nonzero(batch_idx == image).flatten()
        if sel.numel() == 0:
            continue
        n = sel.numel()
        # (n*P, H) @ (H, C*W) -> rows pooled, then (n, P*C, W) @ (n, W, P) -> columns pooled.
        rows = ay[sel].reshape(n * output_size, h) @ features[image].permute(1, 0, 2).reshape(h, c * w)
        rows = rows.reshape(n, output_size * c, w)
        pooled = torch.bmm(rows, ax[sel].transpose(1, 2)).reshape(n, output_size, c, output_size)
        out = out.index_copy(0, sel, pooled.permute(0, 2, 1, 3))
    return out


class MatmulMultiScaleRoIAlign(MultiScaleRoIAlign):
    """Drop-in replacement for torchvision.ops.MultiScaleRoIAlign(featmap_names, output_size,
    sampling_ratio) (a subclass, because MaskRCNN checks the pooler type): infers each level's
    scale from the feature and image sizes, assigns boxes to levels by the FPN rule
    floor(4 + log2(sqrt(area) / 224)), and pools with `roi_align_matmul`.
    """

    def __init__(self, featmap_names: list[str], output_size: int, sampling_ratio: int,
                 canonical_scale: int = 224, canonical_level: int = 4) -> None:  # fmt: skip
        super().__init__(featmap_names, output_size, sampling_ratio,
                         canonical_scale=canonical_scale, canonical_level=canonical_level)  # fmt: skip
        self.pooled = output_size

    def forward(self, x: dict[str, torch.Tensor], boxes: list[torch.Tensor],  # type: ignore[override]
                image_shapes: list[tuple[int, int]]) -> torch.Tensor:  # fmt: skip
        feats = [x[name] for name in self.featmap_names]
        max_h = max(s[0] for s in image_shapes)
        max_w = max(s[1] for s in image_shapes)
        scales = [2.0 ** round(math.log2(f.shape[-2] / max_h)) for f in feats]
        for f, s in zip(feats, scales, strict=True):
            if 2.0 ** round(math.log2(f.shape[-1] / max_w)) != s:
                raise ValueError("feature maps must have the same scale along both axes")
        rois = torch.cat([
            torch.cat([torch.full((len(bx), 1), i, dtype=bx.dtype, device=bx.device), bx], dim=1)
            for i, bx in enumerate(boxes)
        ])  # fmt: skip
        if len(feats) == 1:
            return roi_align_matmul(feats[0], rois, self.pooled, scales[0], self.sampling_ratio)
        k_min, k_max = -math.log2(scales[0]), -math.log2(scales[-1])
        area = (rois[:, 3] - rois[:, 1]) * (rois[:, 4] - rois[:, 2])
        level = torch.floor(self.canonical_level + torch.log2(torch.sqrt(area) / self.canonical_scale) + 1e-6)
        level = (level.clamp(min=k_min, max=k_max) - k_min).long()
        c = feats[0].shape[1]
        out = feats[0].new_zeros((rois.shape[0], c, self.pooled, self.pooled))
        for k, (f, s) in enumerate(zip(feats, scales, strict=True)):
            idx = torch.nonzero(level == k).flatten()
            if idx.numel():
                out = out.index_copy(0, idx, roi_align_matmul(f, rois[idx], self.pooled, s, self.sampling_ratio))
        return out
