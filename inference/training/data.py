"""Training samples and the torchvision-detection dataset built on them.

A sample is numpy-only (image, full-image masks, category ids), so labels from the app or from
`inference.synthetic.make_scene` feed the same code. Masks are full-image here, which is fine for
the small images training runs on; boxes are derived from the masks.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch
from torch.utils.data import Dataset

from inference.synthetic import SHAPE_CLASSES, make_scene


@dataclass
class InstanceSample:
    """One training image and its instances.

    image: uint8 (H, W, 3) RGB. masks: bool (N, H, W). category_ids: int64 (N,), 1-based dataset
    category ids (0 is reserved for background by the detectors).
    """

    image: np.ndarray
    masks: np.ndarray
    category_ids: np.ndarray


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


def masks_to_boxes(masks: np.ndarray) -> np.ndarray:
    """float32 (N, 4) x1, y1, x2, y2 pixel-corner boxes of bool (N, H, W) masks: a mask covering
    only pixel (x, y) has box (x, y, x + 1, y + 1). Empty masks give (0, 0, 0, 0)."""
    boxes = np.zeros((len(masks), 4), dtype=np.float32)
    for i, m in enumerate(masks):
        rows = np.flatnonzero(m.any(axis=1))
        cols = np.flatnonzero(m.any(axis=0))
        if rows.size:
            boxes[i] = (cols[0], rows[0], cols[-1] + 1, rows[-1] + 1)
    return boxes


class DetectionDataset(Dataset):
    """Samples as torchvision detection inputs: (float (3, H, W) image in 0..1, target dict with
    'boxes' float32 (N, 4) xyxy, 'labels' int64 (N,) = category ids, 'masks' uint8 (N, H, W)).

    Empty masks are dropped. With `hflip`, each item read is mirrored with probability 0.5, drawn
    from a generator seeded with `seed` (reproducible when loaded in one process, as `train` does).
    """

    def __init__(self, samples: Sequence[InstanceSample], hflip: bool = True, seed: int = 0) -> None:
        self.samples = samples
        self.hflip = hflip
        self._rng = np.random.default_rng(seed)

    def __len__(self) -> int:
        return len(self.samples)

    def __getitem__(self, index: int) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
        sample = self.samples[index]
        image, masks = sample.image, sample.masks
        keep = masks.reshape(len(masks), -1).any(axis=1)
        masks, labels = masks[keep], sample.category_ids[keep]
        if self.hflip and self._rng.random() < 0.5:
            image, masks = image[:, ::-1], masks[:, :, ::-1]
        target = {
            "boxes": torch.from_numpy(masks_to_boxes(masks)).reshape(-1, 4),
            "labels": torch.as_tensor(labels, dtype=torch.int64),
            "masks": torch.from_numpy(np.ascontiguousarray(masks, dtype=np.uint8)),
        }
        tensor = torch.from_numpy(np.ascontiguousarray(image)).permute(2, 0, 1).float().div_(255.0)
        return tensor, target


def collate(batch: list[tuple[torch.Tensor, dict[str, torch.Tensor]]]) -> tuple[list[torch.Tensor], list[dict[str, torch.Tensor]]]:
    """Keep images and targets as lists: detection models take images of different sizes."""
    images, targets = zip(*batch, strict=True)
    return list(images), list(targets)
