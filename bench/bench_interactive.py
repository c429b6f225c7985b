"""Interactive AI through the real window (offscreen), with random-init weights in the official
architecture (the speed of SAM does not depend on its weights). Prints one JSON object.

- encode_s: the encoder on the current image, in the background thread;
- gui_late_ms_p50/p95/max: lateness of a 10 ms GUI timer while that encoder runs;
- click_to_mask_ms_p50/p95: a click on the tool to the candidates arriving on the GUI thread,
  with the embedding ready (4000×3000 image by default);
- click_to_paint_ms_p50/p95: the same, until the canvas has repainted the preview;
- busy_*: clicks made while the next image is being encoded ahead (the encoder runs niced and
  the decoder on one thread meanwhile);
- second_visit_encoder_runs: encoder runs when coming back to the image (0: cached);
- decoder: what answered the clicks (MASKPILOT_DECODER=torch compares with the torch decoder).

Run: QT_QPA_PLATFORM=offscreen .venv/bin/python bench/bench_interactive.py [--model sam2.1_hiera_tiny] [--quick]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from app.ai.domain.prompts import engine_for  # noqa: E402
from app.canvas.pointer import Buttons, PointerEvent  # noqa: E402


def percentile(values: list[float], q: float) -> float:
    return round(float(np.percentile(values, q)), 2) if values else float("nan")


def make_folder(root: Path, width: int, height: int) -> Path:
    rng = np.random.default_rng(0)
    folder = root / "imgs"
    folder.mkdir()
    for name in ("a.jpg", "b.jpg"):
        img = np.full((height, width, 3), 90, np.uint8)
        for _ in range(12):
            c = tuple(int(v) for v in rng.integers(0, 255, 3))
            center = (int(rng.integers(0, width)), int(rng.integers(0, height)))
            cv2.circle(img, center, int(rng.integers(width // 40, width // 8)), c, -1)
        ok, buf = cv2.imencode(".jpg", img)
        (folder / name).write_bytes(buf.tobytes())
    return folder


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default="sam_vit_b")
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--size", default="4000x3000")
    ap.add_argument("--clicks", type=int, default=30)
    ap.add_argument("--quick", action="store_true", help="8 clicks")
    args = ap.parse_args()
    width, height = (int(v) for v in args.size.split("x"))
    clicks = 8 if args.quick else args.clicks
    app = QApplication.instance() or QApplication([])
    tmp = Path(tempfile.mkdtemp(prefix="maskpilot-bench-interactive-"))
    os.environ["MASKPILOT_DATA_DIR"] = str(tmp / "data")
    os.environ["XDG_CONFIG_HOME"] = str(tmp / "config")
    from app.window.main_window import MainWindow

    folder = make_folder(tmp, width, height)
    win = MainWindow()
    win.resize(1600, 1000)
    win.show()
    win.interactive._factory = lambda name, session, _s, _f: engine_for(name, None, args.device, session.store.root, random_init=True)
    win.settings.setValue("ai/interactive", args.model)
    win.open_folder(folder)
    win.show_image("a.jpg")
    _wait(app, lambda: win.canvas.image is not None, 120)

    late: list[float] = []
    last = [time.perf_counter()]

    def tick() -> None:
        now = time.perf_counter()
        late.append(max(0.0, (now - last[0]) * 1000 - 10))
        last[0] = now

    timer = QTimer(interval=10)
    timer.timeout.connect(tick)
    t0 = time.perf_counter()
    win.use_tool("interactive")
    engine = win.interactive.engine
    timer.start()
    key = engine.key("a.jpg", str(folder / "a.jpg"))
    _wait(app, lambda: key in win.interactive._ready, 900)
    encode_s = time.perf_counter() - t0
    timer.stop()

    tool = win.tools["interactive"]
    arrived: list[float] = []
    win.interactive.candidates_ready.connect(lambda *_: arrived.append(time.perf_counter()))
    rng = np.random.default_rng(1)
    key_b = engine.key("b.jpg", str(folder / "b.jpg"))

    def click_round(n_clicks: int, while_encoding: bool) -> tuple[list[float], list[float]]:
        to_mask, to_paint = [], []
        for _ in range(n_clicks):
            if while_encoding and key_b in win.interactive._ready:
                break  # the next image is encoded: no longer "while encoding"
            tool.clear()
            x, y = float(rng.uniform(0, width)), float(rng.uniform(0, height))
            n = len(arrived)
            start = time.perf_counter()
            tool.press(PointerEvent(x, y, Buttons.LEFT, Buttons.LEFT))
            tool.release(PointerEvent(x, y, Buttons.LEFT, Buttons.NONE))
            _wait(app, lambda n=n: len(arrived) > n, 60)
            to_mask.append((arrived[-1] - start) * 1000)
            win.canvas.repaint()  # synchronous: the preview is on screen when this returns
            to_paint.append((time.perf_counter() - start) * 1000)
        return to_mask, to_paint

    busy_mask, busy_paint = click_round(clicks, while_encoding=True)  # the next image encodes meanwhile
    _wait(app, lambda: key_b in win.interactive._ready, 900)  # encoded ahead meanwhile
    to_mask, to_paint = click_round(clicks, while_encoding=False)  # nothing else running
    runs = engine.encoder_runs
    for name in ("b.jpg", "a.jpg"):
        win.show_image(name)
        _wait(app, lambda: win.canvas.image is not None, 120)
    app.processEvents()
    second_visit = engine.encoder_runs - runs
    print(json.dumps({
        "model": args.model, "device": args.device, "image": f"{width}x{height}", "clicks": clicks,
        "encode_s": round(encode_s, 2),
        "gui_late_ms_p50": percentile(late, 50), "gui_late_ms_p95": percentile(late, 95),
        "gui_late_ms_max": round(max(late), 1) if late else None, "gui_ticks": len(late),
        "click_to_mask_ms_p50": round(statistics.median(to_mask), 1), "click_to_mask_ms_p95": percentile(to_mask, 95),
        "click_to_paint_ms_p50": round(statistics.median(to_paint), 1), "click_to_paint_ms_p95": percentile(to_paint, 95),
        "busy_clicks": len(busy_mask),
        "busy_click_to_mask_ms_p50": round(statistics.median(busy_mask), 1) if busy_mask else None,
        "busy_click_to_paint_ms_p95": percentile(busy_paint, 95),
        "second_visit_encoder_runs": second_visit,
        "decoder": "onnxruntime" if getattr(engine.model, "_onnx", None) is not None else "torch",
    }, indent=2))  # fmt: skip
    win.close()
    return 0


def _wait(app: QApplication, done, timeout_s: float) -> None:
    end = time.perf_counter() + timeout_s
    while not done():
        if time.perf_counter() > end:
            raise TimeoutError("timed out")
        app.processEvents()
        time.sleep(0.001)


if __name__ == "__main__":
    raise SystemExit(main())
