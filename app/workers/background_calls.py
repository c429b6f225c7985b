"""Run a short CPU-bound call (GrabCut) off the GUI thread and hand its result back on it.

The same rule as the image loader: pool threads never touch Qt (emitting signals with Python
objects from non-Qt threads crashed PySide6 under load), so a GUI-thread timer polls the futures,
and only while some are pending. An exception raised by the call is raised again on the GUI
thread, where the crash handler sees it, exactly as if the call had run there.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from PySide6.QtCore import QObject, QTimer


class BackgroundCalls(QObject):
    """`run(work, done)`: `work()` runs on a pool thread, then `done(result)` on the GUI thread."""

    def __init__(self, parent: QObject | None = None, poll_ms: int = 10) -> None:
        super().__init__(parent)
        # One thread: calls finish in the order they were made, and a burst of boxes cannot
        # take every core away from the GUI.
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="maskpilot-background")
        self._pending: list[tuple[Future, Callable[[Any], None]]] = []
        self._poll = QTimer(self)
        self._poll.setInterval(poll_ms)
        self._poll.timeout.connect(self._collect)

    @property
    def busy(self) -> bool:
        return bool(self._pending)

    def run(self, work: Callable[[], Any], done: Callable[[Any], None]) -> None:
        self._pending.append((self._pool.submit(work), done))
        self._poll.start()

    def _collect(self) -> None:
        # One done() per future: a call finishing between two checks would land in neither list.
        finished, waiting = [], []
        for future, done in self._pending:
            (finished if future.done() else waiting).append((future, done))
        self._pending = waiting
        if not self._pending:
            self._poll.stop()
        for future, done in finished:
            if not future.cancelled():
                done(future.result())  # re-raises the call's exception here, on the GUI thread

    def shutdown(self) -> None:
        """Drop pending results (the window is closing) without waiting for a running call."""
        self._poll.stop()
        self._pending.clear()
        self._pool.shutdown(wait=False, cancel_futures=True)
