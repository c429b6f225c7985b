"""Bringing a project's classes in line with a loaded class list, matching names
case-insensitively, so that existing instances keep their class."""

from __future__ import annotations

from app.core.categories import Category, LabelSet


def removed_by(labels: LabelSet, loaded: LabelSet, replace: bool) -> list[Category]:
    """The classes that merge(labels, loaded, replace) would remove: with replace, every class
    whose name the loaded list lacks; none otherwise."""
    names = {c.name.lower() for c in loaded}
    return [c for c in labels if c.name.lower() not in names] if replace else []


def merge(labels: LabelSet, loaded: LabelSet, replace: bool, keep_ids: bool = False) -> list[Category]:
    """Change `labels` in place; returns the classes removed.

    Matched classes keep their id and colour. New names are added: with keep_ids (COCO files)
    under the file's id when no current class has it, otherwise under a fresh id (and, without
    keep_ids, a fresh colour). replace=True also removes the classes the file lacks and puts the
    rest in the file's order.
    """
    existing = {c.name.lower(): c for c in labels}
    matched = {c.name.lower(): existing[c.name.lower()] for c in loaded if c.name.lower() in existing}
    current_ids = {c.id for c in labels}
    removed = removed_by(labels, loaded, replace)
    taken = {c.id for c in matched.values()}
    if replace:
        for cat in list(labels):
            labels.remove(cat.id)
    for cat in loaded:
        keep = matched.get(cat.name.lower())
        if keep is not None:
            if replace:
                labels.insert(keep)
        elif keep_ids and cat.id not in current_ids and cat.id not in taken:
            labels.insert(cat)
            taken.add(cat.id)
        else:
            taken.add(labels.add(cat.name, cat.color if keep_ids else None, cat.isthing).id)
    return removed
