"""Training data, the small Mask R-CNN, the training loop and COCO evaluation (fast checks)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from inference import Prediction
from inference.training.data import (
    SHAPE_CATEGORIES,
    DetectionDataset,
    InstanceSample,
    SyntheticScenes,
    masks_to_boxes,
)
from inference.training.evaluate import evaluate_masks
from inference.training.small_maskrcnn import build_small_maskrcnn
from inference.training.train import TrainConfig, learning_rate, train_detector
from inference.types import tight_crop


def test_masks_to_boxes_uses_pixel_corners() -> None:
    masks = np.zeros((3, 10, 12), bool)
    masks[0, 2, 3] = True
    masks[1, 4:7, 1:11] = True
    assert masks_to_boxes(masks).tolist() == [[3, 2, 4, 3], [1, 4, 11, 7], [0, 0, 0, 0]]


def test_dataset_targets() -> None:
    scenes = SyntheticScenes(5, seed=3)
    assert np.array_equal(scenes[2].image, scenes[2].image)  # deterministic per index
    ds = DetectionDataset(scenes, hflip=False)
    image, target = ds[1]
    sample = scenes[1]
    assert image.shape == (3, 128, 128) and image.dtype == torch.float32 and float(image.max()) <= 1.0
    keep = sample.masks.any(axis=(1, 2))
    assert target["labels"].tolist() == sample.category_ids[keep].tolist()
    assert target["masks"].shape == (int(keep.sum()), 128, 128) and target["masks"].dtype == torch.uint8
    assert target["boxes"].tolist() == masks_to_boxes(sample.masks[keep]).tolist()
    flipped = DetectionDataset(scenes, hflip=True, seed=0)
    for _ in range(6):  # some reads are mirrored: image and masks together
        img, tgt = flipped[1]
        if not torch.equal(img, image):
            assert torch.equal(img, image.flip(-1)) and torch.equal(tgt["masks"], target["masks"].flip(-1))
            break
    else:
        pytest.fail("no flipped sample in 6 draws")


def test_small_maskrcnn_size_and_forward() -> None:
    model = build_small_maskrcnn(num_classes=4).eval()
    params = sum(p.numel() for p in model.parameters())
    assert 1.2e6 < params < 1.7e6  # training-notes.md: ~1.4 M
    with torch.no_grad():
        out = model([torch.rand(3, 128, 128)])
    assert set(out[0]) == {"boxes", "labels", "scores", "masks"}


def test_learning_rate_schedule() -> None:
    cfg = TrainConfig(lr=1.0, warmup_steps=10, max_steps=100)
    assert learning_rate(cfg, 0, 0.0) == pytest.approx(0.1)
    assert learning_rate(cfg, 9, 0.0) == pytest.approx(1.0)
    assert learning_rate(cfg, 50, 0.5) == pytest.approx(0.5)
    assert learning_rate(cfg, 99, 1.0) == pytest.approx(0.0)


def test_training_steps_progress_and_stop() -> None:
    torch.manual_seed(0)
    model = build_small_maskrcnn(num_classes=4)
    ds = DetectionDataset(SyntheticScenes(100, seed=1))
    seen = []
    result = train_detector(model, ds, TrainConfig(max_steps=3, batch_size=2), progress=seen.append)
    assert result.steps == 3 and [p.step for p in seen] == [1, 2, 3]
    assert all(np.isfinite(result.losses)) and not result.stopped and not model.training
    stops = iter([False, True])
    stopped = train_detector(model, ds, TrainConfig(max_steps=50, batch_size=2), should_stop=lambda: next(stops))
    assert stopped.stopped and stopped.steps == 1
    with pytest.raises(ValueError):
        train_detector(model, ds, TrainConfig())


def _as_prediction(sample: InstanceSample, shift: int = 0) -> Prediction:
    h, w = sample.image.shape[:2]
    masks = np.roll(sample.masks, shift, axis=2)
    boxes = masks_to_boxes(masks)
    crops = [tight_crop(m, 0, 0, b, (h, w)) for m, b in zip(masks, boxes, strict=True)]
    return Prediction(
        boxes=boxes, scores=np.linspace(1.0, 0.5, len(masks)), category_ids=sample.category_ids,
        masks=[c for c, _ in crops], mask_offsets=np.array([o for _, o in crops]).reshape(-1, 2),
        image_size=(h, w), model="gt",
    )  # fmt: skip


def test_evaluate_perfect_shifted_and_empty(tmp_path) -> None:
    samples = list(SyntheticScenes(6, seed=11))
    perfect = evaluate_masks([_as_prediction(s) for s in samples], samples, SHAPE_CATEGORIES, tmp_path / "r.json")
    assert perfect == {"AP": pytest.approx(1.0), "AP50": pytest.approx(1.0), "AP75": pytest.approx(1.0)}
    assert (tmp_path / "r.json").stat().st_size > 0
    # Shifting every mask by 40 px leaves no overlap with ground truth for most objects.
    shifted = evaluate_masks([_as_prediction(s, shift=40) for s in samples], samples, SHAPE_CATEGORIES)
    assert shifted["AP50"] < 0.5
    empty = [Prediction.empty(s.image.shape[:2], "none") for s in samples]
    assert evaluate_masks(empty, samples, SHAPE_CATEGORIES) == {"AP": 0.0, "AP50": 0.0, "AP75": 0.0}


def test_matmul_roi_align_matches_torchvision() -> None:
    from collections import OrderedDict

    from torchvision.ops import MultiScaleRoIAlign

    from inference.training.matmul_roi_align import MatmulMultiScaleRoIAlign

    torch.manual_seed(0)
    feats = OrderedDict((str(i), torch.randn(2, 8, 32 >> i, 32 >> i, requires_grad=True)) for i in range(3))
    boxes = []
    for _ in range(2):
        xy = torch.rand(200, 2) * 140 - 10  # some boxes leave the image
        wh = torch.rand(200, 2) * 150
        boxes.append(torch.cat([xy, xy + wh], 1))
    boxes[0][0] = torch.tensor([10.0, 10.0, 10.2, 10.1])  # thinner than a cell
    shapes = [(128, 128), (120, 100)]
    for size in (7, 14):
        ref = MultiScaleRoIAlign(["0", "1", "2"], size, 2)(feats, boxes, shapes)
        ours = MatmulMultiScaleRoIAlign(["0", "1", "2"], size, 2)(feats, boxes, shapes)
        torch.testing.assert_close(ours, ref, atol=1e-4, rtol=1e-4)
        weight = torch.randn_like(ref)
        grads_ref = torch.autograd.grad((ref * weight).sum(), list(feats.values()), allow_unused=True)
        grads = torch.autograd.grad((ours * weight).sum(), list(feats.values()), allow_unused=True)
        for a, b, f in zip(grads_ref, grads, feats.values(), strict=True):
            torch.testing.assert_close(
                b if b is not None else torch.zeros_like(f), a if a is not None else torch.zeros_like(f),
                atol=1e-4, rtol=1e-4,
            )
