"""A training job from the project store to a saved project model, reporting messages.

`run_job` is what the training process runs (app.training.domain.runner starts it in a child
process); tests and benchmarks may call it in-process. It plans the data (done images only),
resumes or starts fresh, trains with `inference.training.fit`, writes the resumable checkpoint
and the best weights into `<store>/models/<name>.training/` as it goes (atomically), and at the
end saves the best weights as project model "project:<name>". Every failure becomes a `Failed`
message with a sentence for the user; nothing raises out of `run_job`.

Imports torch (through inference): never import this module in the GUI process.
"""

from __future__ import annotations

import math
import os
import signal
import time
import traceback
from collections.abc import Callable
from pathlib import Path

from app.ai.domain.project_models import (
    ProjectModelError,
    check_name,
    new_card,
    save_project_model,
    training_dir,
)
from app.core.text import QT_TRANSLATE_NOOP, Text, text_of
from app.formats.atomic import write_bytes_atomic
from app.formats.store import ProjectStore, StoreError
from app.training.domain.dataset import ProjectSamples, TrainingError, plan_for
from app.training.domain.messages import (
    Failed,
    Finished,
    Message,
    Note,
    Progress,
    Skipped,
    Started,
    TrainingJob,
    Validation,
    default_threads,
)
from inference import InferenceError, torch_threads

#: Test hook: "memory:N" raises MemoryError, "kill:N" kills the process (like the kernel's
#: out-of-memory killer) at step N. Read only by the training process.
FAULT_ENV = "MASKPILOT_TRAINING_FAULT"
DEFAULT_MINUTES = 5.0
#: Seconds between Progress messages (a GUI redraws its curves at this pace).
PROGRESS_INTERVAL_S = 0.25
RESUME_FILE, BEST_FILE = "resume.pt", "best.pth"


def _inject_fault(step: int) -> None:
    kind, _, at = os.environ.get(FAULT_ENV, "").partition(":")
    if not kind or step < int(at or 1):
        return
    if kind == "memory":
        raise MemoryError("injected")
    if kind == "kill":
        os.kill(os.getpid(), getattr(signal, "SIGKILL", signal.SIGTERM))


def _budget_left(job: TrainingJob, minutes: float | None, ckpt, train_images: int) -> None:  # type: ignore[no-untyped-def]
    """Raise TrainingError when a resumed checkpoint already used the whole budget."""
    used = []
    if minutes and ckpt.elapsed_s >= minutes * 60:
        used.append(QT_TRANSLATE_NOOP("Training", "{used:.1f} of {budget:g} minutes").format(used=ckpt.elapsed_s / 60, budget=minutes))
    if job.epochs and ckpt.images_seen / max(train_images, 1) >= job.epochs:
        used.append(QT_TRANSLATE_NOOP("Training", "{used:.1f} of {budget:g} epochs").format(used=ckpt.images_seen / max(train_images, 1), budget=job.epochs))
    if job.steps and ckpt.step >= job.steps:
        used.append(QT_TRANSLATE_NOOP("Training", "{used} of {budget} steps").format(used=ckpt.step, budget=job.steps))
    if used:
        raise TrainingError(QT_TRANSLATE_NOOP("Training",
            "The checkpoint of '{name}' already trained {used}: the budget counts "
            "over resumed runs, so give a larger one to train further, or start fresh.").format(name=job.name, used=", ".join(used)))


class _Reporter:
    """The fit callbacks: messages out (Progress throttled, with the mean loss in between),
    checkpoint files written atomically, cancellation in."""

    def __init__(self, emit: Callable[[Message], None], should_stop: Callable[[], bool], folder: Path) -> None:
        self.emit, self._should_stop, self.folder = emit, should_stop, folder
        self.skipped: dict[str, str] = {}
        self.cancelled = False
        self._losses: list[float] = []
        self._last = -math.inf
        self._write_failed = False

    def should_stop(self) -> bool:
        if not self.cancelled and self._should_stop():
            self.cancelled = True
        return self.cancelled

    def progress(self, p) -> None:  # type: ignore[no-untyped-def]
        _inject_fault(p.step)
        self._losses.append(p.loss)
        now = time.monotonic()
        if now - self._last < PROGRESS_INTERVAL_S and p.step > 1:
            return
        self._last = now
        loss = sum(self._losses) / len(self._losses)
        self._losses.clear()
        self.emit(Progress(p.step, p.epoch, p.images_per_s, p.eta_s, loss, p.lr, p.elapsed_s, p.fraction))

    def validated(self, v) -> None:  # type: ignore[no-untyped-def]
        self.emit(Validation(v.step, v.epoch, v.ap50, v.ap, v.best))

    def skip(self, name: str, reason: str) -> None:
        if name not in self.skipped:
            self.skipped[name] = reason
            self.emit(Skipped(name, reason))

    def checkpoint(self, resume: bytes, best: bytes | None) -> None:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            if best is not None:
                write_bytes_atomic(self.folder / BEST_FILE, best)
            write_bytes_atomic(self.folder / RESUME_FILE, resume)
        except OSError as exc:
            if not self._write_failed:
                self._write_failed = True
                self.emit(Note(QT_TRANSLATE_NOOP("Training", "The training checkpoint could not be written ({error}); "
                                                 "training goes on, but a later run cannot resume from here.")
                               .format(error=exc.strerror or exc)))  # fmt: skip


