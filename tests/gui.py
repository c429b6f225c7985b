from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest


def write_jpeg(path: Path, h: int = 120, w: int = 160, value: int = 100) -> None:
    img = np.full((h, w, 3), value, np.uint8)
    cv2.putText(img, path.stem[:6], (5, h // 2), cv2.FONT_HERSHEY_SIMPLEX, 0.6, (255, 255, 255), 1)
    ok, buf = cv2.imencode(".jpg", img)
    path.write_bytes(buf.tobytes())


@pytest.fixture
def image_folder(tmp_path) -> Path:
    folder = tmp_path / "imgs"
    folder.mkdir()
    for i in (1, 2, 10, 3):
        write_jpeg(folder / f"img{i}.jpg", value=40 * i % 255)
    (folder / "broken.png").write_text("not an image")
    return folder


@pytest.fixture(autouse=True)
def _fresh_qsettings(tmp_path_factory):
    """QSettings resolves its folder once per process; point it at a new one for every test."""
    from PySide6.QtCore import QSettings

    QSettings.setPath(QSettings.NativeFormat, QSettings.UserScope, str(tmp_path_factory.mktemp("qsettings")))
    QSettings("MaskPilot", "MaskPilot").clear()


@pytest.fixture
def window(qtbot):
    from app.window.main_window import MainWindow

    win = MainWindow()
    qtbot.addWidget(win)
    win.resize(1200, 800)
    win.show()
    yield win
    win.close()


def wait_loaded(qtbot, win, timeout: int = 5000) -> None:
    qtbot.waitUntil(lambda: win.canvas.image is not None or win.canvas.message.startswith("This image"), timeout=timeout)
