"""maskpilot-label FOLDER --model NAME [--weights PATH | --download] [--score 0.3]
[--device auto|cuda|cpu] [--batch 4] [--workers N] [--semantic NAME] [--out results.json] [--redo]
maskpilot-label --list-models

Runs an instance model over an image folder and writes its detections as SUGGESTED instances
into the folder's project store, where the app shows them for review. Resumable: an image whose
label file records a run of the model (`ai_runs`) is skipped unless --redo. A loader thread
decodes the next images while worker threads run the model (app/cli/label_workers.py), and glibc
keeps freed memory for the next image instead of unmapping it (inference.reuse_freed_memory).

--semantic NAME also runs a semantic model and writes each class map as a PNG (VOC palette for
ids < 256, else 16-bit gray) to `<store>/semantic/<model>/<image rel path>.png`, atomically.
--out writes COCO results (RLE masks) of the images predicted in this run; image ids are those
`maskpilot-export --format coco` gives the images (ids kept from an imported file, the others
numbered above them in the project's image order).

Weights are looked for in the weights folders (inference.weights); without them the error says
how to get them: --download fetches the official file into the user weights folder, --weights
names a file. --list-models lists the models with the weights file found for each.

Exit status: 0 done, 1 error, 2 bad arguments, 130 stopped with Ctrl-C (finished images kept,
nothing half-written).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any, TextIO

import cv2
import numpy as np

import inference
from app.ai.domain.suggestions import class_mapping, write_prediction
from app.cli.common import (
    CliError,
    ProgressLine,
    StopOnInterrupt,
    add_project_arguments,
    open_project,
    print_error,
    select_images,
)
from app.cli.label_workers import plan_workers, run_pipeline
from app.cli.model_choice import (
    InstanceModelChoices,
    is_project_model,
    load_project_predictor,
    project_models_text,
)
from app.formats.atomic import write_bytes_atomic, write_json_atomic
from app.formats.ids import project_image_ids
from app.formats.png_masks import encode_palette_png
from app.formats.store import ProjectStore, StoreError
from inference import reuse_freed_memory, torch_threads
from inference.weights import weights_dir


def model_names(kind: str) -> list[str]:
    """Registered models of one kind ("instance", "semantic"); other kinds are not offered."""
    return [m.name for m in inference.list_models() if m.kind == kind]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="maskpilot-label", description="Pre-label an image folder with a model."
    )
    add_project_arguments(parser, folder_required=False)
    parser.add_argument(
        "--model", "-m", choices=InstanceModelChoices(), metavar="NAME",
        help="instance model: " + ", ".join(model_names("instance"))
        + ", or project:NAME for a model trained in the project (--list-models FOLDER shows them and the weights)",
    )  # fmt: skip
    parser.add_argument("--list-models", action="store_true", help="list the models and their weights files, then exit")
    source = parser.add_mutually_exclusive_group()
    source.add_argument(
        "--weights", type=Path, help="weights file of --model (default: search the weights folders)"
    )
    source.add_argument(
        "--download", action="store_true",
        help="download the official weights file into the weights folder when it is not there",
    )  # fmt: skip
    parser.add_argument(
        "--score", type=float, default=0.3, help="keep detections with score > this (0.3)"
    )
    parser.add_argument("--max-detections", type=int, default=100, help="per image (100)")
    parser.add_argument("--device", default="auto", help="auto, cpu, cuda, cuda:N or mps (auto)")
    parser.add_argument("--batch", type=int, default=4,
                        help="images at a time (4): one forward pass on a GPU; on the CPU side by side, "
                             "one per core")  # fmt: skip
    parser.add_argument(
        "--workers",
        type=int,
        help="model threads (default: 1 on a GPU, min(batch, cores) on the CPU)",
    )
    parser.add_argument(
        "--semantic", metavar="NAME", choices=model_names("semantic"),
        help="also run this semantic model (" + ", ".join(model_names("semantic")) + "); class maps as PNG",
    )  # fmt: skip
    parser.add_argument("--semantic-weights", type=Path, help="weights file of --semantic")
    parser.add_argument("--out", "-o", type=Path, help="also write COCO results JSON of this run")
    parser.add_argument(
        "--images", nargs="+", metavar="REL", help="only these images (paths relative to FOLDER)"
    )
    parser.add_argument(
        "--redo", action="store_true", help="predict again images the model already did"
    )
    parser.add_argument(
        "--add-classes", action="store_true", help="add model classes missing from the project"
    )
    parser.add_argument(
        "--random-init",
        action="store_true",
        help="random weights, no weights file (for testing and benchmarking only)",
    )
    cluster = parser.add_argument_group("Ray cluster (pip install maskpilot[cluster]; see docs/cluster.md)")
    cluster.add_argument(
        "--ray", nargs="?", const="", metavar="ADDRESS",
        help="run as a Ray Data pipeline: bare --ray joins RAY_ADDRESS or the cluster `ray start` left here "
             "(else starts a local one); auto, ray://HOST:10001, HOST:PORT or local",
    )  # fmt: skip
    cluster.add_argument("--ray-actors", type=int, metavar="N",
                         help="model actors (default: one per GPU; CPU only: one per 4 cores)")  # fmt: skip
    cluster.add_argument("--ray-batch", type=int, metavar="N",
                         help="images per actor call (default: 2 x --batch, at least 4)")  # fmt: skip
    cluster.add_argument("--ray-gather", action="store_true",
                         help="workers cannot reach FOLDER: the driver ships the images and writes the results")  # fmt: skip
    return parser


class RateProgress(ProgressLine):
    """done/total, a bar, images/s and the ETA as a ProgressLine (rewritten in place on a
    terminal, one line per update, each ending in a newline, elsewhere)."""

    def __init__(self, total: int, quiet: bool = False, stream: TextIO | None = None) -> None:
        super().__init__(quiet, stream, interval_s=0.2)
        self.total = total
        self.start = time.monotonic()

    def update(self, done: int) -> None:
        now = time.monotonic()
        rate = done / max(now - self.start, 1e-9)
        eta = (self.total - done) / rate if rate > 0 else 0.0
        filled = int(20 * done / max(self.total, 1))
        self.show(
            f"labeling {done}/{self.total} [{'#' * filled}{'.' * (20 - filled)}] "
            f"{rate:.2f} img/s ETA {int(eta // 60)}:{int(eta % 60):02d}",
            final=done >= self.total,
        )


def list_models_text(store: ProjectStore | None = None) -> str:
    """One line per model (the project's own models first, when `store` is given; then
    instance models): name, kind, weights file found or how to get it."""
    lines = project_models_text(store) if store is not None else []
    for kind in ("instance", "semantic"):
        for info in inference.list_models():
            if info.kind != kind:
                continue
            found = inference.find_weights(info.weights_files)
            where = str(found) if found else f"missing: {', '.join(info.weights_files)}"
            lines.append(f"{info.name:<26} {kind:<9} {where}")
    lines.append(f"Weights folder: {weights_dir()} (also searched: torch's cache). Get a missing file with "
                 "--download, or pass --weights PATH.")  # fmt: skip
    return "\n".join(lines)


def weights_hint(name: str, weights_flag: str = "--weights") -> str:
    """How to get the weights of model `name` (`weights_flag` names a file for it)."""
    info = inference.get_model_info(name)
    if info.download_url:
        return (f"Get them with --download, which fetches {info.download_url} into {weights_dir()}, "
                f"or pass {weights_flag} PATH to a file you have.")
    return f"Put {', '.join(info.weights_files)} into {weights_dir()}, or pass {weights_flag} PATH."


def already_done(store: ProjectStore, rel: str, model: str) -> bool:
    """Whether the label file of `rel` records a run of `model` (read as plain JSON: no masks
    are decoded, so checking 10,000 images stays cheap)."""
    try:
        data = json.loads(store.label_path(rel).read_bytes())
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and model in (data.get("ai_runs") or {})


def semantic_png_path(store: ProjectStore, model: str, rel: str) -> Path:
    """Where the class map of image `rel` from semantic `model` is kept."""
    return store.root / "semantic" / model / f"{rel}.png"


def write_class_map(path: Path, class_map: np.ndarray) -> None:
    """Atomically write an (H, W) class map: a VOC-palette PNG when ids fit in uint8, else 16-bit."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if class_map.dtype == np.uint8:
        data = encode_palette_png(class_map)
    else:
        if int(class_map.max(initial=0)) > 65535:
            raise ValueError("class ids above 65535 cannot be stored in a PNG")
        ok, buf = cv2.imencode(".png", class_map.astype(np.uint16))
        if not ok:
            raise OSError(f"could not encode {path.name}")
        data = buf.tobytes()
    write_bytes_atomic(path, data)


