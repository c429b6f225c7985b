"""Class lists: the bundled defaults, plain text (one name per line) and COCO categories JSON."""

from __future__ import annotations

import json
import os
from pathlib import Path

from app.core.categories import Category, LabelSet, default_color
from app.core.text import QT_TRANSLATE_NOOP
from app.formats.atomic import write_bytes_atomic, write_json_atomic
from app.paths import resource_path


class ClassListError(ValueError):
    """A class list file that cannot be used; the message says why."""


def coco_things() -> LabelSet:
    """The 80 COCO thing classes with their official ids (1..90, with gaps) and colours."""
    return read_coco_categories(resource_path("classes", "coco_things.json"))


def read_text(path: str | os.PathLike) -> LabelSet:
    """One class name per line; blank lines, '#' comments and labelme's __ignore__/_background_ skipped."""
    try:
        lines = Path(path).read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise ClassListError(QT_TRANSLATE_NOOP("ClassLists", "cannot read class list {name}: {error}").format(name=Path(path).name, error=exc)) from exc
    names: list[str] = []
    for line in lines:
        name = line.strip()
        if not name or name.startswith("#") or name in ("__ignore__", "_background_"):
            continue
        if name.lower() in (n.lower() for n in names):
            raise ClassListError(QT_TRANSLATE_NOOP("ClassLists", "class {name} is listed twice in {file}").format(name=repr(name), file=Path(path).name))
        names.append(name)
    if not names:
        raise ClassListError(QT_TRANSLATE_NOOP("ClassLists", "{name} holds no class names").format(name=Path(path).name))
    return LabelSet.from_names(names)


def write_text(labels: LabelSet, path: str | os.PathLike) -> None:
    write_bytes_atomic(path, "".join(f"{c.name}\n" for c in labels).encode("utf-8"))


def read_coco_categories(path: str | os.PathLike) -> LabelSet:
    """A COCO `categories` list, or a whole COCO JSON file holding one."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ClassListError(QT_TRANSLATE_NOOP("ClassLists", "cannot read {name}: {error}").format(name=Path(path).name, error=exc)) from exc
    cats = data.get("categories") if isinstance(data, dict) else data
    if not isinstance(cats, list) or not cats:
        raise ClassListError(QT_TRANSLATE_NOOP("ClassLists", "{name} has no COCO 'categories' list").format(name=Path(path).name))
    try:
        return LabelSet(
            [
                Category(
                    int(c["id"]),
                    str(c["name"]),
                    tuple(int(v) for v in c["color"]) if "color" in c else default_color(int(c["id"])),
                    bool(c.get("isthing", True)),
                    str(c.get("supercategory") or ""),
                )
                for c in cats
            ]
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ClassListError(QT_TRANSLATE_NOOP("ClassLists", "invalid category in {name}: {error}").format(name=Path(path).name, error=exc)) from exc


def write_coco_categories(labels: LabelSet, path: str | os.PathLike) -> None:
    cats = [
        {"id": c.id, "name": c.name, "supercategory": c.supercategory or c.name, "isthing": int(c.isthing),
         "color": list(c.color)}
        for c in labels
    ]
    write_json_atomic(path, {"categories": cats})
