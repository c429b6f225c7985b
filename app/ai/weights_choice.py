"""Which weights file a model uses: the one the user chose in the AI panel (remembered in the
settings, while it still exists), else its official file found in the weights folders."""

from __future__ import annotations

import os

from PySide6.QtCore import QSettings


def settings_key(name: str) -> str:
    return f"ai/weights/{name}"


def weights_file(settings: QSettings, name: str, weights_files: tuple[str, ...]) -> str | None:
    import inference

    chosen = settings.value(settings_key(name))
    if chosen and os.path.isfile(chosen):
        return str(chosen)
    found = inference.find_weights(weights_files)
    return str(found) if found is not None else None
