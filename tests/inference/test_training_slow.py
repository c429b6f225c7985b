"""Proof without pretrained weights: a small Mask R-CNN trained from scratch on generated shapes
on one CPU thread reaches mask AP50 >= 0.8 on held-out generated images."""

from __future__ import annotations

import time

import pytest
import torch

from inference.maskrcnn import MaskRCNNPredictor
from inference.training.data import SHAPE_CATEGORIES, DetectionDataset, SyntheticScenes
from inference.training.evaluate import evaluate_predictor
from inference.training.small_maskrcnn import build_small_maskrcnn
from inference.training.train import TrainConfig, train_detector

# training-notes.md measured AP50 ~0.98 after 240 s; 230 s keeps the whole test under 5 minutes.
TRAIN_SECONDS = 230.0


@pytest.mark.slow
def test_small_maskrcnn_learns_shapes_from_scratch() -> None:
    torch.manual_seed(0)
    model = build_small_maskrcnn(num_classes=len(SHAPE_CATEGORIES) + 1)
    train_set = DetectionDataset(SyntheticScenes(1_000_000, seed=1), hflip=True, seed=1)
    result = train_detector(model, train_set, TrainConfig(max_seconds=TRAIN_SECONDS))
    held_out = list(SyntheticScenes(50, seed=12345))  # different seed: images never trained on
    predictor = MaskRCNNPredictor("small_maskrcnn", model, torch.device("cpu"), SHAPE_CATEGORIES, batch_size=4)
    start = time.perf_counter()
    metrics = evaluate_predictor(predictor, held_out, SHAPE_CATEGORIES)
    print(f"\ntrained {result.steps} steps in {result.seconds:.0f} s; eval {time.perf_counter() - start:.1f} s; {metrics}")
    assert result.losses[-1] < result.losses[0]
    assert metrics["AP50"] >= 0.8, metrics
