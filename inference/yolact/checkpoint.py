"""Loading the official YOLACT and YOLACT++ checkpoints (`yolact_base_54_800000.pth` and friends).

The files are flat state dicts whose names already match our modules, except for:
- `semantic_seg_conv.*`: a training-only head, dropped;
- `fpn.downsample_layers.N.*` with N >= 2: a leftover layer the reference deletes too;
- `backbone.layer<k>...` (not `backbone.layers`): a legacy duplicate the reference deletes;
- `*.num_batches_tracked`: present or not depending on the file; filled in when absent.
Anything else that does not fit is refused with the missing and unexpected keys listed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import torch

from inference.errors import ClassCountError, WeightsMismatchError, WrongModelError
from inference.weights import identify_architecture, load_into_model, load_state_dict_file
from inference.yolact.config import YolactConfig

_DROP_PATTERNS = (
    re.compile(r"^semantic_seg_conv\."),
    re.compile(r"^fpn\.downsample_layers\.([2-9]|\d{2,})\."),
    re.compile(r"^backbone\.layer\d"),
)
_BACKBONE_NAMES = {"resnet101": "ResNet-101", "resnet50": "ResNet-50", "darknet53": "DarkNet-53"}


@dataclass(frozen=True)
class CheckpointLayout:
    """What a YOLACT state dict says about its model: backbone, anchors per location, classes
    (including background), and whether it is a YOLACT++ (deformable convs, mask re-scoring)."""

    backbone: str
    num_anchors: int
    num_classes: int
    plus: bool = False


def drop_unused_keys(state: Mapping[str, torch.Tensor]) -> tuple[dict[str, torch.Tensor], list[str]]:
    """Remove the keys inference does not use (see module docstring); returns (kept, dropped)."""
    kept: dict[str, torch.Tensor] = {}
    dropped: list[str] = []
    for key, value in state.items():
        if any(p.match(key) for p in _DROP_PATTERNS):
            dropped.append(key)
        else:
            kept[key] = value
    return kept, dropped


def detect_layout(state: Mapping[str, torch.Tensor], source: str) -> CheckpointLayout:
    """Read backbone, anchor count and class count from the keys and shapes of a YOLACT state dict.

    Raises WrongModelError for other architectures and WeightsMismatchError when the prediction
    head is missing.
    """
    family = identify_architecture(state)
    if family != "yolact":
        what = "torchvision Mask R-CNN weights" if family == "maskrcnn" else "not YOLACT weights"
        raise WrongModelError(f"{source} holds {what}; a YOLACT checkpoint was expected.")
    conf_key = "prediction_layers.0.conf_layer.weight"
    bbox_key = "prediction_layers.0.bbox_layer.weight"
    if conf_key not in state or bbox_key not in state:
        raise WeightsMismatchError(f"{source} lacks the YOLACT prediction head ({conf_key}).")
    plus = any(".conv_offset_mask." in k or k.startswith("maskiou_net.") for k in state)
    num_anchors = state[bbox_key].shape[0] // 4
    if "backbone._preconv.0.weight" in state:
        backbone = "darknet53"
    else:
        blocks = {m.group(1) for k in state if (m := re.match(r"^backbone\.layers\.2\.(\d+)\.", k))}
        backbone = {23: "resnet101", 6: "resnet50"}.get(len(blocks), f"unknown ({len(blocks)} blocks)")
    return CheckpointLayout(backbone, num_anchors, state[conf_key].shape[0] // max(num_anchors, 1), plus)


def _version(plus: bool) -> str:
    return "YOLACT++" if plus else "YOLACT (v1)"


def check_layout(layout: CheckpointLayout, cfg: YolactConfig, source: str) -> None:
    """Refuse a checkpoint whose version (v1 or ++), backbone, anchors or class count differ from
    `cfg`."""
    if layout.plus != cfg.mask_iou:
        raise WrongModelError(
            f"{source} is a {_version(layout.plus)} checkpoint, but config '{cfg.name}' is "
            f"{_version(cfg.mask_iou)}. Pick the matching model, or keep the official file name "
            f"(the config is read from it)."
        )
    if layout.backbone != cfg.backbone:
        found = _BACKBONE_NAMES.get(layout.backbone, layout.backbone)
        raise WrongModelError(
            f"{source} holds a YOLACT with a {found} backbone, but config '{cfg.name}' uses "
            f"{_BACKBONE_NAMES[cfg.backbone]}. Pick the matching model."
        )
    if layout.num_anchors != cfg.num_anchors:
        raise WeightsMismatchError(
            f"{source} has {layout.num_anchors} anchors per location; '{cfg.name}' has {cfg.num_anchors}."
        )
    if layout.num_classes != cfg.num_classes:
        raise ClassCountError(
            f"{source} was trained for {layout.num_classes - 1} classes, but '{cfg.name}' predicts "
            f"{cfg.num_classes - 1} (COCO)."
        )


def fit_batchnorm_counters(
    state: Mapping[str, torch.Tensor], own: Mapping[str, torch.Tensor]
) -> dict[str, torch.Tensor]:
    """Add the model's `num_batches_tracked` buffers a file lacks (they do not affect inference)
    and drop ones the model lacks, so files saved either way load strictly."""
    fitted = {k: v for k, v in state.items() if k in own or not k.endswith("num_batches_tracked")}
    for key, value in own.items():
        if key.endswith("num_batches_tracked") and key not in fitted:
            fitted[key] = torch.zeros_like(value)
    return fitted


def load_yolact_state(model: torch.nn.Module, state: Mapping[str, torch.Tensor], source: str) -> list[str]:
    """Load an official-layout state dict into a `Yolact` strictly; returns the dropped keys.

    Raises WrongModelError / ClassCountError / WeightsMismatchError (with missing and unexpected
    keys listed) when it does not fit.
    """
    cfg: YolactConfig = model.cfg  # type: ignore[assignment]
    check_layout(detect_layout(state, source), cfg, source)
    kept, dropped = drop_unused_keys(state)
    fitted = fit_batchnorm_counters(kept, model.state_dict())
    load_into_model(model, fitted, "yolact", source)
    return dropped


def load_yolact_file(model: torch.nn.Module, path: Path) -> list[str]:
    """Read `path` safely (weights_only) and load it into `model`; returns the dropped keys."""
    return load_yolact_state(model, load_state_dict_file(path, map_location="cpu"), path.name)

