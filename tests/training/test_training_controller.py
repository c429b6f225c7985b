"""The training dialog and its controller, with a fake run that replays a job's messages
(the real child process is tested in test_runner.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QWidget

from app.training.controller import TrainingController, TrainingHost
from app.training.dialog import TrainOptions
from app.training.domain.messages import Failed, Finished, Progress, Started, Validation

pytestmark = pytest.mark.gui

METRICS = {
    "AP": 0.61, "AP50": 0.88, "AP75": 0.7, "score_threshold": 0.5,
    "classes": [{"name": "circle", "ap50": 0.9, "precision": 0.93, "recall": 0.9},
                {"name": "square", "ap50": None, "precision": None, "recall": None}],
}  # fmt: skip


class FakeRun:
    def __init__(self, job, batches):
        self.job, self.batches = job, list(batches)
        self.cancelled = self.closed = False
        self.result = None

    @property
    def finished(self) -> bool:
        return self.result is not None

    def poll(self):
        out = self.batches.pop(0) if self.batches else []
        for m in out:
            if isinstance(m, (Finished, Failed)):
                self.result = m
        return out

    def cancel(self) -> None:
        self.cancelled = True

    def close(self) -> None:
        self.closed = True


class Host:
    def __init__(self, parent, done: int = 12, project: bool = True) -> None:
        self.done, self.has_project = done, project
        self.saved, self.models, self.messages = 0, [], []
        self.host = TrainingHost(
            parent=parent, project=lambda: (Path("/data/imgs"), None) if self.has_project else None,
            save_all=self._save, counts=lambda: (self.done, 3), model_saved=self.models.append,
            message=self.messages.append,
        )  # fmt: skip

    def _save(self) -> None:
        self.saved += 1


@pytest.fixture
def parent(qtbot):
    w = QWidget()
    qtbot.addWidget(w)
    return w


def make(parent, batches, **host_kw):
    host = Host(parent, **host_kw)
    runs: list[FakeRun] = []

    def start(job):
        runs.append(FakeRun(job, batches))
        return runs[-1]

    return host, TrainingController(host.host, start=start), runs


OPTIONS = TrainOptions(base="small", minutes=3.0, epochs=None, val_fraction=0.25, name="cells", resume=False)

RUN = [
    [Started("cells", "small", "scratch", "cpu", 9, 3, ((1, "circle"), (2, "square")), 0, 1)],
    [Progress(10, 0.5, 4.0, 120.0, 1.5, 1e-3, 5.0, 0.1), Progress(20, 1.0, 4.2, 100.0, 1.1, 1e-3, 10.0, 0.2)],
    [Validation(20, 1.0, 0.55, 0.3, True)],
    [Finished("project:cells", METRICS, False, 40, 2.0, 20.0, 20, "Saved project:cells (AP50 0.880).")],
]


def test_a_run_shows_progress_curves_metrics_and_reports_the_saved_model(qtbot, parent):
    host, ctl, runs = make(parent, RUN)
    ctl.open_dialog()
    ctl.start(OPTIONS)
    job = runs[0].job
    assert (job.folder, job.name, job.base_model, job.minutes, job.epochs, job.val_fraction) == (
        str(Path("/data/imgs")), "cells", "small", 3.0, None, 0.25)
    assert host.saved == 1 and ctl.running and not ctl.dialog.start_button.isEnabled()
    for _ in range(4):
        ctl.poll()
    d = ctl.dialog
    assert d.curves.loss_steps == [10.0, 20.0] and d.curves.losses == [1.5, 1.1]
    assert d.curves.ap_steps == [20.0] and d.curves.ap50s == [0.55]
    assert d.table.rowCount() == 2 and d.table.item(0, 0).text() == "circle"
    assert d.table.item(0, 2).text() == "0.930" and d.table.item(1, 3).text() == "–"
    assert "AP50 0.880" in d.summary.text()
    assert host.models == ["project:cells"]
    assert not ctl.running and d.start_button.isEnabled() and not ctl._timer.isActive()


def test_progress_line_says_epoch_speed_loss_and_time_left(qtbot, parent):
    _host, ctl, _runs = make(parent, RUN[:2])
    ctl.open_dialog()
    ctl.start(OPTIONS)
    ctl.poll(), ctl.poll()
    text = ctl.dialog.status.text()
    assert "1.0" in text and "4.2 images/s" in text and "1.100" in text and "1 min 40 s" in text
    assert ctl.dialog.progress.value() == 200


def test_no_done_images_is_refused_before_any_process_starts(qtbot, parent):
    host, ctl, runs = make(parent, RUN, done=0)
    ctl.open_dialog()
    ctl.start(OPTIONS)
    assert runs == [] and host.saved == 0 and not ctl.running
    assert "marked done" in ctl.dialog.status.text()


def test_without_a_project_the_dialog_does_not_open(qtbot, parent):
    host, ctl, _runs = make(parent, RUN, project=False)
    ctl.open_dialog()
    assert ctl.dialog is None and host.messages == ["Open an image folder first."]


def test_a_second_start_while_running_is_refused_and_cancel_reaches_the_run(qtbot, parent):
    _host, ctl, runs = make(parent, RUN)
    ctl.open_dialog()
    ctl.start(OPTIONS)
    ctl.start(OPTIONS)
    assert len(runs) == 1
    ctl.cancel()
    assert runs[0].cancelled and "best model so far" in ctl.dialog.status.text()
    ctl.shutdown()
    assert runs[0].closed


def test_a_failed_run_says_why_and_allows_a_new_one(qtbot, parent):
    failed = [[Failed("The training process stopped unexpectedly: it ran out of memory.")]]
    host, ctl, runs = make(parent, failed)
    ctl.open_dialog()
    ctl.start(OPTIONS)
    ctl.poll()
    assert "ran out of memory" in ctl.dialog.status.text() and host.messages[-1].startswith("The training")
    assert not ctl.running and ctl.dialog.start_button.isEnabled() and host.models == []
