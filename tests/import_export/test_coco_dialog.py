"""ExportDialog (COCO and others) on a tiny folder: runs in a thread, reports, cancels."""

from __future__ import annotations

import json
import threading

import cv2
import numpy as np
import pytest

from app.core.categories import LabelSet
from app.core.document import Document
from app.core.geometry import PolygonGeometry
from app.core.instance import Instance
from app.formats.store import ProjectStore

pytestmark = pytest.mark.gui
W, H = 32, 24


@pytest.fixture
def project(tmp_path):
    folder = tmp_path / "imgs"
    folder.mkdir()
    names = [f"im{i}.png" for i in range(6)]
    store = ProjectStore(folder)
    for name in names:
        (folder / name).write_bytes(cv2.imencode(".png", np.zeros((H, W, 3), np.uint8))[1].tobytes())
        doc = Document(name, W, H)
        doc.add(Instance(1, 1, PolygonGeometry.from_points([[1, 1], [20, 1], [10, 15]])))
        store.save_document(doc)
    return folder, store, LabelSet.from_names(["thing"]), names


def test_export_dialog_exports_selection(qtbot, project, tmp_path):
    from app.import_export.export_dialog import ExportDialog

    folder, store, labels, names = project
    dlg = ExportDialog(folder, store, labels, names, selected=names[:2])
    qtbot.addWidget(dlg)
    assert dlg.all_radio.isChecked() and dlg.selected_radio.isEnabled()  # all by default
    dlg.selected_radio.setChecked(True)
    out = tmp_path / "out.json"
    dlg.out_edit.setText(str(out))
    with qtbot.waitSignal(dlg.exported, timeout=20000) as sig:
        dlg.start_button.click()
    report = sig.args[0]
    assert not report.cancelled and report.images == 2 and report.instances == 2
    assert len(json.loads(out.read_text())["images"]) == 2
    assert "2 image(s)" in dlg.status.text()
    assert dlg.start_button.isEnabled() and not dlg.is_running()

    dlg.set_format("png")
    assert dlg.out_edit.text().endswith("imgs_masks")
    dlg.binary_check.setChecked(True)
    dlg.all_radio.setChecked(True)
    with qtbot.waitSignal(dlg.exported, timeout=20000) as sig:
        dlg.start_button.click()
    assert sig.args[0].images == 6


def test_export_dialog_cancel_stops_between_images(qtbot, project, tmp_path, monkeypatch):
    import app.formats.coco as coco
    from app.import_export.export_dialog import ExportDialog

    real = coco.load_document
    gate, calls = threading.Event(), []

    def slow(*args):
        # From the second image on, wait for Cancel: it lands before the last image however
        # busy the machine is (a sleep only made that likely).
        if calls:
            gate.wait(20)
        calls.append(args)
        return real(*args)

    monkeypatch.setattr(coco, "load_document", slow)
    folder, store, labels, names = project
    dlg = ExportDialog(folder, store, labels, names)
    qtbot.addWidget(dlg)
    out = tmp_path / "never.json"
    dlg.out_edit.setText(str(out))
    dlg.start_button.click()
    assert dlg.is_running() and not dlg.format_combo.isEnabled()
    qtbot.waitUntil(lambda: dlg.progress_bar.value() >= 1, timeout=10000)
    with qtbot.waitSignal(dlg.exported, timeout=20000) as sig:
        dlg.cancel_button.click()
        gate.set()
    assert sig.args[0].cancelled and sig.args[0].images < len(names)
    assert not out.exists()
    assert "Cancelled" in dlg.status.text()


def test_export_dialog_refuses_a_missing_path(qtbot, project, monkeypatch):
    from app.import_export.export_dialog import ExportDialog

    folder, store, labels, names = project
    dlg = ExportDialog(folder, store, labels, names)
    qtbot.addWidget(dlg)
    warned = []
    monkeypatch.setattr(dlg, "warn", warned.append)
    dlg.out_edit.setText("")
    dlg.start_button.click()
    assert warned and not dlg.is_running()
