"""The two threads behind the interactive tool: one encodes images (seconds each on a CPU), the
other decodes prompts (tens of milliseconds). Two threads, so that a click on an image whose
embedding is ready never waits behind the encoder working ahead on the next images.

Both share one PromptEngine (thread-safe). Work is handed over under a lock and the thread is
woken by a queued signal; the encoder takes its queue in order (the current image first, then the
next ones), replaced whenever the user moves on; the decoder only ever runs the newest prompt.
Signals carry numpy data and plain values only.
"""

from __future__ import annotations

import os
import sys
import threading
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QObject, QThread, Signal, Slot

from app.ai.domain.embeddings import ImageKey
from app.ai.domain.everything import EverythingOptions, segment_everything
from app.ai.domain.prompts import PromptEngine
from app.core.prompts import Prompt
from app.formats.image_io import ImageLoadError, read_image
from app.ui.i18n import show_text


def lower_thread_priority(nice: int = 10) -> None:
    """Make the calling thread (and the compute threads it starts later) yield the CPU to the
    decoder and the GUI: encoding ahead of the user must never slow a click. Linux keeps a nice
    value per thread (setpriority on the thread id); elsewhere this does nothing."""
    if hasattr(os, "setpriority") and sys.platform.startswith("linux"):
        try:
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), nice)
        except OSError:
            pass


@dataclass(frozen=True)
class EncodeJob:
    key: ImageKey
    path: str
    rgb: np.ndarray | None = None  # already decoded (the image on the canvas): no second decode


@dataclass(frozen=True)
class DecodeJob:
    request_id: int
    key: ImageKey
    prompt: Prompt
    size: tuple[int, int]  # image (width, height)
    preview: bool = False  # a hover preview, not a placed prompt
    commit: bool = False  # Auto-Edit: the best mask becomes an instance at once
    everything: EverythingOptions | None = None  # segment everything with these options (prompt unused)


class _Queue:
    """Pending work under a lock; `latest_only` keeps just the newest item, apart from the
    pending items that `must_run(item)` says are owed an answer (an Auto-Edit box)."""

    def __init__(self, latest_only: bool, must_run=lambda item: False) -> None:
        self._items: list = []
        self._lock = threading.Lock()
        self._latest_only = latest_only
        self._must_run = must_run

    def replace(self, items: list) -> None:
        with self._lock:
            if self._latest_only:
                self._items = [i for i in self._items if self._must_run(i)] + list(items[-1:])
            else:
                self._items = list(items)

    def clear(self) -> None:
        with self._lock:
            self._items = []

    def pop(self):
        with self._lock:
            return self._items.pop(0) if self._items else None


class _Worker(QObject):
    _wake = Signal()

    def __init__(self, engine: PromptEngine, latest_only: bool, name: str, must_run=lambda item: False) -> None:
        super().__init__()
        self.engine = engine
        self.queue = _Queue(latest_only, must_run)
        self.thread = QThread()
        self.thread.setObjectName(name)
        self.moveToThread(self.thread)
        self._wake.connect(self._drain)

    def submit(self, items: list) -> None:
        """Replace the pending work (any thread); the running item finishes first."""
        self.queue.replace(items)
        if not self.thread.isRunning():
            self.thread.start()
        self._wake.emit()

    @Slot()
    def _drain(self) -> None:
        while (item := self.queue.pop()) is not None:
            self._run(item)

    def _run(self, item) -> None:
        raise NotImplementedError

    def stop(self, timeout_ms: int = 30000) -> None:
        self.queue.clear()
        if self.thread.isRunning():
            self.thread.quit()
            self.thread.wait(timeout_ms)


class EncoderWorker(_Worker):
    embedded = Signal(object)  # ImageKey
    failed = Signal(object, str)  # ImageKey, message

    def __init__(self, engine: PromptEngine) -> None:
        super().__init__(engine, latest_only=False, name="maskpilot-encoder")
        self._niced = False

    def _run(self, job: EncodeJob) -> None:
        if not self._niced:
            self._niced = True
            lower_thread_priority()
        def read() -> np.ndarray:
            return job.rgb if job.rgb is not None else read_image(job.path, pyramid=False).rgb  # rgb only

        try:
            self.engine.embed(job.key, read)
        except (ImageLoadError, OSError, RuntimeError, ValueError) as exc:
            self.failed.emit(job.key, show_text(exc))
            return
        self.embedded.emit(job.key)
        self.engine.warm_decoder()  # after the signal: the first click need not wait for it


class DecoderWorker(_Worker):
    decoded = Signal(object, object)  # DecodeJob, Candidates
    everything_done = Signal(object, list)  # DecodeJob, [(RasterGeometry, score)]
    failed = Signal(int, str)

    def __init__(self, engine: PromptEngine) -> None:
        super().__init__(engine, latest_only=True, name="maskpilot-decoder", must_run=lambda job: job.commit or job.everything is not None)

    def _run(self, job: DecodeJob) -> None:
        try:
            if job.everything is not None:
                self.everything_done.emit(job, segment_everything(self.engine, job.key, job.size, job.everything))
                return
            result = self.engine.decode(job.key, job.prompt, job.size)
        except (RuntimeError, ValueError) as exc:
            self.failed.emit(job.request_id, str(exc))
            return
        if result is not None:
            self.decoded.emit(job, result)
