"""Review by uncertainty through the real window: auto-fill (a fake model whose scores differ per
image) stores each image's uncertainty in its labels and the store's index, the file list sorts
by it (and remembers the sort), and U goes to the most uncertain unfinished image, skipping done
ones."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from app.ai.domain.uncertainty import image_uncertainty
from app.core.document import Document, ImageStatus
from app.formats.store import ProjectStore
from app.panels.file_list import SORT_UNCERTAIN
from inference import Prediction

pytestmark = pytest.mark.gui

MODEL = "maskrcnn_resnet50_fpn"  # a registered name (class names); the fake replaces the network
#: Scores the fake gives each image, told apart by where its bright square sits (x0 = 10 * i).
SCORES = {
    "im0.png": [0.97, 0.9],  # fairly sure
    "im1.png": [0.5, 0.52, 0.45],  # the most uncertain, but marked done below
    "im2.png": [0.99],  # sure
    "im3.png": [0.6, 0.55],  # uncertain
    "im4.png": [0.8, 0.7],  # in between
}
NAMES = list(SCORES)


def make_folder(root: Path) -> Path:
    folder = root / "imgs"
    folder.mkdir()
    for i, name in enumerate(NAMES):
        img = np.full((60, 80, 3), 30, np.uint8)
        img[5:25, 10 * i + 2:10 * i + 22] = 230
        ok, buf = cv2.imencode(".png", img)
        (folder / name).write_bytes(buf.tobytes())
    # im1 is done before anything runs (as if labelled by hand)
    ProjectStore(folder).save_document(Document("im1.png", 80, 60, status=ImageStatus.DONE))
    return folder


class ScoresPredictor:
    """'person' detections on the bright square, with the scores SCORES gives its image."""

    def __init__(self) -> None:
        from inference.categories import COCO_CATEGORIES

        self.categories = list(COCO_CATEGORIES)

    def predict(self, images, score_threshold=0.3, max_detections=100, should_stop=None, progress=None):
        out = []
        for rgb in images:
            xs = np.nonzero(rgb[10, :, 0] > 128)[0]
            scores = SCORES[NAMES[(int(xs.min()) - 2) // 10]]
            n = len(scores)
            out.append(Prediction(
                boxes=[[xs.min(), 5, xs.max() + 1, 25]] * n, scores=scores, category_ids=[1] * n,
                masks=[np.ones((20, 20), bool)] * n, mask_offsets=[[int(xs.min()), 5]] * n,
                image_size=rgb.shape[:2], model=MODEL,
            ))  # fmt: skip
        return out


def open_and_fill(window, qtbot, folder: Path) -> None:
    window.ai.worker.load_model = lambda spec, on_fallback: ScoresPredictor()
    window.ai.refresh_models()
    window.ai.panel.model_box.setCurrentIndex(window.ai.panel.model_box.findData(MODEL))
    assert window.open_folder(folder)
    qtbot.waitUntil(lambda: window.canvas.image is not None, timeout=5000)
    window.ai.autofill("all")
    qtbot.waitUntil(lambda: not window.ai.busy, timeout=20000)


def expected(name: str) -> float:
    return image_uncertainty(SCORES[name])


def test_autofill_stores_uncertainty_sorts_the_list_and_u_visits_unfinished_images(window, qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("MASKPILOT_RANDOM_WEIGHTS", "1")  # "weights present" for the registered name
    folder = make_folder(tmp_path)
    open_and_fill(window, qtbot, folder)
    # The open image (im0) got it on its live document, the others in their label files.
    assert window.current == "im0.png"
    assert window.document.ai_runs[MODEL]["uncertainty"] == pytest.approx(expected("im0.png"), abs=1e-6)
    window.save_now()
    index = ProjectStore(folder).index()  # a fresh store: read back from disk
    for name in NAMES:
        assert index[name].uncertainty == pytest.approx(expected(name), abs=1e-6), name
        assert window.files.model.state(name).uncertainty == pytest.approx(expected(name), abs=1e-6)
    assert index["im1.png"].status == "done"

    files = window.files
    files.sort_combo.setCurrentIndex(files.sort_combo.findData(SORT_UNCERTAIN))
    proxy = files.proxy
    order = [files.model.path(proxy.mapToSource(proxy.index(r, 0)).row()) for r in range(proxy.rowCount())]
    assert order == sorted(NAMES, key=expected, reverse=True) == ["im1.png", "im3.png", "im4.png", "im0.png", "im2.png"]

    # U: the most uncertain unfinished image (im1 is done: skipped), then the next, wrapping.
    go = window.actions_by_key["next_uncertain"]
    assert go.shortcut().toString() == "U"
    visited = []
    for _ in range(5):
        go.trigger()
        visited.append(window.current)
    assert visited == ["im3.png", "im4.png", "im0.png", "im2.png", "im3.png"]
    window.edits.toggle_done()  # im3 done: U now starts from the next most uncertain
    go.trigger()
    assert window.current == "im4.png"

    # D steps through the list as sorted on screen.
    window.actions_by_key["next_image"].trigger()
    assert window.current == "im0.png"


def test_the_sort_is_remembered_and_the_key_explains_when_it_cannot_go(window, qtbot, tmp_path):
    from app.window.main_window import MainWindow

    folder = make_folder(tmp_path)
    assert window.open_folder(folder)
    messages = []
    window.statusBar().messageChanged.connect(messages.append)
    window.actions_by_key["next_uncertain"].trigger()  # nothing auto-filled yet
    assert window.current == "im0.png" and "auto-fill" in messages[-1]
    window.files.sort_combo.setCurrentIndex(window.files.sort_combo.findData(SORT_UNCERTAIN))
    again = MainWindow()
    qtbot.addWidget(again)
    assert again.files.sort_key() == SORT_UNCERTAIN
    assert again.files.sort_combo.currentData() == SORT_UNCERTAIN
    again.close()
