"""One QUndoStack per image, kept while the session runs so undo survives switching images."""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtGui import QUndoCommand, QUndoGroup, QUndoStack
from PySide6.QtWidgets import QUndoView

from app.ui.i18n import translate


class UndoStacks(QObject):
    """The per-image undo stacks of one project, in one QUndoGroup whose active stack is the
    current image's (the Undo/Redo actions and the dirty marker follow the group)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.group = QUndoGroup(self)
        self._stacks: dict[str, QUndoStack] = {}
        self._view: QUndoView | None = None

    def stack_for(self, rel: str) -> QUndoStack:
        """The undo stack of image `rel`, made on first use."""
        stack = self._stacks.get(rel)
        if stack is None:
            stack = self._stacks[rel] = QUndoStack(self.group)
        return stack

    def activate(self, rel: str | None) -> None:
        self.group.setActiveStack(self.stack_for(rel) if rel is not None else None)

    def active(self) -> QUndoStack | None:
        return self.group.activeStack()

    def push(self, command: QUndoCommand) -> None:
        """Apply `command` on the current image's stack (nothing happens without one)."""
        stack = self.group.activeStack()
        if stack is not None:
            stack.push(command)

    def has_history(self, rel: str) -> bool:
        stack = self._stacks.get(rel)
        return stack is not None and stack.count() > 0

    def drop(self, *rels: str) -> None:
        """Forget these images' stacks (their documents left memory or were re-read from disk)."""
        for rel in rels:
            stack = self._stacks.pop(rel, None)
            if stack is not None:
                self.group.removeStack(stack)
                stack.deleteLater()

    def clear(self) -> None:
        self.drop(*self._stacks)

    def mark_clean(self, rel: str) -> None:
        stack = self._stacks.get(rel)
        if stack is not None:
            stack.setClean()

    def show_history(self) -> None:
        """Edit ▸ History: the current image's commands; clicking one undoes or redoes to it."""
        if self._view is None:
            self._view = QUndoView(self.group)
            self._view.setWindowTitle(translate("UndoStacks", "Edit history"))
            self._view.resize(320, 420)
        self._view.show()
        self._view.raise_()
