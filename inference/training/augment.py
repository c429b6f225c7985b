"""Training augmentation with torchvision.transforms.v2: horizontal flip and scale jitter.

The image, its boxes and its masks go through one v2 pipeline as tv_tensors, so every random
choice (flip or not, which scale, where to crop) applies to all three together.

Scale jitter is the large-scale-jitter recipe (Ghiasi et al., "Simple Copy-Paste"): resize by a
random factor, then crop or pad back to the original canvas. Resizing alone would do nothing
here, because the detector's own transform resizes every image to its fixed input size; it is
the crop/pad back to the canvas that makes objects appear larger or smaller to the network.
Padding uses a mid-gray, not black, so padded borders do not look like a dark object.

Randomness comes from torch's global generator (v2 draws from it), which the training loop seeds.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torchvision import tv_tensors
from torchvision.transforms import v2

from inference.training.samples import masks_to_boxes

#: RGB value of padded pixels (ImageNet's mean colour, in 0..255).
PAD_FILL = (124, 116, 104)


@dataclass(frozen=True)
class AugmentConfig:
    """hflip: mirror left-right with probability 0.5. vflip: also up-down (off by default:
    many scenes have a sky and a ground). scale_range: (low, high) zoom factors of the scale
    jitter; (1.0, 1.0) turns it off."""

    hflip: bool = True
    vflip: bool = False
    scale_range: tuple[float, float] = (0.75, 1.33)


class Augmentation:
    """Callable (image, masks, labels) -> (image, masks, boxes, labels) on tensors.

    image: uint8 (3, H, W); masks: uint8 (N, H, W); labels: int64 (N,). The output keeps the
    canvas size (H, W). Boxes come back as float32 (N, 4) xyxy pixel-corner boxes made tight to
    the transformed masks: a crop clamps a transformed box to the crop, not to the object's
    pixels still visible, so the mask is the better source. Instances left with no pixels are
    dropped (with their labels).
    """

    def __init__(self, config: AugmentConfig = AugmentConfig()) -> None:
        self.config = config

    def _pipeline(self, height: int, width: int) -> v2.Compose:
        steps: list[v2.Transform] = []
        if self.config.hflip:
            steps.append(v2.RandomHorizontalFlip(0.5))
        if self.config.vflip:
            steps.append(v2.RandomVerticalFlip(0.5))
        low, high = self.config.scale_range
        if (low, high) != (1.0, 1.0):
            fill = {tv_tensors.Image: PAD_FILL, tv_tensors.Mask: 0, "others": 0}
            steps += [
                v2.ScaleJitter((height, width), scale_range=(low, high), antialias=True),
                v2.RandomCrop((height, width), pad_if_needed=True, fill=fill),
            ]
        steps.append(v2.SanitizeBoundingBoxes(min_size=1.0))
        return v2.Compose(steps)

    def __call__(
        self, image: torch.Tensor, masks: torch.Tensor, labels: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
        h, w = image.shape[-2:]
        boxes = torch.from_numpy(masks_to_boxes(masks.bool().numpy())).reshape(-1, 4)
        sample = {
            "image": tv_tensors.Image(image),
            "boxes": tv_tensors.BoundingBoxes(boxes, format="XYXY", canvas_size=(h, w)),
            "masks": tv_tensors.Mask(masks),
            "labels": labels,
        }
        out = self._pipeline(h, w)(sample)
        out_masks = out["masks"].as_subclass(torch.Tensor)
        keep = out_masks.flatten(1).bool().any(dim=1) if len(out_masks) else torch.zeros(0, dtype=torch.bool)
        out_masks = out_masks[keep]
        tight = torch.from_numpy(masks_to_boxes(out_masks.bool().numpy())).reshape(-1, 4)
        return out["image"].as_subclass(torch.Tensor), out_masks, tight, out["labels"][keep]
