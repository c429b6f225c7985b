"""Which image comes next: stepping through the (filtered, sorted) file list, the next unfinished
image, the next most uncertain one, the neighbours worth decoding ahead. Pure functions of the
file list (plus `UncertaintyReview`, the little state the uncertainty ranking needs), so the
window stays wiring."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping

from PySide6.QtCore import QSettings

from app.formats.store import IndexEntry
from app.panels.file_list import SORT_NAME, FileListModel, FileListPanel, FileState, shown_status
from app.ui.i18n import translate

#: QSettings key of the file list's sort (a view setting: the same for every folder).
SORT_SETTING = "files/sort"


def file_states(index: Mapping[str, IndexEntry], unreadable: str) -> dict[str, FileState]:
    """The file list's state of every image the store's index knows (status as shown, pending
    count, uncertainty); a label file that could not be read shows as an error, `unreadable`."""
    return {
        rel: FileState("error", 0, unreadable) if e.status == "error"
        else FileState(shown_status(e.status, e.instances), e.pending, uncertainty=e.uncertainty)
        for rel, e in index.items()
    }  # fmt: skip


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


def uncertain_order(model: FileListModel) -> list[str]:
    """The unfinished images (neither done nor unreadable) with a known uncertainty, most
    uncertain first, folder order breaking ties: the order the uncertainty review visits."""
    paths = model.paths()
    keyed = [(model.uncertainty_key(row), rel) for row, rel in enumerate(paths)]
    return [rel for key, rel in sorted(keyed) if key[0] != math.inf and model.state(rel).shown not in ("done", "error")]


def next_uncertain(model: FileListModel, after: str | None, current: str | None = None) -> str | None:
    """The next image of `uncertain_order` below `after` in the ranking, wrapping around to the
    most uncertain one; the most uncertain one when `after` is None or no longer listed. `after`
    need not be in the order itself (an image just marked done still has its place in the
    ranking). Never `current`; None when no other image qualifies."""
    order = uncertain_order(model)
    if after is not None and model.row_of(after) >= 0:
        anchor = model.uncertainty_key(model.row_of(after))
        keys = {rel: model.uncertainty_key(model.row_of(rel)) for rel in order}
        order = [rel for rel in order if keys[rel] > anchor] + [rel for rel in order if keys[rel] <= anchor]
    return next((rel for rel in order if rel != current), None)


class UncertaintyReview:
    """Review by uncertainty, for the window: keeps the file list's sort in QSettings and is
    the Go menu's Next Uncertain Image, which walks down the ranking from the image it went to
    last (browsing elsewhere in between does not lose the place; the first press, and a press
    after the least uncertain one, start at the top). current() is the image shown, show(rel)
    shows one, message(text) is a status bar message."""

    def __init__(self, files: FileListPanel, settings: QSettings, current: Callable[[], str | None],
                 show: Callable[[str], object], message: Callable[[str], object]) -> None:  # fmt: skip
        self.files, self._current, self._show, self._message = files, current, show, message
        self._last: str | None = None
        files.set_sort(str(settings.value(SORT_SETTING, SORT_NAME)))
        files.sort_changed.connect(lambda key: settings.setValue(SORT_SETTING, key))
        files.model.modelReset.connect(self._on_files_reset)  # another folder: start at the top again

    def _on_files_reset(self) -> None:
        self._last = None

    def next_uncertain(self) -> None:
        current = self._current()
        if current is None:
            return
        target = next_uncertain(self.files.model, self._last, current)
        if target is not None:
            self._last = target
            self._show(target)
        elif uncertain_order(self.files.model):
            self._message(translate("Browse", "This is the only unfinished image with an uncertainty."))
        elif any(self.files.model.state(rel).uncertainty is not None for rel in self.files.model.paths()):
            self._message(translate("Browse", "Every auto-filled image is done."))
        else:
            self._message(translate("Browse", "No image has an uncertainty yet: auto-fill images first."))


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
