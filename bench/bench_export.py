"""COCO export speed: 1,000 images x 30 raster instances at 1920x1080, documents in memory.

Prints one JSON object. `build_s` times coco_from_documents (RLE encoding, areas, boxes: the
export function itself); `write_s` times the atomic JSON write of the result. Target: build +
write <= 10 s on the 2-core development VM. A full-image Fortran copy per instance (the naive
pycocotools way) would cost ~2 ms x 30,000 = 60 s; crop encoding avoids it.

Usage: python bench/bench_export.py [--images N] [--per-image K] [--check]
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.core.categories import LabelSet  # noqa: E402
from app.core.document import Document  # noqa: E402
from app.core.geometry import RasterGeometry  # noqa: E402
from app.core.instance import Instance  # noqa: E402
from app.core.rle import decode as decode_rle  # noqa: E402
from app.formats.atomic import write_json_atomic  # noqa: E402
from app.formats.coco import coco_from_documents  # noqa: E402

WIDTH, HEIGHT = 1920, 1080


def blob_templates(rng: np.random.Generator, count: int = 64) -> list[np.ndarray]:
    """Rotated filled ellipses, 20..360 px across: typical object masks. Instances share these
    (geometries are immutable), which keeps 30,000 instances in a few MB."""
    out = []
    for _ in range(count):
        a, b = int(rng.integers(10, 180)), int(rng.integers(10, 120))
        canvas = np.zeros((2 * max(a, b) + 4, 2 * max(a, b) + 4), np.uint8)
        c = canvas.shape[0] // 2
        cv2.ellipse(canvas, (c, c), (a, b), float(rng.uniform(0, 180)), 0, 360, 1, -1)
        out.append(RasterGeometry(canvas.astype(bool)).tight().mask)
    return out


def make_documents(n_images: int, per_image: int, seed: int = 0) -> list[Document]:
    rng = np.random.default_rng(seed)
    templates = blob_templates(rng)
    docs = []
    for i in range(n_images):
        doc = Document(f"img_{i:05d}.jpg", WIDTH, HEIGHT)
        for _ in range(per_image):
            mask = templates[int(rng.integers(len(templates)))]
            h, w = mask.shape
            x, y = int(rng.integers(0, WIDTH - w)), int(rng.integers(0, HEIGHT - h))
            doc.add(Instance(doc.new_id(), int(rng.integers(1, 11)), RasterGeometry(mask, x, y)))
        docs.append(doc)
    return docs


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=1000)
    parser.add_argument("--per-image", type=int, default=30)
    parser.add_argument("--check", action="store_true", help="also decode a sample of RLEs and compare")
    args = parser.parse_args()

    docs = make_documents(args.images, args.per_image)
    labels = LabelSet.from_names([f"class{i}" for i in range(1, 11)])
    t0 = time.perf_counter()
    data = coco_from_documents(docs, labels)
    t1 = time.perf_counter()
    assert data is not None
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "instances.json"
        write_json_atomic(out, data)
        t2 = time.perf_counter()
        size_mb = out.stat().st_size / 1e6

    checked = 0
    if args.check:
        by_image: dict[int, list[dict]] = {}
        for ann in data["annotations"]:
            by_image.setdefault(ann["image_id"], []).append(ann)
        for image_id in list(by_image)[:: max(1, len(by_image) // 20)]:
            for inst, ann in zip(docs[image_id - 1], by_image[image_id]):
                full = inst.geometry.full(HEIGHT, WIDTH)
                assert np.array_equal(decode_rle(ann["segmentation"]), full), "RLE does not decode bit-exact"
                checked += 1

    n_inst = len(data["annotations"])
    print(json.dumps({
        "bench": "coco_export",
        "images": args.images,
        "instances": n_inst,
        "image_size": [WIDTH, HEIGHT],
        "build_s": round(t1 - t0, 3),
        "write_s": round(t2 - t1, 3),
        "total_s": round(t2 - t0, 3),
        "ms_per_instance": round((t1 - t0) * 1000 / max(n_inst, 1), 4),
        "json_mb": round(size_mb, 1),
        "checked_bit_exact": checked,
        "target_s": 10.0,
        "machine": f"{platform.machine()} {platform.python_version()}",
    }))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
