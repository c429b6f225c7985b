"""Where things live: bundled resources (source tree or PyInstaller bundle) and per-user folders."""

from __future__ import annotations

import os
import sys
from pathlib import Path


def resource_path(*parts: str) -> Path:
    """A file under resources/, from the source tree or from a frozen bundle (sys._MEIPASS)."""
    base = Path(getattr(sys, "_MEIPASS", Path(__file__).resolve().parent.parent))
    return base.joinpath("resources", *parts)


def user_data_dir() -> Path:
    """Per-user data folder (sample images, logs). MASKPILOT_DATA_DIR overrides it (tests)."""
    if env := os.environ.get("MASKPILOT_DATA_DIR"):
        return Path(env)
    if sys.platform == "win32":
        return Path(os.environ.get("LOCALAPPDATA", Path.home() / "AppData" / "Local")) / "MaskPilot"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / "MaskPilot"
    return Path(os.environ.get("XDG_DATA_HOME", Path.home() / ".local" / "share")) / "maskpilot"


def log_dir() -> Path:
    """Per-user log folder: `logs/` in the user data folder (so MASKPILOT_DATA_DIR moves it too).
    Created on first use by app.window.crash_handler.setup_logging."""
    return user_data_dir() / "logs"
