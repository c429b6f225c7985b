"""The training loop for torchvision detection models (Mask R-CNN), budgeted by steps or seconds.

Schedule: AdamW, linear warmup, then cosine decay to zero over the budget. When the budget is in
seconds the decay follows elapsed time, so a slow machine trains fewer steps but still finishes
the schedule. `should_stop()` ends training early (the model keeps what it learned);
`progress(TrainProgress)` is called after every step.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import torch
from torch.utils.data import DataLoader, Dataset

from inference.training.data import collate


@dataclass
class TrainConfig:
    """Hyper-parameters; the defaults are the measured CPU recipe of training-notes.md.

    At least one of max_steps / max_seconds must be set; training ends at whichever comes first.
    """

    lr: float = 2e-3
    weight_decay: float = 1e-4
    batch_size: int = 4
    warmup_steps: int = 50
    max_steps: int | None = None
    max_seconds: float | None = None
    grad_clip: float = 10.0
    seed: int = 0


@dataclass
class TrainProgress:
    """Reported after each step: step count, fraction of the budget used (0..1), total loss of
    the step, seconds since the start and the learning rate used."""

    step: int
    fraction: float
    loss: float
    elapsed_s: float
    lr: float


@dataclass
class TrainResult:
    """steps run, wall seconds, per-step total losses, and whether should_stop ended it."""

    steps: int
    seconds: float
    losses: list[float] = field(default_factory=list)
    stopped: bool = False


def learning_rate(cfg: TrainConfig, step: int, fraction: float) -> float:
    """Warmup over the first `warmup_steps`, times a cosine from 1 to 0 over `fraction` in [0, 1]."""
    warm = min(1.0, (step + 1) / max(cfg.warmup_steps, 1))
    return cfg.lr * warm * 0.5 * (1.0 + math.cos(math.pi * min(max(fraction, 0.0), 1.0)))


def _batches(loader: DataLoader) -> Iterator[tuple[list[torch.Tensor], list[dict[str, torch.Tensor]]]]:
    while True:
        yield from loader


def train_detector(
    model: torch.nn.Module,
    dataset: Dataset,
    cfg: TrainConfig,
    device: str | torch.device = "cpu",
    should_stop: Callable[[], bool] | None = None,
    progress: Callable[[TrainProgress], None] | None = None,
) -> TrainResult:
    """Train a torchvision detection model (which returns a loss dict in train mode) in place.

    The model is left in eval mode on `device`. Batches with no instances at all are skipped,
    since the mask loss is undefined for them.
    """
    if cfg.max_steps is None and cfg.max_seconds is None:
        raise ValueError("set max_steps or max_seconds")
    device = torch.device(device)
    generator = torch.Generator().manual_seed(cfg.seed)
    loader = DataLoader(dataset, batch_size=cfg.batch_size, shuffle=True, collate_fn=collate,
                        drop_last=True, generator=generator)  # fmt: skip
    model.to(device).train()
    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(params, lr=cfg.lr, weight_decay=cfg.weight_decay)
    result = TrainResult(steps=0, seconds=0.0)
    start = time.perf_counter()
    for images, targets in _batches(loader):
        elapsed = time.perf_counter() - start
        fraction = max(
            result.steps / cfg.max_steps if cfg.max_steps else 0.0,
            elapsed / cfg.max_seconds if cfg.max_seconds else 0.0,
        )
        if fraction >= 1.0:
            break
        if should_stop is not None and should_stop():
            result.stopped = True
            break
        if not any(len(t["labels"]) for t in targets):
            continue
        lr = learning_rate(cfg, result.steps, fraction)
        for group in optimizer.param_groups:
            group["lr"] = lr
        images = [im.to(device) for im in images]
        targets = [{k: v.to(device) for k, v in t.items()} for t in targets]
        losses = model(images, targets)
        loss = sum(losses.values())
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, cfg.grad_clip)
        optimizer.step()
        result.steps += 1
        result.losses.append(loss.item())
        if progress is not None:
            progress(TrainProgress(result.steps, fraction, result.losses[-1], time.perf_counter() - start, lr))
    result.seconds = time.perf_counter() - start
    model.eval()
    return result