def _train(job: TrainingJob, emit: Callable[[Message], None], should_stop: Callable[[], bool]) -> Message:
    name = check_name(job.name)
    plan = plan_for(job.folder, job.store_dir, job.val_fraction, job.recursive)  # refuse before importing torch
    from inference.training.fit import FitCallbacks, FitConfig, fit, load_resume
    from inference.training.models import BASE_MODELS, DEFAULT_IMAGE_SIZE

    if job.base_model not in BASE_MODELS:
        raise TrainingError(QT_TRANSLATE_NOOP("Training", "Unknown base model '{model}'; choose one of {models}.")
                            .format(model=job.base_model, models=", ".join(BASE_MODELS)))
    store = ProjectStore(job.folder, job.store_dir)
    classes_meta = [[c.id, c.name] for c in plan.classes]
    folder = training_dir(store, name)
    minutes = job.minutes if (job.minutes or job.epochs or job.steps) else DEFAULT_MINUTES
    resume = None
    if job.resume:
        if not (folder / RESUME_FILE).is_file():
            raise TrainingError(QT_TRANSLATE_NOOP("Training", "There is no checkpoint of '{name}' to resume; start fresh instead.").format(name=name))
        resume = load_resume(folder / RESUME_FILE, folder / BEST_FILE)
        meta = resume.checkpoint.meta
        if meta.get("classes") != classes_meta:
            raise TrainingError(QT_TRANSLATE_NOOP("Training",
                "The classes changed since '{name}' was trained (classes with done examples now: "
                "{classes}), so it cannot resume; start fresh.").format(name=name, classes=", ".join(c.name for c in plan.classes)))
        if meta.get("base_model") != job.base_model:
            raise TrainingError(QT_TRANSLATE_NOOP("Training", "'{name}' was trained from {trained}, not {model}; "
                                                  "resume with that base model, or start fresh.")
                                .format(name=name, trained=meta.get("base_model"), model=job.base_model))  # fmt: skip
        _budget_left(job, minutes, resume.checkpoint, len(plan.train))
    else:
        for stale in (RESUME_FILE, BEST_FILE):  # a fresh run must never resume an older one later
            (folder / stale).unlink(missing_ok=True)
    image_size = (resume.checkpoint.meta["spec"]["max_size"] if resume
                  else job.image_size or DEFAULT_IMAGE_SIZE[job.base_model])  # fmt: skip
    cfg = FitConfig(
        base=job.base_model, weights=job.weights, image_size=image_size, device=job.device, minutes=minutes,
        epochs=job.epochs, steps=job.steps, batch_size=job.batch_size, seed=job.seed,
        validations=job.validations, score_threshold=job.score_threshold,
        meta={"classes": classes_meta, "base_model": job.base_model},
    )  # fmt: skip
    high = cfg.augment.scale_range[1]
    label_of = {c.id: c.label for c in plan.classes}
    cache = job.cache_mb << 20
    sample_args = dict(label_of=label_of, max_side=int(math.ceil(image_size * max(high, 1.0))), cache_bytes=cache)
    train = ProjectSamples(job.folder, store, plan.train, **sample_args)  # type: ignore[arg-type]
    val = ProjectSamples(job.folder, store, plan.val, **sample_args)  # type: ignore[arg-type]
    threads = job.threads or default_threads()
    reporter = _Reporter(emit, should_stop, folder)
    categories = [(c.label, c.name) for c in plan.classes]

    def started(spec, device: str) -> None:  # type: ignore[no-untyped-def]
        emit(Started(name, job.base_model, "resumed" if resume else spec.init, device, len(plan.train),
                     len(plan.val), tuple((c.id, c.name) for c in plan.classes),
                     resume.checkpoint.step if resume else 0, threads, tuple(plan.notes)))  # fmt: skip

    callbacks = FitCallbacks(started, reporter.should_stop, reporter.progress, reporter.validated,
                             reporter.skip, reporter.checkpoint)  # fmt: skip
    cpu_start = time.process_time()
    with torch_threads(threads):
        result = fit(train, val, categories, cfg, callbacks, resume)
    cpu_s = time.process_time() - cpu_start  # CPU time of all threads: how much of the machine training got
    skipped = tuple(sorted(reporter.skipped))
    if result.steps == 0:
        return Finished(None, None, True, 0, 0.0, 0.0, 0, QT_TRANSLATE_NOOP("Training", "Stopped before the first step; nothing was saved."), skipped)
    metrics = result.report.as_dict() if result.report else None
    if metrics is not None:
        metrics.update(best_step=result.best_step)
    card = new_card(job.base_model, result.spec.to_dict(), plan.classes, metrics, {
        "images": sorted(set(plan.train) - set(reporter.skipped)),
        "validation_images": sorted(set(plan.val) - set(reporter.skipped)),
        "skipped": reporter.skipped, "init": result.spec.init, "init_file": result.spec.init_file,
        "budget": {"minutes": minutes, "epochs": job.epochs, "steps": job.steps},
        "steps": result.steps, "epochs": round(result.epochs, 3), "seconds": round(result.seconds, 1),
        "cpu_seconds_this_run": round(cpu_s, 1),
        "device": result.device, "threads": threads, "batch_size": job.batch_size,
        "val_fraction": job.val_fraction, "cancelled": reporter.cancelled,
    })  # fmt: skip
    from inference.training.checkpoint import state_dict_bytes

    info = save_project_model(store, name, state_dict_bytes(result.best_state), card)
    message = finished_message(info.address, result.steps, result.epochs, metrics, reporter.cancelled)
    return Finished(info.address, metrics, reporter.cancelled, result.steps, result.epochs, result.seconds,
                    result.best_step, message, skipped)  # fmt: skip


