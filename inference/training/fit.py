"""One training job from samples to the best model: build (or resume), train, validate, choose.

`fit` knows nothing of projects or files: samples come in as sequences (read lazily, possibly
raising SampleUnavailable), checkpoints go out as bytes through `FitCallbacks.checkpoint`, so the
caller decides where and how (the app writes them atomically into the project).

Validation (mask AP50 on the validation samples, pycocotools) runs about `validations` times over
the budget, at even fractions of it, and never takes more than about a tenth of the time (a
slow model on a CPU would otherwise spend its budget validating). The best-scoring weights are
kept; when training ends, by budget or by `should_stop`, the current weights are validated once
more and the better of the two is the result, evaluated in detail (AP, AP50, per-class
precision/recall at `score_threshold`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

from inference.device import resolve_device
from inference.maskrcnn import MaskRCNNPredictor
from inference.training.augment import Augmentation, AugmentConfig
from inference.training.checkpoint import (
    CheckpointError,
    TrainingCheckpoint,
    checkpoint_bytes,
    read_checkpoint,
    state_dict_bytes,
)
from inference.training.data import DetectionDataset
from inference.training.evaluate import EvalReport, evaluate_detailed, evaluate_masks
from inference.training.models import ModelSpec, build_for_training, build_from_spec, state_dict_cpu
from inference.training.samples import InstanceSample, SampleUnavailable
from inference.training.train import TrainConfig, Trainer, TrainProgress, TrainState
from inference.weights import load_state_dict_file

#: Predictions for AP keep everything above this score (AP integrates over the whole curve).
EVAL_SCORE = 0.05


@dataclass
class FitConfig:
    """base: a BASE_MODELS key; weights: its starting weights file (None: search, see
    models.build_for_training); image_size: the network's input side (None: the base's default).
    Budget: any of minutes / epochs / steps (the first one reached ends training; counted over
    resumed runs too). score_threshold: for the final per-class precision/recall. meta: JSON-like
    facts stored in every resumable checkpoint beside the model spec (the caller checks them
    when resuming)."""

    base: str = "small"
    weights: str | Path | None = None
    search_weights: bool = True
    image_size: int | None = None
    device: str = "auto"
    minutes: float | None = None
    epochs: float | None = None
    steps: int | None = None
    batch_size: int = 4
    lr: float | None = None
    warmup_steps: int = 50
    seed: int = 0
    amp: bool = True
    augment: AugmentConfig = field(default_factory=AugmentConfig)
    validations: int = 20
    score_threshold: float = 0.5
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Validation:
    """A validation pass: at `step` / `epoch`, mask AP50 and AP of the current weights; `best`
    when they are the best so far."""

    step: int
    epoch: float
    ap50: float
    ap: float
    best: bool


@dataclass
class FitCallbacks:
    """started(spec, device) once the model is built (spec.init says how it was initialized).
    should_stop() -> True ends training (keeping the best weights). progress(TrainProgress)
    after each step; validated(Validation); skipped(name, reason) once per unavailable sample;
    checkpoint(resume_bytes, best_bytes or None) after each validation and at the end: the
    resumable state and, when it changed, the best weights-only state dict."""

    started: Callable[[ModelSpec, str], None] = lambda spec, device: None
    should_stop: Callable[[], bool] = lambda: False
    progress: Callable[[TrainProgress], None] = lambda p: None
    validated: Callable[[Validation], None] = lambda v: None
    skipped: Callable[[str, str], None] = lambda name, reason: None
    checkpoint: Callable[[bytes, bytes | None], None] = lambda last, best: None


@dataclass
class FitResult:
    """best_state: the chosen weights (CPU state dict); spec: how to rebuild the model; report:
    its final evaluation (None without validation samples); steps/epochs/seconds over all runs;
    stopped: should_stop ended it; best_step: the step the weights are from."""

    best_state: dict[str, torch.Tensor]
    spec: ModelSpec
    report: EvalReport | None
    steps: int
    epochs: float
    seconds: float
    stopped: bool
    best_step: int
    best_ap50: float | None
    device: str


@dataclass
class Resume:
    """A run to continue: its checkpoint and the best weights so far (None: not validated yet)."""

    checkpoint: TrainingCheckpoint
    best_state: dict[str, torch.Tensor] | None = None


def load_resume(checkpoint_path: str | Path, best_path: str | Path | None) -> Resume:
    """A Resume from the files a run's `checkpoint` callback wrote; a missing best file means
    "not validated yet" (its score is forgotten too, so the next validation counts as best).
    Raises CheckpointError / WeightsError."""
    ckpt = read_checkpoint(checkpoint_path)
    best = None
    if best_path is not None and Path(best_path).is_file():
        best = load_state_dict_file(best_path, map_location="cpu")
    else:
        ckpt.best_score, ckpt.best_step = -1.0, 0
    if "spec" not in ckpt.meta:
        raise CheckpointError(f"{Path(checkpoint_path).name} does not say which model it belongs to.")
    return Resume(ckpt, best)


def _load_available(samples: Sequence[InstanceSample], skipped: Callable[[str, str], None]) -> list[InstanceSample]:
    out = []
    for i in range(len(samples)):
        try:
            out.append(samples[i])
        except SampleUnavailable as exc:
            skipped(exc.name, exc.reason)
    return out


class _Fitter:
    def __init__(self, train: Sequence[InstanceSample], val: Sequence[InstanceSample],
                 categories: Sequence[tuple[int, str]], cfg: FitConfig, cb: FitCallbacks,
                 resume: Resume | None) -> None:  # fmt: skip
        self.cfg, self.cb, self.categories = cfg, cb, list(categories)
        self.device = resolve_device(cfg.device)
        num_classes = len(self.categories) + 1
        torch.manual_seed(cfg.seed + (resume.checkpoint.step if resume else 0))
        if resume is not None:
            self.spec = ModelSpec.from_dict(resume.checkpoint.meta["spec"])
            self.model = build_from_spec(self.spec)
            self.model.load_state_dict(resume.checkpoint.model)
            ck = resume.checkpoint
            state = TrainState(ck.step, ck.images_seen, ck.elapsed_s, ck.optimizer, ck.scaler)
            self.best_state, self.best_score, self.best_step = resume.best_state, ck.best_score, ck.best_step
        else:
            self.model, self.spec = build_for_training(
                cfg.base, num_classes, cfg.weights, cfg.image_size, search=cfg.search_weights
            )
            state, self.best_state, self.best_score, self.best_step = None, None, -1.0, 0
        if self.spec.num_classes != num_classes:
            raise ValueError(f"the checkpoint has {self.spec.num_classes - 1} classes, the data {num_classes - 1}")
        self.dataset = DetectionDataset(train, augment=Augmentation(cfg.augment))
        self.val = _load_available(val, cb.skipped)
        self._reported: set[str] = set()
        lr = cfg.lr if cfg.lr is not None else (2e-3 if self.spec.base == "small" else 1e-4)
        tc = TrainConfig(
            lr=lr, batch_size=cfg.batch_size, warmup_steps=cfg.warmup_steps, seed=cfg.seed, amp=cfg.amp,
            max_steps=cfg.steps, max_epochs=cfg.epochs, max_seconds=cfg.minutes * 60 if cfg.minutes else None,
        )  # fmt: skip
        self.trainer = Trainer(self.model, self.dataset, tc, self.device, state)
        self._next_fraction = self._grid_after(self.trainer.fraction())
        self._last_val_end = time.perf_counter()
        self._last_val_cost = 0.0
        self._validated_step = -1
        self._last_preds: tuple[int, list] = (-1, [])
        cb.started(self.spec, str(self.device))

    def _grid_after(self, fraction: float) -> float:
        n = max(1, self.cfg.validations)
        return (int(fraction * n + 1e-9) + 1) / n

    def _report_skips(self) -> None:
        for name, reason in self.dataset.skipped.items():
            if name not in self._reported:
                self._reported.add(name)
                self.cb.skipped(name, reason)

    def _predict_val(self) -> list:
        predictor = MaskRCNNPredictor("training", self.model, self.device, self.categories, batch_size=4)
        return predictor.predict([s.image for s in self.val], score_threshold=EVAL_SCORE)

    def _score(self) -> tuple[float, float]:
        """(AP50, AP) of the current weights on the validation samples; their predictions are
        kept for the final report when these weights turn out best."""
        preds = self._predict_val()
        self._last_preds = (self.trainer.step, preds)
        metrics = evaluate_masks(preds, self.val, self.categories)
        return metrics["AP50"], metrics["AP"]

    def validate(self) -> None:
        """Score the current weights, keep them when best, hand out the checkpoint bytes."""
        start = time.perf_counter()
        tr = self.trainer
        best_bytes = None
        if self.val:
            ap50, ap = self._score()
            improved = ap50 > self.best_score
            if improved:
                self.best_state, self.best_score, self.best_step = state_dict_cpu(self.model), ap50, tr.step
                best_bytes = state_dict_bytes(self.best_state)
            self.cb.validated(Validation(tr.step, tr.epoch, ap50, ap, improved))
        self._validated_step = tr.step
        self.cb.checkpoint(self._resume_bytes(), best_bytes)
        self._last_val_end = time.perf_counter()
        self._last_val_cost = self._last_val_end - start

    def _resume_bytes(self) -> bytes:
        snap = self.trainer.snapshot()
        return checkpoint_bytes(TrainingCheckpoint(
            model=self.model.state_dict(), optimizer=snap.optimizer or {}, step=snap.step,
            images_seen=snap.images_seen, elapsed_s=snap.elapsed_s, best_score=self.best_score,
            best_step=self.best_step, scaler=snap.scaler, meta={**self.cfg.meta, "spec": self.spec.to_dict()},
        ))  # fmt: skip

    def after_step(self, trainer: Trainer) -> None:
        self._report_skips()
        fraction = trainer.fraction()
        if fraction < self._next_fraction or fraction >= 1.0:
            return
        # at most ~1/10 of the time validating: wait 9x the last pass's cost since it ended
        if time.perf_counter() - self._last_val_end < 9 * self._last_val_cost:
            return
        self._next_fraction = self._grid_after(fraction)
        self.validate()

    def run(self) -> FitResult:
        result = self.trainer.run(self.cb.should_stop, self.cb.progress, self.after_step)
        self._report_skips()
        tr = self.trainer
        if tr.step == 0:  # stopped before the first step: nothing was learned, nothing to keep
            return FitResult(state_dict_cpu(self.model), self.spec, None, 0, tr.epoch, tr.elapsed_s,
                             result.stopped, 0, None, str(self.device))  # fmt: skip
        if tr.step > self._validated_step:
            self.validate()
        if self.best_state is None:  # no validation samples: the last weights are the result
            self.best_state, self.best_step = state_dict_cpu(self.model), tr.step
            self.cb.checkpoint(self._resume_bytes(), state_dict_bytes(self.best_state))
        report = None
        if self.val:
            step, preds = self._last_preds
            if step != self.best_step:  # the best weights are older than the last validation
                self.model.load_state_dict(self.best_state)
                preds = self._predict_val()
            report = evaluate_detailed(preds, self.val, self.categories, self.cfg.score_threshold)
        return FitResult(
            self.best_state, self.spec, report, tr.step, tr.epoch, tr.elapsed_s, result.stopped,
            self.best_step, self.best_score if self.val else None, str(self.device),
        )  # fmt: skip


def fit(
    train: Sequence[InstanceSample],
    val: Sequence[InstanceSample],
    categories: Sequence[tuple[int, str]],
    cfg: FitConfig,
    callbacks: FitCallbacks | None = None,
    resume: Resume | None = None,
) -> FitResult:
    """Train a model for `categories` ((label, name) with labels 1..K in order) on `train`,
    validate on `val` (may be empty: then the last weights are the result), and return the best.

    Raises ValueError for a bad configuration, WeightsError subclasses for starting weights
    that do not fit, TrainingDataError when no sample is usable, and torch's out-of-memory
    errors as they come (the caller reports them).
    """
    if [k for k, _ in categories] != list(range(1, len(categories) + 1)):
        raise ValueError("categories must be labels 1..K in order")
    if cfg.minutes is None and cfg.epochs is None and cfg.steps is None:
        raise ValueError("set a budget: minutes, epochs or steps")
    return _Fitter(train, val, categories, cfg, callbacks or FitCallbacks(), resume).run()
