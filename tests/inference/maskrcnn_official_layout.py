"""Fake checkpoints with the exact key layout of torchvision's official files, for loader tests.

The layouts come from torchvision's own builders (not from inference.maskrcnn): the COCO v1 file
holds FrozenBatchNorm2d buffers (no `num_batches_tracked`), the v2 file the BatchNorm2d ones of
`maskrcnn_resnet50_fpn_v2`, and the ImageNet file is `resnet50`'s state dict with its `fc` layer.
Values are seeded random tensors, so a test can tell which ones a loader kept.
"""

from __future__ import annotations

import torch


def _seeded(shapes: dict[str, torch.Tensor], seed: int) -> dict[str, torch.Tensor]:
    gen = torch.Generator().manual_seed(seed)
    out = {}
    for key, ref in shapes.items():
        if ref.dtype.is_floating_point:
            value = torch.randn(ref.shape, generator=gen) * 0.02
            if key.endswith("running_var"):
                value = value.abs() + 1.0
            out[key] = value
        else:
            out[key] = torch.zeros_like(ref)
    return out


def official_maskrcnn_coco(variant: str, seed: int = 0) -> dict[str, torch.Tensor]:
    """Seeded tensors with the keys and shapes of maskrcnn_resnet50_fpn(_v2)'s COCO file (91 classes)."""
    from torchvision.models.detection import maskrcnn_resnet50_fpn, maskrcnn_resnet50_fpn_v2

    if variant == "v1":
        state = maskrcnn_resnet50_fpn(weights=None, weights_backbone=None, num_classes=91).state_dict()
        state = {k: v for k, v in state.items() if not k.endswith("num_batches_tracked")}  # FrozenBN
    else:
        state = maskrcnn_resnet50_fpn_v2(weights=None, weights_backbone=None, num_classes=91).state_dict()
    return _seeded(state, seed)


def official_resnet50_imagenet(seed: int = 0) -> dict[str, torch.Tensor]:
    """Seeded tensors with the keys and shapes of torchvision's resnet50 ImageNet file."""
    from torchvision.models import resnet50

    return _seeded(resnet50(weights=None).state_dict(), seed)
