"""Browsing benchmarks (issue 2). Prints one JSON object.

- open_10k_s: open a folder of 10,000 generated images and show the first one.
- next_image_ms: next-image latency with prefetch on 1920×1080 JPEGs (a person pressing D
  about every 0.4 s), until the new image is painted.
- store_save_ms / store_load_ms: an image with 300 instances on 6000×4000.
- memory: bytes held by that document (tracemalloc) and resident-memory growth for the document
  plus the decoded image, against the budget 3 × (bytes of the bounding boxes + the image).

Generated folders are cached under $MASKPILOT_BENCH_DIR (default /tmp/maskpilot-bench).
Run: QT_QPA_PLATFORM=offscreen .venv/bin/python bench/bench_browse.py
"""

from __future__ import annotations

import gc
import json
import os
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("MASKPILOT_DATA_DIR", tempfile.mkdtemp(prefix="mp-bench-data-"))
os.environ.setdefault("XDG_CONFIG_HOME", tempfile.mkdtemp(prefix="mp-bench-config-"))

from app.core.document import Document  # noqa: E402
from app.core.geometry import RasterGeometry  # noqa: E402
from app.core.instance import Instance  # noqa: E402
from app.formats.image_io import read_image  # noqa: E402
from app.formats.store import ProjectStore  # noqa: E402

BENCH_DIR = Path(os.environ.get("MASKPILOT_BENCH_DIR", "/tmp/maskpilot-bench"))


def rss_bytes() -> int:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _jpeg(img: np.ndarray, quality: int = 90) -> bytes:
    ok, buf = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, quality])
    assert ok
    return buf.tobytes()


def make_10k_folder() -> Path:
    folder = BENCH_DIR / "folder10k"
    marker = folder / ".complete"
    if marker.exists():
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    base = rng.integers(0, 255, (240, 320, 3), np.uint8)
    for i in range(10_000):
        img = np.roll(base, i, axis=1)
        (folder / f"frame_{i:05d}.jpg").write_bytes(_jpeg(img, 80))
    marker.write_text("ok")
    return folder


def make_hd_folder(n: int = 40) -> Path:
    folder = BENCH_DIR / "hd1080"
    marker = folder / ".complete"
    if marker.exists():
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(1)
    yy, xx = np.mgrid[0:1080, 0:1920]
    for i in range(n):
        img = np.stack([(xx + 7 * i) % 256, (yy + 3 * i) % 256, (xx + yy) % 256], axis=-1).astype(np.uint8)
        img = cv2.add(img, rng.integers(0, 40, img.shape, np.uint8))  # photo-like entropy
        (folder / f"hd_{i:03d}.jpg").write_bytes(_jpeg(img, 90))
    marker.write_text("ok")
    return folder


def bench_open_10k(qapp) -> dict:
    from app.window.main_window import MainWindow

    folder = make_10k_folder()
    win = MainWindow()
    win.resize(1600, 1000)
    win.show()
    qapp.processEvents()
    t0 = time.perf_counter()
    win.open_folder(folder)
    while win.canvas.image is None:
        qapp.processEvents()
    win.canvas.repaint()
    elapsed = time.perf_counter() - t0
    count = win.files.model.rowCount()
    win.close()
    return {"open_10k_s": round(elapsed, 3), "images_listed": count, "image_size": "320x240 JPEG"}


def bench_next_image(qapp, steps: int = 30, dwell_s: float = 0.4) -> dict:
    from app.window.main_window import MainWindow

    folder = make_hd_folder()
    win = MainWindow()
    win.resize(1600, 1000)
    win.show()
    win.open_folder(folder)
    while win.canvas.image is None:
        qapp.processEvents()
    latencies = []
    for _ in range(steps):
        end = time.perf_counter() + dwell_s
        while time.perf_counter() < end:  # the person looks at the image; prefetch runs
            qapp.processEvents()
            time.sleep(0.002)
        t0 = time.perf_counter()
        win.next_image()
        while win.canvas.image is None:
            qapp.processEvents()
        win.canvas.repaint()
        latencies.append((time.perf_counter() - t0) * 1000)
    win.close()
    return {
        "next_image_ms_median": round(statistics.median(latencies), 1),
        "next_image_ms_p90": round(sorted(latencies)[int(0.9 * len(latencies)) - 1], 1),
        "next_image_dwell_s": dwell_s,
    }


def make_document(rng: np.random.Generator) -> Document:
    doc = Document("big.jpg", 6000, 4000)
    for _ in range(300):
        w, h = (int(v) for v in rng.integers(40, 400, 2))
        x, y = int(rng.integers(0, 6000 - w)), int(rng.integers(0, 4000 - h))
        yy, xx = np.ogrid[:h, :w]
        blob = ((xx - w / 2) / (w / 2)) ** 2 + ((yy - h / 2) / (h / 2)) ** 2 <= 1.0
        blob &= rng.random((h, w)) > 0.02  # a little speckle, like painted masks
        doc.add(Instance(doc.new_id(), int(rng.integers(1, 80)), RasterGeometry(blob, x, y).tight()))
    return doc


def bench_store() -> dict:
    rng = np.random.default_rng(2)
    doc = make_document(rng)
    bbox_bytes = sum((b[2] - b[0]) * (b[3] - b[1]) for b in (i.bbox() for i in doc))
    with tempfile.TemporaryDirectory() as tmp:
        store = ProjectStore(tmp)
        store.ensure()
        saves, loads = [], []
        for _ in range(5):
            t0 = time.perf_counter()
            store.save_document(doc)
            saves.append((time.perf_counter() - t0) * 1000)
            t0 = time.perf_counter()
            loaded = ProjectStore(tmp).load_document("big.jpg", 6000, 4000).document
            loads.append((time.perf_counter() - t0) * 1000)
        assert len(loaded) == 300
        file_kb = store.label_path("big.jpg").stat().st_size / 1024
        del loaded
        gc.collect()
        # memory: load the document and decode a 6000×4000 image, measure RSS growth
        big = BENCH_DIR / "big_6000x4000.jpg"
        if not big.exists():
            BENCH_DIR.mkdir(parents=True, exist_ok=True)
            img = rng.integers(0, 255, (4000, 6000, 3), np.uint8)
            big.write_bytes(_jpeg(cv2.GaussianBlur(img, (0, 0), 3), 90))
        gc.collect()
        before = rss_bytes()
        tracemalloc.start()
        kept = ProjectStore(tmp).load_document("big.jpg", 6000, 4000).document
        gc.collect()
        doc_bytes = tracemalloc.get_traced_memory()[0]  # numpy buffers are traced too
        tracemalloc.stop()
        image = read_image(big)
        gc.collect()
        total_rss = rss_bytes() - before
    image_bytes = image.rgb.nbytes
    budget = 3 * (bbox_bytes + image_bytes)
    del kept
    return {
        "store_save_ms_median": round(statistics.median(saves), 1),
        "store_load_ms_median": round(statistics.median(loads), 1),
        "store_file_kb": round(file_kb, 1),
        "instances": 300,
        "bbox_bytes": bbox_bytes,
        "document_bytes": doc_bytes,
        "document_plus_image_rss_bytes": total_rss,
        "image_bytes": image_bytes,
        "memory_budget_bytes": budget,
        "memory_within_budget": total_rss <= budget,
    }


def main() -> None:
    from PySide6.QtWidgets import QApplication

    qapp = QApplication.instance() or QApplication([])
    result = {"machine_cores": os.cpu_count()}
    result.update(bench_store())
    result.update(bench_open_10k(qapp))
    result.update(bench_next_image(qapp))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
