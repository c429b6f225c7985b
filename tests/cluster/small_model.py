"""A small trained Mask R-CNN for the cluster tests, loadable inside Ray's worker processes.

The local CLI's tests swap `inference.load_model` with monkeypatch; a Ray actor is another
process, so the swap is done there by the `setup` hook `cluster.run` hands to each actor
(`install`, pickled by reference: Ray workers import this module from the driver's sys.path).
Both sides build the same network and load the same trained weights file, so a Ray run and a
local run must write the same suggestions.

Fault injection: with `crash_marker`, the first process to see an image of `crash_shape` (H, W)
creates the marker file and dies at once (os._exit, as a killed or crashed worker would); Ray
restarts the actor and retries its batch, and the marker keeps the retry from dying again.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch

import inference
from inference.maskrcnn import MaskRCNNPredictor
from inference.training.data import SHAPE_CATEGORIES, DetectionDataset, SyntheticScenes
from inference.training.small_maskrcnn import build_small_maskrcnn
from inference.training.train import TrainConfig, train_detector


def train_small_model(path: Path, steps: int = 40) -> Path:
    """Train the small Mask R-CNN for `steps` steps on generated shapes; save its state dict."""
    torch.manual_seed(0)
    model = build_small_maskrcnn(num_classes=len(SHAPE_CATEGORIES) + 1)
    data = DetectionDataset(SyntheticScenes(200, seed=1), hflip=True, seed=1)
    train_detector(model, data, TrainConfig(max_steps=steps, batch_size=2, warmup_steps=5, lr=4e-3))
    torch.save(model.state_dict(), path)
    return path


class SmallModelLoader:
    """Stands in for `inference.load_model`: every instance model name gives the small model with
    `weights`, a semantic one its registry network with seeded random weights (as the local CLI's
    tests do). `predicted` counts the images the instance model was asked to predict here."""

    def __init__(self, weights: str, crash_marker: str | None = None,
                 crash_shape: tuple[int, int] | None = None, delay_s: float = 0.0) -> None:  # fmt: skip
        self.weights = weights
        self.delay_s = delay_s
        self.crash_marker = crash_marker
        self.crash_shape = tuple(crash_shape) if crash_shape else None
        self.predicted: list[int] = []

    def __call__(self, name: str, weights: Any = None, device: str = "auto", **options: Any) -> Any:
        if inference.get_model_info(name).kind == "semantic":  # seeded random weights, 32 px
            torch.manual_seed(1)
            return inference.registry._REGISTRY[name][1](
                inference.get_model_info(name), None, torch.device("cpu"), random_init=True, min_size=32,
                batch_size=options.get("batch_size", 1),
            )  # fmt: skip
        model = build_small_maskrcnn(num_classes=len(SHAPE_CATEGORIES) + 1)
        model.load_state_dict(torch.load(self.weights, map_location="cpu", weights_only=True))
        predictor = MaskRCNNPredictor(name, model.eval(), torch.device("cpu"), SHAPE_CATEGORIES,
                                      options.get("batch_size", 1))  # fmt: skip
        original = predictor.predict

        def predict(images: list[np.ndarray], *args: Any, **kwargs: Any) -> Any:
            self.predicted.append(len(images))
            if self.crash_marker and any(img.shape[:2] == self.crash_shape for img in images):
                try:
                    fd = os.open(self.crash_marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
                except FileExistsError:
                    pass  # crashed once already: this is Ray's retry
                else:
                    os.close(fd)
                    os._exit(17)
            time.sleep(self.delay_s * len(images))
            return original(images, *args, **kwargs)

        predictor.predict = predict  # type: ignore[method-assign]
        return predictor


def install(weights: str, crash_marker: str | None = None, crash_shape: tuple[int, int] | None = None,
            delay_s: float = 0.0) -> None:  # fmt: skip
    """The actors' setup hook: this process loads the small model for every model name (each
    prediction `delay_s` slower per image, to keep batches in progress for the stop test)."""
    inference.load_model = SmallModelLoader(weights, crash_marker, crash_shape, delay_s)  # type: ignore[assignment]


def install_fake_interactive() -> None:
    """The actors' setup hook of the maskpilot-embed --ray test: tests/ai's stand-in for SAM."""
    from tests.ai.interactive_fakes import FakeInteractiveModel

    model = FakeInteractiveModel()
    inference.load_model = lambda name, **options: model  # type: ignore[assignment]
