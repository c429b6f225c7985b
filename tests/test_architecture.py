"""The dependency rules of ARCHITECTURE.md, checked by machine."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_import_linter_contracts_hold():
    exe = Path(sys.executable).parent / "lint-imports"
    out = subprocess.run([str(exe)], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "broken" not in out.stdout.lower().replace("0 broken", "")


def test_core_formats_inference_import_without_qt_or_torch():
    code = (
        "import sys\n"
        "import app.core, app.formats.store, app.formats.image_io, app.formats.class_lists, inference\n"
        "import app.ai.domain.suggestions, app.ai.domain.review, app.ai.domain.box_prompt, app.cli.label\n"
        "bad = [m for m in ('PySide6', 'torch') if m in sys.modules]\n"
        "assert not bad, bad\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr


def test_only_the_window_package_knows_the_main_window():
    """Controllers get the few callables they use (docs/architecture.md), never the window."""
    offenders = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "app").rglob("*.py")
        if "MainWindow" in path.read_text(encoding="utf-8")
        and path.parent != ROOT / "app" / "window" and path != ROOT / "app" / "__main__.py"
    ]
    assert not offenders, offenders


def test_modules_stay_small():
    """Files of at most 400 lines (ARCHITECTURE.md's style); a longer one must say why in
    LONG_MODULES."""
    long = {
        str(path.relative_to(ROOT)): n
        for folder in ("app", "inference")
        for path in (ROOT / folder).rglob("*.py")
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > 400
    }
    assert set(long) <= set(LONG_MODULES), long


#: Modules allowed past 400 lines, each with the reason it must stay one unit.
LONG_MODULES: dict[str, str] = {}


def test_no_cv2_imread_and_safe_torch_load_in_sources():
    offenders = []
    for folder in ("app", "inference"):
        for path in (ROOT / folder).rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            if "cv2.imread(" in text:
                offenders.append(f"{path}: cv2.imread")
            for line in text.splitlines():
                if "torch.load(" in line and "weights_only=True" not in line:
                    offenders.append(f"{path}: {line.strip()}")
    assert not offenders, offenders


def test_sample_folder_is_generated_once(tmp_path):
    env = {**os.environ, "MASKPILOT_DATA_DIR": str(tmp_path)}
    code = "from app.sample import ensure_sample_folder; print(ensure_sample_folder())"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, env=env, timeout=120)
    assert out.returncode == 0, out.stderr
    folder = Path(out.stdout.strip())
    images = sorted(folder.glob("*.jpg"))
    from app.sample import SAMPLE_COUNT

    assert len(images) == SAMPLE_COUNT
    mtimes = [p.stat().st_mtime_ns for p in images]
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True, timeout=120)
    assert [p.stat().st_mtime_ns for p in images] == mtimes  # not rewritten
    assert (folder / ".maskpilot" / "labels" / "scene_01.jpg.json").exists()
