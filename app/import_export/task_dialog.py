"""A dialog that runs one long Qt-free task in a QThread, with a progress bar and Cancel.

The task is any callable `task(should_stop, progress) -> report`, the callback pair every
import/export function in app.formats accepts. It runs in a worker object moved to a QThread
(ARCHITECTURE.md: worker objects, quit()+wait()), so the GUI stays responsive. Only ints cross
threads as signals; the result is read on the GUI thread after the thread has finished.
Cancel sets a threading.Event that the task polls between images, so it ends without leaving a
half-written file or image.
"""

from __future__ import annotations

import threading
import traceback
from collections.abc import Callable

from PySide6.QtCore import QObject, QThread, Signal, Slot
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.formats.project_io import RecordWarning
from app.ui.i18n import show_text, translate

Task = Callable[[Callable[[], bool], Callable[[int, int], None]], object]
#: Warnings listed in the dialog; the rest are counted (a 10,000-image import can have many).
MAX_WARNINGS_SHOWN = 500


def warning_line(warning: RecordWarning) -> str:
    """A RecordWarning as str() writes it, with its record and reason in the UI's language."""
    where = f"{warning.file}: {show_text(warning.record)}" if warning.record else warning.file
    return f"{where}: {show_text(warning.reason)}"


class _Worker(QObject):
    progressed = Signal(int, int)
    finished = Signal()

    def __init__(self, task: Task, stop: threading.Event) -> None:
        super().__init__()
        self._task = task
        self._stop = stop
        self.result: object = None
        self.error: str | None = None

    @Slot()
    def run(self) -> None:
        try:
            self.result = self._task(self._stop.is_set, self.progressed.emit)
        except Exception as exc:  # shown to the user; the traceback goes to stderr for reports
            traceback.print_exc()
            self.error = show_text(exc) or type(exc).__name__
        finally:
            self.finished.emit()


class TaskDialog(QDialog):
    """Base of ExportDialog and ImportDialog: subclasses put their options into `self.options`
    (a QVBoxLayout), implement build_task() and task_done(), and get progress and cancel."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._thread: QThread | None = None
        self._worker: _Worker | None = None
        self._stop = threading.Event()
        layout = QVBoxLayout(self)
        self.options = QVBoxLayout()
        layout.addLayout(self.options)
        self.progress_bar = QProgressBar()
        self.progress_bar.setRange(0, 1)
        self.progress_bar.setValue(0)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.log = QPlainTextEdit()
        self.log.setReadOnly(True)
        self.log.setVisible(False)
        self.buttons = QDialogButtonBox()
        self.start_button = QPushButton()
        self.buttons.addButton(self.start_button, QDialogButtonBox.AcceptRole)
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.Cancel)
        self.start_button.clicked.connect(self.start)
        self.cancel_button.clicked.connect(self.cancel)
        for w in (self.progress_bar, self.status, self.log, self.buttons):
            layout.addWidget(w)
        self.result: object = None
        self.error: str | None = None

    # ---- to implement --------------------------------------------------------------------
    def build_task(self) -> Task | None:
        """The task to run, or None (after telling the user why) when the options are invalid."""
        raise NotImplementedError

    def task_done(self, result: object) -> None:
        """Called on the GUI thread with the task's report (also when it was cancelled)."""

    def task_ended(self) -> None:
        """Called on the GUI thread after every run, before task_done, even when it failed."""

    # ---- running ---------------------------------------------------------------------------
    def is_running(self) -> bool:
        return self._thread is not None

    def start(self) -> None:
        if self.is_running():
            return
        task = self.build_task()
        if task is None:
            return
        self.result, self.error = None, None
        self._stop = threading.Event()
        self._set_running(True)
        self.status.setText(translate("TaskDialog", "Working…"))
        self.log.clear()
        self.log.setVisible(False)
        self._thread = QThread(self)
        self._worker = _Worker(task, self._stop)
        self._worker.moveToThread(self._thread)
        self._thread.started.connect(self._worker.run)
        self._worker.progressed.connect(self._on_worker_progressed)
        self._worker.finished.connect(self._thread.quit)
        self._thread.finished.connect(self._on_thread_finished)
        self._thread.start()

    def cancel(self) -> None:
        """While running: ask the task to stop (it ends after the current image). Otherwise close."""
        if self.is_running():
            self._stop.set()
            self.status.setText(translate("TaskDialog", "Stopping after the current image…"))
            self.cancel_button.setEnabled(False)
        else:
            self.reject()

    def wait(self, msecs: int = 30000) -> bool:
        """Block until the task has finished (tests and shutdown); True when it has."""
        return self._thread is None or self._thread.wait(msecs)

    def _on_worker_progressed(self, done: int, total: int) -> None:
        self.progress_bar.setRange(0, max(total, 1))
        self.progress_bar.setValue(done)
        if not self._stop.is_set():
            self.status.setText(translate("TaskDialog", "%1 of %2 image(s)").replace("%1", str(done)).replace("%2", str(total)))

    def _on_thread_finished(self) -> None:
        worker, thread = self._worker, self._thread
        self._worker, self._thread = None, None
        if worker is not None:
            self.result, self.error = worker.result, worker.error
            worker.deleteLater()
        if thread is not None:
            thread.deleteLater()
        self._set_running(False)
        self.task_ended()
        if self.error is not None:
            self.status.setText(translate("TaskDialog", "Failed: %1").replace("%1", self.error))
        else:
            self.task_done(self.result)

    def _set_running(self, running: bool) -> None:
        self.start_button.setEnabled(not running)
        self.cancel_button.setEnabled(True)
        self.cancel_button.setText(translate("TaskDialog", "Cancel") if running else translate("TaskDialog", "Close"))
        for i in range(self.options.count()):
            item = self.options.itemAt(i)
            if item.widget() is not None:
                item.widget().setEnabled(not running)

    def show_warnings(self, warnings: list[RecordWarning], extra: list[str] = ()) -> None:
        lines = list(extra) + [warning_line(w) for w in warnings[:MAX_WARNINGS_SHOWN]]
        if len(warnings) > MAX_WARNINGS_SHOWN:
            lines.append(translate("TaskDialog", "… and %1 more").replace("%1", str(len(warnings) - MAX_WARNINGS_SHOWN)))
        self.log.setPlainText("\n".join(lines))
        self.log.setVisible(bool(lines))

    # ---- closing while running -------------------------------------------------------------
    def reject(self) -> None:
        if self.is_running():
            self.cancel()  # Esc / window close while running: stop first, close when finished
            self._thread.finished.connect(super().reject)  # type: ignore[union-attr]
            return
        super().reject()

    def done(self, result: int) -> None:
        if self.is_running():
            self._stop.set()
            self.wait()
        super().done(result)
