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

# Budgeted by steps, not seconds, so the outcome does not depend on how busy the machine is (a
# 230 s budget failed while other jobs shared the 2 cores). training-notes.md measured AP50
# 0.77-0.89 after ~850 steps and ~0.98 after ~1,700 (240 s at 0.14 s a step on the idle machine).
TRAIN_STEPS = 1500


@pytest.mark.slow
@pytest.mark.timeout(1800)  # ~4 minutes on the idle machine; a busy one takes longer, same result
def test_small_maskrcnn_learns_shapes_from_scratch() -> None:
    torch.manual_seed(0)
    model = build_small_maskrcnn(num_classes=len(SHAPE_CATEGORIES) + 1)
    train_set = DetectionDataset(SyntheticScenes(1_000_000, seed=1), hflip=True, seed=1)
    result = train_detector(model, train_set, TrainConfig(max_steps=TRAIN_STEPS))
    held_out = list(SyntheticScenes(50, seed=12345))  # different seed: images never trained on
    predictor = MaskRCNNPredictor("small_maskrcnn", model, torch.device("cpu"), SHAPE_CATEGORIES, batch_size=4)
    start = time.perf_counter()
    metrics = evaluate_predictor(predictor, held_out, SHAPE_CATEGORIES)
    print(f"\ntrained {result.steps} steps in {result.seconds:.0f} s; eval {time.perf_counter() - start:.1f} s; {metrics}")
    assert result.losses[-1] < result.losses[0]
    assert metrics["AP50"] >= 0.8, metrics
