"""Unhandled errors: log them, save the user's work, show the traceback, keep running.

`setup_logging()` sends log records to a rotating file in the user log folder (app.paths.log_dir)
and to stderr. `install()` replaces sys.excepthook and threading.excepthook. PySide6 passes an
exception raised inside a slot or an overridden Qt method to sys.excepthook and then carries on
with the event loop, so after the hook returns the app keeps running.

For an error on the GUI thread the hook saves first (an exception in the middle of an edit must
not also cost the last second of autosave), then shows a dialog with the traceback and a Copy
button. Errors on other threads are logged at once and queued: the GUI thread picks them up with
a timer and saves and shows them there, since neither saving nor widgets may run off that thread.
A second error while one is being handled (e.g. the dialog itself failing) is only logged.
"""

from __future__ import annotations

import logging
import os
import queue
import sys
import threading
import traceback
from collections.abc import Callable
from logging.handlers import RotatingFileHandler
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.paths import log_dir
from app.ui.i18n import translate

log = logging.getLogger("maskpilot")

LOG_FILE_NAME = "maskpilot.log"
LOG_MAX_BYTES = 1 << 20
LOG_BACKUPS = 3
#: Set to 1 to log errors without opening the dialog (batch runs, tests).
ENV_NO_DIALOG = "MASKPILOT_NO_CRASH_DIALOG"

#: (traceback text, whether the save before it succeeded: True, False, or None = nothing to save)
DialogFn = Callable[[str, "bool | None"], None]


def setup_logging(debug: bool = False, folder: Path | None = None) -> Path:
    """Log INFO (DEBUG with `debug`) to `<folder or log_dir()>/maskpilot.log`, rotated at 1 MB
    with 3 backups, and WARNING (DEBUG) to stderr. Returns the log file path. Idempotent."""
    folder = folder or log_dir()
    path = folder / LOG_FILE_NAME
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_maskpilot", False):
            root.removeHandler(handler)
            handler.close()
    fmt = logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(threadName)s] %(message)s")
    handlers: list[logging.Handler] = []
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handlers.append(RotatingFileHandler(path, maxBytes=LOG_MAX_BYTES, backupCount=LOG_BACKUPS, encoding="utf-8"))
    except OSError as exc:  # a read-only home must not stop the app
        print(f"MaskPilot: cannot write the log file {path}: {exc}", file=sys.stderr)
    stream = logging.StreamHandler(sys.stderr)
    stream.setLevel(logging.DEBUG if debug else logging.WARNING)
    handlers.append(stream)
    for handler in handlers:
        handler._maskpilot = True  # type: ignore[attr-defined]
        handler.setFormatter(fmt)
        root.addHandler(handler)
    root.setLevel(logging.DEBUG if debug else logging.INFO)
    return path


class CrashDialog(QDialog):
    """Traceback text, a Copy button (clipboard) and Close."""

    def __init__(self, text: str, saved: bool | None, log_path: Path | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(translate("CrashHandler", "Unexpected error"))
        if saved is False:
            head = translate("CrashHandler", "An unexpected error occurred, and your work could NOT be saved. "
                      "Use File > Save before closing.")
        else:
            head = translate("CrashHandler", "An unexpected error occurred. Your work has been saved; MaskPilot keeps running.")
        if log_path is not None:
            head += "\n" + translate("CrashHandler", "Details were written to {path}.").format(path=log_path)
        label = QLabel(head)
        label.setWordWrap(True)
        self.details = QPlainTextEdit(text)
        self.details.setReadOnly(True)
        self.details.setMinimumSize(560, 240)
        buttons = QDialogButtonBox(QDialogButtonBox.Close)
        self.copy_button = QPushButton(translate("CrashHandler", "Copy"))
        buttons.addButton(self.copy_button, QDialogButtonBox.ActionRole)
        self.copy_button.clicked.connect(self.copy)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(label)
        layout.addWidget(self.details)
        layout.addWidget(buttons)

    def copy(self) -> None:
        QGuiApplication.clipboard().setText(self.details.toPlainText())


class CrashHandler:
    """The installed hooks. `window_provider()` returns the main window (or None); its
    `_save_all() -> bool` saves the work. `show_dialog` replaces the modal dialog (tests)."""

    def __init__(self, window_provider: Callable[[], object | None], show_dialog: DialogFn | None = None,
                 log_path: Path | None = None) -> None:
        self.window_provider = window_provider
        self.show_dialog = show_dialog or self._modal_dialog
        self.log_path = log_path
        self.handled = 0  # errors fully handled (saved and shown); tests read it
        self._busy = False
        self._pending: queue.SimpleQueue[str] = queue.SimpleQueue()
        self._previous = (sys.excepthook, threading.excepthook)
        self._poll = QTimer()
        self._poll.setInterval(250)
        self._poll.timeout.connect(self._drain)
        self._poll.start()

    # ---- hooks --------------------------------------------------------------------------------
    def excepthook(self, exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            self._previous[0](exc_type, exc, tb)
            return
        text = "".join(traceback.format_exception(exc_type, exc, tb))
        log.error("Unhandled exception\n%s", text.rstrip())
        if threading.current_thread() is not threading.main_thread():
            self._pending.put(text)
            return
        self.report(text)

    def threading_excepthook(self, args: threading.ExceptHookArgs) -> None:
        if args.exc_type is SystemExit:
            return
        name = args.thread.name if args.thread is not None else "?"
        text = f"In thread {name}:\n" + "".join(
            traceback.format_exception(args.exc_type, args.exc_value, args.exc_traceback))
        log.error("Unhandled exception\n%s", text.rstrip())
        self._pending.put(text)

    # ---- GUI thread ---------------------------------------------------------------------------
    def report(self, text: str) -> None:
        """Save, then show `text`. Must run on the GUI thread; never raises, never recurses."""
        if self._busy:
            log.error("Another error occurred while the previous one was being handled; logged only")
            return
        self._busy = True
        try:
            saved = self._save()
            try:
                if os.environ.get(ENV_NO_DIALOG) != "1":
                    self.show_dialog(text, saved)
            except Exception:  # noqa: BLE001 - the dialog failing must not start a loop of errors
                log.exception("The error dialog itself failed")
            self.handled += 1
        finally:
            self._busy = False

    def _save(self) -> bool | None:
        window = self.window_provider()
        save = getattr(window, "_save_all", None)
        if save is None:
            return None
        try:
            ok = bool(save())
        except Exception:  # noqa: BLE001 - a broken save is reported in the dialog
            log.exception("Saving after an unhandled error failed")
            return False
        log.info("Work saved after an unhandled error" if ok else "Some work could not be saved after an error")
        return ok

    def _drain(self) -> None:
        while not self._busy:
            try:
                text = self._pending.get_nowait()
            except queue.Empty:
                return
            self.report(text)

    def _modal_dialog(self, text: str, saved: bool | None) -> None:
        window = self.window_provider()
        CrashDialog(text, saved, self.log_path, window if isinstance(window, QWidget) else None).exec()

    def uninstall(self) -> None:
        self._poll.stop()
        if sys.excepthook == self.excepthook:
            sys.excepthook = self._previous[0]
        if threading.excepthook == self.threading_excepthook:
            threading.excepthook = self._previous[1]


def install(window_provider: Callable[[], object | None], show_dialog: DialogFn | None = None,
            log_path: Path | None = None) -> CrashHandler:
    """Install the hooks (call on the GUI thread after the QApplication exists)."""
    handler = CrashHandler(window_provider, show_dialog, log_path)
    sys.excepthook = handler.excepthook
    threading.excepthook = handler.threading_excepthook
    return handler
