"""Which image comes next: stepping through the (filtered) file list, the next unfinished image,
the neighbours worth decoding ahead. Pure functions of the file list, so the window stays wiring."""

from __future__ import annotations

from app.panels.file_list import FileListModel, FileListPanel


def shown_status(status: str, instances: int) -> str:
    """A 'new' image that already has instances is shown as in progress."""
    return "in_progress" if status == "new" and instances else status


def step(files: FileListPanel, current: str | None, delta: int) -> str | None:
    """The image `delta` rows from `current` in the list as filtered on screen (clamped at the
    ends); the first shown image when `current` is filtered out; None when nothing is shown."""
    proxy, model = files.proxy, files.model
    if current is None or proxy.rowCount() == 0:
        return None
    row = proxy.mapFromSource(model.index(model.row_of(current))).row()
    target = min(max(row + delta, 0), proxy.rowCount() - 1) if row >= 0 else 0
    return model.path(proxy.mapToSource(proxy.index(target, 0)).row())


def next_unfinished(model: FileListModel, current: str) -> str | None:
    """The next image after `current` (wrapping around) that is neither done nor unreadable."""
    paths = model.paths()
    start = model.row_of(current)
    for k in range(1, len(paths) + 1):
        rel = paths[(start + k) % len(paths)]
        if model.state(rel).shown not in ("done", "error"):
            return rel
    return None


def neighbours(model: FileListModel, current: str) -> list[str]:
    """The images to decode ahead of the user: next, previous, the one after next."""
    paths = model.paths()
    row = model.row_of(current)
    return [paths[r] for r in (row + 1, row - 1, row + 2) if 0 <= r < len(paths)]


def following(model: FileListModel, current: str, count: int) -> list[str]:
    """Up to `count` images after `current` in list order (what to encode ahead)."""
    paths = model.paths()
    row = model.row_of(current)
    return paths[row + 1:row + 1 + count] if row >= 0 else []
