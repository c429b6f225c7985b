"""maskpilot-train FOLDER [--model small|maskrcnn_v1|maskrcnn_v2] [--from WEIGHTS] [--device auto]
[--minutes N | --epochs N] [--val 0.2] [--name NAME] [--resume] [--threads N] [--batch 4]
[--image-size N] [--score 0.5]

Trains an instance model on the project's images marked done and saves it into the project as
`project:<NAME>` (`.maskpilot/models/<NAME>.pth` + `.json`), which `maskpilot-label --model
project:<NAME>` and the app's AI panel then use. Training runs in a child process (as in the
app); this command prints its progress (epoch, images/s, loss, validation AP50, ETA) and, at the
end, the validation metrics per class.

Ctrl-C stops training cleanly: the best weights so far are saved, and `--resume` continues the
run later (the budget counts over resumed runs). Exit status: 0 done, 1 error, 2 bad
arguments, 130 stopped with Ctrl-C (the best model so far saved).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from app.ai.domain.project_models import ProjectModelError, check_name
from app.cli.common import (
    CliError,
    ProgressLine,
    StopOnInterrupt,
    add_project_arguments,
    print_error,
)
from app.formats.store import StoreError
from app.training.domain.dataset import TrainingError, plan_for
from app.training.domain.messages import (
    Failed,
    Finished,
    Note,
    Progress,
    Skipped,
    Started,
    TrainingJob,
    Validation,
    default_threads,
)
from app.training.domain.runner import TrainingRun

BASE_MODELS = ("small", "maskrcnn_v1", "maskrcnn_v2")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="maskpilot-train", description="Train an instance model on the project's done images."
    )
    add_project_arguments(parser)
    parser.add_argument("--model", "-m", choices=BASE_MODELS, default="small",
                        help="base model (small: from scratch, minutes on a CPU; maskrcnn_v1/v2: "
                             "torchvision Mask R-CNN from COCO or ImageNet weights)")  # fmt: skip
    parser.add_argument("--from", dest="weights", type=Path, metavar="WEIGHTS",
                        help="starting weights of a Mask R-CNN base: the official COCO file or ImageNet "
                             "ResNet-50 weights (default: looked for in the weights folders)")  # fmt: skip
    parser.add_argument("--device", default="auto", help="auto, cpu, cuda, cuda:N or mps (auto)")
    budget = parser.add_mutually_exclusive_group()
    budget.add_argument("--minutes", type=float, help="training time (default 5)")
    budget.add_argument("--epochs", type=float, help="passes over the training images")
    budget.add_argument("--steps", type=int, help=argparse.SUPPRESS)  # tests and benchmarks
    parser.add_argument("--val", type=float, default=0.2, help="share of done images for validation (0.2)")
    parser.add_argument("--name", help="project model name (default: the base model's name)")
    parser.add_argument("--resume", action="store_true", help="continue the model's last checkpoint")
    parser.add_argument("--threads", type=int, help=f"CPU threads for training (default {default_threads()})")
    parser.add_argument("--batch", type=int, default=4, help="images per step (4)")
    parser.add_argument("--image-size", type=int, help="longest image side the network sees "
                                                       "(default: small 128, Mask R-CNN 800)")  # fmt: skip
    parser.add_argument("--score", type=float, default=0.5,
                        help="score threshold of the per-class precision/recall (0.5)")  # fmt: skip
    return parser


def _clock(seconds: float | None) -> str:
    if seconds is None:
        return "--:--"
    s = int(round(seconds))
    return f"{s // 3600}:{s // 60 % 60:02d}:{s % 60:02d}" if s >= 3600 else f"{s // 60}:{s % 60:02d}"


def metrics_table(metrics: dict[str, Any]) -> str:
    """The final metrics as a text table: one row per class, then the overall AP figures."""
    thr = metrics.get("score_threshold", 0.5)
    rows = [f"{'class':<20} {'AP50':>6} {'precision':>9} {'recall':>7} {'objects':>7}   (precision/recall at score {thr:g})"]

    def num(v: float | None, width: int) -> str:
        return f"{v:>{width}.3f}" if v is not None else f"{'-':>{width}}"

    for c in metrics.get("classes", []):
        rows.append(f"{c['name'][:20]:<20} {num(c['ap50'], 6)} {num(c['precision'], 9)} {num(c['recall'], 7)} "
                    f"{c['ground_truth']:>7}")  # fmt: skip
    rows.append(f"mask AP {metrics['AP']:.3f}   AP50 {metrics['AP50']:.3f}   AP75 {metrics['AP75']:.3f}")
    return "\n".join(rows)


class _Printer:
    """Turns run messages into lines on stderr (progress) and stdout (the result)."""

    def __init__(self, quiet: bool) -> None:
        self.line = ProgressLine(quiet, interval_s=0.5)
        self.quiet = quiet
        self.ap50: float | None = None
        self.best: float | None = None

    def __call__(self, message: Any) -> None:
        if isinstance(message, Started):
            self.line.close()
            resumed = f", resuming at step {message.resumed_step}" if message.resumed_step else ""
            print(f"training project:{message.name}: {message.base_model} ({message.init}) on {message.device} "
                  f"with {message.threads} thread(s); {message.train_images} training / {message.val_images} "
                  f"validation images; classes {', '.join(n for _, n in message.classes)}{resumed}",
                  file=sys.stderr)  # fmt: skip
            for note in message.notes:
                print(f"note: {note}", file=sys.stderr)
        elif isinstance(message, Progress):
            val = f" | val AP50 {self.ap50:.3f} (best {self.best:.3f})" if self.ap50 is not None else ""
            self.line.show(f"epoch {message.epoch:.1f} | step {message.step} | {message.images_per_s:.1f} img/s | "
                           f"loss {message.loss:.3f}{val} | ETA {_clock(message.eta_s)}")  # fmt: skip
        elif isinstance(message, Validation):
            self.ap50 = message.ap50
            self.best = max(self.best or 0.0, message.ap50)
        elif isinstance(message, (Skipped, Note)):
            self.line.close()
            text = f"skipped {message.image}: {message.reason}" if isinstance(message, Skipped) else message.message
            print(f"warning: {text}", file=sys.stderr)
        elif isinstance(message, (Finished, Failed)):
            self.line.close()


def job_from_args(args: argparse.Namespace) -> TrainingJob:
    if args.weights is not None and not args.weights.is_file():
        raise CliError(f"--from {args.weights}: file not found")
    if args.weights is not None and args.model == "small":
        raise CliError("--from is for the Mask R-CNN models; the small model trains from scratch")
    for flag, value in (("--threads", args.threads), ("--batch", args.batch), ("--image-size", args.image_size)):
        if value is not None and value < 1:
            raise CliError(f"{flag} must be at least 1")
    if not args.folder.is_dir():
        raise CliError(f"{args.folder} is not a folder")
    return TrainingJob(
        folder=str(args.folder), name=args.name or args.model, base_model=args.model,
        store_dir=str(args.store) if args.store else None, weights=str(args.weights) if args.weights else None,
        device=args.device, minutes=args.minutes, epochs=args.epochs, steps=args.steps, val_fraction=args.val,
        resume=args.resume, threads=args.threads, batch_size=args.batch, image_size=args.image_size,
        score_threshold=args.score, recursive=args.recursive,
    )  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        job = job_from_args(args)
        check_name(job.name)
        plan_for(job.folder, job.store_dir, job.val_fraction, job.recursive)  # refuse at once, not in a process
    except (CliError, TrainingError, ProjectModelError, StoreError) as exc:
        return print_error(exc)
    printer = _Printer(args.quiet)
    run = TrainingRun(job)
    with StopOnInterrupt() as stop:
        run.start()
        try:
            cancelled = False
            while not run.finished:
                for message in run.wait_messages(0.2):
                    printer(message)
                if stop() and not cancelled:
                    cancelled = True
                    printer.line.close()
                    print("stopping: saving the best weights so far (Ctrl-C again to abort)", file=sys.stderr)
                    run.cancel()
        except KeyboardInterrupt:  # a second Ctrl-C: leave now, the checkpoint on disk stays
            run.close(grace_s=0.0)
            print("aborted; the last checkpoint is kept (--resume continues from it)", file=sys.stderr)
            return 130
    result = run.result
    if isinstance(result, Failed):
        return print_error(CliError(result.message))
    assert isinstance(result, Finished)
    if result.metrics:
        print(metrics_table(result.metrics))
    print(result.message)
    return 130 if result.cancelled else 0


if __name__ == "__main__":
    raise SystemExit(main())
