"""Inference speed of every registered model: pre-processing, forward and post-processing time
per image, and images/s at batch 1 and 4, on the CPU and (when present) on CUDA in fp32 and fp16.

Prints one JSON object per model and device, then a summary object with the two targets:
post-processing <= 10 % of forward time, and YOLACT-ResNet50 >= 3x the images/s of Mask R-CNN v2.

Real weights are used when found (see inference.weights); otherwise the model is randomly
initialized ("weights": "random-init") with its class scores and mask logits spread, so that
post-processing handles realistic numbers of detections (random heads score every class ~1/81).
Timing does not depend on the weights' values apart from the number of detections, reported as
"detections_per_image".

Usage: python bench/bench_inference.py [--quick] [--models a,b] [--size 550] [--threads N]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import inference  # noqa: E402
from inference.synthetic import make_scene  # noqa: E402


def _spread_random_heads(predictor: Any) -> None:
    """Make a random-init model produce confident detections and non-trivial masks."""
    import torch

    with torch.no_grad():
        if predictor.name.startswith("yolact"):
            head = predictor.model.prediction_layers[0]
            head.conf_layer.weight.mul_(300)
            head.mask_layer.weight.mul_(300)
            predictor.model.proto_net[10].weight.mul_(300)
            if predictor.model.maskiou_net is not None:  # YOLACT++: predicted mask IoU about 1
                predictor.model.maskiou_net.maskiou_net[10].bias.fill_(1.0)
        else:
            predictor.model.roi_heads.box_predictor.cls_score.bias.normal_(0, 3)


def _load(name: str, device: str) -> tuple[Any, str]:
    try:
        return inference.load_model(name, device=device), "pretrained"
    except inference.WeightsNotFoundError:
        predictor = inference.load_model(name, device=device, random_init=True)
        _spread_random_heads(predictor)
        return predictor, "random-init"


def _time_batches(predictor: Any, images: list[np.ndarray], batch: int, reps: int, threshold: float) -> dict[str, Any]:
    predictor.batch_size = batch
    predictor.predict(images[:batch], score_threshold=threshold)  # warm-up (allocator, cuDNN)
    predictor.reset_timings()
    detections = 0
    start = time.perf_counter()
    for r in range(reps):
        chunk = [images[(r * batch + i) % len(images)] for i in range(batch)]
        detections += sum(len(p) for p in predictor.predict(chunk, score_threshold=threshold))
    wall = time.perf_counter() - start
    t = predictor.timings
    n = t.images
    return {
        "batch": batch,
        "images": n,
        "preprocess_ms": round(1000 * t.preprocess_s / n, 2),
        "forward_ms": round(1000 * t.forward_s / n, 2),
        "postprocess_ms": round(1000 * t.postprocess_s / n, 2),
        "images_per_s": round(n / wall, 3),
        "detections_per_image": round(detections / n, 1),
        "post_over_forward": round(t.postprocess_s / t.forward_s, 4),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1 timed batch per setting (CPU-friendly)")
    parser.add_argument("--models", default=",".join(m.name for m in inference.list_models() if m.kind == "instance"))
    parser.add_argument("--size", type=int, default=550, help="side of the square test images")
    parser.add_argument("--threads", type=int, default=0, help="torch CPU threads (0: torch default)")
    parser.add_argument("--score-threshold", type=float, default=0.05)
    args = parser.parse_args(argv)

    import torch

    if args.threads:
        torch.set_num_threads(args.threads)
    reps = 1 if args.quick else 5
    rng = np.random.default_rng(0)
    images = [make_scene(rng, (args.size, args.size), (3, 8)).image for _ in range(4)]
    devices = ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])
    rows: list[dict[str, Any]] = []
    for device in devices:
        for name in args.models.split(","):
            predictor, weights = _load(name, device)
            predictor.profile = True
            precisions = ["fp32", "fp16"] if device == "cuda" else ["fp32"]
            for precision in precisions:
                predictor.fp16 = precision == "fp16"
                runs = [_time_batches(predictor, images, b, reps, args.score_threshold) for b in (1, 4)]
                row = {
                    "model": name, "device": device, "precision": precision, "weights": weights,
                    "image_size": [args.size, args.size], "threads": torch.get_num_threads(), "runs": runs,
                }  # fmt: skip
                rows.append(row)
                print(json.dumps(row), flush=True)
            del predictor
    print(json.dumps(_summary(rows)), flush=True)
    return 0


def _summary(rows: list[dict[str, Any]]) -> dict[str, Any]:
    post = {
        f"{r['model']}/{r['device']}/{r['precision']}": max(run["post_over_forward"] for run in r["runs"])
        for r in rows
    }
    speedups = {}
    for r in rows:
        if r["model"] != "yolact_resnet50":
            continue
        for other in rows:
            if other["model"] == "maskrcnn_resnet50_fpn_v2" and (other["device"], other["precision"]) == (r["device"], r["precision"]):
                key = f"{r['device']}/{r['precision']}/batch{{}}"
                for a, b in zip(r["runs"], other["runs"], strict=True):
                    speedups[key.format(a["batch"])] = round(a["images_per_s"] / b["images_per_s"], 2)
    return {
        "summary": True,
        "post_over_forward_max": post,
        "post_target_met": all(v <= 0.10 for v in post.values()),
        "yolact_resnet50_vs_maskrcnn_v2_speedup": speedups,
        "speedup_target_met": bool(speedups) and all(v >= 3 for v in speedups.values()),
    }


if __name__ == "__main__":
    raise SystemExit(main())
