"""Reading label JSON files and telling their formats apart, so an import refuses a file of
another format (with a hint) instead of importing nothing and adding its classes.

A COCO panoptic file has the same top-level keys as a COCO instances file; only its annotations
differ (`segments_info` per image instead of one `segmentation` per object). Without a check,
importing one as the other succeeded, skipped every annotation and added the file's classes.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from app.core.text import QT_TRANSLATE_NOOP
from app.formats.project_io import FormatError

COCO, PANOPTIC, LABELME, RESULTS, CATEGORIES = "coco", "panoptic", "labelme", "coco results", "categories"

#: What to tell a user who picked the wrong format for a file of each kind.
_HINTS = {
    COCO: QT_TRANSLATE_NOOP("LabelImport", "this looks like COCO instances (one 'segmentation' per annotation): use --format coco"),
    PANOPTIC: QT_TRANSLATE_NOOP("LabelImport", "this looks like COCO panoptic ('segments_info' per image, with PNGs): use --format panoptic"),
    LABELME: QT_TRANSLATE_NOOP("LabelImport", "this looks like a labelme file ('shapes'): use --format labelme with --from its folder"),
    RESULTS: QT_TRANSLATE_NOOP("LabelImport", "this looks like a COCO results file (model detections without an 'images' list), "
                               "which names no image files and cannot be imported"),
    CATEGORIES: QT_TRANSLATE_NOOP("LabelImport", "this holds only a class list ('categories'); load it as a class list instead"),
}


def read_json(path: str | os.PathLike) -> object:
    """Parse a JSON file, turning every failure into a FormatError with the file name."""
    try:
        with open(path, encoding="utf-8-sig") as fh:
            return json.load(fh)
    except OSError as exc:
        raise FormatError(QT_TRANSLATE_NOOP("LabelImport", "cannot read {name}: {error}").format(name=Path(path).name, error=exc.strerror or exc)) from exc
    except (ValueError, UnicodeDecodeError) as exc:
        raise FormatError(QT_TRANSLATE_NOOP("LabelImport", "{name} is not valid JSON: {error}").format(name=Path(path).name, error=exc)) from exc


def sniff(data: object) -> str | None:
    """The kind of a parsed label JSON (COCO, PANOPTIC, LABELME, RESULTS, CATEGORIES), or None
    when it cannot be told (e.g. a COCO file without annotations, which suits either reader)."""
    if isinstance(data, list):
        rows = [r for r in data[:50] if isinstance(r, dict)]
        if rows and all("image_id" in r and "category_id" in r for r in rows):
            return RESULTS
        return None
    if not isinstance(data, dict):
        return None
    if isinstance(data.get("shapes"), list):
        return LABELME
    anns = data.get("annotations")
    if isinstance(anns, list) and isinstance(data.get("images"), list):
        sample = [a for a in anns[:200] if isinstance(a, dict)]
        if any("segments_info" in a for a in sample):
            return PANOPTIC
        if any("segmentation" in a or "bbox" in a or "category_id" in a for a in sample):
            return COCO
        return None
    if isinstance(data.get("categories"), list) and "annotations" not in data:
        return CATEGORIES
    return None


def require(data: object, expected: str, name: str, what: str) -> None:
    """Raise FormatError unless `data` may be a file of kind `expected`; `what` describes it."""
    kind = sniff(data)
    if kind is not None and kind != expected:
        raise FormatError(QT_TRANSLATE_NOOP("LabelImport", "{name} is not a {what} file: {hint}").format(name=name, what=what, hint=_HINTS[kind]))
