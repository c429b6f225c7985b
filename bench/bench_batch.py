"""Images/s of the batch CLI (`maskpilot-label`: loader thread, worker plan, allocator setting)
against a plain loop that decodes, predicts one image at a time and writes each result to the
store, as a user's own script would.

Both write the same suggestions into a fresh project store of a generated folder. Random weights
(no download); a low score threshold keeps some detections so postprocessing and writes count.
Every measurement runs in its own process; `--ablation` adds the loop with the CLI's allocator
setting and the CLI with one worker, to show where the difference comes from. Prints one JSON
object. `--quick`: fewer, smaller images (the network still sees 800 px on the short side).

    python bench/bench_batch.py [--quick] [--ablation] [--repeats 2] [--model NAME] [--device cpu] [--batch 4]
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import inference  # noqa: E402
from app.ai.domain.suggestions import class_mapping, write_prediction  # noqa: E402
from app.cli import label  # noqa: E402
from app.cli.label_workers import available_cores, plan_workers  # noqa: E402
from app.core.categories import LabelSet  # noqa: E402
from app.formats.image_folder import list_images  # noqa: E402
from app.formats.image_io import read_image  # noqa: E402
from app.formats.store import ProjectStore  # noqa: E402
from inference.categories import COCO_CATEGORIES  # noqa: E402
from inference.synthetic import make_scene  # noqa: E402


def make_folder(root: Path, n: int, size: tuple[int, int]) -> Path:
    rng = np.random.default_rng(0)
    root.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        scene = make_scene(rng, size)
        ok, buf = cv2.imencode(".jpg", cv2.cvtColor(scene.image, cv2.COLOR_RGB2BGR))
        buf.tofile(str(root / f"img_{i:03d}.jpg"))
    ProjectStore(root).save_project(LabelSet.from_names([n for _, n in COCO_CATEGORIES]), {})
    return root


def plain_loop(folder: Path, predictor: inference.Predictor, score: float) -> float:
    store = ProjectStore(folder)
    mapping, _ = class_mapping(predictor.categories, store.load_project().labels)
    start = time.perf_counter()
    rels = list_images(folder)
    for rel in rels:
        img = read_image(folder / rel, pyramid=False).rgb
        (pred,) = predictor.predict([img], score_threshold=score)
        write_prediction(store, rel, pred, mapping, score)
    return len(rels) / (time.perf_counter() - start)


VARIANTS = {
    "loop": "plain loop: decode, predict one image, write; torch's default threads and malloc",
    "cli": "maskpilot-label with --batch N (its own plan: workers, threads, malloc)",
    "loop_reuse": "ablation: the plain loop inside inference.reuse_freed_memory()",
    "cli_one_worker": "ablation: maskpilot-label --workers 1 (one forward pass of N images)",
}


def measure(variant: str, args: argparse.Namespace, n: int, size: tuple[int, int], root: Path) -> dict:
    """One variant in this (fresh) process; images/s over the whole folder."""
    import contextlib

    import torch

    torch.manual_seed(0)
    predictor = inference.load_model(args.model, device=args.device, random_init=True, batch_size=1)
    folder = make_folder(root / variant, n, size)
    if variant.startswith("loop"):
        predictor.predict([np.zeros((size[0], size[1], 3), np.uint8)])  # warm-up, not timed
        reuse = inference.reuse_freed_memory() if variant == "loop_reuse" else contextlib.nullcontext()
        with reuse:
            ips = plain_loop(folder, predictor, args.score)
        rc = 0
    else:
        # The CLI path with this very model object (load_model is not timed in either path).
        def same_model(name: str, weights: object = None, device: str = "auto", **options: object):
            predictor.batch_size = int(options.get("batch_size", 1))  # type: ignore[arg-type]
            return predictor

        inference.load_model = same_model  # type: ignore[assignment]

        def cli(target: Path) -> int:
            argv = [str(target), "--model", args.model, "--batch", str(args.batch), "--score", str(args.score),
                    "--device", args.device, "-q", "--random-init"]  # fmt: skip
            return label.main(argv + (["--workers", "1"] if variant == "cli_one_worker" else []))

        # Warm-up, not timed: the CLI itself on one image, so its threads start as in a real run.
        cli(make_folder(root / "warm-up", 1, size))
        start = time.perf_counter()
        rc = cli(folder)
        ips = n / (time.perf_counter() - start)
    first = json.loads(ProjectStore(folder).label_path("img_000.jpg").read_text())["ai_runs"][args.model]["count"]
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return {"images_per_s": ips, "exit": rc, "suggestions_first_image": first,
            "peak_rss_mb": usage.ru_maxrss / 1024, "minor_faults": usage.ru_minflt}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--model", default="maskrcnn_resnet50_fpn")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--batch", type=int, default=4)
    parser.add_argument("--images", type=int, default=None)
    parser.add_argument("--repeats", type=int, default=2, help="alternating runs of each variant (median)")
    parser.add_argument("--ablation", action="store_true", help="also run " + ", ".join(list(VARIANTS)[2:]))
    parser.add_argument("--score", type=float, default=0.01)
    parser.add_argument("--variant", choices=list(VARIANTS), help=argparse.SUPPRESS)  # one child run
    args = parser.parse_args()
    n = args.images or (8 if args.quick else 24)
    size = (240, 320) if args.quick else (480, 640)
    if args.variant:
        tmp = Path(tempfile.mkdtemp(prefix="bench_batch_"))
        try:
            print(json.dumps(measure(args.variant, args, n, size, tmp)))
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        return
    # Each measurement runs in a fresh process, so neither path inherits the other's allocator
    # state or thread settings, and the variants alternate so drifting machine load hits all.
    variants = list(VARIANTS) if args.ablation else ["loop", "cli"]
    child = [sys.executable, __file__, *sys.argv[1:]]
    runs: dict[str, list[dict]] = {v: [] for v in variants}
    for _ in range(args.repeats):
        for variant in variants:
            out = subprocess.run([*child, "--variant", variant], check=True, capture_output=True, text=True).stdout
            runs[variant].append(json.loads(out.strip().splitlines()[-1]))
    ips = {v: statistics.median(r["images_per_s"] for r in rs) for v, rs in runs.items()}
    print(json.dumps({
        "model": args.model, "device": args.device, "images": n, "image_size": list(size),
        "batch": args.batch, "cores": available_cores(), "repeats": args.repeats,
        "images_per_s": {v: round(x, 3) for v, x in ips.items()},
        "all_runs_images_per_s": {v: [round(r["images_per_s"], 3) for r in rs] for v, rs in runs.items()},
        "speedup_cli_over_loop": round(ips["cli"] / ips["loop"], 3), "target_speedup": 1.3,
        "cli_plan": vars(plan_workers(args.device.split(":")[0], args.batch)),
        "suggestions_first_image": {v: rs[0]["suggestions_first_image"] for v, rs in runs.items()},
        "cli_exit": [r["exit"] for r in runs["cli"]],
        "peak_rss_mb": {v: round(max(r["peak_rss_mb"] for r in rs)) for v, rs in runs.items()},
        "minor_page_faults": {v: max(r["minor_faults"] for r in rs) for v, rs in runs.items()},
        "variants": {v: VARIANTS[v] for v in variants},
        "cpu": platform.processor() or platform.machine(),
    }, indent=2))  # fmt: skip


if __name__ == "__main__":
    main()
