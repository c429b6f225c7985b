"""The PyInstaller bundle (build.spec) builds and the bundled app passes --self-test.

Slow (about a minute without torch); skipped where PyInstaller is not installed. Builds the
light variant (MASKPILOT_BUNDLE_TORCH=0) unless MASKPILOT_BUNDLE_TEST_TORCH=1 asks for the full one.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(importlib.util.find_spec("PyInstaller") is None, reason="PyInstaller is not installed"),
]


def test_bundle_builds_without_tests_and_passes_self_test(tmp_path):
    env = {**os.environ, "MASKPILOT_BUNDLE_TORCH": os.environ.get("MASKPILOT_BUNDLE_TEST_TORCH", "0")}
    build = subprocess.run(
        [sys.executable, "-m", "PyInstaller", "--noconfirm", "--distpath", str(tmp_path / "dist"),
         "--workpath", str(tmp_path / "build"), str(ROOT / "build.spec")],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=1800,
    )
    assert build.returncode == 0, build.stderr[-4000:]
    bundle = tmp_path / "dist" / "maskpilot"
    exe = bundle / ("maskpilot.exe" if sys.platform == "win32" else "maskpilot")
    assert exe.is_file()
    files = [p.relative_to(bundle).as_posix() for p in bundle.rglob("*")]
    assert any(f.endswith("resources/classes/coco_things.json") for f in files)
    assert any(f.endswith("resources/icons/app.svg") for f in files)
    ours = ("tests/", "bench/", "make_corpus", "edit_worker", "test_kill", "bench_soak")
    assert not [f for f in files if any(o in f for o in ours) and "site-packages" not in f]
    toc = (tmp_path / "build" / "build" / "PYZ-00.toc")
    if toc.is_file():  # the modules packed into the archive: none of ours from tests/ or bench/
        text = toc.read_text(errors="replace")
        assert "'tests." not in text and "'bench" not in text
    run_env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "MASKPILOT_DATA_DIR": str(tmp_path / "data"),
               "XDG_CONFIG_HOME": str(tmp_path / "config")}
    out = subprocess.run([str(exe), "--self-test"], env=run_env, capture_output=True, text=True, timeout=180)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "self-test: ok" in out.stdout
    assert (tmp_path / "data" / "logs" / "maskpilot.log").is_file()  # the hook's log works frozen
