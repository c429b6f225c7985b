"""Auto-fill through the worker thread: a deterministic fake predictor, and a real random-init model.

The fake predictor "finds" the one bright rectangle each generated image holds and returns its
exact mask, so every suggestion tells which image it was computed from.
"""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import cv2
import numpy as np
import pytest

from app.canvas.pointer import Buttons, PointerEvent
from app.core.instance import InstanceState
from app.formats.store import ProjectStore
from inference import Cancelled, Prediction

pytestmark = pytest.mark.gui

MODEL = "maskrcnn_resnet50_fpn"  # a registered name (for class names); the fake replaces the network


def rect_of(i: int) -> tuple[int, int, int, int]:
    """The rectangle (x0, y0, x1, y1) drawn into image i: different for every i."""
    return 4 + (i * 7) % 90, 3 + (i * 5) % 60, 30 + (i * 7) % 90 + i % 5, 25 + (i * 5) % 60 + i % 3


def make_folder(root: Path, n: int) -> Path:
    folder = root / "imgs"
    folder.mkdir()
    for i in range(n):
        img = np.full((100, 140, 3), 30, np.uint8)
        x0, y0, x1, y1 = rect_of(i)
        img[y0:y1, x0:x1] = 230
        ok, buf = cv2.imencode(".png", img)
        (folder / f"im{i:03d}.png").write_bytes(buf.tobytes())
    return folder


