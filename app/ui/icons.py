"""Icons from resources/icons (SVG), found in a checkout and in the bundle alike."""

from __future__ import annotations

from PySide6.QtGui import QIcon

from app.paths import resource_path


def icon(name: str) -> QIcon:
    return QIcon(str(resource_path("icons", f"{name}.svg")))
