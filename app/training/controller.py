"""Training from the window: opens the dialog, starts the job in its own process, shows what it
reports, and tells the window when a project model was saved.

The job runs in a child process (app.training.domain.runner), polled here from a QTimer, so a
crash or out-of-memory in training cannot take the app down and the GUI thread only reads a
pipe (a few small messages a second). The controller gets the few callables it uses.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QT_TRANSLATE_NOOP, QObject, QTimer
from PySide6.QtWidgets import QWidget

from app.training.dialog import TrainingDialog, TrainOptions
from app.training.domain.messages import (
    Failed,
    Finished,
    Note,
    Progress,
    Skipped,
    Started,
    TrainingJob,
    Validation,
)
from app.training.domain.runner import start_training
from app.ui.action_table import ActionSpec
from app.ui.i18n import show_text, translate

#: How often the pipe is read while a job runs.
POLL_MS = 100

TRAINING_ACTIONS: tuple[ActionSpec, ...] = (
    ActionSpec("train", QT_TRANSLATE_NOOP("Actions", "&Train a Model on Done Images…"), "training.open_dialog", "ai", ("Ctrl+Shift+T",),
               tip=QT_TRANSLATE_NOOP("Actions", "Train an instance model for this project's classes on the images marked done")),
)  # fmt: skip


@dataclass
class TrainingHost:
    """What the controller needs of the window.

    parent: the dialog's parent. project(): (image folder, store folder or None) of the open
    project, or None. save_all(): write unsaved edits (training reads the store). counts():
    (done images, classes). model_saved(address): a project model was written ("project:x").
    message(text): the status bar."""

    parent: QWidget
    project: Callable[[], tuple[Path, str | None] | None]
    save_all: Callable[[], None]
    counts: Callable[[], tuple[int, int]]
    model_saved: Callable[[str], None]
    message: Callable[[str], None]


def project_counts(session) -> tuple[int, int]:  # noqa: ANN001 - an app.project ProjectSession
    """(images marked done, classes) of an open project, from the store index."""
    done = sum(1 for entry in session.store.index().values() if entry.status == "done")
    return done, len(session.labels)


class TrainingController(QObject):
    def __init__(self, host: TrainingHost, start: Callable[[TrainingJob], object] = start_training) -> None:
        super().__init__()
        self.host = host
        self._start_job = start  # tests pass a fake run
        self.dialog: TrainingDialog | None = None
        self.run: object | None = None
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self.poll)

    @property
    def running(self) -> bool:
        return self.run is not None and not self.run.finished

    def open_dialog(self) -> None:
        if self.host.project() is None:
            self.host.message(translate("TrainingController", "Open an image folder first."))
            return
        if self.dialog is None:
            self.dialog = TrainingDialog(self.host.parent)
            self.dialog.start_requested.connect(self.start)
            self.dialog.cancel_requested.connect(self.cancel)
        done, classes = self.host.counts()
        self.dialog.set_data_summary(done, classes)
        self.dialog.show()
        self.dialog.raise_()
        self.dialog.activateWindow()

    def start(self, options: TrainOptions) -> None:
        """Start a run with the dialog's options; refused (nothing changes) while one runs, or
        when no image is marked done."""
        project = self.host.project()
        if self.running or project is None or self.dialog is None:
            return
        done, _classes = self.host.counts()
        if done == 0:
            self.dialog.show_message(translate("TrainingController", "No image is marked done yet. Label a few images, mark them "
                                        "done (Ctrl+Enter), then train."))  # fmt: skip
            return
        self.host.save_all()
        folder, store_dir = project
        job = TrainingJob(
            folder=str(folder), store_dir=store_dir, name=options.name, base_model=options.base,
            minutes=options.minutes, epochs=options.epochs, val_fraction=options.val_fraction,
            resume=options.resume,
        )  # fmt: skip
        self.dialog.begin()
        self.run = self._start_job(job)
        self._timer.start()
        self.host.message(translate("TrainingController", "Training started."))

    def cancel(self) -> None:
        """Stop the run; the job keeps the best weights so far and reports Finished(cancelled)."""
        if self.running:
            self.run.cancel()
            if self.dialog is not None:
                self.dialog.show_message(translate("TrainingController", "Stopping… the best model so far is being saved."))

    def poll(self) -> None:
        if self.run is None:
            self._timer.stop()
            return
        for message in self.run.poll():
            self._show(message)
        if self.run.finished:
            self._timer.stop()

    def shutdown(self) -> None:
        """The window closes: stop a running job (it saves what it has) and end its process."""
        self._timer.stop()
        if self.run is not None:
            self.run.close()

    def _show(self, message: object) -> None:
        d = self.dialog
        if d is None:
            return
        if isinstance(message, Started):
            d.show_message(
                translate("TrainingController", "Training on %1 images (%2 held out for validation) on %3.")
                .replace("%1", str(message.train_images)).replace("%2", str(message.val_images))
                .replace("%3", message.device)
                + ("\n" + "\n".join(show_text(note) for note in message.notes) if message.notes else "")
            )  # fmt: skip
        elif isinstance(message, Progress):
            d.show_progress(message.fraction, message.epoch, message.images_per_s, message.eta_s, message.loss)
            d.curves.add_loss(message.step, message.loss)
        elif isinstance(message, Validation):
            d.curves.add_ap50(message.step, message.ap50)
        elif isinstance(message, Skipped):
            self.host.message(translate("TrainingController", "Left out of training: %1 (%2)").replace("%1", message.image).replace("%2", show_text(message.reason)))
        elif isinstance(message, Note):
            self.host.message(show_text(message.message))
        elif isinstance(message, Finished):
            d.set_running(False)
            if not message.cancelled:
                d.progress.setValue(d.progress.maximum())
            d.show_message(show_text(message.message))
            if message.metrics:
                d.show_metrics(message.metrics)
            if message.model:
                self.host.model_saved(message.model)
            self.host.message(show_text(message.message))
        elif isinstance(message, Failed):
            d.set_running(False)
            d.show_message(show_text(message.message))
            self.host.message(show_text(message.message))
