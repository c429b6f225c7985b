"""ImportDialog on a tiny folder with labelme JSON next to the images: import, classes, cancel."""

from __future__ import annotations

import json
import threading

import cv2
import numpy as np
import pytest

from app.core.categories import LabelSet
from app.formats.store import ProjectStore

pytestmark = pytest.mark.gui
W, H = 32, 24


@pytest.fixture
def project(tmp_path):
    folder = tmp_path / "imgs"
    folder.mkdir()
    names = [f"im{i}.png" for i in range(5)]
    for name in names:
        (folder / name).write_bytes(cv2.imencode(".png", np.zeros((H, W, 3), np.uint8))[1].tobytes())
        shape = {"label": "newt", "points": [[1, 1], [20, 1], [10, 15]], "shape_type": "polygon", "group_id": None}
        (folder / name.replace(".png", ".json")).write_text(
            json.dumps({"shapes": [shape], "imagePath": name, "imageWidth": W, "imageHeight": H}))
    return folder, ProjectStore(folder), LabelSet.from_names(["cat"]), names


def test_import_dialog_imports_labelme_and_adds_classes(qtbot, project):
    from app.import_export.import_dialog import ImportDialog

    folder, store, labels, names = project
    seen = []
    labels.changed.connect(seen.append)
    dlg = ImportDialog(folder, store, labels, names, format="labelme")
    qtbot.addWidget(dlg)
    assert dlg.beside_check.isChecked() and not dlg.source_edit.isEnabled()
    with qtbot.waitSignal(dlg.imported, timeout=20000) as sig:
        dlg.start_button.click()
    assert sig.args[0] == names
    newt = labels.by_name("newt")
    assert newt is not None and seen == [newt.id]  # inserted on the GUI thread, after the run
    doc = store.load_document("im0.png", W, H).document
    assert [i.category_id for i in doc] == [newt.id]
    assert "5 instance(s)" in dlg.status.text()


def test_import_dialog_cancel(qtbot, project, monkeypatch):
    import app.formats.labelme as labelme
    from app.import_export.import_dialog import ImportDialog

    real = labelme.load_document
    gate, calls = threading.Event(), []

    def slow(*args):
        if calls:  # from the second image on, wait for Cancel (a sleep only made it likely)
            gate.wait(20)
        calls.append(args)
        return real(*args)

    monkeypatch.setattr(labelme, "load_document", slow)
    folder, store, labels, names = project
    dlg = ImportDialog(folder, store, labels, names, format="labelme")
    qtbot.addWidget(dlg)
    dlg.start_button.click()
    qtbot.waitUntil(lambda: dlg.progress_bar.value() >= 1, timeout=10000)
    with qtbot.waitSignal(dlg.imported, timeout=20000) as sig:
        dlg.cancel_button.click()
        gate.set()
    assert dlg.report.cancelled and 1 <= len(sig.args[0]) < len(names)
    assert "Cancelled" in dlg.status.text()


def test_import_dialog_needs_a_source_for_coco(qtbot, project, monkeypatch, tmp_path):
    from app.import_export.import_dialog import ImportDialog

    folder, store, labels, names = project
    dlg = ImportDialog(folder, store, labels, names, format="coco")
    qtbot.addWidget(dlg)
    warned = []
    monkeypatch.setattr(dlg, "warn", warned.append)
    dlg.start_button.click()
    assert warned and not dlg.is_running()
    dlg.source_edit.setText(str(tmp_path))  # a folder, not a JSON file
    dlg.start_button.click()
    assert len(warned) == 2
