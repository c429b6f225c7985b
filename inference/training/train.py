"""The training loop for torchvision detection models (Mask R-CNN), budgeted by steps, seconds or
epochs, resumable, with mixed precision on CUDA.

Schedule: AdamW, linear warmup, then cosine decay to zero over the budget. The decay follows the
fraction of the budget used, so with a budget in seconds a slow machine trains fewer steps but
still finishes the schedule. The budget counts across runs: a run resumed from a `TrainState`
continues the same schedule where the earlier run stopped (steps, images seen, seconds).
`should_stop()` ends training early (the model keeps what it learned); `progress(TrainProgress)`
is called after every step; `after_step(trainer)` lets the caller validate and checkpoint on its
own schedule (the model is put back into training mode after it returns).
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import torch
from torch.utils.data import DataLoader, Dataset

from inference.errors import InferenceError
from inference.training.data import collate
from inference.training.models import train_mode

#: Consecutive steps with a non-finite loss after which training gives up.
MAX_BAD_STEPS = 10


class TrainingDataError(InferenceError):
    """Training cannot go on: no usable samples, or the loss diverged. The message is for the user."""


@dataclass
class TrainConfig:
    """Hyper-parameters; the defaults are the measured CPU recipe of training-notes.md.

    At least one of max_steps / max_seconds / max_epochs must be set; training ends at whichever
    comes first. amp: float16 autocast with a GradScaler, on CUDA only (CPU float16 is slow).
    """

    lr: float = 2e-3
    weight_decay: float = 1e-4
    batch_size: int = 4
    warmup_steps: int = 50
    max_steps: int | None = None
    max_seconds: float | None = None
    max_epochs: float | None = None
    grad_clip: float = 10.0
    seed: int = 0
    amp: bool = True


@dataclass
class TrainState:
    """Where a run stands, to resume it: total steps, images drawn and seconds over all runs so
    far, and the optimizer's (and AMP scaler's) state dicts."""

    step: int = 0
    images_seen: int = 0
    elapsed_s: float = 0.0
    optimizer: dict[str, Any] | None = None
    scaler: dict[str, Any] | None = None


@dataclass
class TrainProgress:
    """Reported after each step: total step count, fraction of the budget used (0..1), total loss
    of the step, seconds since the start (over all runs) and the learning rate used; epoch (images
    drawn / dataset size), training images per second over the last steps, and the estimated
    seconds left (None until it can be estimated)."""

    step: int
    fraction: float
    loss: float
    elapsed_s: float
    lr: float
    epoch: float = 0.0
    images_per_s: float = 0.0
    eta_s: float | None = None


@dataclass
class TrainResult:
    """steps run (this run), wall seconds, per-step total losses, and whether should_stop ended it."""

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


class Trainer:
    """One training run of `model` on `dataset`; see the module doc. `run()` trains in place
    and leaves the model in eval mode on `device`."""

    def __init__(
        self,
        model: torch.nn.Module,
        dataset: Dataset,
        cfg: TrainConfig,
        device: str | torch.device = "cpu",
        state: TrainState | None = None,
    ) -> None:
        if cfg.max_steps is None and cfg.max_seconds is None and cfg.max_epochs is None:
            raise ValueError("set max_steps, max_seconds or max_epochs")
        if len(dataset) == 0:
            raise TrainingDataError("There are no training images.")
        self.model = model
        self.dataset = dataset
        self.cfg = cfg
        self.device = torch.device(device)
        state = state or TrainState()
        self.step = state.step
        self.images_seen = state.images_seen
        self._elapsed_before = state.elapsed_s
        self.batch_size = max(1, min(cfg.batch_size, len(dataset)))
        model.to(self.device)
        self.params = [p for p in model.parameters() if p.requires_grad]
        # the fused kernel updates all parameters in one pass; on the CPU the per-tensor loop
        # of the default implementation was 3-10 % of a small-model step
        fused = self.device.type in ("cpu", "cuda")
        self.optimizer = torch.optim.AdamW(self.params, lr=cfg.lr, weight_decay=cfg.weight_decay, fused=fused)
        if state.optimizer is not None:
            self.optimizer.load_state_dict(state.optimizer)
        self.amp = bool(cfg.amp and self.device.type == "cuda")
        self.scaler = torch.amp.GradScaler("cuda", enabled=self.amp)
        if self.amp and state.scaler:
            self.scaler.load_state_dict(state.scaler)
        self._start = time.perf_counter()
        self._start_fraction = self.fraction()
        self._window: deque[tuple[float, int]] = deque(maxlen=20)  # (step seconds, images)

    # ---- budget -------------------------------------------------------------------------
    @property
    def elapsed_s(self) -> float:
        """Seconds trained over all runs, this one up to now."""
        return self._elapsed_before + time.perf_counter() - self._start

    @property
    def epoch(self) -> float:
        return self.images_seen / len(self.dataset)

    def fraction(self) -> float:
        """Share of the budget used, the largest over the budgets set."""
        cfg = self.cfg
        return max(
            self.step / cfg.max_steps if cfg.max_steps else 0.0,
            self.elapsed_s / cfg.max_seconds if cfg.max_seconds else 0.0,
            self.epoch / cfg.max_epochs if cfg.max_epochs else 0.0,
        )

    def images_per_s(self) -> float:
        seconds = sum(s for s, _ in self._window)
        return sum(n for _, n in self._window) / seconds if seconds > 0 else 0.0

    def eta_s(self) -> float | None:
        """Seconds left: exact for a time budget, else this run's pace over what remains."""
        cfg, run_s = self.cfg, time.perf_counter() - self._start
        done = self.fraction() - self._start_fraction
        estimates = []
        if cfg.max_seconds:
            estimates.append(max(cfg.max_seconds - self.elapsed_s, 0.0))
        if (cfg.max_steps or cfg.max_epochs) and done > 0:
            estimates.append(run_s * max(1.0 - self.fraction(), 0.0) / done)
        return min(estimates) if estimates else None

    def snapshot(self) -> TrainState:
        """The state to resume from (optimizer tensors are shared, not copied: serialize it
        before the next step)."""
        return TrainState(
            self.step, self.images_seen, self.elapsed_s, self.optimizer.state_dict(),
            self.scaler.state_dict() if self.amp else None,
        )  # fmt: skip

    # ---- the loop -----------------------------------------------------------------------
    def run(
        self,
        should_stop: Callable[[], bool] | None = None,
        progress: Callable[[TrainProgress], None] | None = None,
        after_step: Callable[[Trainer], None] | None = None,
    ) -> TrainResult:
        """Train until the budget is used or `should_stop()`. Batches with no instances at all
        are skipped (the mask loss is undefined for them); when a whole epoch's worth of
        batches in a row has nothing to learn from, TrainingDataError is raised instead of
        looping forever. A non-finite loss skips its update; MAX_BAD_STEPS in a row raise."""
        cfg = self.cfg
        generator = torch.Generator().manual_seed(cfg.seed + self.step)
        loader = DataLoader(self.dataset, batch_size=self.batch_size, shuffle=True, collate_fn=collate,
                            drop_last=True, generator=generator)  # fmt: skip
        empty_limit = max(10, 2 * len(loader))
        result = TrainResult(steps=0, seconds=0.0)
        empty = bad = 0
        train_mode(self.model)
        for images, targets in _batches(loader):
            if self.fraction() >= 1.0:
                break
            if should_stop is not None and should_stop():
                result.stopped = True
                break
            self.images_seen += self.batch_size
            if not any(len(t["labels"]) for t in targets):
                empty += 1
                if empty > empty_limit:
                    raise TrainingDataError(
                        f"No usable training images in the last {empty} batches: the images are "
                        "unreadable or gone, or hold no instances."
                    )
                continue
            empty = 0
            t0 = time.perf_counter()
            lr = learning_rate(cfg, self.step, self.fraction())
            loss = self._step(images, targets, lr)
            if not math.isfinite(loss):
                bad += 1
                if bad >= MAX_BAD_STEPS:
                    raise TrainingDataError(
                        "The training loss became infinite or NaN; training stopped. Try a lower "
                        "learning rate or check the labels for broken masks."
                    )
                continue
            bad = 0
            self.step += 1
            result.steps += 1
            result.losses.append(loss)
            self._window.append((time.perf_counter() - t0, len(images)))
            if progress is not None:
                progress(TrainProgress(self.step, min(self.fraction(), 1.0), loss, self.elapsed_s, lr,
                                       self.epoch, self.images_per_s(), self.eta_s()))  # fmt: skip
            if after_step is not None:
                after_step(self)
                train_mode(self.model)
        result.seconds = time.perf_counter() - self._start
        self.model.eval()
        return result

    def _step(self, images: list[torch.Tensor], targets: list[dict[str, torch.Tensor]], lr: float) -> float:
        for group in self.optimizer.param_groups:
            group["lr"] = lr
        images = [im.to(self.device, non_blocking=True) for im in images]
        targets = [{k: v.to(self.device, non_blocking=True) for k, v in t.items()} for t in targets]
        with torch.autocast("cuda", dtype=torch.float16, enabled=self.amp):
            losses = self.model(images, targets)
            loss = sum(losses.values())
        self.optimizer.zero_grad(set_to_none=True)
        value = float(loss.detach())
        if not math.isfinite(value):
            return value
        self.scaler.scale(loss).backward()
        self.scaler.unscale_(self.optimizer)
        torch.nn.utils.clip_grad_norm_(self.params, self.cfg.grad_clip)
        self.scaler.step(self.optimizer)
        self.scaler.update()
        return value


def train_detector(
    model: torch.nn.Module,
    dataset: Dataset,
    cfg: TrainConfig,
    device: str | torch.device = "cpu",
    should_stop: Callable[[], bool] | None = None,
    progress: Callable[[TrainProgress], None] | None = None,
    state: TrainState | None = None,
    after_step: Callable[[Trainer], None] | None = None,
) -> TrainResult:
    """Train a torchvision detection model (which returns a loss dict in train mode) in place;
    see `Trainer`. The model is left in eval mode on `device`."""
    return Trainer(model, dataset, cfg, device, state).run(should_stop, progress, after_step)