class FakePredictor:
    """Returns the bright region as a 'person' (0.9) and its top half as a 'car' (0.4)."""

    def __init__(self, delay: float = 0.0, fail: bool = False) -> None:
        from inference.categories import COCO_CATEGORIES

        self.categories = list(COCO_CATEGORIES)
        self.delay, self.fail = delay, fail
        self.calls = 0
        self.gate: threading.Event | None = None  # when set up, images after `gate_after` wait for it
        self.gate_after = 0
        self.threads: set[str] = set()

    def predict(self, images, score_threshold=0.3, max_detections=100, should_stop=None, progress=None):
        out = []
        for rgb in images:
            if should_stop is not None and should_stop():
                raise Cancelled(out)
            self.threads.add(threading.current_thread().name)
            self.calls += 1
            if self.gate is not None and self.calls > self.gate_after:
                self.gate.wait(20)
            if self.fail:
                raise RuntimeError("CUDA error: an illegal memory access was encountered")
            time.sleep(self.delay)
            ys, xs = np.nonzero(rgb[..., 0] > 128)
            y0, y1, x0, x1 = ys.min(), ys.max() + 1, xs.min(), xs.max() + 1
            whole = np.ones((y1 - y0, x1 - x0), bool)
            half = whole[: max(1, (y1 - y0) // 2)]
            out.append(Prediction(
                boxes=[[x0, y0, x1, y1], [x0, y0, x1, y0 + half.shape[0]]], scores=[0.9, 0.4],
                category_ids=[1, 3], masks=[whole, half], mask_offsets=[[x0, y0], [x0, y0]],
                image_size=rgb.shape[:2], model=MODEL,
            ))  # fmt: skip
        return out


@pytest.fixture
def fake(monkeypatch):
    monkeypatch.setenv("MASKPILOT_RANDOM_WEIGHTS", "1")  # "weights present" for the registered name
    return FakePredictor()


def open_with(window, qtbot, folder: Path, predictor) -> None:
    window.ai.worker.load_model = lambda spec, on_fallback: predictor
    window.ai.refresh_models()
    window.ai.panel.model_box.setCurrentIndex(window.ai.panel.model_box.findData(MODEL))
    assert window.open_folder(folder)
    qtbot.waitUntil(lambda: window.canvas.image is not None, timeout=5000)


def wait_idle(qtbot, window, timeout: int = 20000) -> None:
    qtbot.waitUntil(lambda: not window.ai.busy, timeout=timeout)


def suggestion_boxes(doc) -> list[tuple[int, tuple[int, int, int, int]]]:
    return sorted((i.category_id, i.bbox()) for i in doc if i.state is InstanceState.SUGGESTED)


def test_autofill_current_image_adds_undoable_suggestions(window, qtbot, tmp_path, fake):
    folder = make_folder(tmp_path, 3)
    open_with(window, qtbot, folder, fake)
    window.ai.autofill("current")
    wait_idle(qtbot, window)
    doc = window.document
    x0, y0, x1, y1 = rect_of(0)
    person = window.session.labels.by_name("person").id
    car = window.session.labels.by_name("car").id
    assert suggestion_boxes(doc) == sorted([(person, (x0, y0, x1, y1)), (car, (x0, y0, x1, y0 + (y1 - y0) // 2))])
    assert fake.threads and "MainThread" not in fake.threads  # ran in the worker thread
    assert doc.ai_runs[MODEL]["count"] == 2
    window.undo()
    assert suggestion_boxes(doc) == []
    window.redo()
    assert len(suggestion_boxes(doc)) == 2
    # A second run replaces the model's pending suggestions instead of piling them up.
    window.ai.autofill("current")
    wait_idle(qtbot, window)
    assert len(suggestion_boxes(doc)) == 2


def test_threshold_floor_keeps_low_scores_for_the_slider(window, qtbot, tmp_path, fake):
    folder = make_folder(tmp_path, 1)
    open_with(window, qtbot, folder, fake)
    window.ai.panel.set_threshold(0.6)  # shown above 0.6, but 0.4 is kept for the slider
    window.ai.autofill("current")
    wait_idle(qtbot, window)
    assert sorted(i.score for i in window.document) == pytest.approx([0.4, 0.9])


def test_batch_of_20_cancelled_midway_keeps_finished_images(window, qtbot, tmp_path, fake):
    folder = make_folder(tmp_path, 20)
    # The sixth image waits until Cancel is pressed: Cancel lands mid-batch however busy the
    # machine is (a 0.15 s delay per image only made that likely).
    fake.gate, fake.gate_after = threading.Event(), 5
    open_with(window, qtbot, folder, fake)
    applied: list[str] = []
    window.ai.worker.result_ready.connect(lambda r: applied.append(r.rel))
    window.ai.autofill("all")
    qtbot.waitUntil(lambda: len(applied) >= 5, timeout=20000)
    window.ai.cancel()
    fake.gate.set()
    wait_idle(qtbot, window)
    assert 5 <= len(applied) < 20
    assert "Cancelled" in window.ai.panel.progress_label.text()
    window.session.save_all()
    store = ProjectStore(folder)
    rels = sorted(p.name for p in folder.glob("*.png"))
    for i, rel in enumerate(rels):
        path = store.label_path(rel)
        if rel in applied:
            json.loads(path.read_text())  # complete, parseable file
            doc = store.load_document(rel, 140, 100).document
            x0, y0, x1, y1 = rect_of(i)
            assert (window.session.labels.by_name("person").id, (x0, y0, x1, y1)) in suggestion_boxes(doc)
        else:
            assert not path.exists() or not suggestion_boxes(store.load_document(rel, 140, 100).document)
    assert not list(store.label_path(rels[0]).parent.glob("*.tmp*"))  # no half-written files
    pending = {rel for rel in rels if window.files.model.state(rel).pending}
    assert pending == set(applied)


def test_navigating_200_times_during_inference_never_mixes_images(window, qtbot, tmp_path, fake):
    folder = make_folder(tmp_path, 12)
    fake.delay = 0.02
    open_with(window, qtbot, folder, fake)
    window.ai.autofill("all")
    for step in range(200):
        window.next_image() if (step // 7) % 2 == 0 else window.prev_image()
        if step % 3 == 0:
            window.ai.autofill("current")  # queued behind the batch, for whatever image is shown
        qtbot.wait(1)
        assert window.canvas.document is window.document
    wait_idle(qtbot, window, timeout=60000)
    window.session.save_all()
    person = window.session.labels.by_name("person").id
    store = ProjectStore(folder)
    for i, rel in enumerate(sorted(p.name for p in folder.glob("*.png"))):
        doc = window.session.documents.get(rel) or store.load_document(rel, 140, 100).document
        boxes = suggestion_boxes(doc)
        assert (person, rect_of(i)) in boxes, rel  # its own rectangle, nobody else's
        assert all(b[1][:2] == rect_of(i)[:2] for b in boxes), rel
        assert len(boxes) == 2, rel  # replaced, never duplicated


def test_model_error_shows_a_message_and_the_app_keeps_working(window, qtbot, tmp_path, fake):
    folder = make_folder(tmp_path, 2)
    fake.fail = True
    open_with(window, qtbot, folder, fake)
    window.ai.autofill("current")
    wait_idle(qtbot, window)
    assert "illegal memory access" in window.ai.panel.banner.text()
    assert len(window.document) == 0
    fake.fail = False
    window.ai.autofill("current")
    wait_idle(qtbot, window)
    assert len(window.document) == 2


def test_missing_weights_asks_for_them_and_runs_nothing(window, qtbot, tmp_path, monkeypatch):
    monkeypatch.delenv("MASKPILOT_RANDOM_WEIGHTS", raising=False)
    monkeypatch.setenv("MASKPILOT_WEIGHTS_DIR", str(tmp_path / "no-weights"))
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "no-torch-home"))
    folder = make_folder(tmp_path, 1)
    called = []
    window.ai.worker.load_model = lambda spec, cb: called.append(spec)
    window.ai.refresh_models()
    window.ai.panel.model_box.setCurrentIndex(window.ai.panel.model_box.findData(MODEL))
    window.open_folder(folder)
    assert "weights needed" in window.ai.panel.model_box.currentText()
    assert window.ai.panel.download.isVisibleTo(window.ai.panel)
    window.ai.autofill("current")
    assert "missing" in window.ai.panel.banner.text() and not window.ai.busy and not called


def test_gpu_fallback_notice_reaches_the_banner(window, qtbot, tmp_path, fake):
    folder = make_folder(tmp_path, 1)

    def load(spec, on_fallback):
        on_fallback("Out of GPU memory; continuing on the CPU.")
        return fake

    open_with(window, qtbot, folder, fake)
    window.ai.worker.load_model = load
    window.ai.autofill("current")
    wait_idle(qtbot, window)
    assert "continuing on the CPU" in window.ai.panel.banner.text()
    assert len(window.document) == 2


def test_quitting_during_a_batch_keeps_finished_results(qtbot, tmp_path, fake):
    from app.window.main_window import MainWindow

    folder = make_folder(tmp_path, 10)
    fake.delay = 0.2
    win = MainWindow()
    qtbot.addWidget(win)
    open_with(win, qtbot, folder, fake)
    applied: list[str] = []
    win.ai.worker.result_ready.connect(lambda r: applied.append(r.rel))
    win.ai.autofill("all")
    qtbot.waitUntil(lambda: len(applied) >= 2, timeout=20000)
    win.close()
    assert not win.ai.thread.isRunning()
    store = ProjectStore(folder)
    with_suggestions = [
        rel for rel in sorted(p.name for p in folder.glob("*.png"))
        if suggestion_boxes(store.load_document(rel, 140, 100).document)
    ]  # fmt: skip
    assert len(with_suggestions) >= 2 and len(with_suggestions) < 10
    assert set(applied) <= set(with_suggestions)


def test_real_random_init_model_runs_in_the_worker(window, qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("MASKPILOT_RANDOM_WEIGHTS", "1")
    folder = make_folder(tmp_path, 1)
    window.ai.refresh_models()
    window.ai.panel.model_box.setCurrentIndex(window.ai.panel.model_box.findData(MODEL))
    window.ai.panel.set_device("cpu")
    window.open_folder(folder)
    qtbot.waitUntil(lambda: window.canvas.image is not None, timeout=5000)
    window.ai.autofill("current")
    wait_idle(qtbot, window, timeout=120000)
    assert window.ai.panel.banner.text() == ""
    run = window.document.ai_runs[MODEL]  # the prediction reached this image's document
    assert run["count"] == sum(1 for i in window.document if i.is_suggestion)
    assert "CPU" in window.ai.panel.device_label.text() or "unavailable" in window.ai.panel.device_label.text()


def test_box_to_mask_runs_the_mask_head_in_the_worker(window, qtbot, tmp_path, fake):
    folder = make_folder(tmp_path, 2)
    boxes_seen = []

    def masks_for_boxes(rgb, boxes, category_ids=None):
        boxes_seen.append(boxes.copy())
        x0, y0, x1, y1 = (int(v) for v in boxes[0])
        inside = rgb[y0:y1, x0:x1, 0] > 128
        ys, xs = np.nonzero(inside)
        crop = inside[ys.min(): ys.max() + 1, xs.min(): xs.max() + 1]
        return Prediction(boxes=boxes[:1], scores=[0.8], category_ids=[3], masks=[crop],
                          mask_offsets=[[x0 + xs.min(), y0 + ys.min()]], image_size=rgb.shape[:2], model=MODEL)

    fake.masks_for_boxes = masks_for_boxes
    open_with(window, qtbot, folder, fake)
    x0, y0, x1, y1 = rect_of(0)
    window.use_tool("auto_edit")
    assert window.ai.segment_box((x0 - 3, y0 - 2, x1 + 3, y1 + 2))
    wait_idle(qtbot, window)
    (inst,) = list(window.document)
    assert inst.state is InstanceState.ACCEPTED and inst.bbox() == (x0, y0, x1, y1)
    assert inst.category_id == window.session.labels.by_name("car").id
    assert inst.provenance["prompt"] == "box" and window.selection.ids == {inst.id}
    window.undo()
    assert len(window.document) == 0


def test_box_to_mask_without_a_box_model_falls_back(window, qtbot, tmp_path, monkeypatch):
    monkeypatch.delenv("MASKPILOT_RANDOM_WEIGHTS", raising=False)
    monkeypatch.setenv("MASKPILOT_WEIGHTS_DIR", str(tmp_path / "none"))
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "none"))
    folder = make_folder(tmp_path, 1)
    window.ai.refresh_models()
    window.open_folder(folder)
    qtbot.waitUntil(lambda: window.canvas.image is not None, timeout=5000)
    assert window.ai.segment_box((1, 1, 50, 50)) is False and not window.ai.busy
    # So the tool falls back to GrabCut, which runs off the GUI thread: nothing is added until
    # the event loop delivers its result.
    x0, y0, x1, y1 = rect_of(0)
    window.use_tool("auto_edit")
    tool = window.tools["auto_edit"]
    tool.press(PointerEvent(x0 - 4, y0 - 4, Buttons.LEFT, Buttons.LEFT))
    tool.move(PointerEvent(x1 + 4, y1 + 4, buttons=Buttons.LEFT))
    tool.release(PointerEvent(x1 + 4, y1 + 4, Buttons.LEFT))
    assert len(window.document) == 0 and window.background.busy
    qtbot.waitUntil(lambda: len(window.document) == 1, timeout=15000)
    (inst,) = list(window.document)
    assert inst.provenance == {"tool": "auto_edit", "method": "grabcut"} and window.selection.ids == {inst.id}


def test_semantic_model_fills_the_overlays_of_its_own_image(window, qtbot, tmp_path, fake):
    from inference import SemanticPrediction
    from inference.categories import VOC_CATEGORIES

    class FakeSemantic:
        def predict(self, images, score_threshold=0.3, should_stop=None, progress=None):
            out = []
            for rgb in images:
                class_map = np.where(rgb[..., 0] > 128, 15, 0).astype(np.uint8)  # VOC 15 = person
                out.append(SemanticPrediction(class_map, VOC_CATEGORIES, rgb.shape[:2], "fcn_resnet50"))
            return out

    folder = make_folder(tmp_path, 2)
    semantic = FakeSemantic()
    open_with(window, qtbot, folder, fake)
    window.ai.worker.load_model = lambda spec, cb: semantic if spec.name == "fcn_resnet50" else fake
    window.ai.refresh_models()
    window.ai.panel.semantic_box.setCurrentIndex(window.ai.panel.semantic_box.findData("fcn_resnet50"))
    shown = window.current
    window.ai.autofill("current")
    wait_idle(qtbot, window)
    layers = window.overlays.layers()
    assert set(layers) == {"semantic", "panoptic"}
    x0, y0, x1, y1 = rect_of(0)
    assert window.overlays.label_at(x0 + 2, y0 + 2) is not None
    assert "person" in window.overlays.label_at(x0 + 2, y0 + 2)
    assert window.overlays.label_at(1, 1) is None  # background is void
    # The overlays belong to that image: the next image shows none until it has its own.
    window.next_image()
    assert window.current != shown and window.overlays.layers() == {}


def test_threshold_slider_refilters_suggestions_live(window, qtbot, tmp_path, fake):
    folder = make_folder(tmp_path, 1)
    open_with(window, qtbot, folder, fake)
    window.ai.panel.set_threshold(0.3)
    window.ai.autofill("current")
    wait_idle(qtbot, window)
    calls = fake.calls
    assert len(window.review.visible_ids()) == 2
    window.ai.panel.slider.setValue(60)  # the user drags the slider: 0.4 goes, 0.9 stays
    assert [window.document.get(i).score for i in window.review.visible_ids()] == [pytest.approx(0.9)]
    assert window.layers.model.rowCount() == 1
    window.ai.panel.slider.setValue(35)
    assert len(window.review.visible_ids()) == 2 and window.layers.model.rowCount() == 2
    assert fake.calls == calls  # filtering never re-runs the model
