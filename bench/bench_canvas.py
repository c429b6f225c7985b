"""Canvas benchmarks (issue 3), offscreen. Prints one JSON object.

Scene: a 6000×4000 image with 300 instances (150 polygons of 200 vertices, 150 raster masks)
in a 1600×1000 view. Figures are medians over repeated runs:
- repaint_fit_ms / repaint_400_ms: a full repaint (overlay recomposed) at fit and at 400 %
  centred on (3000, 2000); *_cached_ms: the same with the overlay cache valid (e.g. tool hover);
- brush_dab_ms: one brush dab of radius 25 applied to an instance and its region repainted;
- undo_stroke_ms: undo of a 100-dab stroke, repainted;
- hit_test_ms: instance under the cursor.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtGui import QUndoStack  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from app.canvas.canvas import Canvas  # noqa: E402
from app.canvas.pointer import Buttons, PointerEvent
from app.canvas.selection import Selection  # noqa: E402
from app.core.categories import LabelSet  # noqa: E402
from app.core.document import Document  # noqa: E402
from app.core.geometry import PolygonGeometry, RasterGeometry  # noqa: E402
from app.core.instance import Instance  # noqa: E402
from app.editing.tools.base import ToolContext  # noqa: E402
from app.editing.tools.brush import BrushTool  # noqa: E402
from app.formats.image_io import LoadedImage, build_pyramid  # noqa: E402


def make_scene(rng: np.random.Generator) -> tuple[LoadedImage, Document]:
    rgb = np.empty((4000, 6000, 3), np.uint8)
    rgb[...] = rng.integers(60, 200, (1, 6000, 3), dtype=np.uint8)
    image = LoadedImage(rgb=rgb, raw=rgb, description="8-bit RGB", pyramid=build_pyramid(rgb))
    doc = Document("bench.jpg", 6000, 4000)
    t = np.linspace(0, 2 * np.pi, 200, endpoint=False)
    for k in range(300):
        r = float(rng.uniform(30, 160))
        cx, cy = float(rng.uniform(r, 6000 - r)), float(rng.uniform(r, 4000 - r))
        if k % 2 == 0:
            rr = r * (1 + 0.15 * np.sin(5 * t + k))
            geom = PolygonGeometry.from_points(np.stack([cx + rr * np.cos(t), cy + rr * np.sin(t)], axis=1))
        else:
            yy, xx = np.ogrid[-int(r) : int(r) + 1, -int(r) : int(r) + 1]
            geom = RasterGeometry((xx**2 + yy**2) <= r * r, int(cx - r), int(cy - r)).tight()
        doc.add(Instance(doc.new_id(), 1 + k % 80, geom))
    return image, doc


def timed(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return round(statistics.median(times), 2)


def main() -> None:
    qapp = QApplication.instance() or QApplication([])
    rng = np.random.default_rng(3)
    image, doc = make_scene(rng)
    labels = LabelSet.from_names([f"class{i}" for i in range(1, 81)])
    canvas = Canvas()
    canvas.resize(1600, 1000)
    canvas.show()
    canvas.set_image(image)
    canvas.set_document(doc, labels)
    qapp.processEvents()
    canvas.repaint()  # warm-up: polygon rasters cached

    def full_repaint():
        canvas.invalidate_overlay()
        canvas.repaint()

    result = {"instances": len(doc), "view": "1600x1000", "image": "6000x4000"}
    canvas.fit()
    result["fit_zoom_percent"] = round(canvas.view.scale * 100, 1)
    result["repaint_fit_ms"] = timed(full_repaint, 15)
    result["repaint_fit_cached_ms"] = timed(canvas.repaint, 15)
    canvas.zoom_to(4.0)
    canvas.center_on(3000, 2000)
    canvas.repaint()
    result["repaint_400_ms"] = timed(full_repaint, 30)
    result["repaint_400_cached_ms"] = timed(canvas.repaint, 30)

    # brush: dabs of radius 25 into an instance near the view centre, repainted each move
    stack = QUndoStack()
    selection = Selection()
    target = min(doc, key=lambda i: abs(i.bbox()[0] - 3000) + abs(i.bbox()[1] - 2000))
    selection.set([target.id])
    ctx = ToolContext(document=lambda: doc, image=lambda: image.rgb, push=stack.push, selection=selection,
                      current_category=lambda: 1, hit=canvas.hit, repaint=canvas.update,
                      view_scale=lambda: canvas.view.scale)
    brush = BrushTool(ctx, radius=25)
    canvas.set_tool(brush)
    x0, y0 = target.bbox()[0], target.bbox()[1]
    canvas.center_on(x0, y0)
    canvas.repaint()
    brush.press(PointerEvent(x0, y0, Buttons.LEFT, Buttons.LEFT))
    dab_times = []
    for i in range(100):
        t0 = time.perf_counter()
        brush.move(PointerEvent(x0 + 2.0 * i, y0 + (i % 10), Buttons.NONE, Buttons.LEFT))
        qapp.processEvents()  # the queued partial repaint happens here
        dab_times.append((time.perf_counter() - t0) * 1000)
    brush.release(PointerEvent(x0 + 200, y0, Buttons.LEFT, Buttons.NONE))
    result["brush_dab_ms"] = round(statistics.median(dab_times), 2)
    result["brush_dab_p90_ms"] = round(sorted(dab_times)[89], 2)
    result["stroke_undo_bytes"] = stack.command(stack.count() - 1).nbytes()

    def undo_redo():
        stack.undo()
        qapp.processEvents()
        stack.redo()
        qapp.processEvents()

    result["undo_stroke_ms"] = round(timed(undo_redo, 10) / 2, 2)
    pts = rng.uniform((0, 0), (6000, 4000), size=(500, 2))
    t0 = time.perf_counter()
    for x, y in pts:
        canvas.hit(float(x), float(y))
    result["hit_test_ms"] = round((time.perf_counter() - t0) * 1000 / len(pts), 3)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    tempfile.tempdir = None
    main()
