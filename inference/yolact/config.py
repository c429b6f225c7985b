"""Settings of the official YOLACT and YOLACT++ checkpoints (torch-free).

One frozen `YolactConfig` per checkpoint; there is no global config. Values follow
yolact-reference.md section A (configs, anchors, preprocessing, Fast NMS defaults).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

# Normalization of ResNet inputs on the 0-255 scale, in RGB order (the reference stores them in
# BGR order and swaps channels after normalizing, which is the same thing).
_RESNET_MEAN_RGB = (123.68, 116.78, 103.94)
_RESNET_STD_RGB = (58.40, 57.12, 57.38)


@dataclass(frozen=True)
class YolactConfig:
    """Everything that differs between YOLACT checkpoints.

    backbone: "resnet101", "resnet50" or "darknet53".
    input_size: side of the square, aspect-ratio-ignoring resize (550 or 700).
    anchor_scales: anchor side per FPN level P3..P7, in pixels at `input_size`.
    scale_multipliers: each level's anchor side times these (YOLACT++: 1, 2^(1/3), 2^(2/3)).
    aspect_ratios: per location, in channel order of the prediction head.
    square_anchors: reproduce the v1 bug where every anchor's height equals its width.
    dcn_layers, dcn_interval: YOLACT++'s deformable 3x3 convs, per ResNet stage: how many of the
        last blocks may be deformable, and every how many blocks (see backbone.deformable_blocks).
    mask_iou: YOLACT++'s mask re-scoring net; the reported score is class score x predicted IoU.
    num_classes: including background (81 for COCO).
    mean, std: RGB normalization on the 0-255 scale; None means divide by 255 only (DarkNet).
    """

    name: str
    backbone: str
    input_size: int = 550
    anchor_scales: tuple[float, ...] = (24, 48, 96, 192, 384)
    scale_multipliers: tuple[float, ...] = (1.0,)
    aspect_ratios: tuple[float, ...] = (1.0, 0.5, 2.0)
    square_anchors: bool = True
    dcn_layers: tuple[int, int, int, int] = (0, 0, 0, 0)
    dcn_interval: int = 1
    mask_iou: bool = False
    num_classes: int = 81
    num_prototypes: int = 32
    fpn_channels: int = 256
    mean: tuple[float, float, float] | None = _RESNET_MEAN_RGB
    std: tuple[float, float, float] | None = _RESNET_STD_RGB
    # Fast NMS defaults of the reference eval: candidates need max foreground score > conf_thresh,
    # top_k per class, keep IoU <= nms_thresh with every higher-scored box, at most 100 overall.
    nms_top_k: int = 200
    nms_conf_thresh: float = 0.05
    nms_thresh: float = 0.5
    max_detections: int = 100

    @property
    def num_anchors(self) -> int:
        """Anchors per feature-map location: scales per level times aspect ratios."""
        return len(self.scale_multipliers) * len(self.aspect_ratios)


_PLUS_MULTIPLIERS = tuple(2 ** (j / 3.0) for j in range(3))

CONFIGS: dict[str, YolactConfig] = {
    "yolact_base": YolactConfig("yolact_base", "resnet101"),
    "yolact_resnet50": YolactConfig("yolact_resnet50", "resnet50"),
    "yolact_darknet53": YolactConfig("yolact_darknet53", "darknet53", mean=None, std=None),
    # The reference scales the base anchors by 700/550 and truncates: 30, 61, 122, 244, 488.
    "yolact_im700": YolactConfig(
        "yolact_im700", "resnet101", input_size=700,
        anchor_scales=tuple(float(int(s * 700 / 550)) for s in (24, 48, 96, 192, 384)),
    ),
    # YOLACT++: three scales per level, real (non-square) anchors, deformable convs, re-scoring.
    "yolact_plus_base": YolactConfig(
        "yolact_plus_base", "resnet101", scale_multipliers=_PLUS_MULTIPLIERS, square_anchors=False,
        dcn_layers=(0, 4, 23, 3), dcn_interval=3, mask_iou=True,
    ),
    "yolact_plus_resnet50": YolactConfig(
        "yolact_plus_resnet50", "resnet50", scale_multipliers=_PLUS_MULTIPLIERS, square_anchors=False,
        dcn_layers=(0, 4, 6, 3), dcn_interval=1, mask_iou=True,
    ),
}  # fmt: skip

_FILE_PATTERN = re.compile(r"^(?P<config>.+?)_\d+_\d+(?:_interrupt)?$")


def config_name_from_filename(path: str | Path) -> str | None:
    """Config name encoded in an official file name ('yolact_im700_54_800000.pth' -> 'yolact_im700').

    As in the reference, everything before the trailing '_<epoch>_<iteration>' is the name.
    Returns None when the name does not follow that pattern or names an unknown config.
    """
    stem = Path(path).stem
    match = _FILE_PATTERN.match(stem)
    name = match.group("config") if match else stem
    return name if name in CONFIGS else None
