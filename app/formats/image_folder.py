"""List the images of a folder: natural sort, optional recursion, the store folder skipped."""

from __future__ import annotations

import os
import re
from pathlib import Path

from app.formats.image_io import IMAGE_EXTENSIONS

STORE_DIR_NAME = ".maskpilot"
_DIGITS = re.compile(r"(\d+)")


def natural_key(name: str) -> tuple:
    """'img2' < 'img10'; case-insensitive; digits compare as numbers."""
    return tuple(int(t) if t.isdigit() else t.casefold() for t in _DIGITS.split(name))


def list_images(folder: str | os.PathLike, recursive: bool = False) -> list[str]:
    """Relative POSIX-style paths of the images in `folder`, naturally sorted.

    Hidden folders (the project store among them) are skipped. Unreadable sub-folders are skipped
    rather than failing the whole listing.
    """
    root = Path(folder)
    found: list[str] = []
    stack = [""]
    while stack:
        rel_dir = stack.pop()
        try:
            entries = list(os.scandir(root / rel_dir if rel_dir else root))
        except OSError:
            continue
        for entry in entries:
            name = entry.name
            rel = f"{rel_dir}/{name}" if rel_dir else name
            if name.startswith("."):
                continue
            try:
                is_dir = entry.is_dir()
            except OSError:
                continue
            if is_dir:
                if recursive:
                    stack.append(rel)
            elif os.path.splitext(name)[1].lower() in IMAGE_EXTENSIONS:
                found.append(rel)
    found.sort(key=natural_key)
    return found