def _load_predictor(name: str, weights: Path | None, args: argparse.Namespace, kind: str) -> Any:
    if kind == "instance" and is_project_model(name):
        return load_project_predictor(args, name)
    info = inference.get_model_info(name)
    flag, weights_flag = ("--model", "--weights") if kind == "instance" else ("--semantic", "--semantic-weights")
    if info.kind != kind:
        raise CliError(f"{name} is a {info.kind} model; {flag} needs an {kind} model")
    if weights is not None and not weights.exists() and weights.parent != Path("."):
        raise CliError(f"{weights_flag} {weights}: file not found")  # a bare name is searched for instead
    options: dict[str, Any] = {}
    if args.download and weights is None and not args.random_init:
        bar = ProgressLine(args.quiet, interval_s=0.5)
        options = {"download": True, "download_progress": lambda done, total: bar.show(
            f"downloading {name} weights: {done / 1e6:.1f}" + (f"/{total / 1e6:.1f} MB" if total > 0 else " MB"),
            final=done == total)}
    try:
        return inference.load_model(
            name, weights=weights, device=args.device, random_init=args.random_init and weights is None,
            batch_size=args.batch, **options,
        )  # fmt: skip
    except inference.WeightsNotFoundError as exc:
        raise CliError(f"{exc}\n{weights_hint(name, weights_flag)}") from exc
    finally:
        if options:
            bar.close()


