"""`make run` on a machine without a display: a clear sentence, not Qt's xcb abort."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from app.__main__ import display_missing

ROOT = Path(__file__).resolve().parents[2]


def test_display_detection():
    assert display_missing({}, "linux")
    assert not display_missing({"DISPLAY": ":0"}, "linux")
    assert not display_missing({"WAYLAND_DISPLAY": "wayland-0"}, "linux")
    assert not display_missing({"QT_QPA_PLATFORM": "offscreen"}, "linux")
    assert not display_missing({}, "win32") and not display_missing({}, "darwin")


def test_starting_without_a_display_says_what_to_do(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    env["MASKPILOT_DATA_DIR"] = str(tmp_path)
    out = subprocess.run([sys.executable, "-m", "app", "--sample"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 2
    assert "no display found" in out.stderr and "QT_QPA_PLATFORM=offscreen" in out.stderr
    assert "xcb" not in out.stderr  # Qt was never asked to start
