"""First start on a 1366×768 and a 2560×1440 screen: the window fits, the canvas gets the room,
the current class stays in view (never tabbed behind the AI panel)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROBE = """
import json
from PySide6.QtWidgets import QApplication
app = QApplication([])
from app.window.main_window import MainWindow
win = MainWindow()
win.show()
for _ in range(20):
    app.processEvents()
screen = win.screen().availableGeometry()
d = win.docks
print(json.dumps({
    "screen": [screen.width(), screen.height()], "window": [win.frameGeometry().width(), win.frameGeometry().height()],
    "canvas": win.canvas.width(), "classes_tabbed": bool(win.tabifiedDockWidgets(d["classes"])),
    "ai_with_overlays": d["ai"] in win.tabifiedDockWidgets(d["overlays"]),
    "visible": all(d[k].isVisible() for k in ("files", "classes", "layers", "ai")),
}))
"""


@pytest.mark.parametrize("size", [(1366, 768), (2560, 1440)])
def test_first_start_fits_the_screen_and_keeps_the_classes_in_view(tmp_path, size):
    config = tmp_path / "screen.json"
    config.write_text(json.dumps({"screens": [{"name": "s", "x": 0, "y": 0, "width": size[0], "height": size[1],
                                                "logicalDpi": 96, "logicalBaseDpi": 96, "dpr": 1}]}))
    env = {**os.environ, "QT_QPA_PLATFORM": f"offscreen:configfile={config}", "XDG_CONFIG_HOME": str(tmp_path / "cfg"),
           "MASKPILOT_DATA_DIR": str(tmp_path / "data")}
    out = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    got = json.loads(out.stdout.strip().splitlines()[-1])
    assert got["screen"] == list(size)
    assert got["window"][0] <= size[0] and got["window"][1] <= size[1]
    assert got["canvas"] >= 0.5 * got["window"][0]  # the canvas, not the docks, gets the room
    assert not got["classes_tabbed"] and got["ai_with_overlays"] and got["visible"]
