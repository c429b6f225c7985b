"""Random-init YOLACT forward passes on the CPU: output shapes and end-to-end predictions."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import torch

import inference
from inference.categories import COCO_CONTIGUOUS_TO_ID
from inference.yolact.config import CONFIGS
from inference.yolact.model import Yolact


@pytest.mark.parametrize(
    ("config", "size", "priors", "proto"),
    [("yolact_resnet50", 550, 19248, 138), ("yolact_darknet53", 550, 19248, 138), ("yolact_im700", 700, 30963, 176)],
)
def test_output_shapes_at_native_size(config: str, size: int, priors: int, proto: int) -> None:
    model = Yolact(CONFIGS[config]).eval()
    with torch.no_grad():
        out = model(torch.zeros(1, 3, size, size))
    assert out.loc.shape == (1, priors, 4)
    assert out.conf.shape == (1, priors, 81)
    assert out.coeffs.shape == (1, priors, 32)
    assert out.proto.shape == (1, proto, proto, 32)
    assert float(out.coeffs.abs().max()) <= 1.0  # tanh
    assert float(out.proto.min()) >= 0.0  # ReLU prototypes


def test_base_output_shapes_at_small_size() -> None:
    model = Yolact(dataclasses.replace(CONFIGS["yolact_base"], input_size=128)).eval()
    with torch.no_grad():
        out = model(torch.zeros(2, 3, 128, 128))
    # 128 -> P3..P7 sides 16, 8, 4, 2, 1; 3 anchors each.
    assert out.level_sizes == [(16, 16), (8, 8), (4, 4), (2, 2), (1, 1)]
    assert out.loc.shape == (2, 3 * (256 + 64 + 16 + 4 + 1), 4)
    assert out.proto.shape == (2, 32, 32, 32)


def test_predictions_are_well_formed() -> None:
    torch.manual_seed(1)
    predictor = inference.load_model("yolact_resnet50", device="cpu", random_init=True, input_size=160)
    with torch.no_grad():  # random-init activations are tiny: spread scores and mask logits
        predictor.model.prediction_layers[0].conf_layer.weight.mul_(300)
        predictor.model.prediction_layers[0].mask_layer.weight.mul_(300)
        predictor.model.proto_net[10].weight.mul_(300)
    rng = np.random.default_rng(1)
    images = [rng.integers(0, 256, (90, 130, 3), dtype=np.uint8), rng.integers(0, 256, (210, 70, 3), dtype=np.uint8)]
    preds = predictor.predict(images, score_threshold=0.0, max_detections=50)
    for img, pred in zip(images, preds, strict=True):
        h, w = img.shape[:2]
        assert 0 < len(pred) <= 50 and pred.model == "yolact_resnet50"
        assert np.all(np.diff(pred.scores) <= 0)
        assert set(pred.category_ids.tolist()) <= set(COCO_CONTIGUOUS_TO_ID)
        b = pred.boxes
        assert np.array_equal(b, np.floor(b))  # integer boxes, like the reference
        assert (b[:, 0] >= 0).all() and (b[:, 2] <= w).all() and (b[:, 1] >= 0).all() and (b[:, 3] <= h).all()
        assert (b[:, 0] <= b[:, 2]).all() and (b[:, 1] <= b[:, 3]).all()
        assert sum(pred.mask_area(i) for i in range(len(pred))) > 0
        for i in range(len(pred)):
            x0, y0, x1, y1 = pred.mask_box(i)
            assert 0 <= x0 <= x1 <= w and 0 <= y0 <= y1 <= h
    stricter = predictor.predict(images, score_threshold=0.5, max_detections=50)
    for loose, strict in zip(preds, stricter, strict=True):
        assert np.array_equal(strict.scores, loose.scores[loose.scores > 0.5])
