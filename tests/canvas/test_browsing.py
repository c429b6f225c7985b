"""In the main window: hovering names the instance in the status bar; a big JPEG shows its
preview first and the full image in place; switching images rebuilds no panel row."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QMouseEvent

from app.core.geometry import RasterGeometry
from app.core.instance import Instance
from app.formats import image_io
from tests.gui import wait_loaded

pytestmark = pytest.mark.gui


def test_hovering_an_instance_names_it_in_the_status_bar(window, image_folder, qtbot):
    window.open_folder(image_folder)
    window.show_image("img1.jpg")
    wait_loaded(qtbot, window)
    cid = window._current_category()
    window.document.add(Instance(window.document.new_id(), cid, RasterGeometry(np.ones((40, 50), bool), 20, 30), score=0.5))
    canvas = window.canvas
    canvas.grab()  # a frame: the overlay composed for this view
    sx, sy = canvas.view.to_screen(45, 50)
    canvas.mouseMoveEvent(QMouseEvent(QEvent.MouseMove, QPointF(sx, sy), QPointF(sx, sy), Qt.NoButton, Qt.NoButton, Qt.NoModifier))
    name = window.session.labels.name(cid)
    assert window.readout.hover_label.text() == f"#1 {name} 0.50"
    window.next_image()
    assert window.readout.hover_label.text() == ""  # another image: nothing under the pointer


def test_a_big_jpeg_shows_its_preview_then_the_full_image(window, tmp_path, qtbot, monkeypatch):
    monkeypatch.setattr(image_io, "PREVIEW_MIN_SIDE", 200)
    folder = tmp_path / "big"
    folder.mkdir()
    img = np.full((800, 1200, 3), 90, np.uint8)
    cv2.circle(img, (600, 400), 300, (20, 200, 240), -1)
    cv2.imwrite(str(folder / "a.jpg"), img)
    seen = []
    window.loader.loaded.connect(lambda path, image: seen.append(image.preview))
    window.open_folder(folder)
    wait_loaded(qtbot, window)
    assert seen[:2] == [True, False]  # the preview first, then the full image
    assert window.canvas.image.rgb.shape == (800, 1200, 3) and window.canvas.preview is None
    assert (window.document.width, window.document.height) == (1200, 800)
    assert "1200 × 800" in window.readout.size_label.text()


def test_switching_images_refills_no_class_row(window, image_folder, qtbot, monkeypatch):
    from app.panels.class_panel import ClassPanel

    window.open_folder(image_folder)
    window.show_image("img1.jpg")
    wait_loaded(qtbot, window)
    filled = []
    original = ClassPanel._fill_item
    monkeypatch.setattr(ClassPanel, "_fill_item", lambda self, *a: (filled.append(a[0]), original(self, *a)))
    for _ in range(3):
        window.next_image()
        wait_loaded(qtbot, window)
    assert filled == []
