"""Training samples and the torchvision-detection dataset built on them.

A sample is numpy-only (image, full-image masks, category ids; `inference.training.samples`), so
labels from the app or from `inference.synthetic.make_scene` feed the same code. Masks are
full-image here, which is fine for the small images training runs on (the app scales project
images down to the network's input size first); boxes are derived from the masks.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from torch.utils.data import Dataset

from inference.synthetic import SHAPE_CLASSES, make_scene
from inference.training.augment import Augmentation
from inference.training.samples import InstanceSample, SampleUnavailable, masks_to_boxes

__all__ = [
    "SHAPE_CATEGORIES", "DetectionDataset", "InstanceSample", "SampleUnavailable", "SyntheticScenes",
    "collate", "masks_to_boxes",
]


#: (id, name) of the generated shapes, ids 1..3 as make_scene assigns them.
SHAPE_CATEGORIES: tuple[tuple[int, str], ...] = tuple((i + 1, n) for i, n in enumerate(SHAPE_CLASSES))


class SyntheticScenes(Sequence[InstanceSample]):
    """`length` generated scenes; scene i is drawn from a generator seeded with (seed, i), so it
    is the same every time it is read, and a large length gives practically fresh data per step."""

    def __init__(self, length: int, seed: int, size: tuple[int, int] = (128, 128),
                 n_objects: tuple[int, int] = (2, 4)) -> None:  # fmt: skip
        self.length = length
        self.seed = seed
        self.size = size
        self.n_objects = n_objects

    def __len__(self) -> int:
        return self.length

    def __getitem__(self, index: int) -> InstanceSample:  # type: ignore[override]
        if not 0 <= index < self.length:
            raise IndexError(index)
        scene = make_scene(np.random.default_rng([self.seed, index]), self.size, self.n_objects)
        return InstanceSample(scene.image, scene.masks, scene.category_ids)


class DetectionDataset(Dataset):
    """Samples as torchvision detection inputs: (float (3, H, W) image in 0..1, target dict with
    'boxes' float32 (N, 4) xyxy, 'labels' int64 (N,) = category ids, 'masks' uint8 (N, H, W)).

    Empty masks are dropped. With `augment` (an `Augmentation`), each read goes through its
    torchvision.transforms.v2 pipeline (flips, scale jitter). Without it, `hflip` mirrors each
    read with probability 0.5, drawn from a generator seeded with `seed` (reproducible when loaded
    in one process, as `train` does).

    A sample source that raises `SampleUnavailable` (an image deleted mid-training) makes the
    item None, which `collate` leaves out; `skipped` maps each such sample's name to the reason,
    so training goes on and the caller can report it.
    """

    def __init__(
        self,
        samples: Sequence[InstanceSample],
        hflip: bool = True,
        seed: int = 0,
        augment: Augmentation | None = None,
    ) -> None:
        self.samples = samples
        self.hflip = hflip
        self.augment = augment
        self._rng = np.random.default_rng(seed)
        self.skipped: dict[str, str] = {}

    def __len__(self) -> int:
        return len(self.samples)

    def __getitem__(self, index: int) -> tuple[torch.Tensor, dict[str, torch.Tensor]] | None:
        try:
            sample = self.samples[index]
        except SampleUnavailable as exc:
            self.skipped[exc.name] = exc.reason
            return None
        image, masks = sample.image, sample.masks
        keep = masks.any(axis=(1, 2)) if len(masks) else np.zeros(0, bool)
        masks, labels = masks[keep], np.asarray(sample.category_ids)[keep]
        if self.augment is not None:
            tensor, mask_t, boxes, label_t = self.augment(
                torch.from_numpy(np.ascontiguousarray(image)).permute(2, 0, 1),
                torch.from_numpy(np.ascontiguousarray(masks, dtype=np.uint8)),
                torch.as_tensor(labels, dtype=torch.int64),
            )
            target = {"boxes": boxes, "labels": label_t, "masks": mask_t}
            return tensor.float().div_(255.0), target
        if self.hflip and self._rng.random() < 0.5:
            image, masks = image[:, ::-1], masks[:, :, ::-1]
        target = {
            "boxes": torch.from_numpy(masks_to_boxes(masks)).reshape(-1, 4),
            "labels": torch.as_tensor(labels, dtype=torch.int64),
            "masks": torch.from_numpy(np.ascontiguousarray(masks, dtype=np.uint8)),
        }
        tensor = torch.from_numpy(np.ascontiguousarray(image)).permute(2, 0, 1).float().div_(255.0)
        return tensor, target


def collate(
    batch: list[tuple[torch.Tensor, dict[str, torch.Tensor]] | None],
) -> tuple[list[torch.Tensor], list[dict[str, torch.Tensor]]]:
    """Keep images and targets as lists: detection models take images of different sizes.
    Unavailable items (None) are left out, so a batch may come out shorter or empty."""
    present = [item for item in batch if item is not None]
    return [im for im, _ in present], [t for _, t in present]
