"""The base models a project model is trained from, and rebuilding a trained one for prediction.

Bases (`BASE_MODELS`):
- "maskrcnn_v1" / "maskrcnn_v2": torchvision's `maskrcnn_resnet50_fpn` / `_v2`. Started from the
  official COCO weights when a file is given or found (the torchvision fine-tuning recipe: the
  box predictor and the mask predictor are replaced by new ones for the project's classes, all
  else is kept), else from ImageNet ResNet-50 backbone weights, else from random weights (slow
  to learn: the small model is the better choice then).
- "small": the ~1.4 M-parameter Mask R-CNN of small_maskrcnn.py, trained from scratch; minutes
  on a CPU.

A `ModelSpec` records what is needed to build the same architecture again (it goes into the
project model's JSON card), so a trained state dict loads strictly into `build_from_spec(spec)`.
Weights files are read only through `inference.weights` (torch.load(weights_only=True)).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import torch
from torch import nn
from torchvision.models.detection import MaskRCNN
from torchvision.models.detection.faster_rcnn import FastRCNNPredictor
from torchvision.models.detection.mask_rcnn import MaskRCNNPredictor

from inference.errors import WeightsMismatchError
from inference.maskrcnn import build_maskrcnn, load_maskrcnn_weights
from inference.registry import get_model_info
from inference.training.small_maskrcnn import build_small_maskrcnn
from inference.weights import (
    find_weights,
    identify_architecture,
    load_into_model,
    load_state_dict_file,
)

#: Base model key -> (torchvision variant or None for the small model, display name).
BASE_MODELS: dict[str, tuple[str | None, str]] = {
    "small": (None, "small Mask R-CNN (from scratch, fast on a CPU)"),
    "maskrcnn_v1": ("v1", "Mask R-CNN ResNet-50 FPN"),
    "maskrcnn_v2": ("v2", "Mask R-CNN ResNet-50 FPN v2"),
}
#: Registry entries whose official COCO files are the starting points of the two variants.
_COCO_ENTRY = {"v1": "maskrcnn_resnet50_fpn", "v2": "maskrcnn_resnet50_fpn_v2"}
#: torchvision's ImageNet ResNet-50 files (IMAGENET1K_V1, the one its Mask R-CNN builders use; V2).
IMAGENET_FILES = ("resnet50-0676ba61.pth", "resnet50-11ad3fa6.pth")
#: Network input side (torchvision min_size = max_size) per base when the caller gives none.
DEFAULT_IMAGE_SIZE = {"small": 128, "maskrcnn_v1": 800, "maskrcnn_v2": 800}
#: RoIs sampled per image for the Mask R-CNN heads while training (see build_for_training).
TRAIN_ROIS_PER_IMAGE = 128
#: Modules marked so stay in eval mode while the rest trains (see `train_mode`).
_KEEP_EVAL = "_maskpilot_keep_eval"


@dataclass(frozen=True)
class ModelSpec:
    """How to rebuild a trained model. base: a BASE_MODELS key. num_classes: with background.
    min_size/max_size: torchvision's resize (both = image_size: the longest side the network
    sees). bn_eps: eps of the v1 frozen BatchNorm (0.0 after COCO weights, as torchvision).
    init: "coco", "imagenet", "random" or "scratch" (the small model); init_file: its file name."""

    base: str
    num_classes: int
    min_size: int
    max_size: int
    bn_eps: float | None = None
    init: str = "scratch"
    init_file: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @staticmethod
    def from_dict(data: Mapping[str, Any]) -> ModelSpec:
        """Raises ValueError for a spec that is not one of ours."""
        try:
            spec = ModelSpec(
                str(data["base"]), int(data["num_classes"]), int(data["min_size"]), int(data["max_size"]),
                None if data.get("bn_eps") is None else float(data["bn_eps"]),
                str(data.get("init", "scratch")), str(data.get("init_file", "")),
            )  # fmt: skip
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"not a model spec: {exc}") from exc
        if spec.base not in BASE_MODELS or spec.num_classes < 2:
            raise ValueError(f"unknown base model {spec.base!r} or class count {spec.num_classes}")
        return spec


def _variant(base: str) -> str | None:
    if base not in BASE_MODELS:
        raise ValueError(f"unknown base model {base!r}; choose one of {', '.join(BASE_MODELS)}")
    return BASE_MODELS[base][0]


def find_base_weights(base: str) -> tuple[str, Path] | None:
    """("coco" | "imagenet", path) of a starting point found in the weights folders (never
    downloads), COCO first; None for the small model or when nothing is there."""
    variant = _variant(base)
    if variant is None:
        return None
    coco = find_weights(get_model_info(_COCO_ENTRY[variant]).weights_files)
    if coco is not None:
        return "coco", coco
    imagenet = find_weights(IMAGENET_FILES)
    return ("imagenet", imagenet) if imagenet is not None else None


def replace_predictors(model: MaskRCNN, num_classes: int) -> None:
    """The torchvision fine-tuning recipe: new FastRCNNPredictor and MaskRCNNPredictor for
    `num_classes` (with background), sized from the layers they replace."""
    heads = model.roi_heads
    heads.box_predictor = FastRCNNPredictor(heads.box_predictor.cls_score.in_features, num_classes)
    conv = heads.mask_predictor.conv5_mask
    heads.mask_predictor = MaskRCNNPredictor(conv.in_channels, conv.out_channels, num_classes)


def _freeze_early_layers(model: MaskRCNN) -> None:
    """As torchvision does for a pretrained backbone (trainable_layers=3): conv1, bn1 and layer1
    keep their weights, and their BatchNorm statistics (batches of 2-4 images would drift them)."""
    for name, module in model.backbone.body.named_children():
        if name in ("layer2", "layer3", "layer4"):
            continue
        for p in module.parameters():
            p.requires_grad_(False)
        for sub in module.modules():
            if isinstance(sub, nn.modules.batchnorm._BatchNorm):
                setattr(sub, _KEEP_EVAL, True)


def train_mode(model: nn.Module) -> nn.Module:
    """model.train(), except for frozen BatchNorm layers, which stay in eval mode."""
    model.train()
    for module in model.modules():
        if getattr(module, _KEEP_EVAL, False):
            module.eval()
    return model


def _load_imagenet_backbone(model: MaskRCNN, path: Path) -> None:
    state = load_state_dict_file(path, map_location="cpu")
    body = model.backbone.body
    own = body.state_dict()
    state = {k: v for k, v in state.items() if not k.startswith("fc.")}
    state = {k: v for k, v in state.items() if k in own or not k.endswith("num_batches_tracked")}
    load_into_model(body, state, "maskrcnn", path.name)


def build_for_training(
    base: str,
    num_classes: int,
    weights: str | Path | None = None,
    image_size: int | None = None,
    search: bool = True,
) -> tuple[MaskRCNN, ModelSpec]:
    """A model to train for `num_classes` (with background) and its spec.

    weights: for a Mask R-CNN base, a file of official COCO Mask R-CNN weights (91 classes) or
    of ImageNet ResNet-50 weights, told apart by their keys; None searches the weights folders
    when `search` (see `find_base_weights`), else starts from random weights. The small model
    always starts from scratch (weights must be None). image_size: the longest side the network
    sees (default DEFAULT_IMAGE_SIZE). Raises ValueError (bad base, weights for the small model)
    and the `WeightsError`s of inference.weights.
    """
    variant = _variant(base)
    size = int(image_size or DEFAULT_IMAGE_SIZE[base])
    if num_classes < 2:
        raise ValueError("a model needs at least one class besides the background")
    if variant is None:
        if weights is not None:
            raise ValueError("the small model trains from scratch; starting weights are for Mask R-CNN")
        return build_small_maskrcnn(num_classes, image_size=size), ModelSpec(base, num_classes, size, size)
    init, path = "random", None
    if weights is not None:
        path = Path(weights)
        head = load_state_dict_file(path, map_location="cpu")
        init = "coco" if identify_architecture(head) == "maskrcnn" else "imagenet"
        if init == "imagenet" and "layer4.0.conv1.weight" not in head:
            raise WeightsMismatchError(
                f"{path.name} holds neither Mask R-CNN (COCO) nor ResNet-50 (ImageNet) weights."
            )
        del head
    elif search and (found := find_base_weights(base)) is not None:
        init, path = found
    model = build_maskrcnn(variant, num_classes=91, min_size=size, max_size=size)
    bn_eps: float | None = 1e-5 if variant == "v1" else None
    if init == "coco" and path is not None:
        load_maskrcnn_weights(model, path, variant)
        bn_eps = 0.0 if variant == "v1" else None
    elif init == "imagenet" and path is not None:
        _load_imagenet_backbone(model, path)
    replace_predictors(model, num_classes)
    if init != "random" and variant == "v2":
        _freeze_early_layers(model)  # v1's backbone builder already freezes them
    # 128 sampled RoIs per image instead of COCO's 512: a project's images hold far fewer objects,
    # and the RoI heads are most of a step (detectron2's fine-tuning tutorial does the same).
    model.roi_heads.fg_bg_sampler.batch_size_per_image = TRAIN_ROIS_PER_IMAGE
    spec = ModelSpec(base, num_classes, size, size, bn_eps, init, path.name if path else "")
    return model, spec


def build_from_spec(spec: ModelSpec) -> MaskRCNN:
    """The architecture of a trained model, randomly initialized, ready for its state dict."""
    variant = _variant(spec.base)
    if variant is None:
        return build_small_maskrcnn(spec.num_classes, image_size=spec.max_size)
    model = build_maskrcnn(variant, num_classes=91, min_size=spec.min_size, max_size=spec.max_size)
    replace_predictors(model, spec.num_classes)
    if spec.bn_eps is not None:
        from torchvision.ops import FrozenBatchNorm2d

        for module in model.modules():
            if isinstance(module, FrozenBatchNorm2d):
                module.eps = spec.bn_eps
    if spec.init != "random" and variant == "v2":
        _freeze_early_layers(model)
    return model


def state_dict_cpu(model: nn.Module) -> dict[str, torch.Tensor]:
    """A detached CPU copy of the model's state dict (a checkpoint that later steps leave alone)."""
    return {k: v.detach().to("cpu", copy=True) for k, v in model.state_dict().items()}