def finished_message(address: str, steps: int, epochs: float, metrics: dict | None, cancelled: bool) -> Text:
    """The one-line summary of a run that saved model `address` (Finished.message)."""
    ap = (QT_TRANSLATE_NOOP("Training", "validation mask AP50 {ap50:.3f}").format(ap50=metrics["AP50"]) if metrics
          else QT_TRANSLATE_NOOP("Training", "no validation images"))
    if cancelled:
        message = QT_TRANSLATE_NOOP("Training", "Training cancelled; the best weights so far were saved as {model} ({steps} steps, "
                                    "{epochs:.1f} epochs, {validation}).")
    else:
        message = QT_TRANSLATE_NOOP("Training", "Training finished as {model} ({steps} steps, {epochs:.1f} epochs, {validation}).")
    return message.format(model=address, steps=steps, epochs=epochs, validation=ap)


def _describe(exc: BaseException) -> Failed:
    if isinstance(exc, (TrainingError, ProjectModelError, StoreError, InferenceError)):
        return Failed(text_of(exc) or str(exc))
    if isinstance(exc, MemoryError):
        return Failed(QT_TRANSLATE_NOOP("Training", "Training ran out of memory. Try the small model, a smaller image size or a smaller batch; "
                                        "the last checkpoint is kept."))  # fmt: skip
    # imports torch: only for errors beyond the ones above
    from inference.device import is_out_of_memory

    if is_out_of_memory(exc):
        return Failed(QT_TRANSLATE_NOOP("Training", "The GPU ran out of memory. Try a smaller batch or image size, or train on the CPU; "
                                        "the last checkpoint is kept."), traceback.format_exc())  # fmt: skip
    if isinstance(exc, ValueError):
        return Failed(str(exc), traceback.format_exc())
    if isinstance(exc, OSError):
        detail = f"{exc.strerror or exc} {exc.filename or ''}".strip()
        return Failed(QT_TRANSLATE_NOOP("Training", "Training stopped: {error}").format(error=detail), traceback.format_exc())
    return Failed(QT_TRANSLATE_NOOP("Training", "Training stopped because of an unexpected error: {error}").format(error=repr(exc)), traceback.format_exc())


def run_job(job: TrainingJob, emit: Callable[[Message], None], should_stop: Callable[[], bool] = lambda: False) -> Message:
    """Run `job`, sending every message to `emit`; returns (and emits) the final Finished or
    Failed. should_stop() -> True cancels: the best weights so far are saved."""
    try:
        final = _train(job, emit, should_stop)
    except Exception as exc:  # every failure (MemoryError too) is reported, none escapes
        final = _describe(exc)
    emit(final)
    return final