def check_counts(args: argparse.Namespace) -> None:
    """--batch and --workers are at least 1 (CliError otherwise); the --ray path checks them too."""
    if args.batch < 1:
        raise CliError("--batch must be at least 1")
    if args.workers is not None and args.workers < 1:
        raise CliError("--workers must be at least 1")


def run(args: argparse.Namespace, stop: StopOnInterrupt) -> tuple[int, int, list[str], bool]:
    """Label the project; returns (predicted images, suggestions, unreadable images, stopped)."""
    if getattr(args, "ray", None) is not None:  # imported here: ray is never loaded otherwise
        from app.cli import cluster

        return cluster.run(args, stop)
    check_counts(args)
    project = open_project(args)
    images = select_images(project, args.images)
    image_ids = project_image_ids(project.store, project.images) if args.out is not None else {}
    predictor = _load_predictor(args.model, args.weights, args, "instance")
    semantic = (
        _load_predictor(args.semantic, args.semantic_weights, args, "semantic")
        if args.semantic
        else None
    )
    mapping, unmapped = class_mapping(
        predictor.categories, project.labels, add_missing=args.add_classes
    )
    if unmapped and args.add_classes:
        project.store.save_project(project.labels, project.meta.settings)
        print(
            f"added {len(unmapped)} class(es) to the project: {', '.join(unmapped)}",
            file=sys.stderr,
        )
    elif unmapped:
        shown = ", ".join(unmapped[:8]) + (" ..." if len(unmapped) > 8 else "")
        print(f"warning: {len(unmapped)} model class(es) are not project classes and are skipped "
              f"({shown}); --add-classes adds them", file=sys.stderr)  # fmt: skip
    if not mapping:
        raise CliError(
            f"none of {args.model}'s classes is a class of this project (use --add-classes)"
        )

    def done(rel: str) -> bool:
        if not already_done(project.store, rel, args.model):
            return False
        return semantic is None or semantic_png_path(project.store, args.semantic, rel).exists()

    todo = images if args.redo else [rel for rel in images if not done(rel)]
    if len(todo) < len(images):
        print(f"{len(images) - len(todo)} image(s) already done by {args.model} (skipped; --redo to redo)",
              file=sys.stderr)  # fmt: skip
    plan = plan_workers(predictor.device.type, args.batch, args.workers)
    predictor.batch_size = plan.images_per_pass
    if semantic is not None:
        semantic.batch_size = plan.images_per_pass
    results: list[tuple[int, dict[str, Any]]] = []
    bad: list[str] = []
    count = suggestions = 0
    progress = RateProgress(len(todo), args.quiet)

    def predict(rgb: list[np.ndarray]) -> list[tuple[Any, Any]]:
        preds = predictor.predict(
            rgb, score_threshold=args.score, max_detections=args.max_detections
        )
        sems = semantic.predict(rgb) if semantic is not None else [None] * len(rgb)
        return list(zip(preds, sems, strict=True))

    def save(rel: str, result: tuple[Any, Any]) -> None:
        nonlocal count, suggestions
        pred, sem = result
        if sem is not None:
            write_class_map(semantic_png_path(project.store, args.semantic, rel), sem.class_map)
        # the label file is written last: it is what marks the image as done
        suggestions += write_prediction(project.store, rel, pred, mapping, args.score)
        if args.out is not None:
            results.extend((image_ids[rel], r) for r in pred.to_coco_results(image_ids[rel]))
        count += 1
        progress.update(count + len(bad))

    def skip(rel: str, error: Exception) -> None:
        bad.append(f"{rel}: {error}")
        progress.update(count + len(bad))

    stopped = False
    try:
        with torch_threads(plan.torch_threads):
            stopped = run_pipeline(project.folder, todo, predict, plan, stop, save, skip)
    except KeyboardInterrupt:
        stopped = True
    finally:
        progress.close()
        if args.out is not None and (count or not stopped):
            # workers finish out of order; the file lists images in project order
            write_json_atomic(args.out, [r for _, r in sorted(results, key=lambda item: item[0])])
    return count, suggestions, bad, stopped


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.list_models:
        print(list_models_text(ProjectStore(args.folder, args.store) if args.folder else None))
        return 0
    if args.folder is None or args.model is None:
        parser.error("FOLDER and --model are required (or --list-models)")
    try:
        # from the start, so that every thread the run starts shares the one reused heap
        with StopOnInterrupt() as stop, reuse_freed_memory():
            count, suggestions, bad, stopped = run(args, stop)
    except KeyboardInterrupt:  # during model loading: nothing was written yet
        print("stopped before any image was labeled", file=sys.stderr)
        return 130
    except (CliError, StoreError, inference.InferenceError, OSError) as exc:
        return print_error(exc)
    for line in bad[:30]:
        print(f"warning: unreadable image skipped: {line}", file=sys.stderr)
    if len(bad) > 30:
        print(f"warning: ... and {len(bad) - 30} more unreadable images", file=sys.stderr)
    summary = f"{count} image(s) labeled, {suggestions} suggestion(s) written"
    if bad:
        summary += f", {len(bad)} unreadable image(s) skipped"
    if stopped:
        print(
            f"stopped: {summary}; finished images are kept, run again to continue", file=sys.stderr
        )
        return 130
    print(summary)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
