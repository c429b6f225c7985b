"""YOLACT priors (anchors) and box decoding.

Priors are (cx, cy, w, h) normalized to the network input. Centres are grid-relative,
((i + 0.5) / level_w, (j + 0.5) / level_h), not stride-based: 69 cells * 8 px = 552 != 550.
Sizes are scale * sqrt(ar) / input_size by scale / sqrt(ar) / input_size, where input_size is the
configured side (550/700); with `square_anchors` the height is replaced by the width, the bug the
official v1 weights were trained with. YOLACT++ has three scales per level (the level's scale
times 1, 2^(1/3), 2^(2/3)). Order: level P3..P7, row y, column x, scale, aspect ratio.
"""

from __future__ import annotations

import math

import numpy as np
import torch

from inference.yolact.config import YolactConfig

#: Box regression variances (centre, size) of the reference encoding.
VARIANCES = (0.1, 0.2)


def _conv_out(size: int, kernel: int, stride: int, padding: int) -> int:
    return (size + 2 * padding - kernel) // stride + 1


def feature_map_sizes(input_size: int, backbone: str) -> list[int]:
    """Side of each square prediction level P3..P7 for a square input, by conv arithmetic."""
    if backbone == "darknet53":
        s = input_size  # 3x3 stride-1 stem, then five stride-2 3x3 convs
        sides = []
        for _ in range(5):
            s = _conv_out(s, 3, 2, 1)
            sides.append(s)
        c3_c5 = sides[2:]
    else:
        s = _conv_out(_conv_out(input_size, 7, 2, 3), 3, 2, 1)  # stem conv + max-pool
        c3_c5 = []
        for _ in range(3):  # the first stride-2 3x3 conv of layers 1..3
            s = _conv_out(s, 3, 2, 1)
            c3_c5.append(s)
    p6 = _conv_out(c3_c5[-1], 3, 2, 1)
    return [*c3_c5, p6, _conv_out(p6, 3, 2, 1)]


def make_priors(
    level_sizes: list[tuple[int, int]], cfg: YolactConfig, device: torch.device | str = "cpu"
) -> torch.Tensor:
    """Priors for levels of (h, w) cells, as float32 (P, 4) (cx, cy, w, h) normalized.

    P = sum(h * w) * cfg.num_anchors; level k uses cfg.anchor_scales[k] times each of
    cfg.scale_multipliers.
    """
    if len(level_sizes) != len(cfg.anchor_scales):
        raise ValueError(f"{len(level_sizes)} levels but {len(cfg.anchor_scales)} anchor scales")
    parts = []
    for (h, w), scale in zip(level_sizes, cfg.anchor_scales, strict=True):
        sizes = []
        for side in (scale * m for m in cfg.scale_multipliers):
            for ar in cfg.aspect_ratios:
                r = math.sqrt(ar)
                aw = side * r / cfg.input_size
                ah = aw if cfg.square_anchors else side / r / cfg.input_size
                sizes.append((aw, ah))
        cy, cx = np.meshgrid((np.arange(h) + 0.5) / h, (np.arange(w) + 0.5) / w, indexing="ij")
        a = len(sizes)
        level = np.empty((h, w, a, 4), dtype=np.float64)
        level[..., 0] = cx[..., None]
        level[..., 1] = cy[..., None]
        level[..., 2] = np.array([s[0] for s in sizes])
        level[..., 3] = np.array([s[1] for s in sizes])
        parts.append(level.reshape(-1, 4))
    return torch.from_numpy(np.concatenate(parts).astype(np.float32)).to(device)


def decode_boxes(loc: torch.Tensor, priors: torch.Tensor) -> torch.Tensor:
    """Apply (P, 4) regression offsets to (P, 4) priors; returns (P, 4) x1, y1, x2, y2, normalized.

    cx = px + tx * 0.1 * pw, cy = py + ty * 0.1 * ph, w = pw * exp(0.2 * tw), h = ph * exp(0.2 * th).
    Not clamped (Fast NMS sees the raw boxes, as in the reference).
    """
    centre = priors[:, :2] + loc[:, :2] * VARIANCES[0] * priors[:, 2:]
    size = priors[:, 2:] * torch.exp(loc[:, 2:] * VARIANCES[1])
    top_left = centre - size / 2
    return torch.cat((top_left, top_left + size), dim=1)
