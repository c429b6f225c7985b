"""The one selection of instance ids, shared by the canvas and the layer panel."""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QObject, Signal


class Selection(QObject):
    changed = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        # parented to the window: a connection from an unparented QObject keeps its Python
        # slots (and through them the closed window) alive, out of the garbage collector's sight
        super().__init__(parent)
        self._ids: tuple[int, ...] = ()

    @property
    def ids(self) -> frozenset[int]:
        return frozenset(self._ids)

    @property
    def ordered(self) -> tuple[int, ...]:
        return self._ids

    def set(self, ids: Iterable[int]) -> None:
        new = tuple(dict.fromkeys(ids))
        if new != self._ids:
            self._ids = new
            self.changed.emit()

    def toggle(self, iid: int) -> None:
        self.set([i for i in self._ids if i != iid] if iid in self._ids else [*self._ids, iid])
