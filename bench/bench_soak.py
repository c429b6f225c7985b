"""Long-session soak benchmark (issue 8): walk 2,000 images with 50 instances each through the
real main window, editing some, and watch resident memory. Prints one JSON object.

The walk is what a person does: next image (MainWindow.next_image: autosave, document load,
image decode with prefetch, canvas paint), and on every 10th image an edit through the undo
stack (recolour one instance, add a raster instance, toggle visibility), then the canvas is
repainted. RSS (from /proc/self/statm, or ru_maxrss where /proc is missing) is sampled every
100 images; growth is measured from the end of the warm-up (the first 200 images) to the end.
Budget: growth <= 100 MB.

Images are 640x480 JPEGs; label files (25 polygons + 25 raster crops) are generated once and
cached under $MASKPILOT_BENCH_DIR (default /tmp/maskpilot-bench).
Run: QT_QPA_PLATFORM=offscreen .venv/bin/python bench/bench_soak.py [--quick]
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("MASKPILOT_DATA_DIR", tempfile.mkdtemp(prefix="mp-soak-data-"))
os.environ.setdefault("XDG_CONFIG_HOME", tempfile.mkdtemp(prefix="mp-soak-config-"))

from app.core.document import Document  # noqa: E402
from app.core.geometry import PolygonGeometry, RasterGeometry  # noqa: E402
from app.core.instance import Instance  # noqa: E402
from app.formats.atomic import write_bytes_atomic  # noqa: E402
from app.formats.document_json import document_to_dict  # noqa: E402

BENCH_DIR = Path(os.environ.get("MASKPILOT_BENCH_DIR", "/tmp/maskpilot-bench"))
W, H = 640, 480
INSTANCES = 50
BUDGET_MB = 100


def rss_bytes() -> int:
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        import resource

        scale = 1 if sys.platform == "darwin" else 1024
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale


def _document(rng: np.random.Generator, name: str) -> Document:
    doc = Document(name, W, H)
    for k in range(INSTANCES):
        x, y = int(rng.integers(0, W - 80)), int(rng.integers(0, H - 80))
        if k % 2:
            pts = np.column_stack([x + rng.random(12) * 70, y + rng.random(12) * 70])
            geom = PolygonGeometry((pts,))
        else:
            mask = np.zeros((60, 60), bool)
            cv2.circle(mask.view(np.uint8), (30, 30), int(rng.integers(8, 29)), 1, -1)
            geom = RasterGeometry(mask, x, y).tight()
        doc.add(Instance(doc.new_id(), int(rng.integers(1, 6)), geom))
    return doc


def make_folder(n: int) -> Path:
    """n JPEGs (each a shifted copy of one noise picture, so they differ) and their label files,
    written straight into the store layout (a few distinct documents, renamed per image)."""
    folder = BENCH_DIR / f"soak{n}"
    marker = folder / ".complete"
    if marker.exists():
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    base = cv2.GaussianBlur(rng.integers(0, 255, (H, W, 3), np.uint8), (0, 0), 3)
    templates = [document_to_dict(_document(rng, "t")) for _ in range(8)]
    labels = folder / ".maskpilot" / "labels"
    labels.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        name = f"img_{i:05d}.jpg"
        ok, buf = cv2.imencode(".jpg", np.roll(base, 3 * i, axis=1), [cv2.IMWRITE_JPEG_QUALITY, 85])
        assert ok
        (folder / name).write_bytes(buf.tobytes())
        data = dict(templates[i % len(templates)], image={"file_name": name, "width": W, "height": H})
        write_bytes_atomic(labels / f"{name}.json", json.dumps(data).encode())
    marker.write_text("ok")
    return folder


def _edit(win, step: int) -> None:
    from app.editing.commands import AddInstance, SetFields

    doc = win.document
    first = doc.instances[0].id
    win.push(SetFields(doc, first, "recolour", category_id=1 + step % 5))
    mask = np.ones((20, 30), bool)
    win.push(AddInstance(doc, Instance(doc.new_id(), 2, RasterGeometry(mask, 10 + step % 200, 20))))
    win.push(SetFields(doc, doc.instances[1].id, "hide", visible=False))


def _cache_mb(win) -> float:
    from app.workers.image_loader import _nbytes

    return round(sum(_nbytes(i) for i in list(win.loader._cache.values())) / 2**20, 1)


def walk(n: int, warmup: int, quick: bool, image_cache_mb: int | None) -> dict:
    from PySide6.QtWidgets import QApplication

    from app.window.main_window import MainWindow

    app = QApplication.instance() or QApplication([])
    folder = make_folder(n)
    win = MainWindow()
    if image_cache_mb is not None:  # to tell the decoded-image cache apart from the rest
        win.loader._cache_bytes = image_cache_mb * 2**20
    win.resize(1400, 900)
    win.show()
    win.open_folder(folder)
    cache_at_warmup = 0.0
    samples: list[tuple[int, float]] = []
    t0 = time.perf_counter()
    edits = 0
    base_rss = 0
    for i in range(n):
        if i:
            win.next_image()
        deadline = time.perf_counter() + 10
        while win.canvas.image is None or win.document is None or len(win.document) < INSTANCES:
            app.processEvents()
            if time.perf_counter() > deadline:
                raise RuntimeError(f"image {i} did not load")
        if i % 10 == 5:
            _edit(win, i)
            edits += 1
        win.canvas.repaint()
        app.processEvents()
        if i + 1 == warmup:
            gc.collect()
            base_rss = rss_bytes()
            cache_at_warmup = _cache_mb(win)
        if (i + 1) % 100 == 0:
            gc.collect()
            samples.append((i + 1, round(rss_bytes() / 2**20, 1)))
    elapsed = time.perf_counter() - t0
    cache_end = _cache_mb(win)
    win.close()
    gc.collect()
    end_rss = rss_bytes()
    growth = (end_rss - base_rss) / 2**20
    return {
        "images": n, "instances_per_image": INSTANCES, "edited_images": edits, "warmup_images": warmup,
        "quick": quick, "walk_s": round(elapsed, 1), "ms_per_image": round(1000 * elapsed / n, 1),
        "rss_after_warmup_mb": round(base_rss / 2**20, 1), "rss_end_mb": round(end_rss / 2**20, 1),
        "rss_growth_mb": round(growth, 1), "budget_mb": BUDGET_MB, "within_budget": growth <= BUDGET_MB,
        "image_cache_limit_mb": round(win.loader._cache_bytes / 2**20),
        "image_cache_mb_after_warmup": cache_at_warmup, "image_cache_mb_end": cache_end,
        "rss_growth_without_image_cache_mb": round(growth - (cache_end - cache_at_warmup), 1),
        "rss_mb_every_100": samples, "documents_in_memory": len(win.session.documents),
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="300 images (warm-up 100) instead of 2,000")
    p.add_argument("--image-cache-mb", type=int, default=None,
                   help="override the image loader's cache limit (default: the app's own)")
    args = p.parse_args(argv)
    n, warmup = (300, 100) if args.quick else (2000, 200)
    result = walk(n, warmup, args.quick, args.image_cache_mb)
    print(json.dumps(result))
    return 0 if result["within_budget"] else 1


if __name__ == "__main__":
    sys.exit(main())
