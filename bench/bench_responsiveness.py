"""GUI event-loop latency while an auto-fill batch runs on the CPU.

A 10 ms QTimer ticks on the GUI thread while the inference worker runs a real model (random
weights: the cost of a forward pass does not depend on the values) over a generated folder;
lateness = time between ticks - 10 ms. The user is simulated too: every 250 ms the window steps
to the next image, and results land in the documents and the store as in real use.
Target (issue 7): p95 lateness <= 50 ms. Prints one JSON object.

--training SECONDS (issue 14): the same timer and image stepping while the window trains a
project model instead, started through the window's own training controller and dialog (which
polls the training process and draws its curves on the GUI thread), on a generated project of
24 done images; the lateness counts from the first progress report for SECONDS, then Cancel.

    python bench/bench_responsiveness.py [--images 12] [--model maskrcnn_resnet50_fpn_v2] [--quick]
    python bench/bench_responsiveness.py --training 60 [--base small]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["MASKPILOT_RANDOM_WEIGHTS"] = "1"


def make_folder(root: Path, n: int, size: tuple[int, int]) -> Path:
    import cv2

    from inference.synthetic import make_scene

    folder = root / "imgs"
    folder.mkdir()
    rng = np.random.default_rng(0)
    for i in range(n):
        scene = make_scene(rng, size, muted=True)
        ok, buf = cv2.imencode(".jpg", cv2.cvtColor(scene.image, cv2.COLOR_RGB2BGR))
        (folder / f"img{i:03d}.jpg").write_bytes(buf.tobytes())
    return folder


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values), q)) if values else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=12)
    parser.add_argument("--model", default="maskrcnn_resnet50_fpn_v2")
    parser.add_argument("--size", type=int, nargs=2, default=(480, 640), metavar=("H", "W"))
    parser.add_argument("--quick", action="store_true", help="4 images of 240x320")
    parser.add_argument("--training", type=float, metavar="SECONDS", help="measure during training instead")
    parser.add_argument("--base", default="small", help="base model of the --training run (small)")
    args = parser.parse_args()
    if args.training:
        training_latency(args.training, args.base)
        return
    if args.quick:
        args.images, args.size = 4, (240, 320)

    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    tmp = Path(tempfile.mkdtemp(prefix="maskpilot-bench-resp-"))
    QSettings.setPath(QSettings.NativeFormat, QSettings.UserScope, str(tmp / "settings"))
    app = QApplication.instance() or QApplication([])
    from app.window.main_window import MainWindow

    folder = make_folder(tmp, args.images, tuple(args.size))
    win = MainWindow()
    win.resize(1400, 900)
    win.show()
    win.ai.refresh_models()
    win.ai.panel.model_box.setCurrentIndex(win.ai.panel.model_box.findData(args.model))
    win.ai.panel.set_device("cpu")
    win.open_folder(folder)

    # Warm-up: load the model and run one image, so the figures are about steady work.
    t0 = time.perf_counter()
    win.ai.autofill("current")
    while win.ai.busy:
        app.processEvents()
        time.sleep(0.005)
    warmup_s = time.perf_counter() - t0

    probe = LatenessProbe(win.next_image)
    started = time.perf_counter()
    win.ai.autofill("all")
    probe.start()
    while win.ai.busy:
        app.processEvents()
        time.sleep(0.001)
    seconds = time.perf_counter() - started
    probe.stop()
    suggestions = sum(win.files.model.state(p).pending for p in win.files.model.paths())
    win.close()
    print(json.dumps({
        "benchmark": "gui_latency_during_cpu_batch",
        "model": args.model,
        "images": args.images,
        "image_size_hw": list(args.size),
        "cpu_threads": os.cpu_count(),
        "warmup_s": round(warmup_s, 2),
        "batch_s": round(seconds, 2),
        "images_per_s": round(args.images / seconds, 3),
        **probe.figures(),
        "pending_suggestions_written": suggestions,
    }, indent=2))  # fmt: skip


class LatenessProbe:
    """A 10 ms QTimer on the GUI thread recording how late each tick is, and a 250 ms timer
    stepping to the next image, as in the auto-fill figure."""

    def __init__(self, step) -> None:  # noqa: ANN001 - the window's next_image
        from PySide6.QtCore import QElapsedTimer, QTimer

        self.lateness: list[float] = []
        self.clock = QElapsedTimer()
        self.tick, self.step = QTimer(), QTimer()
        self.tick.setInterval(10)
        self.step.setInterval(250)
        self.tick.timeout.connect(self._on_tick)
        self.step.timeout.connect(step)
        self._last = 0

    def start(self) -> None:
        self.clock.start()
        self.tick.start()
        self.step.start()

    def stop(self) -> None:
        self.tick.stop()
        self.step.stop()

    def _on_tick(self) -> None:
        now = self.clock.nsecsElapsed()
        self.lateness.append(max(0.0, (now - self._last) / 1e6 - 10.0))
        self._last = now

    def figures(self) -> dict:
        late = self.lateness
        return {
            "timer_ticks": len(late),
            "lateness_ms": {"p50": round(percentile(late, 50), 2), "p95": round(percentile(late, 95), 2),
                            "p99": round(percentile(late, 99), 2), "max": round(max(late, default=0.0), 2),
                            "worst_5": [round(v, 1) for v in sorted(late)[-5:]]},
            "ticks_late_over_50ms": sum(v > 50 for v in late),
            "target_p95_ms": 50,
        }  # fmt: skip


def training_latency(seconds: float, base: str) -> None:
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from tests.training.projects import make_project

    tmp = Path(tempfile.mkdtemp(prefix="maskpilot-bench-train-"))
    QSettings.setPath(QSettings.NativeFormat, QSettings.UserScope, str(tmp / "settings"))
    app = QApplication.instance() or QApplication([])
    from app.training.dialog import TrainOptions
    from app.window.main_window import MainWindow

    project = make_project(tmp / "shapes", done=24, other=24, seed=5)
    win = MainWindow()
    win.resize(1400, 900)
    win.show()
    win.open_folder(project.folder)
    win.training.open_dialog()
    started = time.perf_counter()
    win.training.start(TrainOptions(base=base, minutes=seconds / 60 + 5, epochs=None, val_fraction=0.2,
                                    name="bench", resume=False))  # fmt: skip
    dialog = win.training.dialog
    probe = LatenessProbe(win.next_image)
    while win.training.running and not dialog.curves.losses:  # until the first progress report
        app.processEvents()
        time.sleep(0.005)
    first_progress_s = time.perf_counter() - started
    probe.start()
    end = time.perf_counter() + seconds
    while win.training.running and time.perf_counter() < end:
        app.processEvents()
        time.sleep(0.001)
    probe.stop()
    points, ap50s = len(dialog.curves.losses), list(dialog.curves.ap50s)
    win.training.cancel()
    t0 = time.perf_counter()
    while win.training.running:
        app.processEvents()
        time.sleep(0.005)
    cancel_s = time.perf_counter() - t0
    win.close()
    print(json.dumps({
        "benchmark": "gui_latency_during_training",
        "base": base,
        "seconds_measured": seconds,
        "cpu_threads": os.cpu_count(),
        "first_progress_s": round(first_progress_s, 2),
        "loss_points_drawn": points,
        "validation_ap50s": [round(v, 3) for v in ap50s],
        "cancel_to_saved_s": round(cancel_s, 2),
        **probe.figures(),
    }, indent=2))  # fmt: skip


if __name__ == "__main__":
    main()
