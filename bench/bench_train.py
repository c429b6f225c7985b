"""Training speed of the project-model base models, time to a useful model, and how late a
parent process's 50 ms timer runs while a training process works.

Prints JSON objects, one per line:
- {"bench": "train_images_per_s", "model": ..., "device": ..., "image_size": ..., ...}: training
  images/s of each base model (small: the 128 px recipe; Mask R-CNN v1/v2 from random weights at
  a small image size: timing does not depend on the weights' values), a few steps after warm-up;
- {"bench": "seconds_to_ap50", ...}: a training job (in-process `run_job`) on a generated project
  of 40 done images (small model, 2 threads by default), the seconds from the job's start to the
  first validation with mask AP50 >= 0.8, and the validation curve;
- {"bench": "parent_timer_lateness", ...}: a training process started with the runner while the
  parent polls it every 50 ms, as the GUI's QTimer does: p50/p95/max lateness of those ticks.
  (The Qt dialog's own timer figure belongs to the dialog's benchmark.)

With CUDA present, the images/s rows are repeated on the GPU (mixed precision).

Usage: python bench/bench_train.py [--quick] [--threads N] [--minutes 5] [--skip-ap] [--skip-timer]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from app.training.domain.runner import brief_openmp_waits  # noqa: E402 - torch is not imported yet

brief_openmp_waits()  # as in the training process


def _emit(row: dict[str, Any]) -> None:
    print(json.dumps(row), flush=True)


def images_per_s(base: str, device: str, image_size: int, steps: int, warmup: int, batch: int) -> dict[str, Any]:
    import torch

    from inference.training.data import DetectionDataset, SyntheticScenes
    from inference.training.models import build_for_training
    from inference.training.train import TrainConfig, Trainer

    torch.manual_seed(0)
    model, spec = build_for_training(base, 4, image_size=image_size, search=False)
    data = DetectionDataset(SyntheticScenes(10_000, seed=3, size=(image_size, image_size)))
    trainer = Trainer(model, data, TrainConfig(max_steps=warmup, batch_size=batch), device)
    trainer.run()
    if device.startswith("cuda"):
        torch.cuda.synchronize()
    trainer = Trainer(model, data, TrainConfig(max_steps=warmup + steps, batch_size=batch), device, trainer.snapshot())
    start = time.perf_counter()
    result = trainer.run()
    if device.startswith("cuda"):
        torch.cuda.synchronize()
    seconds = time.perf_counter() - start
    return {
        "bench": "train_images_per_s", "model": base, "init": spec.init, "device": device,
        "image_size": image_size, "batch": batch, "steps": result.steps, "threads": torch.get_num_threads(),
        "images_per_s": round(result.steps * batch / seconds, 2), "seconds_per_step": round(seconds / result.steps, 3),
        "amp": device.startswith("cuda"),
    }  # fmt: skip


def seconds_to_ap50(minutes: float, threads: int, target: float = 0.8) -> dict[str, Any]:
    from app.training.domain.job import run_job
    from app.training.domain.messages import Finished, Started, TrainingJob, Validation
    from tests.training.projects import make_project

    with tempfile.TemporaryDirectory() as tmp:
        project = make_project(Path(tmp) / "shapes", done=40, seed=7)
        t0 = time.perf_counter()
        curve: list[tuple[float, int, float]] = []
        started: list[float] = []

        def emit(message: Any) -> None:
            now = time.perf_counter() - t0
            if isinstance(message, Started):
                started.append(now)
            elif isinstance(message, Validation):
                curve.append((round(now - (started[0] if started else 0.0), 1), message.step, round(message.ap50, 3)))

        job = TrainingJob(str(project.folder), name="bench", minutes=minutes, threads=threads, device="cpu",
                          validations=40)  # fmt: skip
        final = run_job(job, emit)
    reached = next((t for t, _, ap in curve if ap >= target), None)
    return {
        "bench": "seconds_to_ap50", "target_ap50": target, "model": "small", "threads": threads,
        "train_images": 32, "budget_minutes": minutes, "seconds_to_target": reached,
        "final_ap50": final.metrics["AP50"] if isinstance(final, Finished) and final.metrics else None,
        "steps": getattr(final, "steps", None), "curve_s_step_ap50": curve,
    }  # fmt: skip


def parent_timer_lateness(seconds: float) -> dict[str, Any]:
    from app.training.domain.messages import Progress, TrainingJob
    from app.training.domain.runner import TrainingRun
    from tests.training.projects import make_project

    with tempfile.TemporaryDirectory() as tmp:
        project = make_project(Path(tmp) / "shapes", done=12, seed=3)
        run = TrainingRun(TrainingJob(str(project.folder), name="timer", minutes=seconds / 60 + 1, device="cpu"))
        run.start()
        late: list[float] = []
        period, training = 0.05, False
        next_tick = time.perf_counter() + period
        end = None
        while not run.finished:
            time.sleep(max(next_tick - time.perf_counter(), 0.0))
            now = time.perf_counter()
            if training:
                late.append((now - next_tick) * 1000)
            next_tick += period
            if any(isinstance(m, Progress) for m in run.poll()) and not training:
                training, end = True, now + seconds
            if end is not None and now >= end:
                run.close()
        arr = np.array(late or [0.0])
        threads = run.job.threads
    return {
        "bench": "parent_timer_lateness", "period_ms": 50, "ticks": len(late), "threads": threads or "default",
        "p50_ms": round(float(np.percentile(arr, 50)), 2), "p95_ms": round(float(np.percentile(arr, 95)), 2),
        "max_ms": round(float(arr.max()), 2),
    }  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="fewer steps, no v2, 2-minute AP run")
    parser.add_argument("--threads", type=int, default=2, help="torch threads for the CPU figures (2)")
    parser.add_argument("--minutes", type=float, default=5.0, help="budget of the AP50 run (5)")
    parser.add_argument("--skip-ap", action="store_true")
    parser.add_argument("--skip-timer", action="store_true")
    args = parser.parse_args()
    import torch

    torch.set_num_threads(args.threads)
    steps, warmup = (5, 2) if args.quick else (15, 3)
    plans = [("small", 128, steps, 4), ("maskrcnn_v1", 256, max(2, steps // 5), 2)]
    if not args.quick:
        plans.append(("maskrcnn_v2", 256, 3, 2))
    devices = ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])
    for device in devices:
        for base, size, n, batch in plans:
            if device == "cuda":
                n, size = n * 4, (size if base == "small" else 512)
            _emit(images_per_s(base, device, size, n, warmup if base == "small" else 1, batch))
    if not args.skip_ap:
        _emit(seconds_to_ap50(2.0 if args.quick else args.minutes, args.threads))
    if not args.skip_timer:
        _emit(parent_timer_lateness(10.0 if args.quick else 30.0))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
