"""maskpilot-embed: compute the image embeddings of an interactive model (SAM) for a whole folder
ahead of time, into the project's `.maskpilot/embeddings/<model>/`, where the app's Interactive AI
tool finds them: clicking on any image of the folder then needs no encoder run.

Images already embedded (for the file as it is now) are skipped, so a stopped run continues
where it left off; an unreadable image is listed and skipped.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import inference
from app.ai.domain.prompts import engine_for
from app.cli.common import (
    CliError,
    Progress,
    StopOnInterrupt,
    add_project_arguments,
    open_project,
    print_error,
    select_images,
)
from app.formats.image_io import ImageLoadError, read_image
from app.formats.store import StoreError
from inference.weights import search_folders


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="maskpilot-embed", description="Precompute interactive-model (SAM) embeddings of an image folder."
    )
    add_project_arguments(parser)
    interactive = [i.name for i in inference.list_models() if i.kind == "interactive"]
    parser.add_argument("--model", default="sam_vit_b", choices=interactive or None,
                        help="the interactive model (sam_vit_b)")
    parser.add_argument("--weights", type=Path, help="its weights file (default: found in the weights folders)")
    parser.add_argument("--device", default="auto", help="auto, cpu, cuda, cuda:N or mps (auto)")
    parser.add_argument("--images", nargs="+", help="only these images (paths relative to FOLDER)")
    parser.add_argument("--random-init", action="store_true", help=argparse.SUPPRESS)  # tests and demos
    cluster = parser.add_argument_group("Ray cluster (pip install maskpilot[cluster]; see docs/cluster.md)")
    cluster.add_argument("--ray", nargs="?", const="", metavar="ADDRESS",
                         help="encode on a Ray cluster (as maskpilot-label --ray): RAY_ADDRESS or local when bare, "
                              "auto, ray://HOST:10001, HOST:PORT or local")  # fmt: skip
    cluster.add_argument("--ray-actors", type=int, metavar="N", help="encoder actors (default: one per GPU)")
    cluster.add_argument("--ray-batch", type=int, metavar="N", help="images per actor call (4)")
    return parser


def interactive_weights(args: argparse.Namespace) -> Path | None:
    """The weights file of --model (None with --random-init and none found); CliError when the
    model is not interactive or has no weights. The local and the --ray path both ask this."""
    info = inference.get_model_info(args.model)
    if info.kind != "interactive":
        raise CliError(f"{args.model} is a {info.kind} model; --model needs an interactive model")
    if args.weights is not None and not args.weights.is_file():
        raise CliError(f"weights file not found: {args.weights}")
    weights = args.weights or inference.find_weights(info.weights_files)
    if weights is None and not args.random_init:
        raise CliError(
            f"no weights for {args.model}: put {' or '.join(info.weights_files)} in a weights folder "
            f"({', '.join(str(f) for f in search_folders())}) or pass --weights FILE"
        )
    return weights


def run(args: argparse.Namespace, stop: StopOnInterrupt) -> tuple[int, int, list[str], bool]:
    """Returns (images encoded, images already cached, unreadable images, stopped)."""
    if getattr(args, "ray", None) is not None:  # imported here: ray is never loaded otherwise
        from app.cli import cluster_embed

        return cluster_embed.run(args, stop)
    project = open_project(args)
    weights = interactive_weights(args)
    engine = engine_for(args.model, str(weights) if weights else None, args.device, project.store.root, args.random_init)
    images = select_images(project, args.images)
    progress = Progress("embedding", args.quiet)
    encoded = cached = 0
    bad: list[str] = []
    try:
        for k, rel in enumerate(images):
            if stop():
                return encoded, cached, bad, True
            path = project.folder / rel
            key = engine.key(rel, str(path))
            if engine.has_embedding(key):
                cached += 1
            else:
                try:
                    engine.embed(key, lambda p=path: read_image(p).rgb)
                    encoded += 1
                except (ImageLoadError, OSError) as exc:
                    bad.append(f"{rel}: {exc}")
            progress(k + 1, len(images))
    finally:
        progress.close()
    return encoded, cached, bad, False


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        with StopOnInterrupt() as stop:
            encoded, cached, bad, stopped = run(args, stop)
    except KeyboardInterrupt:
        print("stopped", file=sys.stderr)
        return 130
    except (CliError, StoreError, inference.InferenceError, OSError) as exc:
        return print_error(exc)
    for line in bad:
        print(f"warning: unreadable image skipped: {line}", file=sys.stderr)
    summary = f"{encoded} image(s) embedded, {cached} already cached"
    if stopped:
        print(f"stopped: {summary}; run again to continue", file=sys.stderr)
        return 130
    print(summary)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
