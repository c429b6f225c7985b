"""GrabCut cost per box size, and how late a 10 ms GUI timer fires while GrabCut runs through
BackgroundCalls (as the GrabCut and Auto-Edit tools run it) instead of on the GUI thread.

Prints one JSON object. Usage: QT_QPA_PLATFORM=offscreen python bench/bench_grabcut.py [--quick]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PySide6.QtCore import QElapsedTimer, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from app.core.mask_ops import grabcut_box  # noqa: E402
from app.workers.background_calls import BackgroundCalls  # noqa: E402
from inference.synthetic import make_scene  # noqa: E402


def _lateness_while(app: QApplication, image: np.ndarray, box: tuple[int, int, int, int]) -> dict:
    """Run GrabCut in the background while a 10 ms timer ticks; lateness of each tick in ms."""
    calls = BackgroundCalls()
    clock = QElapsedTimer()
    late: list[float] = []
    last = [0.0]

    def tick() -> None:
        now = clock.nsecsElapsed() / 1e6
        late.append(max(0.0, now - last[0] - 10.0))
        last[0] = now

    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(tick)
    done: list[float] = []
    clock.start()
    timer.start()
    calls.run(lambda: grabcut_box(image, box), lambda _region: done.append(clock.nsecsElapsed() / 1e9))
    while not done:
        app.processEvents()
        time.sleep(0.001)
    timer.stop()
    calls.shutdown()
    arr = np.array(late[1:] or [0.0])
    return {"seconds": round(done[0], 2), "ticks": len(arr), "late_p95_ms": round(float(np.percentile(arr, 95)), 2),
            "late_max_ms": round(float(arr.max()), 1)}  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a 1600x1100 image instead of 3200x2200")
    args = parser.parse_args()
    app = QApplication.instance() or QApplication([])
    h, w = (1100, 1600) if args.quick else (2200, 3200)
    image = make_scene(np.random.default_rng(0), (h, w), (3, 8)).image
    sizes = {}
    for frac in (0.1, 0.4, 0.9):
        bw, bh = int(w * frac), int(h * frac)
        box = ((w - bw) // 2, (h - bh) // 2, (w + bw) // 2, (h + bh) // 2)
        start = time.perf_counter()
        grabcut_box(image, box)
        sizes[f"{bw}x{bh}"] = round(time.perf_counter() - start, 3)
    big = (w // 20, h // 20, w - w // 20, h - h // 20)
    print(json.dumps({"image": [w, h], "grabcut_seconds_by_box": sizes,
                      "gui_timer_during_biggest_box": _lateness_while(app, image, big)}))  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
