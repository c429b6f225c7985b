"""Images/s of the batch CLI path (`maskpilot-label`: loader thread, batches) against a plain loop
that decodes, predicts one image at a time and writes each result to the store.

Both write the same suggestions into a fresh project store of a generated folder. Random weights
(no download); a low score threshold keeps some detections so postprocessing and writes count.
Prints one JSON object. `--quick`: fewer, smaller images.

    python bench/bench_batch.py [--quick] [--model NAME] [--device cpu] [--batch 4] [--threads N]
"""

from __future__ import annotations

import argparse
import json
import platform
import shutil
import sys
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import inference  # noqa: E402
from app.ai.suggestions import class_mapping, write_prediction  # noqa: E402
from app.cli import label  # noqa: E402
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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--model", default="maskrcnn_resnet50_fpn")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--batch", type=int, default=4)
    parser.add_argument("--images", type=int, default=None)
    parser.add_argument("--threads", type=int, default=None, help="torch CPU threads (default: torch's)")
    parser.add_argument("--score", type=float, default=0.01)
    args = parser.parse_args()
    import torch

    if args.threads:
        torch.set_num_threads(args.threads)
    n = args.images or (8 if args.quick else 24)
    size = (240, 320) if args.quick else (480, 640)
    tmp = Path(tempfile.mkdtemp(prefix="bench_batch_"))
    try:
        torch.manual_seed(0)
        predictor = inference.load_model(args.model, device=args.device, random_init=True, batch_size=1)
        predictor.predict([np.zeros((size[0], size[1], 3), np.uint8)])  # warm-up
        loop_folder = make_folder(tmp / "loop", n, size)
        loop_ips = plain_loop(loop_folder, predictor, args.score)

        # The CLI path with the very same model object (load_model is not timed in either path).
        def same_model(name: str, weights: object = None, device: str = "auto", **options: object):
            predictor.batch_size = int(options.get("batch_size", 1))  # type: ignore[arg-type]
            return predictor

        inference.load_model = same_model  # type: ignore[assignment]
        cli_folder = make_folder(tmp / "cli", n, size)
        argv = [str(cli_folder), "--model", args.model, "--batch", str(args.batch), "--score", str(args.score),
                "--device", args.device, "-q", "--random-init"]  # fmt: skip
        start = time.perf_counter()
        rc = label.main(argv)
        cli_ips = n / (time.perf_counter() - start)
        same = [json.loads(ProjectStore(f).label_path("img_000.jpg").read_text())["ai_runs"][args.model]["count"]
                for f in (loop_folder, cli_folder)]  # fmt: skip
        print(json.dumps({
            "model": args.model, "device": args.device, "images": n, "image_size": list(size),
            "batch": args.batch, "torch_threads": torch.get_num_threads(), "cli_exit": rc,
            "loop_images_per_s": round(loop_ips, 3), "cli_images_per_s": round(cli_ips, 3),
            "speedup": round(cli_ips / loop_ips, 3), "target_speedup": 1.3,
            "suggestions_first_image_loop_vs_cli": same,
            "cpu": platform.processor() or platform.machine(),
        }, indent=2))  # fmt: skip
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
